// PTBurn's job processor over the physical robot model: runs one job at a time (drive 0), disc
// after disc until Copies good discs, rejecting a failed disc and trying a new blank, giving up
// after Rejects_InARow failures in a row (job error 20). An ABORT cancels the robot's motion in
// hand; the disc in the drive (or printer) is then rejected and the job ends with error 16.

import fs from 'node:fs';
import { ptburnJobError } from '../../src/robot/ptburn/errors.ts';
import { burnOneDisc, DRIVE_STATE, type DiscOutcome } from './disc-runner.ts';
import { addDiscError, endJob, JOB_STATE, ptburnTime, setStatus, STATUS, type EmulatedJob } from './job.ts';
import type { OpOutcome, SimBridge } from './sim-bridge.ts';
import type { DriveCounters, DriveView } from './status-report.ts';

export interface ProcessorEnv {
  bridge: SimBridge;
  rejectsInARow: number;
  /** The job's ImageFile / PrintLabel path as the emulator reads it (the share's path mapped to a local one). */
  resolvePath(serverPath: string): string;
  drives: DriveView[];
  driveCounters: DriveCounters[];
  launch: { good: number; bad: number };
  gate(): Promise<void>;
  stopped(): boolean;
  /** Wall-clock wait between looks at a robot that is busy or in error. */
  pollMs: number;
}

const DRIVE = 0;

/** Runs a job to its end; returns the job error, or undefined when all its discs are good. */
export async function processJob(env: ProcessorEnv, job: EmulatedJob): Promise<number | undefined> {
  job.jobState = JOB_STATE.running;
  job.timeStarted = ptburnTime(new Date());
  setStatus(job, STATUS.initializing, 'Initializing the job');
  const input = checkInput(env, job);
  if (typeof input === 'number') return input;

  const view = env.drives[DRIVE]!;
  let inARow = 0;
  while (job.good < job.settings.copies) {
    if (job.abortRequested) return 16;
    job.discsTried += 1;
    const outcome: DiscOutcome = await burnOneDisc({
      bridge: env.bridge, drive: DRIVE, jobName: job.name, discNumber: job.discsTried, image: input.image, label: input.label,
      verify: job.settings.verifyDisc, rejectIfNotBlank: job.settings.rejectIfNotBlank, closeDisc: job.settings.closeDisc, view,
      setStatus: (state, text) => setStatus(job, state, text),
      gate: env.gate,
      aborted: () => job.abortRequested,
      op: (verb, args) => runOp(env, verb, args, () => job.abortRequested),
    });
    if (env.stopped()) return undefined;
    if (outcome.kind === 'good') {
      job.good += 1;
      inARow = 0;
      env.launch.good += 1;
      env.driveCounters[DRIVE]!.good += 1;
      continue;
    }
    await rejectLeftovers(env, job);
    Object.assign(view, { state: DRIVE_STATE.idle, percent: 0, job: 'None', disc: 'None' });
    if (outcome.kind === 'aborted') return 16;
    if (outcome.kind === 'job-error') return outcome.error;
    addDiscError(job, outcome.error);
    countDiscError(env, outcome.error);
    inARow += 1;
    if (inARow >= env.rejectsInARow) return 20;
  }
  return undefined;
}

/** The image and the label must be there before a blank is touched (job errors 4, 6, 29). */
function checkInput(env: ProcessorEnv, job: EmulatedJob): { image: string; label: string | undefined } | number {
  const first = job.request.images[0];
  // The emulator burns images (the adapter's only kind); Data and audio jobs are beyond it.
  if (!first) return job.request.data.length > 0 || job.request.other.length > 0 ? 4 : 6;
  const image = env.resolvePath(first.path);
  if (!fs.statSync(image, { throwIfNoEntry: false })?.isFile()) return 4;
  const labelPath = job.request.printLabel === undefined ? undefined : env.resolvePath(job.request.printLabel);
  if (labelPath !== undefined && !fs.statSync(labelPath, { throwIfNoEntry: false })?.isFile()) return 29;
  return { image, label: labelPath };
}

function countDiscError(env: ProcessorEnv, error: number): void {
  env.launch.bad += 1;
  const counters = env.driveCounters[DRIVE]!;
  counters.bad += 1;
  if (error === 18) counters.recordingErrors += 1;
  if (error === 19) counters.verifyingErrors += 1;
  if (error === 14) counters.driveNotReady += 1;
}

/**
 * A robotic verb on the shared robot: while it is busy or in a system error (refused 528) the
 * processor waits, as PTBurn does, until the operator has fixed the unit.
 */
export async function runOp(env: ProcessorEnv, verb: string, args: Record<string, string>, aborted: () => boolean): Promise<OpOutcome> {
  for (;;) {
    await env.gate();
    if (aborted()) return 'CANCELLED';
    if (env.stopped()) return new Promise<OpOutcome>(() => {});
    const outcome = await env.bridge.runOp(verb, args);
    if (typeof outcome === 'string') return outcome;
    if (outcome.refused.code !== 528) return 'FAILED';
    await new Promise((resolve) => setTimeout(resolve, env.pollMs));
  }
}

/** The failed (or aborted) disc goes to the reject slide, wherever the motion left it. */
async function rejectLeftovers(env: ProcessorEnv, job: EmulatedJob): Promise<void> {
  const { world } = env.bridge;
  setStatus(job, STATUS.rejecting, `Rejecting Disc ${job.discsTried}`);
  const never = () => false;
  if ((world.drives[DRIVE]?.discs.length ?? 0) > 0) await runOp(env, 'UNLOAD_DRIVE', { drive: String(DRIVE), to: '200' }, never);
  if (world.printer.discs.length > 0) await runOp(env, 'UNLOAD_PRINTER', { to: '200' }, never);
}

/** Ends a job: figures, then the status text PTBurn writes. */
export function finishJob(job: EmulatedJob, error: number | undefined): void {
  endJob(job, new Date(), error);
  if (error !== undefined && error !== 16) job.currentStatus = `The job failed: ${ptburnJobError(error).message}`;
}
