// `discrobot serve` as the end-to-end tests run it: a real process with a simulated robot, its DICOM
// port and HTTP API on free ports, and the waits the tests share (a study reaching a state, a job
// finishing), each polling the API.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobDetailView, JobSummaryView, StudyDetailView } from '../../../src/api/publisher-api.ts';
import { ApiClient, waitFor } from './api-client.ts';
import { freePort, startCli, type CliProcess } from './process.ts';

export interface PublisherOptions {
  dataDir: string;
  quietPeriodSeconds: number;
  /** Simulated seconds per wall-clock second (0: every motion at once); absent: the robots' own (config). */
  timeScale?: number;
  /** --robot specs; the default is the product's (one simulated DP-4100). */
  robots?: string[];
  /** A configuration file to write and start from (JSON), for what the command line cannot say. */
  config?: { file: string; content: Record<string, unknown> };
}

export interface RunningPublisher {
  cli: CliProcess;
  api: ApiClient;
  dicomPort: number;
  dataDir: string;
  /** SIGTERM, and SIGKILL if it has not ended within 20 s. */
  stop(): Promise<void>;
}

export async function startPublisher(options: PublisherOptions): Promise<RunningPublisher> {
  const dicomPort = await freePort();
  if (options.config) await writeFile(options.config.file, JSON.stringify(options.config.content, null, 2));
  const args = [
    'serve', ...(options.config ? ['--config', options.config.file] : []),
    '--host', '127.0.0.1', '--port', String(dicomPort), '--data', options.dataDir, '--http', '127.0.0.1:0',
    '--quiet-period', String(options.quietPeriodSeconds),
    ...(options.timeScale === undefined ? [] : ['--time-scale', String(options.timeScale)]),
    ...(options.robots ?? []).flatMap((spec) => ['--robot', spec]),
  ];
  const cli = startCli(args);
  try {
    await cli.listening(30_000);
  } catch (err) {
    cli.kill();
    throw err;
  }
  const line = cli.logLines().find((l) => l['msg'] === 'HTTP API listening');
  if (typeof line?.['url'] !== 'string') {
    cli.kill();
    throw new Error(`no "HTTP API listening" line with its url:\n${cli.stdout()}`);
  }
  return {
    cli,
    api: new ApiClient(line['url']),
    dicomPort,
    dataDir: path.resolve(options.dataDir),
    async stop() {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGTERM');
      const timer = setTimeout(() => cli.kill(), 20_000);
      await cli.exited;
      clearTimeout(timer);
    },
  };
}

/** The study once it is in `state`; fails fast if it ends up failed instead. */
export function studyInState(api: ApiClient, uid: string, state: string, timeoutMs?: number): Promise<StudyDetailView> {
  let last: StudyDetailView | undefined;
  return waitFor(
    async () => {
      last = await api.study(uid);
      if (last?.state === 'failed' && state !== 'failed') throw new Error(`study ${uid} failed: ${JSON.stringify(last)}`);
      return last?.state === state ? last : undefined;
    },
    `study ${uid} to be ${state}`,
    { timeoutMs, lastSeen: () => last && { state: last.state, holdReasons: last.holdReasons, unpublished: last.unpublished, jobs: last.jobs } },
  );
}

/** The jobs the publisher made for a study, oldest first. */
export async function jobsOfStudy(api: ApiClient, uid: string): Promise<JobSummaryView[]> {
  return (await api.jobs()).filter((job) => job.studyInstanceUid === uid).sort((a, b) => a.createdAtMs - b.createdAtMs || a.jobId.localeCompare(b.jobId));
}

/** The job once it has finished (done or cancelled) or failed (a failed job has no finish time: it may be retried). */
export function finishedJob(api: ApiClient, jobId: string): Promise<JobDetailView> {
  let last: JobDetailView | undefined;
  return waitFor(
    async () => {
      last = await api.job(jobId);
      return last && (last.finishedAtMs !== null || last.state === 'failed') ? last : undefined;
    },
    `job ${jobId} to finish`,
    { lastSeen: () => last && { state: last.state, reason: last.reason, pause: last.pause, discs: last.discs } },
  );
}

/** Waits until the study has `count` jobs and all of them finished (or failed); answers their details, oldest first. */
export async function finishedJobsOfStudy(api: ApiClient, uid: string, count: number): Promise<JobDetailView[]> {
  let last: JobSummaryView[] = [];
  const jobs = await waitFor(
    async () => {
      last = await jobsOfStudy(api, uid);
      return last.length >= count ? last : undefined;
    },
    `${count} job(s) of study ${uid}`,
    { lastSeen: () => last },
  );
  return Promise.all(jobs.map((job) => finishedJob(api, job.jobId)));
}
