// The PTBurn robot machine's data: what its invoked `hotFolder` actor (adapters/robot/ptburn/
// hot-folder.ts, the only I/O) is told and tells back, the readings it keeps of PTBurn's status
// files, and its context. Plain JSON throughout, so the context persists and compares as data.

import type { JobFileState } from '../../src/robot/ptburn/lifecycle.ts';
import type { PtmCommand } from '../../src/robot/ptburn/ptm.ts';
import type { DiscPhase, DiscRequest, RobotOperatorCommand, RobotPortCommand } from '../robot-port.ts';
import type { Fault } from '../robot/device.ts';

export type { Fault, JobFileState, PtmCommand };

/** machine → hotFolder */
export type HotFolderCommand =
  /** Write `<jobName>.JRQ` (atomically) for this disc, then follow that job's files. */
  | { type: 'folder.submit'; jobName: string; request: DiscRequest }
  /** Write a .PTM command: `<jobName>.PTM` for a job command, a name of the adapter's for a system one. */
  | { type: 'folder.command'; ptm: PtmCommand; jobName: string | null };

/** [System] of SystemStatus.txt, plus the adapter's verdict on the tick count. */
export interface PtburnServerReading {
  tickCount: number | null;
  /** ServerTickCount has not moved for 3 status periods (and at least the minimum stall time). */
  stalled: boolean;
  sysErrorNumber: number;
  sysErrorString: string | null;
}

export interface PtburnDriveReading {
  index: number;
  location: string | null;
  state: number | null;
  percent: number | null;
  job: string | null;
}

/** The robot's own status (its section of SystemStatus.txt and `<RobotName>.txt`). */
export interface PtburnRobotReading {
  name: string;
  sysErrorNumber: number;
  sysErrorString: string | null;
  systemStatus: string | null;
  /** null: PTBurn does not know (−1) or did not say. */
  discsInLeftBin: number | null;
  discsInRightBin: number | null;
  cartridges: Array<{ index: number; type: number | null; fill: number | null }>;
  drives: PtburnDriveReading[];
}

/** The section of the job the machine follows, when the robot's status file has it. */
export interface PtburnJobReading {
  name: string;
  /** JobState: 0 not started, 1 running, 2 completed, 3 failed, 4 moved. */
  jobState: number | null;
  currentStatusState: number | null;
  currentStatus: string | null;
  jobsAhead: number | null;
  jobErrorNumber: number | null;
  jobErrorString: string | null;
  /** DiscErrorNumberX in slot order. */
  discErrors: Array<{ number: number; string: string | null }>;
  /** DrivePercentX of the drive whose DriveJobX names the job, and that drive's index (−1: none). */
  percent: number | null;
  drive: number;
}

/** hotFolder → machine */
export type HotFolderEvent =
  | {
      type: 'status.read';
      /** The files were cut short or lacked a section: this is the last good reading again. */
      partial: boolean;
      system: PtburnServerReading;
      robot: PtburnRobotReading;
      job?: PtburnJobReading;
    }
  /** The job's file moved on (`submitted` once the .JRQ is in place); `reason` when the adapter could not write it at all. */
  | { type: 'job.fileState'; name: string; state: JobFileState; reason?: string }
  | { type: 'folder.unreachable'; error: string };

export type PtburnRobotEvent = RobotPortCommand | RobotOperatorCommand | HotFolderEvent;

export interface PtburnRobotOptions {
  /** Print labels; a request without a labelPath is never printed. */
  print: boolean;
  /** Answer ink-low warnings (PTBurn 5–7) with IGNORE_INKLOW instead of waiting for the operator. */
  autoAcknowledgeInkLow: boolean;
}

export const DEFAULT_PTBURN_ROBOT_OPTIONS: PtburnRobotOptions = { print: true, autoAcknowledgeInkLow: false };

export interface PtburnRobotInput {
  name: string;
  options?: Partial<PtburnRobotOptions>;
}

/** Input of the invoked `hotFolder` actor. */
export interface HotFolderInput {
  robot: string;
}

/** The disc in hand: one JRQ, one PTBurn job of one copy. */
export interface PtburnDisc {
  request: DiscRequest;
  /** The .JRQ base name, also PTBurn's job section name. */
  jobName: string;
  submitSent: boolean;
  /** The adapter has the .JRQ in place. */
  written: boolean;
  fileState: JobFileState | null;
  /** Why the adapter could not submit it, when it could not. */
  refusal: string | null;
  /** The phase last told to the job. */
  phase: DiscPhase | null;
  /** The progress last told to the job (in `phase`). */
  pct: number | null;
  drive: number;
  cancelRequested: boolean;
  abortSent: boolean;
  /** The name of the fault the job was told its disc is paused on. */
  pausedFor: string | null;
}

export type Availability = 'available' | 'offline' | 'error';

export interface PtburnRobotContext {
  name: string;
  options: PtburnRobotOptions;
  queue: DiscRequest[];
  disc: PtburnDisc | null;
  /** The last good status reading (system and robot), null before the first. */
  status: { system: PtburnServerReading; robot: PtburnRobotReading } | null;
  /** The section of the disc's job in the last good reading, null when absent. */
  job: PtburnJobReading | null;
  /** Why PTBurn cannot be heard, null while it can. */
  offline: 'stopped' | 'unreachable' | null;
  fault: Fault | null;
  /** IGNORE_INKLOW already sent for the standing fault. */
  inkAcknowledged: boolean;
  /** What the parent was last told, so each change is announced once. */
  announced: Availability | null;
  partialReads: number;
}
