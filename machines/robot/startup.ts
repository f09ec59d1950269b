// The start-up rules (shared/reference/primera-robot.md §8.6, docs/robot-protocol.md §9): after the
// link comes up, leave the robot empty and known before the first disc. Each rule is a DPRP
// command run one at a time; MEDIA_INFO is a question whose answer may add an UNLOAD_DRIVE.
// The same rules run again after the device gave an operation up (OPDONE FAILED: a power cycle, a
// printer reset): then GET_STATUS comes first, since STATE events do not say where discs are.
// CHECKDISCS alone is also re-run whenever the bin counts went unknown (§8.6: after a cover-open).

import type { DeviceStatus, DriveInfo, RobotInfo } from '../robot-link.ts';
import { LOCATION, SYSTEM_ACTIONS } from '../../src/robot/codes.ts';
import { binsUnknown, SYSERR_ALIGN_NEEDED, type DeviceCommand } from './device.ts';

export const CHECK_DISCS: DeviceCommand = { verb: 'SYSTEM_ACTION', args: { action: 'CHECKDISCS' } };
/** The first step of the rules run again: where the discs are now. */
export const SURVEY: DeviceCommand = { verb: 'GET_STATUS', args: {} };

export function supportsCheckDiscs(info: RobotInfo | null): boolean {
  return !!info && (info.actions & SYSTEM_ACTIONS.CHECKDISCS!) !== 0;
}

export function isCheckDiscs(command: DeviceCommand | null | undefined): boolean {
  return command?.verb === CHECK_DISCS.verb && command.args.action === CHECK_DISCS.args.action;
}

export function planStartup(info: RobotInfo, drives: DriveInfo[], status: DeviceStatus): DeviceCommand[] {
  const steps: DeviceCommand[] = [];
  // First: a robot that needs alignment is in error and refuses every other robotic verb (528).
  if (status.syserr === SYSERR_ALIGN_NEEDED) steps.push({ verb: 'SYSTEM_ACTION', args: { action: 'ALIGNPRINTER' } });
  // A disc left in the printer or a drive belongs to nobody we know: it goes to the reject slide.
  if (status.tray === 'D') steps.push({ verb: 'UNLOAD_PRINTER', args: { to: String(LOCATION.reject) } });
  for (const drive of drives) steps.push({ verb: 'MEDIA_INFO', args: { drive: String(drive.index) } });
  if (binsUnknown(status) && supportsCheckDiscs(info)) steps.push(CHECK_DISCS);
  return steps;
}

/** Questions among the rules (answered by link.reply, no operation): MEDIA_INFO, GET_STATUS. */
export function isStartupQuery(step: DeviceCommand | undefined): boolean {
  return step?.verb === 'MEDIA_INFO' || step?.verb === SURVEY.verb;
}

/** The answer to MEDIA_INFO at start-up: anything but NO_MEDIA means a disc to clear. */
export function unloadDriveStep(query: DeviceCommand): DeviceCommand {
  return { verb: 'UNLOAD_DRIVE', args: { drive: query.args.drive ?? '0', to: String(LOCATION.reject) } };
}
