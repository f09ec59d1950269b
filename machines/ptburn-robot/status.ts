// What the PTBurn robot machine reads into PTBurn's status (the shared contract of issue 8):
// the disc's phase from CurrentStatusState, its outcome from JobState and the job/disc error
// numbers (or, when the status no longer lists the job, from its file), faults from
// SysErrorNumber, and the job's file name. Pure functions over the machine's plain data.

import { ptburnJobError, ptburnSystemError } from '../../src/robot/ptburn/errors.ts';
import type { DiscPhase, RejectCause } from '../robot-port.ts';
import type { Fault, PtburnDisc, PtburnJobReading, PtburnRobotContext } from './events.ts';

/** CurrentStatusState → the port's phase; states not listed (waiting, job bookkeeping) keep the phase. */
const PHASE_OF_STATUS_STATE: Record<number, DiscPhase> = {
  4: 'loading',
  0: 'burning',
  8: 'finalizing',
  2: 'verifying',
  3: 'printing',
  5: 'delivering',
  9: 'rejecting',
};

export const phaseOfStatusState = (state: number | null): DiscPhase | null => (state === null ? null : (PHASE_OF_STATUS_STATE[state] ?? null));

/** The phase the disc is in now: the status's if it names one, else the last one, else loading once PTBurn runs the job. */
export function currentPhase(disc: PtburnDisc, job: PtburnJobReading | null): DiscPhase | null {
  const fromStatus = phaseOfStatusState(job?.currentStatusState ?? null);
  if (fromStatus) return fromStatus;
  if (disc.phase) return disc.phase;
  return disc.fileState === 'in-process' || job?.jobState === 1 ? 'loading' : null;
}

/** Disc errors (PTBurn rejected the disc) → the port's cause; everything else fails the job ('robot'). */
const CAUSE_OF_DISC_ERROR: Record<number, RejectCause> = { 10: 'media', 11: 'media', 12: 'media', 14: 'notReady', 18: 'write', 19: 'verify', 32: 'write' };
const ABORTED = 16;

export type DiscOutcome = { kind: 'delivered' } | { kind: 'rejected'; cause: RejectCause; reason: string };

function failedOutcome(disc: PtburnDisc, job: PtburnJobReading | null): DiscOutcome {
  const lastDiscError = job?.discErrors.at(-1);
  const jobError = job?.jobErrorNumber ?? null;
  let cause: RejectCause = 'robot';
  let reason: string;
  if (jobError === ABORTED || disc.cancelRequested) {
    cause = 'cancelled';
    reason = 'cancelled: PTBurn aborted the job';
  } else if (lastDiscError) {
    cause = CAUSE_OF_DISC_ERROR[lastDiscError.number] ?? 'robot';
    reason = `PTBurn disc error ${lastDiscError.number}: ${lastDiscError.string ?? ptburnJobError(lastDiscError.number).message}`;
  } else if (jobError !== null && jobError !== 0) {
    cause = CAUSE_OF_DISC_ERROR[jobError] ?? 'robot';
    reason = `PTBurn job error ${jobError}: ${job?.jobErrorString ?? ptburnJobError(jobError).message}`;
  } else {
    reason = disc.refusal ?? 'PTBurn failed the job without saying why';
  }
  if (disc.cancelRequested && cause !== 'cancelled') cause = 'cancelled';
  return { kind: 'rejected', cause, reason };
}

/**
 * How the disc's job ended, or null while it runs. The status section decides (JobState 2 / 3);
 * only when the status does not list the job any more does its final file (.DON / .ERR) decide.
 */
export function discOutcome(disc: PtburnDisc | null, job: PtburnJobReading | null): DiscOutcome | null {
  if (!disc) return null;
  if (job && job.name.toLowerCase() === disc.jobName.toLowerCase()) {
    if (job.jobState === 2) return { kind: 'delivered' };
    if (job.jobState === 3) return failedOutcome(disc, job);
    return null;
  }
  if (disc.fileState === 'done') return { kind: 'delivered' };
  if (disc.fileState === 'failed') return failedOutcome(disc, null);
  return null;
}

/** The standing system error: the robot's own, else the server's; 0 for none. */
export function systemErrorNumber(context: Pick<PtburnRobotContext, 'status'>): number {
  const status = context.status;
  if (!status) return 0;
  return status.robot.sysErrorNumber || status.system.sysErrorNumber;
}

export function faultOfSystemError(number: number): Fault {
  const error = ptburnSystemError(number);
  return { kind: error.kind === 'none' ? 'mechanical' : error.kind, code: number, name: error.name, hint: error.hint };
}

export const isInkLowNumber = (number: number) => number >= 5 && number <= 7;

export const SERVICE_STOPPED: Fault = {
  kind: 'communication',
  code: 0,
  name: 'PTBURN_STOPPED',
  hint: 'The PTBurn service stopped updating its status (its tick count froze): check the PTBurn service on the server and start it again; the disc goes on when it returns.',
};

export const FOLDER_UNREACHABLE: Fault = {
  kind: 'communication',
  code: 0,
  name: 'PTBURN_FOLDER_UNREACHABLE',
  hint: 'The PTBurn job folder cannot be read or written: check the share is mounted and that discrobot may read and write it; it keeps trying.',
};

/**
 * `<jobId>-<copy>-<attempt>`: the .JRQ base name, JobID and status section name. Characters a
 * Windows name or an INI section cannot hold become "_"; the job id is shortened from the left so
 * the whole stays within JobID's 32 characters and the copy and attempt stay readable.
 */
export function jobNameOf(jobId: string, copy: number, attempt: number): string {
  const suffix = `-${copy}-${attempt}`;
  const safe = jobId.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.\s]+/, '');
  const id = safe.slice(Math.max(0, safe.length - (32 - suffix.length))) || 'disc';
  return `${id}${suffix}`;
}
