// Test side of the PTBurn emulator: a hot folder and a data folder per test, a client that drops
// .JRQ and .PTM files the way the contract says (temp file, then rename), readers of the status
// files, and waits that poll the folder (the emulator's only output) until a condition holds.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jobRequest, writeJobRequest, type JobRequest } from '../../../src/robot/ptburn/jrq.ts';
import { jobStateFromFiles, type JobFileState } from '../../../src/robot/ptburn/lifecycle.ts';
import { writePtm, type PtmCommand } from '../../../src/robot/ptburn/ptm.ts';
import { parseRobotStatus, parseSystemStatus, type JobStatus, type RobotStatus, type SystemStatus } from '../../../src/robot/ptburn/status-files.ts';
import { startPtburnEmulator, type PtburnEmulator, type StartPtburnEmulatorOptions } from '../../../simulator/ptburn/emulator.ts';

export interface Bench {
  root: string;
  folder: string;
  emulator: PtburnEmulator;
  image: string;
  label: string;
  close(): Promise<void>;
}

export async function startBench(options: Partial<StartPtburnEmulatorOptions> = {}): Promise<Bench> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ptburn-emu-'));
  const folder = path.join(root, 'PTBurnJobs');
  fs.mkdirSync(folder);
  const image = path.join(root, 'study.iso');
  fs.writeFileSync(image, crypto.randomBytes(256 * 1024));
  const label = path.join(root, 'label.jpg');
  fs.writeFileSync(label, crypto.randomBytes(512));
  const emulator = await startPtburnEmulator({ folder, model: 'DP-XRP', dataDir: path.join(root, 'data'), timeScale: 0, ...options });
  return {
    root, folder, emulator, image, label,
    async close() {
      await emulator.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The contract's client write: <name>.tmp in the folder, fsync, rename to .JRQ. */
export function submitText(folder: string, name: string, text: string): void {
  const temp = path.join(folder, `${name}.tmp`);
  const fd = fs.openSync(temp, 'w');
  fs.writeSync(fd, text);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(temp, path.join(folder, `${name}.JRQ`));
}

/** One disc of our kind: the image, verify on, reject if not blank, closed, printed when a label is given. */
export function discRequest(bench: Bench, fields: Partial<JobRequest> = {}): JobRequest {
  return jobRequest({
    clientId: 'discrobot', images: [{ path: bench.image }], volumeName: 'STUDY', closeDisc: true, verifyDisc: true,
    rejectIfNotBlank: true, copies: 1, ...fields,
  });
}

export function submit(bench: Bench, name: string, request: JobRequest): void {
  submitText(bench.folder, name, writeJobRequest({ jobId: name, ...request }));
}

export function command(folder: string, name: string, cmd: PtmCommand): void {
  const temp = path.join(folder, `${name}.tmp`);
  fs.writeFileSync(temp, writePtm(cmd));
  fs.renameSync(temp, path.join(folder, `${name}.PTM`));
}

export function jobFileState(folder: string, name: string): JobFileState | undefined {
  return jobStateFromFiles(name, fs.readdirSync(folder)).state;
}

export function readSystemStatus(folder: string): SystemStatus | null {
  const file = path.join(folder, 'Status', 'SystemStatus.txt');
  return fs.existsSync(file) ? parseSystemStatus(fs.readFileSync(file, 'latin1')) : null;
}

export function readRobotStatus(folder: string, robot: string): RobotStatus | null {
  const file = path.join(folder, 'Status', `${robot}.txt`);
  return fs.existsSync(file) ? parseRobotStatus(fs.readFileSync(file, 'latin1')) : null;
}

export function jobSection(bench: Bench, name: string): JobStatus | undefined {
  return readRobotStatus(bench.folder, bench.emulator.robotName)?.jobs.find((j) => j.name === name);
}

/** Polls until `probe` returns a value that is not undefined/false; fails with `what` after the limit. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | null, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The robot section's system error as SystemStatus.txt shows it. */
export function sysError(bench: Bench): number | undefined {
  return readSystemStatus(bench.folder)?.robots.find((r) => r.name === bench.emulator.robotName)?.sysErrorNumber;
}

/** Discs in the model's output bin (DP-XRP: bin 2, the left) and on the reject slide. */
export function delivered(bench: Bench) {
  const { world, model } = bench.emulator;
  const output = model.bins.output === 'front' ? world.output : world.bins[model.bins.output - 1]!.discs;
  return { output: [...output], reject: [...world.reject] };
}

export function discContent(bench: Bench, file: string | null): Buffer {
  if (file === null) throw new Error('the disc has no file');
  return fs.readFileSync(path.join(bench.emulator.simDir, file));
}
