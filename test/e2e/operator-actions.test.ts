// An operator's actions on disc jobs through the HTTP API, against one real `discrobot serve`
// process: re-burn, reprint, cancel (while the job waits for a robot, and mid-burn), retry of a
// failed job, and the refusals (404 for a job nobody knows, 409 for an action the job's state does
// not allow). DCMTK's storescu sends the studies; the discs the simulated robots deliver or reject
// are read from their bin folders (xorriso, dcmdump and pydicom for the DICOMDIR, MD5 for a
// reprint's image).
//
// Two simulated robots, each reached by its own route: robot1 at a high time scale takes every
// study but those sent by SLOWBURN, which go to robot2, slowed down so that its burn lasts seconds
// and a cancel can land in the middle of it. The scenarios share robot1 and change its state
// (cover, armed faults), so they run one after the other.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscView, JobDetailView, JobSummaryView, RobotView } from '../../src/api/publisher-api.ts';
import { waitFor } from './support/api-client.ts';
import { startConfiguredPublisher } from './support/configured-publisher.ts';
import { discCarriesImage, discFilesIn } from './support/crash-disc.ts';
import { readDisc } from './support/disc-image.ts';
import { NoAnswerError, OperatorClient } from './support/operator-client.ts';
import { freshStudyUid, studySpec, writeInstances, type Patient, type SentFile } from './support/patient-study.ts';
import { finishedJob, jobsOfStudy, studyInState, type RunningPublisher } from './support/publisher-process.ts';
import { sendAs } from './support/send-as.ts';

const QUIET_PERIOD_SECONDS = 1;
const FAST = 'robot1';
const SLOW = 'robot2';
/** The calling AE title whose studies go to the slow robot; any other goes to the fast one. */
const SLOW_AE = 'SLOWBURN';
const FAST_AE = 'MODALITY1';
const TEST_TIMEOUT_MS = 120_000;

const CONFIG = {
  routes: [
    { name: 'slow-burn', match: { callingAe: SLOW_AE }, robots: [SLOW] },
    { name: 'default', robots: [FAST] },
  ],
  robots: [
    { name: FAST, kind: 'sim', model: 'DP-4100', timeScale: 500 },
    // A CD's burn (15 simulated seconds of lead-in, then the data) lasts seconds here.
    { name: SLOW, kind: 'sim', model: 'DP-4100', timeScale: 10 },
  ],
};

let work: string;
let publisher: RunningPublisher;

/** The study every re-burn, reprint and refusal starts from: published, its one job done. */
interface Published {
  studyUid: string;
  files: SentFile[];
  job: JobDetailView;
  disc: DiscWithImage;
}
let original: Published;

type DiscWithImage = DiscView & { imageFile: string };

const sortedUids = (files: SentFile[]) => files.map((f) => f.sopInstanceUid).sort();
const sortedIds = (ids: number[]) => [...ids].sort((a, b) => a - b);

function jobNumber(jobId: string): number {
  const match = /^J(\d+)$/.exec(jobId);
  if (!match) throw new Error(`job id ${jobId} is not J<number>`);
  return Number(match[1]);
}

function deliveredDiscs(job: JobDetailView): DiscWithImage[] {
  return job.discs.filter((disc): disc is DiscWithImage => disc.outcome === 'delivered' && disc.imageFile !== null);
}

async function robotNamed(name: string): Promise<RobotView> {
  const robot = (await publisher.api.robots()).find((r) => r.name === name);
  if (!robot) throw new Error(`no robot ${name} in GET /api/robots`);
  return robot;
}

function robotIdle(name: string): Promise<RobotView> {
  let last: RobotView | undefined;
  return waitFor(async () => {
    last = await robotNamed(name);
    return last.state === 'idle' ? last : undefined;
  }, `robot ${name} to be idle`, { lastSeen: () => last });
}

/** The reject bin of a simulated robot: next to its output bin (<sim>/bins/reject). */
const rejectFolderOf = (robot: RobotView) => path.join(path.dirname(robot.outputFolder!), 'reject');

async function writeStudy(label: string, patient: Patient, series: number[]): Promise<{ studyUid: string; files: SentFile[] }> {
  const studyUid = freshStudyUid();
  const files = await writeInstances(path.join(work, label), studySpec(studyUid, series, patient));
  return { studyUid, files };
}

/** The study's first job, once the publisher made it. */
function firstJobOf(studyUid: string): Promise<JobSummaryView> {
  return waitFor(async () => (await jobsOfStudy(publisher.api, studyUid))[0], `a job of study ${studyUid}`);
}

/** The disc carries exactly the sent instances, each file intact (its pixels as sent). */
async function expectDiscCarries(imageFile: string, files: SentFile[], into: string): Promise<void> {
  const contents = await readDisc(imageFile, path.join(work, into));
  expect(contents.referencedSopInstanceUids).toEqual(sortedUids(files));
  const pixelsOnDisc = Object.fromEntries(contents.instances.map((i) => [i.fileSopInstanceUid, i.pixelSha256]));
  expect(pixelsOnDisc).toEqual(Object.fromEntries(files.map((f) => [f.sopInstanceUid, f.pixelSha256])));
}

async function auditEntry(subject: string, action: string) {
  return (await publisher.api.audit({ subject })).find((entry) => entry.action === action);
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'discrobot-operator-actions-'));
  publisher = await startConfiguredPublisher({
    dataDir: path.join(work, 'data'), configFile: path.join(work, 'discrobot.json'), config: CONFIG, quietPeriodSeconds: QUIET_PERIOD_SECONDS,
  });
  const patient: Patient = { patientId: 'E2E-OPS-1', patientName: 'Operator^Olga', patientBirthDate: '19770315' };
  const { studyUid, files } = await writeStudy('original', patient, [2, 1]);
  await sendAs(FAST_AE, publisher.dicomPort, files);
  await studyInState(publisher.api, studyUid, 'published');
  const job = await finishedJob(publisher.api, (await firstJobOf(studyUid)).jobId);
  const [disc] = deliveredDiscs(job);
  if (job.state !== 'done' || !disc || !job.imagePath) throw new Error(`the original job did not deliver its disc: ${JSON.stringify(job)}`);
  original = { studyUid, files, job, disc };
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await publisher?.stop();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

describe('operator actions on disc jobs, through the HTTP API of discrobot serve (processes)', () => {
  it('re-burn of a done job: a new reburn job with a higher id burns the same instances onto a new disc; the original job is unchanged; the audit names the operator', async () => {
    const { api } = publisher;
    const ops = new OperatorClient(api.baseUrl, 'reburn-ann');
    const before = await api.job(original.job.jobId);

    const answer = await ops.reburn(original.job.jobId);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const jobId = answer.body.jobId!;
    expect(jobNumber(jobId)).toBeGreaterThan(jobNumber(original.job.jobId));

    const job = await finishedJob(api, jobId);
    expect({ kind: job.kind, state: job.state, study: job.studyInstanceUid, copies: job.copies, copiesDone: job.copiesDone, reason: job.reason })
      .toEqual({ kind: 'reburn', state: 'done', study: original.studyUid, copies: 1, copiesDone: 1, reason: null });
    expect(sortedIds(job.instanceIds)).toEqual(sortedIds(original.job.instanceIds));
    const discs = deliveredDiscs(job);
    expect(discs).toHaveLength(1);
    expect(path.dirname(discs[0]!.imageFile)).toBe((await robotNamed(FAST)).outputFolder);
    expect(discs[0]!.imageFile).not.toBe(original.disc.imageFile);
    await expectDiscCarries(discs[0]!.imageFile, original.files, 'disc-reburn');

    expect(await api.job(original.job.jobId)).toEqual(before);
    expect(await auditEntry(`job:${jobId}`, 'job.reburn')).toMatchObject({ actor: 'operator:reburn-ann', details: { of: original.job.jobId, copies: 1 } });
    // A re-burn is the operator's business, not the study's: it stays published.
    const study = await api.study(original.studyUid);
    expect({ state: study?.state, unpublished: study?.unpublished }).toEqual({ state: 'published', unpublished: 0 });
  }, TEST_TIMEOUT_MS);

  it('re-burn with copies: 2 delivers two discs, each carrying the original instances', async () => {
    const { api } = publisher;
    const ops = new OperatorClient(api.baseUrl, 'reburn-ann');
    const answer = await ops.reburn(original.job.jobId, 2);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const jobId = answer.body.jobId!;
    expect(jobNumber(jobId)).toBeGreaterThan(jobNumber(original.job.jobId));

    const job = await finishedJob(api, jobId);
    expect({ kind: job.kind, state: job.state, copies: job.copies, copiesDone: job.copiesDone }).toEqual({ kind: 'reburn', state: 'done', copies: 2, copiesDone: 2 });
    const discs = deliveredDiscs(job);
    expect(discs.map((disc) => disc.copy).sort()).toEqual([1, 2]);
    expect(new Set(discs.map((disc) => disc.imageFile)).size).toBe(2);
    const outputFolder = (await robotNamed(FAST)).outputFolder;
    for (const [i, disc] of discs.entries()) {
      expect(path.dirname(disc.imageFile)).toBe(outputFolder);
      await expectDiscCarries(disc.imageFile, original.files, `disc-reburn-copy-${i + 1}`);
    }
    expect(await auditEntry(`job:${jobId}`, 'job.reburn')).toMatchObject({ actor: 'operator:reburn-ann', details: { of: original.job.jobId, copies: 2 } });
  }, TEST_TIMEOUT_MS);

  it('reprint of a done job: a new reprint job of one copy burns the already mastered image again, byte for byte; the audit names the operator', async () => {
    const { api } = publisher;
    const ops = new OperatorClient(api.baseUrl, 'reprint-bo');
    const before = await api.job(original.job.jobId);

    const answer = await ops.reprint(original.job.jobId);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const jobId = answer.body.jobId!;
    expect(jobNumber(jobId)).toBeGreaterThan(jobNumber(original.job.jobId));
    expect(await auditEntry(`job:${jobId}`, 'job.reprint')).toMatchObject({ actor: 'operator:reprint-bo', details: { of: original.job.jobId, copies: 1 } });

    const job = await finishedJob(api, jobId);
    expect({ kind: job.kind, copies: job.copies }).toEqual({ kind: 'reprint', copies: 1 });
    expect(job.state, `reprint job ${jobId} ended ${job.state}: ${job.reason}`).toBe('done');
    const discs = deliveredDiscs(job);
    expect(discs).toHaveLength(1);
    expect(path.dirname(discs[0]!.imageFile)).toBe((await robotNamed(FAST)).outputFolder);
    const carried = await discCarriesImage(discs[0]!.imageFile, original.job.imagePath!);
    expect(carried.same, carried.detail).toBe(true);
    expect(await api.job(original.job.jobId)).toEqual(before);
  }, TEST_TIMEOUT_MS);

  it('refusals: re-burn, reprint, cancel and retry of an unknown job answer 404; cancel and retry of a done job answer 409 and change nothing', async () => {
    const { api } = publisher;
    const ops = new OperatorClient(api.baseUrl, 'refused-cat');
    const unknown = 'J999999';
    for (const [what, answer] of [
      ['reburn', await ops.reburn(unknown)],
      ['reprint', await ops.reprint(unknown)],
      ['cancel', await ops.cancel(unknown)],
      ['retry', await ops.retry(unknown)],
    ] as const) {
      expect({ what, status: answer.status }).toEqual({ what, status: 404 });
      expect(answer.body.error, what).toMatch(/\S/);
    }

    const before = await api.job(original.job.jobId);
    const cancel = await ops.cancel(original.job.jobId);
    const retry = await ops.retry(original.job.jobId);
    expect({ cancel: cancel.status, retry: retry.status }).toEqual({ cancel: 409, retry: 409 });
    // The reason is a sentence for a person (its wording is the publisher's).
    expect(cancel.body.error).toMatch(/\S/);
    expect(retry.body.error).toMatch(/\S/);
    expect(await api.job(original.job.jobId)).toEqual(before);
    const actions = (await api.audit({ subject: `job:${original.job.jobId}` })).map((entry) => entry.action);
    expect(actions).not.toContain('job.cancelRequested');
    expect(actions).not.toContain('job.retried');
  }, TEST_TIMEOUT_MS);

  it('cancel of a job waiting for a robot (cover open): cancelled without a disc, the study fails; its instances go to the next disc once the study is released', async () => {
    const { api } = publisher;
    const ops = new OperatorClient(api.baseUrl, 'cancel-cy');
    await robotIdle(FAST);
    const { studyUid, files } = await writeStudy('cancel-waiting', { patientId: 'E2E-OPS-2', patientName: 'Wartend^Wim', patientBirthDate: '19600101' }, [2]);

    let cancelled: JobDetailView;
    expect((await ops.simulator(FAST, { kind: 'cover', open: true })).status).toBe(200);
    try {
      await waitFor(async () => (await robotNamed(FAST)).error?.name === 'SYSERR_COVER_OPEN', `robot ${FAST} to report its cover open`);
      await sendAs(FAST_AE, publisher.dicomPort, files);
      const waiting = await firstJobOf(studyUid);
      // Pending: no robot took it (robot1, the only one its route allows, is in error).
      expect(waiting.state).toBe('pending');
      expect((await robotNamed(FAST)).jobId).toBeNull();

      expect(await ops.cancel(waiting.jobId)).toEqual({ status: 200, body: { ok: true } });
      cancelled = await finishedJob(api, waiting.jobId);
      expect({ state: cancelled.state, discs: cancelled.discs, copiesDone: cancelled.copiesDone }).toEqual({ state: 'cancelled', discs: [], copiesDone: 0 });
      expect(cancelled.finishedAtMs).not.toBeNull();
      expect(await auditEntry(`job:${waiting.jobId}`, 'job.cancelRequested')).toMatchObject({ actor: 'operator:cancel-cy' });
      // The study's disc will not be made: it shows failed until a person acts on it.
      await studyInState(api, studyUid, 'failed');
      // A cancelled job is final: it cannot be retried.
      expect((await ops.retry(waiting.jobId)).status).toBe(409);
    } finally {
      await ops.simulator(FAST, { kind: 'cover', open: false });
    }
    await robotIdle(FAST);

    // Releasing the failed study asks for its disc again: the new job claims the instances the
    // cancelled one gave back, and delivers them.
    expect((await api.release(studyUid)).status).toBe(200);
    const jobs = await waitFor(async () => {
      const all = await jobsOfStudy(api, studyUid);
      return all.length >= 2 ? all : undefined;
    }, `a second job of study ${studyUid}`);
    expect(jobs.map((job) => job.jobId)[0]).toBe(cancelled!.jobId);
    expect(jobs).toHaveLength(2);
    const next = await finishedJob(api, jobs[1]!.jobId);
    expect(jobNumber(next.jobId)).toBeGreaterThan(jobNumber(cancelled!.jobId));
    expect(next.state).toBe('done');
    expect(sortedIds(next.instanceIds)).toEqual(sortedIds(cancelled!.instanceIds));
    const study = await studyInState(api, studyUid, 'published');
    expect(sortedIds(next.instanceIds)).toEqual(sortedIds(study.instanceList.map((i) => i.id)));
    await expectDiscCarries(deliveredDiscs(next)[0]!.imageFile, files, 'disc-after-cancel');
    expect((await api.job(cancelled!.jobId))?.discs).toEqual([]);
    // Each instance names the job whose disc carries it (InstanceView.jobId), not the cancelled one.
    expect(study.instanceList.map((i) => ({ sop: i.sopInstanceUid, jobId: i.jobId }))).toEqual(study.instanceList.map((i) => ({ sop: i.sopInstanceUid, jobId: next.jobId })));
  }, TEST_TIMEOUT_MS);

  it('retry of a job that failed (three write errors in a row, discs to the reject bin) burns it again: done, the study ends published', async () => {
    const { api } = publisher;
    const ops = new OperatorClient(api.baseUrl, 'retry-di');
    const robot = await robotIdle(FAST);
    const rejectFolder = rejectFolderOf(robot);
    const rejectsBefore = discFilesIn(rejectFolder);
    const { studyUid, files } = await writeStudy('retry', { patientId: 'E2E-OPS-3', patientName: 'Nochmal^Nora', patientBirthDate: '19900909' }, [1, 2]);

    // Each armed write error spoils the next disc the robot writes: the job's reject limit is three in a row.
    for (let i = 0; i < 3; i++) expect((await ops.simulator(FAST, { kind: 'fault', code: 'write-error' })).status).toBe(200);
    await sendAs(FAST_AE, publisher.dicomPort, files);
    const { jobId } = await firstJobOf(studyUid);
    const failed = await finishedJob(api, jobId);
    expect(failed.state).toBe('failed');
    expect(failed.discs.map((disc) => [disc.attempt, disc.outcome, disc.cause])).toEqual([[1, 'rejected', 'write'], [2, 'rejected', 'write'], [3, 'rejected', 'write']]);
    expect(failed.reason).toMatch(/3 rejects in a row/);
    expect(discFilesIn(rejectFolder).filter((file) => !rejectsBefore.includes(file))).toHaveLength(3);
    await studyInState(api, studyUid, 'failed');

    expect(await ops.retry(jobId)).toEqual({ status: 200, body: { ok: true } });
    expect(await auditEntry(`job:${jobId}`, 'job.retried')).toMatchObject({ actor: 'operator:retry-di' });
    let last: JobDetailView | undefined;
    const done = await waitFor(async () => {
      last = await api.job(jobId);
      if (last && last.state === 'failed' && last.discs.length > 3) throw new Error(`the retried job failed again: ${last.reason}`);
      return last?.state === 'done' ? last : undefined;
    }, `retried job ${jobId} to be done`, { lastSeen: () => last && { state: last.state, reason: last.reason, discs: last.discs } });
    expect({ copiesDone: done.copiesDone, reason: done.reason }).toEqual({ copiesDone: 1, reason: null });
    const discs = deliveredDiscs(done);
    expect(discs.map((disc) => disc.attempt)).toEqual([4]);
    expect(path.dirname(discs[0]!.imageFile)).toBe(robot.outputFolder);
    await expectDiscCarries(discs[0]!.imageFile, files, 'disc-retried');
    const study = await studyInState(api, studyUid, 'published');
    expect(study.unpublished).toBe(0);
  }, TEST_TIMEOUT_MS);

  // Last: should the publisher stop answering, the scenarios before have run.
  it('cancel of a job at the robot mid-burn: cancelled, its disc goes to the reject bin, never to the output bin', async () => {
    const { api } = publisher;
    const ops = new OperatorClient(api.baseUrl, 'cancel-ed');
    const robot = await robotIdle(SLOW);
    const rejectFolder = rejectFolderOf(robot);
    const outputBefore = discFilesIn(robot.outputFolder!);
    const rejectsBefore = discFilesIn(rejectFolder);
    const { studyUid, files } = await writeStudy('cancel-burning', { patientId: 'E2E-OPS-4', patientName: 'Brenner^Ben', patientBirthDate: '19851111' }, [2]);
    await sendAs(SLOW_AE, publisher.dicomPort, files);

    let last: JobSummaryView | undefined;
    const burning = await waitFor(async () => {
      last = (await jobsOfStudy(api, studyUid))[0];
      if (last && (last.finishedAtMs !== null || last.state === 'failed')) throw new Error(`the job ended before it burned: ${JSON.stringify(last)}`);
      return last?.state === 'disc.burning' ? last : undefined;
    }, `the job of study ${studyUid} to burn`, { timeoutMs: 60_000, intervalMs: 50, lastSeen: () => last });
    expect(burning.robot).toBe(SLOW);

    const answer = await ops.cancel(burning.jobId).catch(async (err: unknown) => {
      if (!(err instanceof NoAnswerError)) throw err;
      throw new Error(`${err.message} (GET /api/health answers: ${await ops.answers()}): the cancel of a disc being burned stopped the publisher`);
    });
    expect(answer).toEqual({ status: 200, body: { ok: true } });
    const cancelled = await finishedJob(api, burning.jobId);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.discs.map((disc) => [disc.outcome, disc.cause])).toEqual([['rejected', 'cancelled']]);

    await robotIdle(SLOW);
    expect(discFilesIn(robot.outputFolder!)).toEqual(outputBefore);
    expect(discFilesIn(rejectFolder).filter((file) => !rejectsBefore.includes(file))).toHaveLength(1);
    await studyInState(api, studyUid, 'failed');
  }, TEST_TIMEOUT_MS);
});
