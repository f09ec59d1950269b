// Patient safety end to end, with real processes: `discrobot serve` with a simulated robot, DCMTK's
// storescu as the modality, the HTTP API as the operator, xorriso, dcmdump and pydicom to read the
// discs. Each hold reason (one Patient ID under two names, under two birth dates; one Study Instance
// UID under two Patient IDs; an instance without Patient ID; a SOP Instance UID sent again with
// other content) holds its study, with the reason's code, and no job is made while it is held. A
// person's release then puts the study on a disc as it is, except where no disc may carry it as it
// is (two patients; no Patient ID): there the release is refused and a split puts each patient on a
// disc of its own, the instance without Patient ID held apart. An operator's hold holds a settling
// study until it is released; release-now skips a long quiet period.
//
// "No job while held" is shown with a barrier, not a sleep: a study sent after all the held ones
// must have been published (its quiet period ended after theirs) before the held ones are looked at.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { JobDetailView, StudyDetailView } from '../../src/api/publisher-api.ts';
import { waitFor, type ApiClient } from './support/api-client.ts';
import { readDisc, type DiscContents } from './support/disc-image.ts';
import { freshStudyUid, send, studySpec, writeInstances, type InstanceSpec, type Patient, type SentFile } from './support/patient-study.ts';
import { finishedJobsOfStudy, jobsOfStudy, startPublisher, studyInState, type RunningPublisher } from './support/publisher-process.ts';

const TEST_TIMEOUT_MS = 180_000;

let work: string;
/** Quiet period 2 s (storescu's instances of one study arrive well within it): the studies the safety checks hold. */
let quick: RunningPublisher;
/** Quiet period 600 s: a study stays settling until a person acts. */
let slow: RunningPublisher;

interface Scenario {
  studyUid: string;
  /** Every file sent, in order (a second version of a SOP Instance UID included). */
  sent: SentFile[];
  /** The SOP Instance UIDs of the study, each once. */
  sopInstanceUids: string[];
}

const patient = (patientId: string | null, patientName: string, patientBirthDate = '19700101'): Patient => ({ patientId, patientName, patientBirthDate });

/** Writes and sends a study whose instance n belongs to patientOf(n); `extra` adds files sent after them. */
async function sendStudy(
  to: RunningPublisher,
  name: string,
  series: number[],
  patientOf: (n: number) => Patient,
  extra: (instances: InstanceSpec[]) => InstanceSpec[] = () => [],
): Promise<Scenario> {
  const studyUid = freshStudyUid();
  const instances = studySpec(studyUid, series, patientOf(0), patientOf);
  const sent = await writeInstances(path.join(work, name), [...instances, ...extra(instances)]);
  await send(to.dicomPort, sent);
  return { studyUid, sent, sopInstanceUids: instances.map((i) => i.sopInstanceUid).sort() };
}

/** The safety scenarios, sent to `quick` before the barrier study. */
const held = {} as Record<'nameMismatch' | 'birthDateMismatch' | 'twoPatientsAsIs' | 'twoPatientsSplit' | 'noPatientId' | 'duplicateDifferent', Scenario>;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'discrobot-study-holds-'));
  [quick, slow] = await Promise.all([
    startPublisher({ dataDir: path.join(work, 'quick-data'), quietPeriodSeconds: 2, timeScale: 0 }),
    startPublisher({ dataDir: path.join(work, 'slow-data'), quietPeriodSeconds: 600, timeScale: 0 }),
  ]);

  const [a, b, c1, c2, d, e] = await Promise.all([
    sendStudy(quick, 'name', [2, 1], (n) => patient('E2E-HOLD-A', n < 2 ? 'Name^Anna' : 'Name^Anne')),
    sendStudy(quick, 'birth', [3], (n) => patient('E2E-HOLD-B', 'Birth^Berta', n === 0 ? '19700101' : '19700102')),
    sendStudy(quick, 'two-release', [2, 2], (n) => (n < 2 ? patient('E2E-HOLD-C1', 'Erste^Clara') : patient('E2E-HOLD-C2', 'Zweite^Carla', '19900909'))),
    sendStudy(quick, 'two-split', [3, 2], (n) => (n < 3 ? patient('E2E-HOLD-S1', 'Erste^Silke') : patient('E2E-HOLD-S2', 'Zweite^Sonja', '19900909'))),
    sendStudy(quick, 'no-pid', [3], (n) => patient(n === 1 ? null : 'E2E-HOLD-D', 'Ohne^Dora')),
    // The first instance again, under its SOP Instance UID, with other pixels.
    sendStudy(quick, 'duplicate', [3], () => patient('E2E-HOLD-E', 'Doppel^Emil'), (instances) => [{ ...instances[0]!, file: 'second-version.dcm', seed: 1000 }]),
  ]);
  Object.assign(held, { nameMismatch: a, birthDateMismatch: b, twoPatientsAsIs: c1, twoPatientsSplit: c2, noPatientId: d, duplicateDifferent: e });

  // The barrier: sent after every held study, so published only after their quiet periods ended too.
  const barrier = await sendStudy(quick, 'barrier', [1], () => patient('E2E-BARRIER', 'Schranke^Bernd'));
  await studyInState(quick.api, barrier.studyUid, 'published');
  await finishedJobsOfStudy(quick.api, barrier.studyUid, 1);
}, 120_000);

afterAll(async () => {
  await Promise.all([quick?.stop(), slow?.stop()]);
  await fs.rm(work, { recursive: true, force: true });
});

/** Held for exactly these codes, with no job (none in the jobs list, none in the audit trail). */
async function expectHeldWithoutJob(api: ApiClient, scenario: Scenario, codes: string[]): Promise<StudyDetailView> {
  const study = await studyInState(api, scenario.studyUid, 'held');
  if (JSON.stringify(study.holdReasons.map((r) => r.code)) !== JSON.stringify(codes)) {
    throw new Error(`study held for ${JSON.stringify(study.holdReasons)}, expected the codes ${JSON.stringify(codes)}`);
  }
  const jobs = await jobsOfStudy(api, scenario.studyUid);
  const jobAudit = (await api.audit({ limit: 10_000 })).filter((entry) => entry.action === 'job.created' && entry.details['studyUid'] === scenario.studyUid);
  if (study.jobs.length > 0 || jobs.length > 0 || jobAudit.length > 0) {
    throw new Error(`a held study got a job: ${JSON.stringify({ jobs: study.jobs, listed: jobs, audit: jobAudit })}`);
  }
  return study;
}

/** Released by a person: published on one job that delivered one disc; answers that disc's contents. */
async function releaseAndRead(api: ApiClient, scenario: Scenario, name: string): Promise<{ job: JobDetailView; contents: DiscContents }> {
  const answer = await api.release(scenario.studyUid);
  if (answer.status !== 200) throw new Error(`release: ${answer.status} ${JSON.stringify(answer.body)}`);
  await studyInState(api, scenario.studyUid, 'published');
  const [job, ...more] = await finishedJobsOfStudy(api, scenario.studyUid, 1);
  return { job: job!, contents: await discOf(job!, name, more.length) };
}

/** A release the publisher must refuse: answered 409 or 422 with a reason; the study stays held, for the same reasons, with no job. */
async function expectReleaseRefused(api: ApiClient, scenario: Scenario, codes: string[]): Promise<void> {
  const answer = await api.release(scenario.studyUid);
  if ((answer.status !== 409 && answer.status !== 422) || typeof answer.body.error !== 'string') {
    const study = await api.study(scenario.studyUid);
    throw new Error(`release of a study held for ${codes.join(', ')} was answered ${answer.status} ${JSON.stringify(answer.body)}, expected a refusal (409 or 422); the study is now ${study?.state}, its jobs: ${JSON.stringify(study?.jobs)}`);
  }
  await expectHeldWithoutJob(api, scenario, codes);
}

/** The one delivered disc of a done job, read. */
async function discOf(job: JobDetailView, name: string, otherJobs = 0): Promise<DiscContents> {
  const delivered = job.discs.filter((disc) => disc.outcome === 'delivered');
  if (otherJobs > 0 || job.state !== 'done' || delivered.length !== 1 || !delivered[0]!.imageFile) {
    throw new Error(`expected one job delivering one disc, got ${otherJobs + 1} job(s), this one: ${JSON.stringify(job)}`);
  }
  return readDisc(delivered[0]!.imageFile, path.join(work, 'discs', name));
}

/** The study other than `except` whose instances include this SOP Instance UID (where a split moved it). */
async function studyHolding(api: ApiClient, sopInstanceUid: string, except: string): Promise<StudyDetailView | undefined> {
  for (const summary of await api.studies()) {
    if (summary.studyInstanceUid === except) continue;
    const study = await api.study(summary.studyInstanceUid);
    if (study?.instanceList.some((i) => i.sopInstanceUid === sopInstanceUid)) return study;
  }
  return undefined;
}

/** The operator's action is in the audit trail under their name. */
async function expectAudited(api: ApiClient, studyUid: string, action: string): Promise<Record<string, unknown>> {
  const entry = (await api.audit({ subject: `study:${studyUid}` })).find((e) => e.action === action);
  if (entry?.actor !== `operator:${api.operator}`) throw new Error(`no ${action} by operator:${api.operator} in the audit trail of ${studyUid}`);
  return entry.details;
}

describe.concurrent('a study the patient-safety checks hold: no disc until a person decides (processes)', () => {
  it('one Patient ID under two names: held (demographics-disagree, naming the name), no job; released: one disc with every instance', async ({ expect }) => {
    const scenario = held.nameMismatch;
    const study = await expectHeldWithoutJob(quick.api, scenario, ['demographics-disagree']);
    expect(study.holdReasons[0]!.message).toContain("Patient's Name");
    expect(study.holdReasons[0]!.message).not.toContain('Birth Date');
    expect(study.holdValues['demographics-disagree']).toEqual({ patients: [{ patientId: 'E2E-HOLD-A', names: ['Name^Anna', 'Name^Anne'], birthDates: ['19700101'] }] });

    const { contents } = await releaseAndRead(quick.api, scenario, 'name');
    expect(contents.referencedSopInstanceUids).toEqual(scenario.sopInstanceUids);
    expect(contents.patients.map((p) => p.patientId)).toEqual(['E2E-HOLD-A']);
    await expectAudited(quick.api, scenario.studyUid, 'study.released');
  }, TEST_TIMEOUT_MS);

  it('one Patient ID under two birth dates: held (demographics-disagree, naming the birth date), no job; released: one disc', async ({ expect }) => {
    const scenario = held.birthDateMismatch;
    const study = await expectHeldWithoutJob(quick.api, scenario, ['demographics-disagree']);
    expect(study.holdReasons[0]!.message).toContain("Patient's Birth Date");
    expect(study.holdReasons[0]!.message).not.toContain("Patient's Name");
    expect(study.holdValues['demographics-disagree']).toEqual({ patients: [{ patientId: 'E2E-HOLD-B', names: ['Birth^Berta'], birthDates: ['19700101', '19700102'] }] });

    const { contents } = await releaseAndRead(quick.api, scenario, 'birth');
    expect(contents.referencedSopInstanceUids).toEqual(scenario.sopInstanceUids);
    expect(contents.patients.map((p) => p.patientId)).toEqual(['E2E-HOLD-B']);
  }, TEST_TIMEOUT_MS);

  it('one Study Instance UID under two Patient IDs: held (study-under-two-patients), no job; release as it is is refused (a disc holds one patient): still held, no job', async ({ expect }) => {
    const scenario = held.twoPatientsAsIs;
    const study = await expectHeldWithoutJob(quick.api, scenario, ['study-under-two-patients']);
    expect(study.holdValues['study-under-two-patients']).toEqual({ patientIds: ['E2E-HOLD-C1', 'E2E-HOLD-C2'] });

    // Released as it is, the study could only make a disc with two patients, which mastering refuses
    // (src/media/instance-source.ts): the release must be refused, the person splits instead.
    await expectReleaseRefused(quick.api, scenario, ['study-under-two-patients']);
  }, TEST_TIMEOUT_MS);

  it('one Study Instance UID under two Patient IDs, split: two discs, each with one patient and exactly that patient\'s instances', async ({ expect }) => {
    const scenario = held.twoPatientsSplit;
    await expectHeldWithoutJob(quick.api, scenario, ['study-under-two-patients']);
    const moved = scenario.sent.filter((f) => f.patientId === 'E2E-HOLD-S2').map((f) => f.sopInstanceUid).sort();
    const kept = scenario.sent.filter((f) => f.patientId === 'E2E-HOLD-S1').map((f) => f.sopInstanceUid).sort();
    expect(moved).toHaveLength(2);

    const answer = await quick.api.split(scenario.studyUid, moved);
    expect(answer, JSON.stringify(answer.body)).toMatchObject({ status: 200, body: { ok: true } });
    expect(await expectAudited(quick.api, scenario.studyUid, 'study.split')).toMatchObject({ instances: moved.length });

    // What stays: one patient, published on its own disc.
    const remaining = await studyInState(quick.api, scenario.studyUid, 'published');
    expect(remaining.holdReasons).toEqual([]);
    expect(remaining.instanceList.map((i) => i.sopInstanceUid).sort()).toEqual(kept);
    const [keptJob, ...moreKept] = await finishedJobsOfStudy(quick.api, scenario.studyUid, 1);
    const keptDisc = await discOf(keptJob!, 'split-kept', moreKept.length);
    expect(keptDisc.referencedSopInstanceUids).toEqual(kept);
    expect(keptDisc.patients.map((p) => p.patientId)).toEqual(['E2E-HOLD-S1']);
    expect([...new Set(keptDisc.instances.map((i) => i.patientId))]).toEqual(['E2E-HOLD-S1']);

    // What moved: a study of its own, holding the other patient's instances only. docs/api.md says
    // it is held for review; if so, a person releases it (the split itself was reviewed already).
    const splitOff = await waitFor(async () => {
      const found = await studyHolding(quick.api, moved[0]!, scenario.studyUid);
      return found && (found.state === 'published' || found.state === 'held') ? found : undefined;
    }, `the study split off ${scenario.studyUid} to be held or published`);
    if (splitOff.state === 'held') expect((await quick.api.release(splitOff.studyInstanceUid)).status).toBe(200);
    const movedStudy = await studyInState(quick.api, splitOff.studyInstanceUid, 'published');
    expect(movedStudy.instanceList.map((i) => i.sopInstanceUid).sort()).toEqual(moved);
    const [movedJob, ...moreMoved] = await finishedJobsOfStudy(quick.api, splitOff.studyInstanceUid, 1);
    expect(movedJob!.jobId).not.toBe(keptJob!.jobId);
    const movedDisc = await discOf(movedJob!, 'split-moved', moreMoved.length);
    expect(movedDisc.referencedSopInstanceUids).toEqual(moved);
    expect(movedDisc.patients.map((p) => p.patientId)).toEqual(['E2E-HOLD-S2']);
    expect([...new Set(movedDisc.instances.map((i) => i.patientId))]).toEqual(['E2E-HOLD-S2']);
  }, TEST_TIMEOUT_MS);

  it('an instance without Patient ID: held (no-patient-id, naming it), no job; split off: the rest on one disc, the instance held apart, its release refused (a disc must name its patient)', async ({ expect }) => {
    const scenario = held.noPatientId;
    const study = await expectHeldWithoutJob(quick.api, scenario, ['no-patient-id']);
    const without = scenario.sent.filter((f) => f.patientId === null).map((f) => f.sopInstanceUid);
    const withId = scenario.sent.filter((f) => f.patientId !== null).map((f) => f.sopInstanceUid).sort();
    expect(without).toHaveLength(1);
    expect(study.holdValues['no-patient-id']).toEqual({ sopInstanceUids: without });

    const answer = await quick.api.split(scenario.studyUid, without);
    expect(answer, JSON.stringify(answer.body)).toMatchObject({ status: 200, body: { ok: true } });
    await studyInState(quick.api, scenario.studyUid, 'published');
    const [job, ...more] = await finishedJobsOfStudy(quick.api, scenario.studyUid, 1);
    const contents = await discOf(job!, 'no-pid', more.length);
    expect(contents.referencedSopInstanceUids).toEqual(withId);
    expect(contents.patients.map((p) => p.patientId)).toEqual(['E2E-HOLD-D']);

    // The instance without Patient ID is a study of its own, held for the same reason, on no disc
    // (it came with the rest, which is published by now).
    const splitOff = await waitFor(async () => {
      const found = await studyHolding(quick.api, without[0]!, scenario.studyUid);
      return found?.state === 'held' ? found : undefined;
    }, `the study split off ${scenario.studyUid} to be held`);
    const apart = { ...scenario, studyUid: splitOff.studyInstanceUid };
    expect((await expectHeldWithoutJob(quick.api, apart, ['no-patient-id'])).instanceList.map((i) => i.sopInstanceUid)).toEqual(without);

    // No disc can carry it (src/media/instance-source.ts: "a disc must name its patient"): releasing
    // it as it is must be refused rather than end in a job that fails.
    await expectReleaseRefused(quick.api, apart, ['no-patient-id']);
  }, TEST_TIMEOUT_MS);

  it('a SOP Instance UID sent again with different content: held (duplicate-sop-different-content), no job; released: one disc, the UID on it once', async ({ expect }) => {
    const scenario = held.duplicateDifferent;
    const study = await expectHeldWithoutJob(quick.api, scenario, ['duplicate-sop-different-content']);
    const twice = scenario.sent.at(-1)!.sopInstanceUid;
    expect(study.holdValues['duplicate-sop-different-content']).toEqual({ sopInstanceUids: [twice] });
    // Both objects are kept: the second apart, pointing at the first.
    const rows = study.instanceList.filter((i) => i.sopInstanceUid === twice);
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.duplicateOf)).toEqual([null, rows[0]!.id]);

    // Released as it is: the object stored first is the one on the disc; the one kept apart is not.
    const { contents } = await releaseAndRead(quick.api, scenario, 'duplicate');
    expect(contents.referencedSopInstanceUids).toEqual(scenario.sopInstanceUids);
    expect(contents.instances).toHaveLength(scenario.sopInstanceUids.length);
    const [firstVersion, secondVersion] = scenario.sent.filter((f) => f.sopInstanceUid === twice);
    expect(firstVersion!.pixelSha256).not.toBe(secondVersion!.pixelSha256);
    expect(contents.instances.find((i) => i.sopInstanceUid === twice)?.pixelSha256).toBe(firstVersion!.pixelSha256);
  }, TEST_TIMEOUT_MS);
});

describe.concurrent('a person holds or releases a settling study (quiet period 600 s, processes)', () => {
  it('an operator\'s hold: held (operator) with the reason in the audit trail, release-now refused, no job; released: published on one disc', async ({ expect }) => {
    const { api } = slow;
    const scenario = await sendStudy(slow, 'operator-hold', [2, 1], () => patient('E2E-OP-1', 'Halt^Otto'));
    const settling = await studyInState(api, scenario.studyUid, 'settling');
    expect(settling.quietDeadlineMs).toBeGreaterThan(Date.now() + 60_000);

    const answer = await api.hold(scenario.studyUid, 'referrer asked to wait for the report');
    expect(answer).toMatchObject({ status: 200, body: { ok: true } });
    const study = await expectHeldWithoutJob(api, scenario, ['operator']);
    expect(study.holdReasons[0]!.message).not.toContain('referrer');
    expect(await expectAudited(api, scenario.studyUid, 'study.heldByOperator')).toEqual({ why: 'referrer asked to wait for the report' });
    const releaseNow = await api.releaseNow(scenario.studyUid);
    expect(releaseNow.status).toBe(409);
    expect((await api.study(scenario.studyUid))?.state).toBe('held');

    const { contents } = await releaseAndRead(api, scenario, 'operator-hold');
    expect(contents.referencedSopInstanceUids).toEqual(scenario.sopInstanceUids);
    expect(contents.patients.map((p) => p.patientId)).toEqual(['E2E-OP-1']);
    await expectAudited(api, scenario.studyUid, 'study.released');
  }, TEST_TIMEOUT_MS);

  it('release-now: a study settling for 600 s is published at once on one disc; release on a study that is not held is refused', async ({ expect }) => {
    const { api } = slow;
    const scenario = await sendStudy(slow, 'release-now', [1, 2], () => patient('E2E-NOW-1', 'Sofort^Nora'));
    const settling = await studyInState(api, scenario.studyUid, 'settling');
    expect(settling.quietDeadlineMs).toBeGreaterThan(Date.now() + 60_000);
    expect(await jobsOfStudy(api, scenario.studyUid)).toEqual([]);

    const answer = await api.releaseNow(scenario.studyUid);
    expect(answer).toMatchObject({ status: 200, body: { ok: true } });
    await expectAudited(api, scenario.studyUid, 'study.releasedNow');
    await studyInState(api, scenario.studyUid, 'published');
    const [job, ...more] = await finishedJobsOfStudy(api, scenario.studyUid, 1);
    const contents = await discOf(job!, 'release-now', more.length);
    expect(contents.referencedSopInstanceUids).toEqual(scenario.sopInstanceUids);
    expect(contents.patients.map((p) => p.patientId)).toEqual(['E2E-NOW-1']);

    expect((await api.release(scenario.studyUid)).status).toBe(409);
  }, TEST_TIMEOUT_MS);
});
