// What the emulator does with the files a client drops: a new .JRQ is read and checked with
// jrq.ts (a bad one, or one hit by an injected job error, goes straight to .ERR with its job error
// number) or queued as .QRJ; a .PTM command is read, deleted and acted on — ABORT for the job of
// the same base name (ClientID must match, or be Administrator), IGNORE_INKLOW, CHECK_DISCSINBIN,
// ALIGN_PRINTER, SHUTDOWN_*; the rest are consumed without effect.

import { ptburnJobError } from '../../src/robot/ptburn/errors.ts';
import { parseJobRequest } from '../../src/robot/ptburn/jrq.ts';
import { ADMINISTRATOR, parsePtm } from '../../src/robot/ptburn/ptm.ts';
import { endJob, newJob, type EmulatedJob } from './job.ts';
import { moveJobFile, readJobFile, takeCommand } from './hot-folder.ts';

export interface IntakeEnv {
  folder: string;
  /** Active jobs (queued and running) by lower-case base name. */
  jobs: Map<string, EmulatedJob>;
  pendingJobErrors: Array<{ error: number; job?: string }>;
  robotName: string;
  nextArrival(): number;
  /** Moves an ended job to [CompletedJobs]. */
  complete(job: EmulatedJob): void;
  running(): EmulatedJob | null;
  abortRunning(): void;
  ignoreInkLow(): void;
  checkBins(): void;
  alignPrinter(): void;
  shutdown(): void;
}

/** A job that fails before it runs: its .JRQ becomes .ERR and it is listed as completed (failed). */
function failAtOnce(env: IntakeEnv, job: EmulatedJob, error: number, now: Date): void {
  endJob(job, now, error);
  job.currentStatus = `The job failed: ${ptburnJobError(error).message}`;
  env.complete(job);
}

export function acceptJobRequest(env: IntakeEnv, name: string, now: Date): void {
  if (env.jobs.has(name.toLowerCase())) return;
  const text = readJobFile(env.folder, name, 'submitted');
  if (text === null) return;
  const parsed = parseJobRequest(text);
  const job = newJob(name, parsed.request, env.nextArrival(), now);
  const injected = env.pendingJobErrors.findIndex((e) => e.job === undefined || e.job.toLowerCase() === name.toLowerCase());
  const error = injected >= 0 ? env.pendingJobErrors.splice(injected, 1)[0]!.error : parsed.problems[0]?.jobError;
  if (error !== undefined) {
    if (!moveJobFile(env.folder, name, 'submitted', 'failed')) return;
    failAtOnce(env, job, error, now);
    return;
  }
  if (!moveJobFile(env.folder, name, 'submitted', 'queued')) return;
  env.jobs.set(name.toLowerCase(), job);
}

export function handleCommand(env: IntakeEnv, fileName: string): void {
  const taken = takeCommand(env.folder, fileName);
  if (!taken) return;
  const parsed = parsePtm(taken.text);
  if (!parsed.ok) return;
  const { command } = parsed;
  switch (command.message) {
    case 'ABORT': return abort(env, taken.base, command.clientId);
    case 'IGNORE_INKLOW': return env.ignoreInkLow();
    case 'CHECK_DISCSINBIN': return env.checkBins();
    case 'ALIGN_PRINTER': return env.alignPrinter();
    case 'SHUTDOWN_IMMEDIATE': return env.shutdown();
    case 'SHUTDOWN_AFTERJOB': if (env.running() === null) env.shutdown(); return;
    default: return;
  }
}

function abort(env: IntakeEnv, base: string, clientId: string): void {
  const job = env.jobs.get(base.toLowerCase());
  if (!job) return;
  const allowed = clientId.toLowerCase() === job.settings.clientId.toLowerCase() || clientId.toLowerCase() === ADMINISTRATOR.toLowerCase();
  if (!allowed) return;
  if (env.running() === job) {
    job.abortRequested = true;
    env.abortRunning();
    return;
  }
  // Not started yet: it leaves the queue at once.
  env.jobs.delete(base.toLowerCase());
  moveJobFile(env.folder, base, 'queued', 'failed');
  endJob(job, new Date(), 16);
  env.complete(job);
}
