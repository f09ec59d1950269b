// The command-line face of the PTBurn emulator, for `discrobot simulate --ptburn FOLDER --model ID`:
// checks the settings, starts the emulator on the folder, arms faults given at start, and runs
// until SIGINT or SIGTERM (or `signal` aborts, for an embedding caller). Returns the exit status:
// 0 stopped, 2 wrong usage (unknown model, a data folder holding another model's world, bad fault).

import path from 'node:path';
import { isModelId, MODEL_IDS } from '../models.ts';
import type { SimLogger } from '../device.ts';
import { SimulatorStartError } from '../server.ts';
import { startPtburnEmulator, type PtburnEmulator } from './emulator.ts';

export const EXIT_STOPPED = 0;
export const EXIT_USAGE = 2;

export interface PtburnRunArgs {
  /** The hot folder (--ptburn FOLDER). */
  folder: string;
  model: string;
  /** The physical model's data folder (its world in <dataDir>/sim). */
  dataDir: string;
  timeScale?: number;
  robotName?: string;
  statusFrequencyMs?: number;
  /** Physical faults to arm at start, `code` or `code@trigger` (the simulator's --inject). */
  inject?: string[];
  seed?: number;
  logger?: SimLogger;
  /** Stops the emulator instead of a signal. */
  signal?: AbortSignal;
  /** Called once the emulator runs (tests, a caller that wants the handle). */
  onReady?: (emulator: PtburnEmulator) => void;
  /** Where usage errors go; default stderr. */
  writeError?: (text: string) => void;
}

export async function runPtburnEmulator(args: PtburnRunArgs): Promise<number> {
  const writeError = args.writeError ?? ((text: string) => void process.stderr.write(text));
  const usage = (message: string) => {
    writeError(`discrobot simulate --ptburn: ${message}\n`);
    return EXIT_USAGE;
  };
  if (!isModelId(args.model)) return usage(`--model "${args.model}" is not a robot model: one of ${MODEL_IDS.join(', ')}`);
  if (args.folder.trim() === '') return usage('the hot folder is required (--ptburn FOLDER)');
  const timeScale = args.timeScale ?? 1;
  if (!Number.isFinite(timeScale) || timeScale < 0) return usage(`--time-scale ${timeScale} must be a number >= 0`);

  let emulator: PtburnEmulator;
  try {
    emulator = await startPtburnEmulator({
      folder: path.resolve(args.folder), model: args.model, dataDir: path.resolve(args.dataDir), timeScale,
      ...(args.robotName !== undefined ? { robotName: args.robotName } : {}),
      ...(args.statusFrequencyMs !== undefined ? { statusFrequencyMs: args.statusFrequencyMs } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(args.logger ? { logger: args.logger } : {}),
    });
  } catch (err) {
    if (err instanceof SimulatorStartError) return usage(err.message);
    throw err;
  }
  try {
    for (const spec of args.inject ?? []) emulator.inject(spec);
  } catch (err) {
    await emulator.stop();
    return usage(`--inject: ${(err as Error).message}`);
  }
  args.onReady?.(emulator);
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    if (args.signal?.aborted) return done();
    args.signal?.addEventListener('abort', done, { once: true });
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await emulator.stop();
  return EXIT_STOPPED;
}
