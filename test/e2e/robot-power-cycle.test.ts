// The simulated robot of `discrobot serve` (in-process, the product's default) switched off and on
// again through the API while a disc is burning: the job pauses on the communication fault the
// robot reports, and once power is back the robot's start-up rules send the disc caught mid-burn
// to the reject bin and the job burns a new blank: one good disc delivered, readable as the job's
// image. The power-cycle rows of robot-faults.test.ts inject the fault through the simulator's
// fault catalogue at other phases (loading, printing); this is the operator's power switch mid-burn.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetailView, RobotView } from '../../src/api/publisher-api.ts';
import { waitFor } from './support/api-client.ts';
import { discCarriesImage } from './support/crash-disc.ts';
import { OperatorClient } from './support/operator-client.ts';
import { freshStudyUid, send, studySpec, writeInstances } from './support/patient-study.ts';
import { finishedJob, jobsOfStudy, startPublisher, type RunningPublisher } from './support/publisher-process.ts';

const ROBOT = 'robot1';

describe('simulated robot powered off and on mid-burn', () => {
  let work: string;
  let publisher: RunningPublisher;
  let operator: OperatorClient;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'discrobot-power-cycle-'));
    // Slow enough that burning lasts while the test looks (simulated seconds per wall second).
    publisher = await startPublisher({ dataDir: path.join(work, 'data'), quietPeriodSeconds: 1, timeScale: 20 });
    operator = new OperatorClient(publisher.api.baseUrl, 'power-test');
  });
  afterAll(async () => {
    await publisher?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('pauses the job while off, rejects the disc caught mid-burn, and delivers one good disc', { timeout: 180_000 }, async () => {
    const studyUid = freshStudyUid();
    const files = await writeInstances(work, studySpec(studyUid, [3], { patientId: 'PWR-1', patientName: 'Power^Cycle', patientBirthDate: '19700101' }));
    await send(publisher.dicomPort, files);
    const jobId = await waitFor(async () => (await jobsOfStudy(publisher.api, studyUid))[0]?.jobId, 'the study\'s job');

    let seen: JobDetailView | undefined;
    const burning = await waitFor(async () => {
      seen = await publisher.api.job(jobId);
      if (seen?.finishedAtMs !== null && seen?.finishedAtMs !== undefined) throw new Error(`job ${jobId} finished before it was seen burning`);
      return seen?.state === 'disc.burning' && seen.progress?.phase === 'burning' && seen.progress.pct < 90 ? seen : undefined;
    }, 'the disc burning', { intervalMs: 10, lastSeen: () => seen && { state: seen.state, progress: seen.progress } });
    expect(burning.discs).toEqual([]);

    expect((await operator.simulator(ROBOT, { kind: 'power', on: false })).status).toBe(200);
    // The job pauses on the robot's communication fault; the robot shows it offline.
    const paused = await waitFor(async () => {
      seen = await publisher.api.job(jobId);
      return seen?.pause ? seen : undefined;
    }, 'the job to pause', { lastSeen: () => seen && { state: seen.state, pause: seen.pause } });
    expect(paused.pause).toMatchObject({ name: 'SYSERR_OFFLINE', kind: 'communication' });
    expect(paused.finishedAtMs).toBeNull();
    const robot = await robotView(publisher);
    expect(robot.error).toMatchObject({ name: 'SYSERR_OFFLINE', kind: 'communication' });
    // Nothing was delivered while off.
    expect(paused.discs.filter((d) => d.outcome === 'delivered')).toEqual([]);

    expect((await operator.simulator(ROBOT, { kind: 'power', on: true })).status).toBe(200);
    const job = await finishedJob(publisher.api, jobId);
    expect(job.state, job.reason ?? '').toBe('done');
    expect(job.copiesDone).toBe(1);
    // The disc caught mid-burn went to the reject bin; a new blank was burned and delivered.
    expect(job.discs.map((d) => d.outcome), JSON.stringify(job.discs)).toEqual(['rejected', 'delivered']);
    expect(job.discs[0]!.cause).toBe('write');
    expect(job.discs[0]!.location).not.toBe(job.discs[1]!.location);
    const delivered = job.discs[1]!;
    expect(delivered.imageFile).not.toBeNull();
    const readBack = await discCarriesImage(delivered.imageFile!, job.imagePath!);
    expect(readBack.same, readBack.detail).toBe(true);
    const after = await robotView(publisher);
    expect(after.error).toBeNull();
  });
});

async function robotView(publisher: RunningPublisher): Promise<RobotView> {
  const robot = (await publisher.api.robots()).find((r) => r.name === ROBOT);
  if (!robot) throw new Error(`no robot ${ROBOT}`);
  return robot;
}
