// The disc in the robot's hands: where it physically is, which step of the burn+print flow it is
// in (primera-robot.md §3.9), and the DPRP command each robotic step sends.

import type { DiscPhase, DiscRequest, RejectCause } from '../robot-port.ts';
import { LOCATION } from '../../src/robot/codes.ts';
import type { DeviceCommand } from './device.ts';

export type DiscStep =
  | 'loading'
  | 'awaitingMedia'
  | 'burning'
  | 'finalizing'
  | 'verifying'
  | 'printing'
  | 'labelling'
  | 'delivering'
  | 'rejecting';

/** Where the machine goes back to when a fault clears (an error pauses, never loses, a step). */
export type ResumeTarget = 'idle' | 'initializing' | 'loading' | 'awaitingMedia' | 'printing' | 'labelling' | 'delivering' | 'rejecting';

/** bin: not picked yet (or back in it); drive / printer: where an unload must fetch it. */
export type DiscWhere = 'bin' | 'drive' | 'printer';

export interface DiscInHand {
  request: DiscRequest;
  /** Drive index (DriveInfo.index) chosen round-robin. */
  drive: number;
  /** clear=1 for the first load of this drive since the link came up. */
  clear: boolean;
  where: DiscWhere;
  step: DiscStep | null;
  /** Set only by a recorder that finished ok: the verified recording. Nothing is delivered without it. */
  md5: string | null;
  cancelRequested: boolean;
  rejection: { cause: RejectCause; reason: string } | null;
  /** disc.paused was sent and disc.resumed not yet; with the fault code it was paused for. */
  pausedFor: number | null;
  /** Bin counts when the delivering unload went out, to tell which bin received the disc. */
  binsAtDelivery: number[] | null;
}

/** The port's `drive` for a disc that never reached a drive. */
export const NO_DRIVE = -1;

/** The drive that held the disc, as the port reports it: the load finished, or NO_DRIVE. */
export function driveOf(disc: DiscInHand): number {
  return disc.where === 'bin' ? NO_DRIVE : disc.drive;
}

const PHASE_OF_STEP: Partial<Record<DiscStep, DiscPhase>> = {
  loading: 'loading',
  burning: 'burning',
  finalizing: 'finalizing',
  verifying: 'verifying',
  printing: 'printing',
  delivering: 'delivering',
  rejecting: 'rejecting',
};

/** The phase a job sees when the disc enters `step` (awaitingMedia and labelling continue one). */
export function phaseOfStep(step: DiscStep): DiscPhase | undefined {
  return PHASE_OF_STEP[step];
}

const RESUMABLE: ReadonlySet<string> = new Set(['loading', 'awaitingMedia', 'printing', 'labelling', 'delivering', 'rejecting']);

/** Recording is never interrupted (the recorder keeps burning), so it is never a resume target. */
export function resumeTargetOf(step: DiscStep | null): ResumeTarget {
  return step && RESUMABLE.has(step) ? (step as ResumeTarget) : 'rejecting';
}

function unload(disc: DiscInHand, to: number): DeviceCommand {
  return disc.where === 'printer'
    ? { verb: 'UNLOAD_PRINTER', args: { to: String(to) } }
    : { verb: 'UNLOAD_DRIVE', args: { drive: String(disc.drive), to: String(to) } };
}

/** The robotic verb of a step, or null for steps that move nothing. */
export function stepCommand(step: DiscStep, disc: DiscInHand): DeviceCommand | null {
  switch (step) {
    case 'loading':
      return { verb: 'LOAD_DRIVE', args: { drive: String(disc.drive), from: String(LOCATION.auto), clear: disc.clear ? '1' : '0' } };
    case 'printing':
      return { verb: 'LOAD_PRINTER_FROM_DRIVE', args: { drive: String(disc.drive) } };
    case 'labelling':
      return { verb: 'PRINT', args: { file: disc.request.labelPath ?? '' } };
    case 'delivering':
      return unload(disc, LOCATION.auto);
    case 'rejecting':
      // Never picked (a refused LOAD_DRIVE): nothing to move.
      return disc.where === 'bin' ? null : unload(disc, LOCATION.reject);
    default:
      return null;
  }
}

/**
 * Which bin took the delivered disc: the one whose count went up (counts run left to right,
 * PTRobot numbers bins from the right, 1 = right-most). A kiosk front or unknown counts: 'output'.
 */
export function deliveredLocation(before: number[] | null, after: number[] | undefined): string {
  if (before && after && before.length === after.length) {
    for (let i = 0; i < after.length; i++) {
      const was = before[i]!;
      const now = after[i]!;
      if (was !== 255 && now !== 255 && now > was) return `bin ${after.length - i}`;
    }
  }
  return 'output';
}

/** Where a completed robotic verb left the disc. */
export function whereAfter(verb: string, where: DiscWhere): DiscWhere {
  if (verb === 'LOAD_DRIVE') return 'drive';
  if (verb === 'LOAD_PRINTER_FROM_DRIVE' || verb === 'PRINT') return 'printer';
  return where;
}
