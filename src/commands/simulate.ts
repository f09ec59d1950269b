// `discrobot simulate --model ID --link PATH [--time-scale N] [--data DIR]`: a simulated Primera
// robot speaking DPRP/1 (the device side) on a serial link, typically one end of a socat pty pair,
// until SIGINT or SIGTERM. `--ptburn FOLDER` instead runs the PTBurn emulator on a hot folder, driven
// by the same physical robot model. `--list-models` and `--list-faults` print the ids one per line.
// Exit status: 0 stopped by a signal (or a list printed); 1 the link could not be opened; 2 wrong usage.
import path from 'node:path';
import { Command } from 'commander';
import { embeddedDefaults } from '../config/schema.ts';
import { createLogger } from '../log.ts';
import { appliesTo, listFaults } from '../../simulator/faults.ts';
import { prepareFault } from '../../simulator/fault-triggers.ts';
import { getModel, isModelId, MODEL_IDS } from '../../simulator/models.ts';
import type { FaultSpec } from '../../simulator/server.ts';

export const EXIT_STOPPED = 0;
export const EXIT_LINK = 1;
export const EXIT_USAGE = 2;

interface SimulateFlags {
  model?: string;
  link?: string;
  timeScale: string;
  data?: string;
  heartbeatMs: string;
  seed: string;
  inject?: string[];
  listModels?: boolean;
  listFaults?: boolean;
  ptburn?: string;
  robotName?: string;
}

class UsageError extends Error {}

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface SimulateSettings {
  model: string;
  link: string;
  timeScale: number;
  dataDir: string;
  heartbeatMs: number;
  seed: number;
  faults: FaultSpec[];
}

/** Adds the `simulate` command; `setExitCode` receives its exit status. */
export function registerSimulateCommand(program: Command, setExitCode: (code: number) => void = (code) => (process.exitCode = code)): Command {
  return program
    .command('simulate')
    .description('run a simulated Primera disc publisher (DPRP/1 device side) on a serial link, e.g. one end of a socat pty pair')
    .option('--model <id>', `robot model: ${MODEL_IDS.join(', ')}`)
    .option('--link <path>', 'serial port path the simulator opens (a pty made by socat, or a tty)')
    .option('--ptburn <folder>', 'run the PTBurn emulator on this hot folder instead of a DPRP link (job files, status files, PTM commands)')
    .option('--robot-name <name>', 'with --ptburn: the robot\'s name in the status files (default: the model\'s description, as PTBurn names it)')
    .option('--time-scale <n>', 'simulated seconds per wall-clock second; 0 completes every motion at once', '1')
    .option('--data <dir>', 'data folder; the simulator keeps its world and disc files in <dir>/sim (default: the configuration\'s data folder)')
    .option('--heartbeat-ms <ms>', 'HEARTBEAT period in wall-clock milliseconds; 0 sends none', '2000')
    .option('--seed <n>', 'seed of probabilistic faults', '1')
    .option('--inject <fault@trigger>', 'arm a fault at start, e.g. pick@next:PICKING (repeatable; ids: --list-faults)', collect)
    .option('--list-models', 'print the model ids, one per line, and exit')
    .option('--list-faults', 'print the fault ids, one per line, and exit')
    .action(async (flags: SimulateFlags) => {
      if (flags.listModels || flags.listFaults) {
        const ids = flags.listModels ? [...MODEL_IDS] : listFaults().map((f) => f.id);
        process.stdout.write(`${ids.join('\n')}\n`);
        setExitCode(EXIT_STOPPED);
        return;
      }
      if (flags.ptburn !== undefined) {
        setExitCode(await runPtburn(flags));
        return;
      }
      let settings: SimulateSettings;
      try {
        settings = simulateSettings(flags);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`discrobot simulate: ${err.message}\n`);
        setExitCode(EXIT_USAGE);
        return;
      }
      setExitCode(await runSimulator(settings));
    });
}

function simulateSettings(flags: SimulateFlags): SimulateSettings {
  if (flags.model === undefined) throw new UsageError(`--model is required: one of ${MODEL_IDS.join(', ')} (--list-models)`);
  if (!isModelId(flags.model)) throw new UsageError(`--model "${flags.model}" is not a robot model: one of ${MODEL_IDS.join(', ')}`);
  if (flags.link === undefined || flags.link.trim() === '') throw new UsageError('--link is required: the serial port path to open (e.g. one end of a socat pty pair)');
  const timeScale = Number(flags.timeScale);
  if (flags.timeScale.trim() === '' || !Number.isFinite(timeScale) || timeScale < 0) throw new UsageError(`--time-scale "${flags.timeScale}" must be a number >= 0`);
  const heartbeatMs = Number(flags.heartbeatMs);
  if (!Number.isInteger(heartbeatMs) || heartbeatMs < 0) throw new UsageError(`--heartbeat-ms "${flags.heartbeatMs}" must be a whole number of milliseconds >= 0`);
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed "${flags.seed}" must be a whole number`);
  const model = getModel(flags.model);
  const faults = (flags.inject ?? []).map((spec): FaultSpec => {
    const at = spec.indexOf('@');
    const code = at < 0 ? spec : spec.slice(0, at);
    const trigger = at < 0 ? 'now' : spec.slice(at + 1);
    const prepared = prepareFault({ code, trigger });
    if (!prepared.ok) throw new UsageError(`--inject "${spec}": ${prepared.detail}`);
    if (!appliesTo(prepared.armed.def, model)) throw new UsageError(`--inject "${spec}": ${code} does not exist on ${model.id}`);
    return { code, trigger };
  });
  return { model: flags.model, link: flags.link, timeScale, dataDir: path.resolve(flags.data ?? embeddedDefaults().storage.data), heartbeatMs, seed, faults };
}

async function runPtburn(flags: SimulateFlags): Promise<number> {
  if (flags.model === undefined) {
    process.stderr.write(`discrobot simulate: --model is required: one of ${MODEL_IDS.join(', ')} (--list-models)\n`);
    return EXIT_USAGE;
  }
  const { runPtburnEmulator } = await import('../../simulator/ptburn/main.ts');
  return runPtburnEmulator({
    folder: flags.ptburn!,
    model: flags.model,
    dataDir: path.resolve(flags.data ?? embeddedDefaults().storage.data),
    timeScale: Number(flags.timeScale),
    seed: Number(flags.seed),
    ...(flags.robotName === undefined ? {} : { robotName: flags.robotName }),
    ...(flags.inject === undefined ? {} : { inject: flags.inject }),
    logger: createLogger('info'),
  });
}

async function runSimulator(settings: SimulateSettings): Promise<number> {
  const logger = createLogger('info');
  // Loaded here, not at start-up: the serial binding and SQLite are only needed by this command.
  const { SimulatorStartError, startSimulator } = await import('../../simulator/server.ts');
  let sim;
  try {
    sim = await startSimulator({ ...settings, logger });
  } catch (err) {
    const message = err instanceof SimulatorStartError ? `--model ${settings.model}: ${err.message}` : `--link "${settings.link}" could not be opened: ${(err as Error).message}`;
    process.stderr.write(`discrobot simulate: ${message}\n`);
    logger.flush();
    return err instanceof SimulatorStartError ? EXIT_USAGE : EXIT_LINK;
  }
  for (const fault of settings.faults) sim.inject(fault);
  logger.info({ model: settings.model, link: settings.link, data: settings.dataDir, timeScale: settings.timeScale }, 'simulator ready');
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      logger.info({ signal }, 'simulator stopping');
      sim.close().then(resolve, resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  logger.flush();
  return EXIT_STOPPED;
}
