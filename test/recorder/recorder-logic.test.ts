// recorderLogic inside a tiny parent machine: the invoked recorder delivers recorder.progress and
// recorder.finished to its parent, and leaving the invoking state (or stopping the parent) kills
// the xorriso it runs. Real xorriso on stdio: drives; a waiting stand-in for the cancel cases.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assign, createActor, setup, waitFor } from 'xstate';
import type { RecorderEvent, RecorderInput } from '../../machines/robot-link.ts';
import { XorrisoRecorder } from '../../adapters/recorder/recorder.ts';
import { recorderLogic } from '../../adapters/recorder/recorder-logic.ts';
import { drive, isAlive, makeTestImage, progressProblems, recorderInput, waitingXorriso, type TestImage } from './recorder-fixtures.ts';

type Finished = Extract<RecorderEvent, { type: 'recorder.finished' }>;

const parentMachine = setup({
  types: {
    context: {} as { input: RecorderInput; progress: RecorderEvent[]; finished?: Finished },
    events: {} as RecorderEvent | { type: 'cancel' },
    input: {} as RecorderInput,
  },
  actors: { recorder: recorderLogic(new XorrisoRecorder()) },
}).createMachine({
  context: ({ input }) => ({ input, progress: [] }),
  initial: 'recording',
  states: {
    recording: {
      invoke: { src: 'recorder', input: ({ context }) => context.input },
      on: {
        'recorder.progress': { actions: assign({ progress: ({ context, event }) => [...context.progress, event] }) },
        'recorder.finished': { target: 'done', actions: assign({ finished: ({ event }) => event }) },
        cancel: 'cancelled',
      },
    },
    done: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

const GENEROUS = { timeout: 30_000, interval: 50 };

describe('recorderLogic: the recorder as an invoked actor', () => {
  let dir: string;
  let image: TestImage;
  const standIns: number[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'recorder-logic-'));
    image = await makeTestImage(dir);
  });

  afterAll(async () => {
    // Should a cancel test fail, its stand-in must not outlive the run.
    for (const pid of standIns.filter(isAlive)) process.kill(pid, 'SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  });

  function startParent(recorder: XorrisoRecorder, input: RecorderInput) {
    const machine = parentMachine.provide({ actors: { recorder: recorderLogic(recorder) } });
    return createActor(machine, { input }).start();
  }

  it('delivers progress and the ok result to the parent', async () => {
    const medium = path.join(dir, 'logic-drive0.img');
    const actor = startParent(new XorrisoRecorder(), recorderInput(image, drive(0, `stdio:${medium}`)));
    const snapshot = await waitFor(actor, (s) => s.status === 'done', GENEROUS);
    expect(snapshot.value).toBe('done');
    expect(snapshot.context.finished).toEqual({ type: 'recorder.finished', result: 'ok', md5: image.md5 });
    const phases = snapshot.context.progress.flatMap((e) => (e.type === 'recorder.progress' ? [e.phase] : []));
    expect([...new Set(phases)]).toEqual(['burning', 'finalizing', 'verifying']);
    expect(progressProblems(snapshot.context.progress)).toEqual([]);
  });

  it('delivers a write error to the parent', async () => {
    const target = path.join(dir, 'a-folder');
    await fs.mkdir(target, { recursive: true });
    const actor = startParent(new XorrisoRecorder(), recorderInput(image, drive(0, `stdio:${target}`)));
    const snapshot = await waitFor(actor, (s) => s.status === 'done', GENEROUS);
    expect(snapshot.context.finished).toMatchObject({ result: 'writeError' });
  });

  async function startWaiting(name: string) {
    const pidFile = path.join(dir, `${name}.pid`);
    const xorriso = await waitingXorriso(dir, pidFile);
    const actor = startParent(new XorrisoRecorder({ xorriso }), recorderInput(image, drive(0, `stdio:${path.join(dir, `${name}.img`)}`)));
    const pid = await vi.waitFor(async () => {
      const text = await fs.readFile(pidFile, 'utf8');
      if (!/^\d+\n$/.test(text)) throw new Error(`pid file not complete yet: ${JSON.stringify(text)}`);
      return Number(text);
    }, GENEROUS);
    standIns.push(pid);
    expect(isAlive(pid)).toBe(true);
    return { actor, pid };
  }

  it('kills xorriso when the parent leaves the invoking state (cancel)', async () => {
    const { actor, pid } = await startWaiting('cancel');
    actor.send({ type: 'cancel' });
    expect(actor.getSnapshot().value).toBe('cancelled');
    await vi.waitFor(() => expect(isAlive(pid)).toBe(false), GENEROUS);
    expect(actor.getSnapshot().context.finished).toBeUndefined();
  });

  it('kills xorriso when the parent actor is stopped', async () => {
    const { actor, pid } = await startWaiting('stop');
    // The stand-in's first pacifier line reached the parent before it was stopped.
    await waitFor(actor, (s) => s.context.progress.some((e) => e.type === 'recorder.progress' && e.phase === 'burning' && e.pct > 0), GENEROUS);
    actor.stop();
    await vi.waitFor(() => expect(isAlive(pid)).toBe(false), GENEROUS);
  });
});
