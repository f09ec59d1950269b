// `discrobot publish <file-or-folder>... --robot sim:MODEL|serial:PATH|ptburn:FOLDER [--copies N] [--time-scale N]
// [--inject FAULT@TRIGGER]...`: one whole disc job through a robot, with a JSON summary on stdout and
// progress on stderr. DICOM inputs are mastered first; .iso files are burned as they are.
// Exit status: 0 every disc delivered and verified; 1 a job failed or was cancelled, or the robot
// did not answer; 2 wrong usage.
import path from 'node:path';
import { Command } from 'commander';
import { embeddedDefaults } from '../config/schema.ts';
import { isModelId, MODEL_IDS } from '../../simulator/models.ts';
import { getFault } from '../../simulator/faults.ts';
import { parseInjection, parseRobotSpec, RobotSpecError, type RobotSpec } from '../publish/robot-spec.ts';

export const EXIT_DELIVERED = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

interface PublishFlags {
  robot: string;
  copies: string;
  timeScale?: string;
  inject?: string[];
  data?: string;
  operator: string;
  simLink: string;
  connectTimeout: string;
  quiet?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

class UsageError extends Error {}

export function registerPublishCommand(program: Command, setExitCode: (code: number) => void = (code) => (process.exitCode = code)): Command {
  return program
    .command('publish')
    .description('master DICOM files (or take .iso images) and make discs of them on a robot; prints a JSON summary')
    .argument('<file-or-folder...>', 'DICOM files or folders (mastered into one disc set), or .iso images')
    .requiredOption('--robot <spec>', `sim:MODEL (in-process simulator; models: ${MODEL_IDS.join(', ')}) serial:PATH (a DPRP/1 device or bridge) or ptburn:FOLDER (a PTBurn server\'s job folder)`)
    .option('--copies <n>', 'identical discs of each image', '1')
    .option('--time-scale <n>', 'simulated seconds per wall-clock second (simulator only; default 1); 0 runs every motion at once')
    .option('--inject <fault@trigger>', 'arm a simulator fault, e.g. cover-open@next:PICKING (repeatable; ids: discrobot simulate --list-faults)', collect)
    .option('--operator <mode>', 'auto: a simulated operator fixes what injected faults break (in-process simulator); none: wait for a person', 'auto')
    .option('--sim-link <kind>', 'stream: the simulator talks to the driver in-process; pty: over a socat pseudo-terminal pair, as to a serial device', 'stream')
    .option('--connect-timeout <seconds>', 'how long the robot has to answer on its link', '30')
    .option('--data <dir>', 'data folder for images and the simulator\'s world (default: the configuration\'s data folder)')
    .option('--quiet', 'no progress lines on stderr')
    .action(async (inputs: string[], flags: PublishFlags) => {
      let settings;
      try {
        settings = publishSettings(flags);
      } catch (err) {
        if (!(err instanceof UsageError || err instanceof RobotSpecError)) throw err;
        process.stderr.write(`discrobot publish: ${err.message}\n`);
        setExitCode(EXIT_USAGE);
        return;
      }
      const report = flags.quiet ? undefined : (line: string) => process.stderr.write(`discrobot publish: ${line}\n`);
      // Loaded here, not at start-up: the robot, simulator and serial binding serve this command only.
      const { PublishInputError, runPublish } = await import('../publish/publish-run.ts');
      try {
        const summary = await runPublish({ inputs, ...settings, report });
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        setExitCode(summary.status === 'delivered' ? EXIT_DELIVERED : EXIT_FAILED);
      } catch (err) {
        if (!(err instanceof PublishInputError)) throw err;
        process.stdout.write(JSON.stringify({ status: 'failed', error: err.message }, null, 2) + '\n');
        process.stderr.write(`discrobot publish: ${err.message}\n`);
        setExitCode(EXIT_FAILED);
      }
    });
}

function publishSettings(flags: PublishFlags): { robot: RobotSpec; copies: number; timeScale?: number; inject: string[]; dataDir: string; autoOperator: boolean; simLink: 'stream' | 'pty'; connectTimeoutMs: number } {
  const robot = parseRobotSpec(flags.robot);
  if (robot.kind === 'sim' && !isModelId(robot.model)) throw new UsageError(`--robot sim:${robot.model}: no such model (models: ${MODEL_IDS.join(', ')})`);
  const copies = Number(flags.copies);
  if (!Number.isInteger(copies) || copies < 1 || copies > 1000) throw new UsageError(`--copies "${flags.copies}" must be a whole number from 1 to 1000`);
  const timeScale = flags.timeScale === undefined ? undefined : Number(flags.timeScale);
  if (timeScale !== undefined && (!Number.isFinite(timeScale) || timeScale < 0)) throw new UsageError(`--time-scale "${flags.timeScale}" must be a number ≥ 0`);
  const inject = flags.inject ?? [];
  if (robot.kind === 'ptburn' && inject.length > 0) throw new UsageError('--inject: a PTBurn robot takes no faults from here; arm them in the emulator (discrobot simulate --ptburn FOLDER --inject ...)');
  for (const text of inject) {
    const { code } = parseInjection(text);
    if (!getFault(code)) throw new UsageError(`--inject "${text}": no fault "${code}" (ids: discrobot simulate --list-faults)`);
  }
  const connectTimeout = Number(flags.connectTimeout);
  if (!Number.isFinite(connectTimeout) || connectTimeout <= 0) throw new UsageError(`--connect-timeout "${flags.connectTimeout}" must be a number of seconds > 0`);
  if (flags.simLink !== 'stream' && flags.simLink !== 'pty') throw new UsageError(`--sim-link "${flags.simLink}" must be stream or pty`);
  if (flags.operator !== 'auto' && flags.operator !== 'none') throw new UsageError(`--operator "${flags.operator}" must be auto or none`);
  const dataDir = path.resolve(flags.data ?? embeddedDefaults().storage.data);
  return { robot, copies, timeScale, inject, dataDir, autoOperator: flags.operator === 'auto', simLink: flags.simLink, connectTimeoutMs: connectTimeout * 1000 };
}
