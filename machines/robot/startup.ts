// The start-up rules (shared/reference/primera-robot.md §8.6, docs/robot-protocol.md §9): after the
// link comes up, leave the robot empty and known before the first disc. Each rule is a DPRP
// command run one at a time; MEDIA_INFO is a question whose answer may add an UNLOAD_DRIVE.

import type { DeviceStatus, DriveInfo, RobotInfo } from '../robot-link.ts';
import { LOCATION, SYSTEM_ACTIONS } from '../../src/robot/codes.ts';
import { SYSERR_ALIGN_NEEDED, type DeviceCommand } from './device.ts';

/** bins= value for a count the robot does not know yet. */
export const UNKNOWN_BIN_COUNT = 255;

export function planStartup(info: RobotInfo, drives: DriveInfo[], status: DeviceStatus): DeviceCommand[] {
  const steps: DeviceCommand[] = [];
  // First: a robot that needs alignment is in error and refuses every other robotic verb (528).
  if (status.syserr === SYSERR_ALIGN_NEEDED) steps.push({ verb: 'SYSTEM_ACTION', args: { action: 'ALIGNPRINTER' } });
  // A disc left in the printer or a drive belongs to nobody we know: it goes to the reject slide.
  if (status.tray === 'D') steps.push({ verb: 'UNLOAD_PRINTER', args: { to: String(LOCATION.reject) } });
  for (const drive of drives) steps.push({ verb: 'MEDIA_INFO', args: { drive: String(drive.index) } });
  const checkDiscs = SYSTEM_ACTIONS.CHECKDISCS!;
  if (status.bins.some((count) => count === UNKNOWN_BIN_COUNT) && (info.actions & checkDiscs) !== 0) {
    steps.push({ verb: 'SYSTEM_ACTION', args: { action: 'CHECKDISCS' } });
  }
  return steps;
}

export function isStartupQuery(step: DeviceCommand | undefined): boolean {
  return step?.verb === 'MEDIA_INFO';
}

/** The answer to MEDIA_INFO at start-up: anything but NO_MEDIA means a disc to clear. */
export function unloadDriveStep(query: DeviceCommand): DeviceCommand {
  return { verb: 'UNLOAD_DRIVE', args: { drive: query.args.drive ?? '0', to: String(LOCATION.reject) } };
}
