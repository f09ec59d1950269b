// One disc end to end through the PTBurn robot actor, its real hot folder and the PTBurn emulator
// (simulator/ptburn/): the JRQ the adapter writes is picked up by the emulator, burned on the
// physical model, and the disc is reported delivered and verified from the emulator's status files.
// Also PTBurn stopped mid-job (the emulator paused): the disc is paused, and resumes when it returns.

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, setup, type AnyActorRef } from 'xstate';
import { PtburnFleet } from '../../../adapters/robot/ptburn/ptburn-fleet.ts';
import type { DiscRequest, RobotAvailabilityEvent, RobotPortEvent } from '../../../machines/robot-port.ts';
import { startPtburnEmulator, type PtburnEmulator } from '../../../simulator/ptburn/emulator.ts';

const WAIT = { timeout: 60_000, interval: 25 };
const JOB = 'job:J000031';

let root: string | undefined;
let emulator: PtburnEmulator | undefined;
let stopRobot: (() => void) | undefined;

afterEach(async () => {
  stopRobot?.();
  await emulator?.stop();
  if (root) await fs.rm(root, { recursive: true, force: true });
  stopRobot = undefined;
  emulator = undefined;
  root = undefined;
});

async function bench(timeScale: number) {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ptburn-e2e-'));
  const folder = path.join(root, 'PTBurnJobs');
  await fs.mkdir(folder);
  const image = path.join(root, 'J000031.iso');
  await fs.writeFile(image, crypto.randomBytes(256 * 1024));
  const label = path.join(root, 'J000031.jpg');
  await fs.writeFile(label, crypto.randomBytes(512));
  emulator = await startPtburnEmulator({ folder, model: 'DP-XRP', dataDir: path.join(root, 'data'), timeScale, statusFrequencyMs: 50 });

  const fleet = new PtburnFleet();
  // A frozen tick counts after 3 periods and 1 s here (10 s in production).
  fleet.add('ptb-1', { folder, statusFrequencyMs: 50, minStallMs: 1_000, initialBackoffMs: 20, maxBackoffMs: 200 });
  const toJob: RobotPortEvent[] = [];
  const toParent: RobotAvailabilityEvent[] = [];
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
  stopRobot = () => job.stop();
  const robot = job.getSnapshot().children.robot as AnyActorRef;
  const request: DiscRequest = { discId: 'J000031/1.1', jobId: 'J000031', copy: 1, attempt: 1, imagePath: image, imageBytes: 256 * 1024, media: 'cd', labelPath: label, replyTo: JOB };
  return { folder, robot, toJob, toParent, request, types: () => toJob.map((e) => e.type) };
}

describe('PTBurn robot against the PTBurn emulator', () => {
  it('makes one disc: delivered, verified by PTBurn, the JRQ ended .DON', async () => {
    const b = await bench(0);
    await vi.waitFor(() => expect(b.toParent.at(-1)).toEqual({ type: 'robot.available', robot: 'ptb-1' }), WAIT);
    b.robot.send({ type: 'disc.make', request: b.request });
    await vi.waitFor(() => expect(b.types()).toContain('disc.delivered'), WAIT);
    expect(b.toJob.at(-1)).toMatchObject({ type: 'disc.delivered', discId: 'J000031/1.1', verified: true });
    expect(b.toJob[0]).toEqual({ type: 'disc.queued', discId: 'J000031/1.1', robot: 'ptb-1', position: 1 });
    expect(b.types().filter((t) => t === 'disc.rejected' || t === 'disc.paused')).toEqual([]);
    expect((await fs.readdir(b.folder)).filter((f) => f.startsWith('J000031'))).toEqual(['J000031-1-1.DON']);
  });

  it('PTBurn stopped mid-job: the disc is paused (robot offline) and resumes and completes when it returns', async () => {
    const b = await bench(20);
    await vi.waitFor(() => expect(b.toParent.at(-1)).toEqual({ type: 'robot.available', robot: 'ptb-1' }), WAIT);
    b.robot.send({ type: 'disc.make', request: b.request });
    await vi.waitFor(() => expect(b.types()).toContain('disc.phase'), WAIT);
    emulator!.pause();
    await vi.waitFor(() => expect(b.toJob.at(-1)).toMatchObject({ type: 'disc.paused', fault: { name: 'PTBURN_STOPPED' } }), WAIT);
    expect(b.toParent.at(-1)).toEqual({ type: 'robot.unavailable', robot: 'ptb-1', why: 'offline' });
    emulator!.resume();
    await vi.waitFor(() => expect(b.types()).toContain('disc.delivered'), WAIT);
    const paused = b.types().indexOf('disc.paused');
    expect(b.types().slice(paused + 1)).toContain('disc.resumed');
    expect(b.toJob.at(-1)).toMatchObject({ type: 'disc.delivered', verified: true });
  });
});
