// A study from a modality to a delivered disc, with real processes only: `discrobot serve` with its
// in-process simulated robot (DP-4100, fast), DCMTK's storescu as the modality, the HTTP API to
// watch, and xorriso, dcmdump and pydicom to read the disc image the simulator delivered. Once the
// quiet period is over the job runs to done; the disc's DICOMDIR lists exactly the instances sent,
// and the audit trail names the disc. An instance of the study sent after it was published goes on
// a follow-up disc that carries only that instance.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { JobDetailView } from '../../src/api/publisher-api.ts';
import { readDisc } from './support/disc-image.ts';
import { freshStudyUid, send, studySpec, writeInstances, type Patient, type SentFile } from './support/patient-study.ts';
import { finishedJobsOfStudy, startPublisher, studyInState, type RunningPublisher } from './support/publisher-process.ts';

const QUIET_PERIOD_SECONDS = 2;
const TEST_TIMEOUT_MS = 180_000;

let work: string;
let publisher: RunningPublisher;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'discrobot-publish-study-'));
  publisher = await startPublisher({ dataDir: path.join(work, 'data'), quietPeriodSeconds: QUIET_PERIOD_SECONDS, timeScale: 500 });
});

afterAll(async () => {
  await publisher?.stop();
  await fs.rm(work, { recursive: true, force: true });
});

const sorted = (files: SentFile[]) => files.map((f) => f.sopInstanceUid).sort();

/** The one delivered disc of a finished job, checked on the way. */
function deliveredDisc(job: JobDetailView) {
  const delivered = job.discs.filter((disc) => disc.outcome === 'delivered');
  if (job.state !== 'done' || delivered.length !== 1 || !delivered[0]!.imageFile) {
    throw new Error(`job ${job.jobId} did not deliver exactly one disc with an image: ${JSON.stringify(job)}`);
  }
  return { ...delivered[0]!, imageFile: delivered[0]!.imageFile };
}

describe.concurrent('discrobot serve publishes a study sent by storescu (processes)', () => {
  it('after the quiet period: one job, done; its disc image lies in the simulator output folder; the DICOMDIR lists exactly the instances sent; the audit trail names the disc', async ({ expect }) => {
    const { api } = publisher;
    const patient: Patient = { patientId: 'E2E-PUB-1', patientName: 'Publish^Paula', patientBirthDate: '19810203' };
    const studyUid = freshStudyUid();
    const files = await writeInstances(path.join(work, 'study'), studySpec(studyUid, [3, 2, 2], patient));
    await send(publisher.dicomPort, files);

    const study = await studyInState(api, studyUid, 'published');
    expect(study.holdReasons).toEqual([]);
    expect(study.instances).toBe(files.length);
    expect(study.unpublished).toBe(0);
    const [job, ...more] = await finishedJobsOfStudy(api, studyUid, 1);
    expect(more).toEqual([]);
    expect({ state: job!.state, copies: job!.copies, copiesDone: job!.copiesDone, reason: job!.reason }).toEqual({ state: 'done', copies: 1, copiesDone: 1, reason: null });
    expect([...job!.instanceIds].sort((a, b) => a - b)).toEqual(study.instanceList.map((i) => i.id).sort((a, b) => a - b));
    expect(new Set(study.instanceList.map((i) => i.jobId))).toEqual(new Set([job!.jobId]));

    // The job was made once the quiet period after the last instance was over (rows and events take
    // the arrival time a few ms apart, hence the leeway).
    const lastArrival = Math.max(...study.instanceList.map((i) => Date.parse(i.receivedAt)));
    const created = (await api.audit({ subject: `job:${job!.jobId}` })).find((entry) => entry.action === 'job.created');
    expect(created?.details).toMatchObject({ kind: 'study', studyUid, instances: files.length, copies: 1 });
    expect(created!.atMs).toBeGreaterThanOrEqual(lastArrival + QUIET_PERIOD_SECONDS * 1000 - 100);

    // The disc image is the simulator's, in the output folder the API names, under the data folder.
    const disc = deliveredDisc(job!);
    const [robot] = await api.robots();
    expect(robot).toMatchObject({ name: disc.robot, kind: 'sim', model: 'DP-4100' });
    expect(path.dirname(disc.imageFile)).toBe(robot!.outputFolder);
    expect(disc.imageFile.startsWith(publisher.dataDir + path.sep)).toBe(true);
    expect((await fs.stat(disc.imageFile)).size).toBeGreaterThan(0);

    const contents = await readDisc(disc.imageFile, path.join(work, 'disc-study'));
    expect(contents.referencedSopInstanceUids).toEqual(sorted(files));
    expect(contents.instances.map((i) => i.fileSopInstanceUid).sort()).toEqual(sorted(files));
    for (const instance of contents.instances) expect(instance.sopInstanceUid, instance.path).toBe(instance.fileSopInstanceUid);
    expect(contents.patients.map((p) => p.patientId)).toEqual([patient.patientId]);

    // The audit trail names the delivered disc, its job and its image.
    const discAudit = await api.audit({ subject: `disc:${disc.discId}` });
    expect(discAudit.map((entry) => entry.action)).toContain('disc.delivered');
    expect(discAudit.find((entry) => entry.action === 'disc.delivered')!.details).toMatchObject({ jobId: job!.jobId, robot: disc.robot, imageFile: disc.imageFile });
  }, TEST_TIMEOUT_MS);

  it('a late arrival after the study was published goes on a follow-up disc that carries only it', async ({ expect }) => {
    const { api } = publisher;
    const patient: Patient = { patientId: 'E2E-LATE-1', patientName: 'Spaet^Lotte', patientBirthDate: '19650412' };
    const studyUid = freshStudyUid();
    const all = await writeInstances(path.join(work, 'late'), studySpec(studyUid, [2, 3], patient));
    const first = all.slice(0, -1);
    const late = all.slice(-1);
    await send(publisher.dicomPort, first);
    await studyInState(api, studyUid, 'published');
    const [firstJob] = await finishedJobsOfStudy(api, studyUid, 1);
    const firstDisc = deliveredDisc(firstJob!);

    await send(publisher.dicomPort, late);
    const jobs = await finishedJobsOfStudy(api, studyUid, 2);
    const study = await studyInState(api, studyUid, 'published');
    expect(jobs.map((job) => job.jobId)).toEqual([firstJob!.jobId, jobs[1]!.jobId]);
    expect(jobs[1]!.jobId).not.toBe(firstJob!.jobId);
    expect({ lateArrivals: study.lateArrivals, unpublished: study.unpublished, holdReasons: study.holdReasons }).toEqual({ lateArrivals: 1, unpublished: 0, holdReasons: [] });

    // The second job is a follow-up, for the late instance alone.
    const followUp = jobs[1]!;
    const created = (await api.audit({ subject: `job:${followUp.jobId}` })).find((entry) => entry.action === 'job.created');
    expect(created?.details).toMatchObject({ kind: 'followUp', studyUid, instances: 1 });
    const lateRow = study.instanceList.find((i) => i.sopInstanceUid === late[0]!.sopInstanceUid);
    expect(lateRow?.jobId).toBe(followUp.jobId);
    expect(followUp.instanceIds).toEqual([lateRow!.id]);

    const followUpDisc = deliveredDisc(followUp);
    expect(followUpDisc.imageFile).not.toBe(firstDisc.imageFile);
    const [firstContents, followUpContents] = await Promise.all([
      readDisc(firstDisc.imageFile, path.join(work, 'disc-late-1')),
      readDisc(followUpDisc.imageFile, path.join(work, 'disc-late-2')),
    ]);
    expect(firstContents.referencedSopInstanceUids).toEqual(sorted(first));
    expect(followUpContents.referencedSopInstanceUids).toEqual(sorted(late));
    expect(followUpContents.instances.map((i) => i.fileSopInstanceUid)).toEqual(sorted(late));
    expect(followUpContents.patients.map((p) => p.patientId)).toEqual([patient.patientId]);
  }, TEST_TIMEOUT_MS);
});
