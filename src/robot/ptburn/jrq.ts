// PTBurn job request files (.JRQ): a typed JobRequest, its writer (the adapter drops one file per
// disc set) and its reader (the emulator picks files up). Keys, values and defaults follow the
// PTBurn 3 SDK manual rev 3.24 §2.1 (shared/reference/primera-robot.md §4.2).
//
// The writer emits one canonical text: `Key = Value` lines with CRLF, in the key order of the
// manual's fullest example (§2.2.3), optional keys only when set. The reader is as forgiving as we
// assume PTBurn is (see key-lines.ts): any case and spacing, any line ending, repeated single keys
// where the last one wins. Keys this module does not model (AudioFile, CD-Text, read jobs, media
// checks) are kept verbatim in `other`, in file order, so nothing a client wrote is lost.

import { joinKeyLines, parseInteger, parseYesNo, splitKeyLines, yesNo } from './key-lines.ts';
import { validateJobRequest, type JrqProblem } from './jrq-validate.ts';

export type { JrqProblem } from './jrq-validate.ts';

export type SessionNumber = 1 | 2;

/** `Data = source[>\destination][, SessionN]`: a file or a folder whose contents are burned. */
export interface DataEntry {
  source: string;
  /** Where it lands on the disc, starting with "\" (the disc root). */
  destination?: string;
  session?: SessionNumber;
}

/** `ImageFile = path[, SessionN]`: an .ISO or .GI image burned as is. */
export interface ImageEntry {
  path: string;
  session?: SessionNumber;
}

export const IMAGE_TYPES = ['MODE_1_2048', 'MODE_2_2336', 'MODE_2_2352'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** File systems PTBurn builds for a data burn; UDF260 is the one PS3.12 wants on BD. */
export const FILE_SYSTEMS = [
  'ISOLEVEL1', 'ISOLEVEL2', 'ISOLEVEL3', 'JOLIET',
  'ISOLEVEL1+JOLIET', 'ISOLEVEL2+JOLIET', 'ISOLEVEL3+JOLIET',
  'UDF', 'UDF201', 'UDF250', 'UDF260',
] as const;
export type FileSystem = (typeof FILE_SYSTEMS)[number];

export const DATA_IMAGE_OPTIONS = ['SETNOW', 'MODE2', 'SAO'] as const;
export type DataImageOption = (typeof DATA_IMAGE_OPTIONS)[number];

export interface DataImageType {
  fileSystem: FileSystem;
  options: DataImageOption[];
}

export const DISC_TYPES = ['CDR', 'DVDR'] as const;
export type DiscType = (typeof DISC_TYPES)[number];

export const NOTIFY_CLIENT = ['Message', 'Disabled'] as const;
export type NotifyClient = (typeof NOTIFY_CLIENT)[number];

/** PVD fields PTBurn writes into the ISO 9660 volume descriptor (§2.1.28–31). */
export interface PvdFields {
  systemId?: string;
  publisherId?: string;
  preparerId?: string;
  applicationId?: string;
}

/** One job request. An absent optional key means PTBurn's default (see jrqDefaults). */
export interface JobRequest {
  jobId?: string;
  clientId?: string;
  importance?: number;
  data: DataEntry[];
  images: ImageEntry[];
  imageType?: ImageType;
  deleteFiles?: boolean;
  dataImageType?: DataImageType;
  discType?: DiscType;
  closeDisc?: boolean;
  copies?: number;
  printLabel?: string;
  mergeFields: string[];
  printQuality?: number;
  printInnerDiam?: number;
  printOuterMargin?: number;
  printReject?: boolean;
  volumeName?: string;
  burnSpeed?: number;
  verifyDisc?: boolean;
  rejectIfNotBlank?: boolean;
  testRecord?: boolean;
  preMasterData?: boolean;
  driveIds: number[];
  binId?: number;
  robotName?: string;
  loadUnloadOverride?: boolean;
  pvd?: PvdFields;
  notifyClient?: NotifyClient;
  /** Keys not modelled here, verbatim and in order (AudioFile, CDText*, ReadDataTo, Check*OnDisc …). */
  other: Array<{ key: string; value: string }>;
}

export class JrqValidationError extends Error {
  constructor(readonly problems: JrqProblem[]) {
    super(`invalid job request: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`);
    this.name = 'JrqValidationError';
  }
}

/** An empty request, to spread a few fields over. */
export function jobRequest(fields: Partial<JobRequest> = {}): JobRequest {
  return { data: [], images: [], mergeFields: [], driveIds: [], other: [], ...fields };
}

const sessionSuffix = (session: SessionNumber | undefined) => (session === undefined ? '' : `, Session${session}`);

export function formatDataEntry(entry: DataEntry): string {
  const target = entry.destination === undefined ? '' : `>${entry.destination}`;
  return `${entry.source}${target}${sessionSuffix(entry.session)}`;
}

/** The key/value pairs of a request in canonical order, values formatted but not checked. */
export function jobRequestPairs(request: JobRequest): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const put = (key: string, value: string | number | undefined) => {
    if (value !== undefined) pairs.push([key, String(value)]);
  };
  const flag = (key: string, value: boolean | undefined) => put(key, value === undefined ? undefined : yesNo(value));
  put('JobID', request.jobId);
  put('ClientID', request.clientId);
  put('Importance', request.importance);
  for (const entry of request.data) put('Data', formatDataEntry(entry));
  for (const image of request.images) put('ImageFile', `${image.path}${sessionSuffix(image.session)}`);
  put('ImageType', request.imageType);
  flag('DeleteFiles', request.deleteFiles);
  if (request.dataImageType) put('DataImageType', [request.dataImageType.fileSystem, ...request.dataImageType.options].join(', '));
  put('DiscType', request.discType);
  flag('CloseDisc', request.closeDisc);
  put('Copies', request.copies);
  put('PrintLabel', request.printLabel);
  for (const field of request.mergeFields) put('MergeField', field);
  put('PrintQuality', request.printQuality);
  put('PrintInnerDiam', request.printInnerDiam);
  put('PrintOuterMargin', request.printOuterMargin);
  flag('PrintReject', request.printReject);
  put('VolumeName', request.volumeName);
  put('BurnSpeed', request.burnSpeed);
  flag('VerifyDisc', request.verifyDisc);
  flag('RejectIfNotBlank', request.rejectIfNotBlank);
  flag('TestRecord', request.testRecord);
  flag('PreMasterData', request.preMasterData);
  for (const drive of request.driveIds) put('DriveID', drive);
  put('BinID', request.binId);
  put('RobotName', request.robotName);
  flag('LoadUnloadOverride', request.loadUnloadOverride);
  put('PVDSystemID', request.pvd?.systemId);
  put('PVDPublisherID', request.pvd?.publisherId);
  put('PVDPreparerID', request.pvd?.preparerId);
  put('PVDApplicationID', request.pvd?.applicationId);
  put('NotifyClient', request.notifyClient);
  for (const { key, value } of request.other) put(key, value);
  return pairs;
}

/** The .JRQ text; throws JrqValidationError naming every bad key, so PTBurn never sees a bad file. */
export function writeJobRequest(request: JobRequest): string {
  const problems = validateJobRequest(request);
  if (problems.length > 0) throw new JrqValidationError(problems);
  return joinKeyLines(jobRequestPairs(request));
}

export interface ParsedJobRequest {
  request: JobRequest;
  /** Everything PTBurn would object to: unreadable lines, unknown values, out-of-range numbers. */
  problems: JrqProblem[];
}

const SESSION_SUFFIX = /,\s*Session\s*(\d+)\s*$/i;

function splitSession(value: string, key: string, problems: JrqProblem[]): { rest: string; session?: SessionNumber } {
  const match = SESSION_SUFFIX.exec(value);
  if (!match) return { rest: value };
  const n = Number(match[1]);
  const rest = value.slice(0, match.index).trim();
  if (n === 1 || n === 2) return { rest, session: n };
  problems.push({ key, message: `Session${n}: only sessions 1 and 2 exist`, jobError: 21 });
  return { rest };
}

function parseDataEntry(value: string, problems: JrqProblem[]): DataEntry {
  const { rest, session } = splitSession(value, 'Data', problems);
  const gt = rest.indexOf('>');
  const entry: DataEntry = gt < 0 ? { source: rest } : { source: rest.slice(0, gt).trim(), destination: rest.slice(gt + 1).trim() };
  if (session !== undefined) entry.session = session;
  return entry;
}

function parseDataImageType(value: string, problems: JrqProblem[]): DataImageType | undefined {
  const [first = '', ...rest] = value.split(',').map((part) => part.trim().toUpperCase());
  const fileSystem = FILE_SYSTEMS.find((fs) => fs === first);
  const options: DataImageOption[] = [];
  for (const option of rest) {
    const known = DATA_IMAGE_OPTIONS.find((o) => o === option);
    if (known) options.push(known);
    else problems.push({ key: 'DataImageType', message: `unknown option "${option}"`, jobError: 25 });
  }
  if (!fileSystem) {
    problems.push({ key: 'DataImageType', message: `unknown file system "${first}"`, jobError: 25 });
    return undefined;
  }
  return { fileSystem, options };
}

/** Reads .JRQ text; never throws. Problems name the key (or the line) that PTBurn would reject. */
export function parseJobRequest(text: string): ParsedJobRequest {
  const request = jobRequest();
  const problems: JrqProblem[] = [];
  const { entries, unreadable } = splitKeyLines(text);
  for (const line of unreadable) problems.push({ key: `line ${line.line}`, message: `not a "Key = Value" line: ${line.text}`, jobError: 8 });

  const bad = (key: string, value: string, expected: string) =>
    problems.push({ key, message: `"${value}" is not ${expected}`, jobError: 25 });
  const int = (key: string, value: string) => {
    const n = parseInteger(value);
    if (n === undefined) bad(key, value, 'a whole number');
    return n;
  };
  const flag = (key: string, value: string) => {
    const b = parseYesNo(value);
    if (b === undefined) bad(key, value, 'YES or NO');
    return b;
  };
  const oneOf = <T extends string>(key: string, value: string, allowed: readonly T[]): T | undefined => {
    const found = allowed.find((a) => a.toUpperCase() === value.toUpperCase());
    if (found === undefined) bad(key, value, `one of ${allowed.join(', ')}`);
    return found;
  };
  const pvd = (field: keyof PvdFields, value: string) => {
    request.pvd = { ...request.pvd, [field]: value };
  };

  for (const { key, value } of entries) {
    switch (key.toLowerCase()) {
      case 'jobid': request.jobId = value; break;
      case 'clientid': request.clientId = value; break;
      case 'importance': request.importance = int('Importance', value); break;
      case 'data': request.data.push(parseDataEntry(value, problems)); break;
      case 'imagefile': {
        const { rest, session } = splitSession(value, 'ImageFile', problems);
        request.images.push(session === undefined ? { path: rest } : { path: rest, session });
        break;
      }
      case 'imagetype': request.imageType = oneOf('ImageType', value, IMAGE_TYPES); break;
      case 'deletefiles': request.deleteFiles = flag('DeleteFiles', value); break;
      case 'dataimagetype': request.dataImageType = parseDataImageType(value, problems); break;
      case 'disctype': request.discType = oneOf('DiscType', value, DISC_TYPES); break;
      case 'closedisc': request.closeDisc = flag('CloseDisc', value); break;
      case 'copies': request.copies = int('Copies', value); break;
      case 'printlabel': request.printLabel = value; break;
      case 'mergefield': request.mergeFields.push(value); break;
      case 'printquality': request.printQuality = int('PrintQuality', value); break;
      case 'printinnerdiam': request.printInnerDiam = int('PrintInnerDiam', value); break;
      case 'printoutermargin': request.printOuterMargin = int('PrintOuterMargin', value); break;
      case 'printreject': request.printReject = flag('PrintReject', value); break;
      case 'volumename': request.volumeName = value; break;
      case 'burnspeed': request.burnSpeed = int('BurnSpeed', value); break;
      case 'verifydisc': request.verifyDisc = flag('VerifyDisc', value); break;
      case 'rejectifnotblank': request.rejectIfNotBlank = flag('RejectIfNotBlank', value); break;
      case 'testrecord': request.testRecord = flag('TestRecord', value); break;
      case 'premasterdata': request.preMasterData = flag('PreMasterData', value); break;
      case 'driveid': {
        const n = int('DriveID', value);
        if (n !== undefined) request.driveIds.push(n);
        break;
      }
      case 'binid': request.binId = int('BinID', value); break;
      case 'robotname': request.robotName = value; break;
      case 'loadunloadoverride': request.loadUnloadOverride = flag('LoadUnloadOverride', value); break;
      case 'pvdsystemid': pvd('systemId', value); break;
      case 'pvdpublisherid': pvd('publisherId', value); break;
      case 'pvdpreparerid': pvd('preparerId', value); break;
      case 'pvdapplicationid': pvd('applicationId', value); break;
      case 'notifyclient': request.notifyClient = oneOf('NotifyClient', value, NOTIFY_CLIENT); break;
      default: request.other.push({ key, value });
    }
  }
  // A key that failed to parse leaves `undefined` behind; drop it so the object equals a clean one.
  for (const [k, v] of Object.entries(request)) if (v === undefined) delete (request as unknown as Record<string, unknown>)[k];
  return { request, problems: [...problems, ...validateJobRequest(request)] };
}

/** What PTBurn assumes for absent keys (§2.1), for the emulator; `fileBase` is the .JRQ name without extension. */
export function jrqDefaults(request: JobRequest, fileBase: string) {
  const jobId = request.jobId ?? fileBase;
  return {
    jobId,
    clientId: request.clientId ?? 'Unknown',
    importance: request.importance ?? 4,
    copies: request.copies ?? 1,
    // §2.1.13: VolumeName defaults to the JobID, and to "NewDisc" when there is no JobID key.
    volumeName: request.volumeName ?? request.jobId ?? 'NewDisc',
    closeDisc: request.closeDisc ?? false,
    verifyDisc: request.verifyDisc ?? false,
    rejectIfNotBlank: request.rejectIfNotBlank ?? false,
    deleteFiles: request.deleteFiles ?? false,
    burnSpeed: request.burnSpeed ?? 0,
    dataImageType: request.dataImageType ?? { fileSystem: 'JOLIET' as const, options: [] },
    discType: request.discType ?? ('CDR' as const),
    binId: request.binId ?? 0,
    printOnly: request.printLabel !== undefined && request.data.length === 0 && request.images.length === 0 && request.other.length === 0,
  };
}
