// The command-line entry of the PTBurn emulator: usage errors answer 2 without starting anything;
// a run serves the folder (status files appear, a job is done) until its signal stops it (0).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPtburnEmulator } from '../../../simulator/ptburn/main.ts';
import type { PtburnEmulator } from '../../../simulator/ptburn/emulator.ts';
import { jobFileState, submitText, waitFor } from './support.ts';
import { jobRequest, writeJobRequest } from '../../../src/robot/ptburn/jrq.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ptburn-main-'));
  roots.push(root);
  return root;
}

describe('runPtburnEmulator', () => {
  it('answers 2 for an unknown model, naming the known ones', async () => {
    const root = tempRoot();
    let error = '';
    const code = await runPtburnEmulator({ folder: root, model: 'DP-9000', dataDir: root, writeError: (t) => (error += t) });
    expect(code).toBe(2);
    expect(error).toContain('DP-4100');
    expect(fs.existsSync(path.join(root, 'Status'))).toBe(false);
  });

  it('serves the folder as the model named by PTBurn until stopped', async () => {
    const root = tempRoot();
    const folder = path.join(root, 'jobs');
    fs.mkdirSync(folder);
    const image = path.join(root, 'a.iso');
    fs.writeFileSync(image, Buffer.alloc(64 * 1024, 7));
    const stop = new AbortController();
    let emulator: PtburnEmulator | undefined;
    const running = runPtburnEmulator({ folder, model: 'DP-4100', dataDir: path.join(root, 'data'), timeScale: 0, signal: stop.signal, onReady: (e) => (emulator = e) });
    await waitFor('the robot status file', () => fs.existsSync(path.join(folder, 'Status', 'Disc Publisher 4100.txt')));
    submitText(folder, 'J000040-1-1', writeJobRequest(jobRequest({ jobId: 'J000040-1-1', clientId: 'discrobot', images: [{ path: image }], verifyDisc: true })));
    await waitFor('.DON', () => jobFileState(folder, 'J000040-1-1') === 'done');
    expect(emulator?.robotName).toBe('Disc Publisher 4100');
    stop.abort();
    expect(await running).toBe(0);
  });
});
