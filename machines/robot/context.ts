// The robot machine's data: its input and options, its context (plain JSON: requests, the disc in
// hand, the command in hand, what the device last said) and the events it takes.

import type { DeviceStatus, DriveInfo, LinkEvent, RecorderEvent, RobotInfo } from '../robot-link.ts';
import type { DiscRequest, RobotOperatorCommand, RobotPortCommand } from '../robot-port.ts';
import type { DeviceCommand, Fault, PendingCommand, PendingQuery } from './device.ts';
import type { DiscInHand, ResumeTarget } from './disc.ts';

export interface RobotOptions {
  /** How long a loaded drive may stay DRIVE_NOT_READY before the disc is rejected (§8.6: 30 s). */
  maxMediaWaitMs: number;
  /** MEDIA_INFO poll interval while the drive spins up (the SDK sample: 0.5 s). */
  mediaPollMs: number;
  /** Print labels; a request without a labelPath is never printed. */
  print: boolean;
  /** Answer ink-low warnings (SYSERR 5–7) with IGNOREINKLOW instead of waiting for the operator. */
  autoAcknowledgeInkLow: boolean;
}

export const DEFAULT_ROBOT_OPTIONS: RobotOptions = { maxMediaWaitMs: 30_000, mediaPollMs: 500, print: true, autoAcknowledgeInkLow: false };

export interface RobotInput {
  /** The robot's name: in disc.queued and in every fault a job sees. */
  name: string;
  options?: Partial<RobotOptions>;
}

/** Input of the invoked `link` actor. */
export interface LinkInput {
  robot: string;
}

export type RobotEvent = RobotPortCommand | RobotOperatorCommand | LinkEvent | RecorderEvent;

export interface RobotContext {
  name: string;
  options: RobotOptions;
  /** Ref of the next link.send (replies carry it back). */
  nextRef: number;
  /** The robotic verb in hand; at most one (never a second robotic verb while busy, §8.6). */
  pending: PendingCommand | null;
  query: PendingQuery | null;
  info: RobotInfo | null;
  drives: DriveInfo[];
  status: DeviceStatus | null;
  /** Start-up commands still to run; the head is the one in hand. */
  startup: DeviceCommand[];
  queue: DiscRequest[];
  disc: DiscInHand | null;
  /** Round-robin position in `drives`. */
  nextDrive: number;
  /** Drive indexes loaded since the link came up (their next load uses clear=0). */
  drivesCleared: number[];
  fault: Fault | null;
  resume: ResumeTarget | null;
  /** The bin counts went unknown (255) since the last CHECKDISCS: count them before going on. */
  recountBins: boolean;
}
