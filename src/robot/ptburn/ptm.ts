// PTBurn client command files (.PTM, PTBurn 3 SDK rev 3.24 §4 and Appendix D): a typed command,
// its writer (the adapter cancels a job, acknowledges ink low, aligns, recounts bins) and its
// reader (the emulator acts on them). PTBurn polls for them about every 10 s and deletes a
// command file once it has processed it.
//
// Job commands (ABORT, PROCESS_DISC, REJECT_DISC, UNLOAD_DISC) must carry the base name of the
// job's .JRQ; the others may have any name. Where the manual fixes ClientID to "Administrator"
// we write it so. The manual's body shows "Message = PROCESS_DISC" for the reject and unload
// commands too; we follow Appendix D, which names them REJECT_DISC and UNLOAD_DISC.

import { joinKeyLines, parseInteger, splitKeyLines, valueProblem } from './key-lines.ts';

export const ADMINISTRATOR = 'Administrator';

export type PtmCommand =
  | { message: 'ABORT'; clientId: string }
  | { message: 'SHUTDOWN_AFTERJOB' }
  | { message: 'SHUTDOWN_IMMEDIATE' }
  | { message: 'ALIGN_PRINTER'; robotName?: string }
  | { message: 'IGNORE_INKLOW' }
  | { message: 'PROCESS_DISC' | 'REJECT_DISC' | 'UNLOAD_DISC'; discId: number }
  | { message: 'CHECK_DISCSINBIN'; robotName?: string }
  | { message: 'CREATE_REPORT' }
  | { message: 'GENERATE_PREVIEW'; pathFrom: string; pathTo: string; dpi?: number }
  | { message: 'RUN_UTILITY'; pathFrom: string }
  | { message: 'USB_CONNECT' }
  | { message: 'USB_DISCONNECT'; robotName: string }
  | { message: 'CHANGE_KIOSK_MODE'; enabled: boolean; robotName?: string }
  | { message: 'CLEAN_CARTRIDGES' };

export type PtmMessage = PtmCommand['message'];

export const PTM_MESSAGES: readonly PtmMessage[] = [
  'ABORT', 'SHUTDOWN_AFTERJOB', 'SHUTDOWN_IMMEDIATE', 'ALIGN_PRINTER', 'IGNORE_INKLOW', 'PROCESS_DISC',
  'REJECT_DISC', 'UNLOAD_DISC', 'CHECK_DISCSINBIN', 'CREATE_REPORT', 'GENERATE_PREVIEW', 'RUN_UTILITY',
  'USB_CONNECT', 'USB_DISCONNECT', 'CHANGE_KIOSK_MODE', 'CLEAN_CARTRIDGES',
];

/** Commands about one job: their .PTM file takes the job's .JRQ base name (§4). */
export const JOB_COMMANDS: ReadonlySet<PtmMessage> = new Set(['ABORT', 'PROCESS_DISC', 'REJECT_DISC', 'UNLOAD_DISC']);

export interface PtmProblem {
  key: string;
  message: string;
}

export class PtmValidationError extends Error {
  constructor(readonly problems: PtmProblem[]) {
    super(`invalid PTM command: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`);
    this.name = 'PtmValidationError';
  }
}

/** Key/value pairs in the order the manual's examples show them. */
export function ptmPairs(command: PtmCommand): Array<[string, string]> {
  const pairs: Array<[string, string]> = [['Message', command.message]];
  const admin = () => pairs.push(['ClientID', ADMINISTRATOR]);
  const robot = (name: string | undefined) => {
    if (name !== undefined) pairs.push(['RobotName', name]);
  };
  switch (command.message) {
    case 'ABORT': pairs.push(['ClientID', command.clientId]); break;
    case 'SHUTDOWN_AFTERJOB': case 'SHUTDOWN_IMMEDIATE': case 'IGNORE_INKLOW': admin(); break;
    case 'ALIGN_PRINTER': case 'CHECK_DISCSINBIN': admin(); robot(command.robotName); break;
    case 'PROCESS_DISC': case 'REJECT_DISC': case 'UNLOAD_DISC': pairs.push(['DiscID', String(command.discId)]); break;
    case 'GENERATE_PREVIEW':
      pairs.push(['PathFrom', command.pathFrom], ['PathTo', command.pathTo]);
      if (command.dpi !== undefined) pairs.push(['DPI', String(command.dpi)]);
      break;
    case 'RUN_UTILITY': pairs.push(['PathFrom', command.pathFrom]); break;
    case 'USB_DISCONNECT': robot(command.robotName); break;
    case 'CHANGE_KIOSK_MODE': pairs.push(['Value', command.enabled ? '1' : '0']); admin(); robot(command.robotName); break;
    case 'CREATE_REPORT': case 'USB_CONNECT': case 'CLEAN_CARTRIDGES': break;
  }
  return pairs;
}

export function validatePtm(command: PtmCommand): PtmProblem[] {
  const problems: PtmProblem[] = [];
  if (!PTM_MESSAGES.includes(command.message)) problems.push({ key: 'Message', message: `unknown command "${command.message}"` });
  for (const [key, value] of ptmPairs(command).slice(1)) {
    const problem = valueProblem(value);
    if (problem) problems.push({ key, message: problem });
    if (value === '') problems.push({ key, message: 'must not be empty' });
  }
  if (command.message === 'ABORT' && command.clientId.length > 32) problems.push({ key: 'ClientID', message: 'at most 32 characters (it must match the JRQ ClientID)' });
  if ('discId' in command && !(Number.isInteger(command.discId) && command.discId >= 0 && command.discId <= 9)) problems.push({ key: 'DiscID', message: `${command.discId} is not a drive slot 0–9` });
  if (command.message === 'GENERATE_PREVIEW' && command.dpi !== undefined && !(Number.isInteger(command.dpi) && command.dpi >= 50 && command.dpi <= 600)) {
    problems.push({ key: 'DPI', message: `${command.dpi} is outside 50–600` });
  }
  return problems;
}

/** The .PTM text (`Key = Value`, CRLF); throws PtmValidationError naming the bad key. */
export function writePtm(command: PtmCommand): string {
  const problems = validatePtm(command);
  if (problems.length > 0) throw new PtmValidationError(problems);
  return joinKeyLines(ptmPairs(command));
}

export type ParsedPtm = { ok: true; command: PtmCommand; clientId?: string } | { ok: false; problems: PtmProblem[] };

/**
 * Reads .PTM text, never throws. `clientId` is whatever ClientID the file carried (the emulator
 * checks ABORT against the job's ClientID or "Administrator"); keys are matched without case.
 */
export function parsePtm(text: string): ParsedPtm {
  const values = new Map<string, string>();
  const problems: PtmProblem[] = [];
  const { entries, unreadable } = splitKeyLines(text);
  for (const line of unreadable) problems.push({ key: `line ${line.line}`, message: `not a "Key = Value" line: ${line.text}` });
  for (const { key, value } of entries) values.set(key.toLowerCase(), value);
  const get = (key: string) => values.get(key.toLowerCase());
  const need = (key: string) => {
    const value = get(key);
    if (value === undefined || value === '') problems.push({ key, message: 'is required' });
    return value ?? '';
  };
  const optional = (key: string) => {
    const value = get(key);
    return value === undefined || value === '' ? {} : { robotName: value };
  };
  const message = (get('Message') ?? '').toUpperCase();
  const clientId = get('ClientID');
  let command: PtmCommand | undefined;
  switch (message) {
    case 'ABORT': command = { message, clientId: need('ClientID') }; break;
    case 'SHUTDOWN_AFTERJOB': case 'SHUTDOWN_IMMEDIATE': case 'IGNORE_INKLOW': case 'CREATE_REPORT':
    case 'USB_CONNECT': case 'CLEAN_CARTRIDGES':
      command = { message }; break;
    case 'ALIGN_PRINTER': case 'CHECK_DISCSINBIN': command = { message, ...optional('RobotName') }; break;
    case 'PROCESS_DISC': case 'REJECT_DISC': case 'UNLOAD_DISC': {
      const discId = parseInteger(need('DiscID'));
      if (discId === undefined) problems.push({ key: 'DiscID', message: `"${get('DiscID') ?? ''}" is not a number` });
      command = { message, discId: discId ?? -1 };
      break;
    }
    case 'GENERATE_PREVIEW': {
      const dpiText = get('DPI');
      const dpi = dpiText === undefined ? undefined : parseInteger(dpiText);
      if (dpiText !== undefined && dpi === undefined) problems.push({ key: 'DPI', message: `"${dpiText}" is not a number` });
      command = { message, pathFrom: need('PathFrom'), pathTo: need('PathTo'), ...(dpi === undefined ? {} : { dpi }) };
      break;
    }
    case 'RUN_UTILITY': command = { message, pathFrom: need('PathFrom') }; break;
    case 'USB_DISCONNECT': command = { message, robotName: need('RobotName') }; break;
    case 'CHANGE_KIOSK_MODE': {
      const value = need('Value');
      if (value !== '0' && value !== '1') problems.push({ key: 'Value', message: `"${value}" is not 0 or 1` });
      command = { message, enabled: value === '1', ...optional('RobotName') };
      break;
    }
    default:
      problems.push({ key: 'Message', message: message === '' ? 'is required' : `unknown command "${message}"` });
  }
  if (command) problems.push(...validatePtm(command).filter((p) => !problems.some((q) => q.key === p.key)));
  if (problems.length > 0 || !command) return { ok: false, problems };
  return clientId === undefined ? { ok: true, command } : { ok: true, command, clientId };
}

/** The .PTM file name: a job command reuses the job's .JRQ base name; others get the caller's name. */
export const ptmFileName = (baseName: string) => `${baseName}.PTM`;
