// The PTBurn robot actor with its real hot folder (PtburnFleet's provided machine) against a fake
// PTBurn: the test plays PTBurn by picking up the JRQ the robot writes, renaming it through the
// lifecycle and rewriting the status files. A disc made and delivered; a cancel answered with the
// ABORT file; PTBurn stopping mid-job (tick frozen) pauses the disc, its return resumes it.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, setup, type AnyActorRef } from 'xstate';
import { PtburnFleet } from '../../../adapters/robot/ptburn/ptburn-fleet.ts';
import type { DiscRequest, RobotAvailabilityEvent, RobotPortEvent } from '../../../machines/robot-port.ts';
import { parseJobRequest } from '../../../src/robot/ptburn/jrq.ts';
import { parsePtm } from '../../../src/robot/ptburn/ptm.ts';
import { FakePtburn, jobSection } from './status-writer.ts';

const WAIT = { timeout: 15_000, interval: 20 };
const JOB = 'job:J000021';
const NAME = 'J000021-1-1';

const request: DiscRequest = {
  discId: 'J000021/1.1', jobId: 'J000021', copy: 1, attempt: 1, imagePath: '/spool/J000021.iso', imageBytes: 2048, media: 'cd', labelPath: '/spool/J000021.jpg', replyTo: JOB,
};

let folder: string;
let ptburn: FakePtburn;
let now = 5_000_000;
let stop: (() => void) | undefined;

beforeEach(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'ptburn-robot-'));
  ptburn = new FakePtburn(folder);
  now = 5_000_000;
});
afterEach(async () => {
  stop?.();
  stop = undefined;
  await fs.rm(folder, { recursive: true, force: true });
});

function startRobot() {
  const fleet = new PtburnFleet();
  fleet.add('ptb-1', { folder, statusFrequencyMs: 50, minStallMs: 10_000, initialBackoffMs: 20, maxBackoffMs: 100, now: () => now });
  const toJob: RobotPortEvent[] = [];
  const toParent: RobotAvailabilityEvent[] = [];
  // The job, found by systemId, is also the robot's parent (the publisher's place); the robot is
  // its child, so stopping the job stops the robot and its hot folder.
  const job = createActor(
    setup({ actors: { robot: fleet.machine() } }).createMachine({
      invoke: { id: 'robot', src: 'robot', input: { name: 'ptb-1' } },
      on: {
        '*': {
          actions: ({ event }) => {
            if (event.type.startsWith('robot.')) toParent.push(event as RobotAvailabilityEvent);
            else if (!event.type.startsWith('xstate.')) toJob.push(event as RobotPortEvent);
          },
        },
      },
    }),
    { systemId: JOB },
  ).start();
  const robot = job.getSnapshot().children.robot as AnyActorRef;
  stop = () => job.stop();
  const value = () => JSON.stringify(robot.getSnapshot().value);
  const types = () => toJob.map((e) => e.type);
  return { robot, toJob, toParent, value, types };
}

describe('PTBurn robot with its hot folder', () => {
  it('makes a disc through the folder: JRQ, PTBurn\'s phases and progress, delivered verified', async () => {
    await ptburn.write({ tick: 1 });
    const h = startRobot();
    await vi.waitFor(() => expect(h.toParent).toEqual([{ type: 'robot.unavailable', robot: 'ptb-1', why: 'offline' }, { type: 'robot.available', robot: 'ptb-1' }]), WAIT);
    h.robot.send({ type: 'disc.make', request });
    const jrq = path.join(folder, `${NAME}.JRQ`);
    await vi.waitFor(() => fs.access(jrq), WAIT);
    const parsed = parseJobRequest(await fs.readFile(jrq, 'utf8'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.request).toMatchObject({ jobId: NAME, clientId: 'discrobot', images: [{ path: '/spool/J000021.iso' }], printLabel: '/spool/J000021.jpg', verifyDisc: true, copies: 1 });

    await ptburn.moveJob(NAME, 'JRQ', 'INP');
    await ptburn.write({ tick: 2, job: jobSection(NAME, { jobState: 1, currentStatusState: 0 }), drivePercent: 40 });
    await vi.waitFor(() => expect(h.toJob).toContainEqual({ type: 'disc.progress', discId: request.discId, phase: 'burning', pct: 40 }), WAIT);
    await ptburn.write({ tick: 3, job: jobSection(NAME, { jobState: 2, currentStatusState: 10, goodDiscs: 1 }) });
    await ptburn.moveJob(NAME, 'INP', 'DON');
    await vi.waitFor(() => expect(h.toJob.at(-1)).toMatchObject({ type: 'disc.delivered', discId: request.discId, verified: true }), WAIT);
    expect(h.types()).toEqual(['disc.queued', 'disc.phase', 'disc.phase', 'disc.progress', 'disc.delivered']);
    expect(h.toJob.filter((e) => e.type === 'disc.phase').map((e) => (e as { phase: string }).phase)).toEqual(['loading', 'burning']);
    await vi.waitFor(() => expect(h.value()).toBe('"idle"'), WAIT);
  });

  it('cancels with the job\'s ABORT file; PTBurn\'s abort comes back as a cancelled disc', async () => {
    await ptburn.write({ tick: 1 });
    const h = startRobot();
    await vi.waitFor(() => expect(h.value()).toBe('"idle"'), WAIT);
    h.robot.send({ type: 'disc.make', request });
    await vi.waitFor(() => fs.access(path.join(folder, `${NAME}.JRQ`)), WAIT);
    await ptburn.moveJob(NAME, 'JRQ', 'QRJ');
    await vi.waitFor(() => expect(h.value()).toContain('queued'), WAIT);
    h.robot.send({ type: 'disc.cancel', discId: request.discId });
    const ptm = path.join(folder, `${NAME}.PTM`);
    await vi.waitFor(() => fs.access(ptm), WAIT);
    expect(parsePtm(await fs.readFile(ptm, 'utf8'))).toMatchObject({ ok: true, command: { message: 'ABORT', clientId: 'discrobot' } });
    await fs.rm(ptm); // PTBurn consumes it
    await ptburn.write({ tick: 2, job: jobSection(NAME, { jobState: 3, jobErrorNumber: 16, jobErrorString: 'The job was aborted.' }) });
    await ptburn.moveJob(NAME, 'QRJ', 'ERR');
    await vi.waitFor(() => expect(h.toJob.at(-1)).toMatchObject({ type: 'disc.rejected', discId: request.discId, cause: 'cancelled' }), WAIT);
  });

  it('PTBurn stopped mid-job: offline and the disc paused; when its tick moves again the disc resumes', async () => {
    await ptburn.write({ tick: 1 });
    const h = startRobot();
    await vi.waitFor(() => expect(h.value()).toBe('"idle"'), WAIT);
    h.robot.send({ type: 'disc.make', request });
    await vi.waitFor(() => fs.access(path.join(folder, `${NAME}.JRQ`)), WAIT);
    await ptburn.moveJob(NAME, 'JRQ', 'INP');
    await ptburn.write({ tick: 2, job: jobSection(NAME, { jobState: 1, currentStatusState: 0 }), drivePercent: 10 });
    await vi.waitFor(() => expect(h.types()).toContain('disc.progress'), WAIT);
    now += 10_000; // the tick stays at 2 for 10 s
    await vi.waitFor(() => expect(h.toJob.at(-1)).toMatchObject({ type: 'disc.paused', fault: { robot: 'ptb-1', kind: 'communication', name: 'PTBURN_STOPPED' } }), WAIT);
    expect(h.value()).toBe('"offline"');
    expect(h.toParent.at(-1)).toEqual({ type: 'robot.unavailable', robot: 'ptb-1', why: 'offline' });
    await ptburn.write({ tick: 3, job: jobSection(NAME, { jobState: 1, currentStatusState: 2 }), drivePercent: 5 });
    await vi.waitFor(() => expect(h.types().slice(-3)).toEqual(['disc.resumed', 'disc.phase', 'disc.progress']), WAIT);
    expect(h.toParent.at(-1)).toEqual({ type: 'robot.available', robot: 'ptb-1' });
  });
});
