// The serial link to a robot lost mid-job, with real parts: `discrobot serve --robot serial:<pty>`
// drives a `discrobot simulate --model DP-4100` process over a socat pty pair.
// - The simulator process is killed (SIGKILL) while a disc burns: the job pauses on the
//   communication fault and nothing is delivered; a new simulator on the same link and data comes
//   up, the robot reconnects, its start-up rules clear the disc left in the drive to the reject
//   bin, and the job finishes with exactly one delivered, verified disc.
// - socat itself is killed (the pty disappears) and started again on the same paths: the serial
//   link reconnects and the next study is burned.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../../adapters/robot/socat-pty.ts';
import type { JobDetailView, RobotView } from '../../src/api/publisher-api.ts';
import { waitFor } from './support/api-client.ts';
import { discCarriesImage } from './support/crash-disc.ts';
import { freshStudyUid, send, studySpec, writeInstances } from './support/patient-study.ts';
import { startCli, type CliProcess } from './support/process.ts';
import { finishedJob, jobsOfStudy, startPublisher, type RunningPublisher } from './support/publisher-process.ts';

/** Simulated seconds per wall second: burning lasts long enough to be caught. */
const TIME_SCALE = 20;

describe('robot link lost mid-job', () => {
  let work: string;
  let hostPath: string;
  let devicePath: string;
  let simData: string;
  let pty: PtyPair;
  let simulator: CliProcess | undefined;
  let publisher: RunningPublisher;
  const processes: CliProcess[] = [];

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'discrobot-link-loss-'));
    hostPath = path.join(work, 'host');
    devicePath = path.join(work, 'device');
    simData = path.join(work, 'sim-data');
    pty = await startPtyPair(hostPath, devicePath);
    simulator = await startSimulator();
    publisher = await startPublisher({ dataDir: path.join(work, 'data'), quietPeriodSeconds: 1, robots: [`serial:${hostPath}`] });
    await robotIn((r) => r.state.startsWith('ready') || r.state.startsWith('idle'), 'the robot to come up');
  });
  afterAll(async () => {
    await publisher?.stop();
    for (const p of processes) p.kill();
    await Promise.all(processes.map((p) => p.exited));
    await pty?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function startSimulator(): Promise<CliProcess> {
    const sim = startCli(['simulate', '--model', 'DP-4100', '--link', devicePath, '--time-scale', String(TIME_SCALE), '--data', simData]);
    processes.push(sim);
    await waitFor(async () => {
      if (sim.child.exitCode !== null) throw new Error(`the simulator exited: ${sim.stdout()}\n${sim.stderr()}`);
      return sim.logLines().some((l) => l['msg'] === 'simulator ready');
    }, 'the simulator to be ready');
    return sim;
  }

  let lastRobot: RobotView | undefined;
  async function robotIn(predicate: (robot: RobotView) => boolean, what: string): Promise<RobotView> {
    return waitFor(async () => {
      lastRobot = (await publisher.api.robots())[0];
      return lastRobot && predicate(lastRobot) ? lastRobot : undefined;
    }, what, { lastSeen: () => lastRobot && { state: lastRobot.state, error: lastRobot.error, phase: lastRobot.phase } });
  }

  async function sendStudy(name: string): Promise<{ studyUid: string; jobId: string }> {
    const studyUid = freshStudyUid();
    const files = await writeInstances(work, studySpec(studyUid, [2], { patientId: name, patientName: 'Link^Loss', patientBirthDate: '19700101' }));
    await send(publisher.dicomPort, files);
    const jobId = await waitFor(async () => (await jobsOfStudy(publisher.api, studyUid))[0]?.jobId, 'the study\'s job');
    return { studyUid, jobId };
  }

  async function expectOneGoodDisc(job: JobDetailView): Promise<void> {
    expect(job.state, `${job.reason}: ${JSON.stringify(job.discs)}`).toBe('done');
    const delivered = job.discs.filter((d) => d.outcome === 'delivered');
    expect(delivered, JSON.stringify(job.discs)).toHaveLength(1);
    expect(job.copiesDone).toBe(1);
    // The delivered disc lies in the simulator's output bin and reads back as the job's image.
    const bins = path.join(simData, 'sim', 'bins');
    const outputDiscs = readdirSync(path.join(bins, 'bin2')).map((f) => path.join(bins, 'bin2', f));
    const readable = await Promise.all(outputDiscs.map((f) => discCarriesImage(f, job.imagePath!)));
    expect(readable.filter((r) => r.same), readable.map((r) => r.detail).join('\n')).toHaveLength(1);
  }

  it('pauses when the simulator dies mid-burn, rejects the disc left in the drive on reconnect, and delivers exactly one good disc', { timeout: 240_000 }, async () => {
    const { jobId } = await sendStudy('LINK-1');
    let seen: JobDetailView | undefined;
    await waitFor(async () => {
      seen = await publisher.api.job(jobId);
      if (seen?.finishedAtMs) throw new Error(`job ${jobId} finished before it was seen burning`);
      return seen?.state === 'disc.burning' && seen.progress?.phase === 'burning' && seen.progress.pct < 90;
    }, 'the disc burning', { intervalMs: 10, lastSeen: () => seen && { state: seen.state, progress: seen.progress } });

    simulator!.child.kill('SIGKILL');
    await simulator!.exited;
    const paused = await waitFor(async () => {
      seen = await publisher.api.job(jobId);
      return seen?.pause ? seen : undefined;
    }, 'the job to pause', { lastSeen: () => seen && { state: seen.state, pause: seen.pause } });
    expect(paused.pause).toMatchObject({ name: 'LINK_DOWN', kind: 'communication' });
    expect(paused.finishedAtMs).toBeNull();
    expect(paused.discs.filter((d) => d.outcome === 'delivered')).toEqual([]);
    const offline = await robotIn((r) => r.error !== null, 'the robot to show the link fault');
    expect(offline).toMatchObject({ state: 'offline', jobId, error: { name: 'LINK_DOWN', kind: 'communication' } });
    expect(offline.disc).toMatchObject({ step: 'burning', where: 'drive', paused: true });

    simulator = await startSimulator();
    const job = await finishedJob(publisher.api, jobId);
    // The disc caught in the drive went to the reject bin; a new blank was burned and delivered.
    expect(job.discs.map((d) => [d.attempt, d.outcome]), JSON.stringify(job.discs)).toEqual([[1, 'rejected'], [2, 'delivered']]);
    await expectOneGoodDisc(job);
    expect(readdirSync(path.join(simData, 'sim', 'bins', 'reject'))).toHaveLength(1);
  });

  it('reconnects when socat dies and comes back on the same paths', { timeout: 240_000 }, async () => {
    await pty.close();
    // The pty is gone, the simulator's end with it (the simulator process stays, on a dead link):
    // a new simulator takes the new pty, as an operator restarting the bridge would.
    const gone = await robotIn((r) => r.error !== null || r.state.includes('offline') || r.state.includes('connecting'), 'the robot to notice the link is gone');
    expect(gone).toMatchObject({ state: 'offline', error: { name: 'LINK_DOWN', kind: 'communication' } });
    simulator!.kill();
    await simulator!.exited;
    pty = await startPtyPair(hostPath, devicePath);
    simulator = await startSimulator();
    await robotIn((r) => r.error === null && (r.state.startsWith('ready') || r.state.startsWith('idle')), 'the robot to reconnect');
    const { jobId } = await sendStudy('LINK-2');
    const job = await finishedJob(publisher.api, jobId);
    expect(job.state, `${job.reason}: ${JSON.stringify(job.discs)}`).toBe('done');
    expect(job.discs.map((d) => d.outcome)).toEqual(['delivered']);
  });
});
