// The robot port: the events a disc job and a robot actor exchange, whatever kind of robot stands
// behind it (DPRP over a serial link, PTBurn hot folder). A job asks for one disc at a time
// ("make this disc": image, label, which copy, which attempt) and hears back its phases, progress
// and outcome; a robot queues requests it cannot start yet. Only types live here: the machines
// on both sides import them, nothing else.

import type { MediaKind } from '../src/media/media-choice.ts';

export type { MediaKind };

export interface DiscRequest {
  /** `<jobId>/<copy>.<attempt>`, unique per physical disc tried. */
  discId: string;
  jobId: string;
  /** 1-based copy number and 1-based attempt for that copy. */
  copy: number;
  attempt: number;
  imagePath: string;
  imageBytes: number;
  media: MediaKind;
  /** Label image to print, or null for a robot or job without printing. */
  labelPath: string | null;
  /** systemId of the job actor that receives the port events. */
  replyTo: string;
}

/** What the job sees of a disc's way through the robot. */
export type DiscPhase = 'loading' | 'burning' | 'finalizing' | 'verifying' | 'printing' | 'delivering' | 'rejecting';

/**
 * Why a disc went to the reject bin; every cause but `cancelled` lets the job retry with a blank.
 * - write / verify: the recording failed, or did not read back as the image;
 * - media: the drive held no usable blank (none seen, not blank, unknown or too small a medium);
 * - notReady: the robot refused a verb, or the drive never became ready;
 * - robot: the robot gave the operation up itself (OPDONE FAILED, e.g. after a power cycle); the
 *   disc went to the reject bin when the start-up rules ran again;
 * - cancelled: the job asked for it.
 */
export type RejectCause = 'write' | 'verify' | 'media' | 'notReady' | 'robot' | 'cancelled';

import type { ErrorKind } from '../src/robot/syserr.ts';

export type { ErrorKind };

export interface RobotFault {
  robot: string;
  kind: ErrorKind;
  /** SYSERR number, or a protocol/link code (600–699), or 0 when the link itself is down. */
  code: number;
  name: string;
  hint: string;
}

/** job → robot */
export type RobotPortCommand =
  | { type: 'disc.make'; request: DiscRequest }
  | { type: 'disc.cancel'; discId: string };

/**
 * robot → job; every event names the disc it is about, faults name the robot too. `drive` in an
 * outcome is the index (DriveInfo.index) of the drive that held the disc, or -1 when the disc never
 * reached a drive (refused before its load finished, cancelled while queued).
 */
export type RobotPortEvent =
  | { type: 'disc.queued'; discId: string; robot: string; position: number }
  | { type: 'disc.phase'; discId: string; phase: DiscPhase }
  | { type: 'disc.progress'; discId: string; phase: DiscPhase; pct: number }
  | { type: 'disc.delivered'; discId: string; verified: true; location: string; drive: number }
  | { type: 'disc.rejected'; discId: string; cause: RejectCause; reason: string; drive: number }
  | { type: 'disc.paused'; discId: string; fault: RobotFault }
  | { type: 'disc.resumed'; discId: string };

/**
 * robot → its parent (the publisher), which gives jobs only to robots that can take them: the robot
 * is available on entering idle or busy, unavailable on entering offline or error.
 */
export type RobotAvailabilityEvent =
  | { type: 'robot.available'; robot: string }
  | { type: 'robot.unavailable'; robot: string; why: 'offline' | 'error' };

/** operator → robot */
export type RobotOperatorCommand =
  | { type: 'robot.clearError'; resetPrinter?: boolean }
  | { type: 'robot.acknowledgeInkLow' };
