// One PTBurn job as the emulator keeps it: what the .JRQ asked for (with PTBurn's defaults), where
// it is in its life, and the figures its section of <Robot>.txt shows (JobState, CurrentStatus,
// good and bad discs, job and disc errors, times).

import { ptburnJobError } from '../../src/robot/ptburn/errors.ts';
import { jrqDefaults, type JobRequest } from '../../src/robot/ptburn/jrq.ts';
import type { DiscError, JobStatus } from '../../src/robot/ptburn/status-files.ts';

/** CurrentStatusState numbers (§3.2.4.20) the emulator uses. */
export const STATUS = {
  recording: 0, verifying: 2, printing: 3, loading: 4, unloading: 5, rejecting: 9, complete: 10,
  paused: 11, aborted: 13, initializing: 14, failed: 15,
} as const;

/** JobState (§3.2.4.12). */
export const JOB_STATE = { notStarted: 0, running: 1, completed: 2, failed: 3 } as const;

export interface EmulatedJob {
  /** The .JRQ base name: the job's section name and the name of its other files. */
  name: string;
  request: JobRequest;
  settings: ReturnType<typeof jrqDefaults>;
  /** Order of discovery, the tie-break after Importance. */
  arrival: number;
  jobState: number;
  currentStatus: string;
  currentStatusState: number;
  timeCreated: string;
  timeStarted?: string;
  timeCompleted?: string;
  /** Wall ms of the end, for deleting .DON/.ERR after Status_Time. */
  endedAt?: number;
  good: number;
  bad: number;
  /** Discs tried so far (1-based disc number of the next error). */
  discsTried: number;
  discErrors: DiscError[];
  jobError?: number;
  abortRequested: boolean;
}

/** MM/DD/YYYY hh:mm:ss, server local time, as the manual's samples print it. */
export function ptburnTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getMonth() + 1)}/${two(date.getDate())}/${date.getFullYear()} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

export function newJob(name: string, request: JobRequest, arrival: number, now: Date): EmulatedJob {
  return {
    name, request, settings: jrqDefaults(request, name), arrival,
    jobState: JOB_STATE.notStarted, currentStatus: 'Job is waiting in the queue', currentStatusState: STATUS.initializing,
    timeCreated: ptburnTime(now), good: 0, bad: 0, discsTried: 0, discErrors: [], abortRequested: false,
  };
}

export function setStatus(job: EmulatedJob, state: number, text: string): void {
  job.currentStatusState = state;
  job.currentStatus = text;
}

/** A disc failed: it takes the next DiscError slot (0–9; the oldest go when more fail). */
export function addDiscError(job: EmulatedJob, number: number): void {
  job.bad += 1;
  const slot = job.discErrors.length < 10 ? job.discErrors.length : 9;
  if (job.discErrors.length >= 10) job.discErrors.shift();
  job.discErrors.forEach((e, i) => (e.slot = i));
  job.discErrors.push({ slot, disc: job.discsTried, number, string: ptburnJobError(number).message });
}

export function endJob(job: EmulatedJob, now: Date, error?: number): void {
  job.timeCompleted = ptburnTime(now);
  job.endedAt = now.getTime();
  if (error === undefined) {
    job.jobState = JOB_STATE.completed;
    setStatus(job, STATUS.complete, 'The job is complete...');
    return;
  }
  job.jobState = JOB_STATE.failed;
  job.jobError = error;
  setStatus(job, error === 16 ? STATUS.aborted : STATUS.failed, error === 16 ? 'The job was aborted' : 'The job failed');
}

/** The job's section of <Robot>.txt. `ahead` counts the jobs and discs before it in the queue. */
export function jobStatus(job: EmulatedJob, ahead: { jobs: number; discs: number }, loadDrive: string): JobStatus {
  const remaining = job.jobState >= JOB_STATE.completed ? 0 : Math.max(0, job.settings.copies - job.good);
  const status: JobStatus = {
    name: job.name,
    jobId: job.settings.jobId,
    clientId: job.settings.clientId,
    jobsAhead: ahead.jobs,
    discsAhead: ahead.discs,
    currentStatus: job.currentStatus,
    currentStatusState: job.currentStatusState,
    timeCreated: job.timeCreated,
    ...(job.timeStarted ? { timeStarted: job.timeStarted } : {}),
    goodDiscs: job.good,
    badDiscs: job.bad,
    discsRemaining: remaining,
    jobState: job.jobState,
    ...(job.jobError !== undefined ? { jobErrorNumber: job.jobError, jobErrorString: ptburnJobError(job.jobError).message } : {}),
    discErrors: job.discErrors.map((e) => ({ ...e })),
    // −1: the load/unload override is not in use (the emulator does not hold discs for the client).
    loadDiscs: [{ slot: 0, state: -1, drive: loadDrive }],
    ...(job.timeCompleted ? { timeCompleted: job.timeCompleted } : {}),
  };
  return status;
}
