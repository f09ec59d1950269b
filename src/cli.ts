// The `discrobot` command line. Each command validates everything before it starts anything:
// a bad flag or config file stops start-up with a message naming the field, and nothing listens.
import { Command, CommanderError } from 'commander';
import { applyFlags, loadConfigFile } from './config/load.ts';
import { ConfigError, embeddedDefaults } from './config/schema.ts';
import { createLogger } from './log.ts';
import { DataFolderError, HttpListenError, serve } from './serve.ts';
import { ListenError } from '../adapters/dicom/listener.ts';
import { IMPLEMENTATION_VERSION_NAME } from './dicom/uid.ts';
import { MODEL_IDS } from '../simulator/models.ts';
import { registerMasterCommand } from './commands/master.ts';
import { registerSimulateCommand } from './commands/simulate.ts';
import { registerPublishCommand } from './commands/publish.ts';
import { installProcessReport } from './diagnostics/process-report.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];


interface ServeFlags {
  config?: string;
  data?: string;
  port?: string[];
  host?: string;
  ae?: string[];
  robot?: string[];
  quietPeriod?: string;
  http?: string;
  timeScale?: string;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('discrobot')
    .description('DICOM patient-disc publisher')
    .version(IMPLEMENTATION_VERSION_NAME)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  let exitCode = 0;
  program
    .command('serve')
    .description('receive studies over DICOM (storage SCP) and publish them to discs')
    .option('--config <file>', 'YAML or JSON configuration file')
    .option('--data <dir>', 'data folder (database and stored objects)')
    .option('--port <n>', 'DICOM port to listen on (repeatable)', collect)
    .option('--host <addr>', 'address to bind the DICOM listeners to (IPv4 or IPv6)')
    .option('--ae <title>', 'responding AE title (repeatable)', collect)
    .option('--robot <spec>', `sim:MODEL (a simulated robot; models: ${MODEL_IDS.join(', ')}) serial:PATH (a DPRP/1 device) or ptburn:FOLDER (a PTBurn server's job folder); repeatable, replaces the configured robots, named robot1, robot2, ...`, collect)
    .option('--quiet-period <seconds>', 'seconds without a new instance before a study is complete, on every route (0: at once)')
    .option('--http <addr:port>', 'address of the HTTP API, e.g. 127.0.0.1:8080 or [::1]:8080 (port 0: any free port)')
    .option('--time-scale <n>', 'simulated seconds per wall-clock second of every simulated robot (0: every motion at once)')
    .action(async (flags: ServeFlags) => {
      exitCode = await runServe(flags);
    });

  registerMasterCommand(program, (code) => (exitCode = code));
  registerSimulateCommand(program, (code) => (exitCode = code));
  registerPublishCommand(program, (code) => (exitCode = code));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return exitCode;
}

async function runServe(flags: ServeFlags): Promise<number> {
  let config;
  try {
    const base = flags.config ? loadConfigFile(flags.config) : embeddedDefaults();
    config = applyFlags(base, {
      data: flags.data,
      port: flags.port,
      host: flags.host,
      ae: flags.ae,
      robot: flags.robot,
      quietPeriod: flags.quietPeriod,
      http: flags.http,
      timeScale: flags.timeScale,
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`discrobot: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  const logger = createLogger(config.log.level);
  let running;
  try {
    running = await serve(config, logger);
  } catch (err) {
    if (err instanceof ListenError || err instanceof DataFolderError || err instanceof HttpListenError) {
      logger.fatal(err.message);
      logger.flush();
      process.stderr.write(`discrobot: ${err.message}\n`);
      return 1;
    }
    throw err;
  }

  // Whatever goes wrong inside one piece of work must not end the process: log it and go on.
  process.on('uncaughtException', (err) => logger.error({ err }, 'uncaught exception (kept running)'));
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection (kept running)'));
  // SIGUSR2: garbage-collect (with --expose-gc) and log memory, fds and open associations.
  installProcessReport(logger, () => Object.keys(running.publisher.getSnapshot().children).filter((id) => id.startsWith('association:')).length);

  const exitCode = await new Promise<number>((resolve) => {
    const onSignal = (signal: string) => {
      logger.info({ signal }, 'signal received');
      running.stop().then(() => resolve(0), () => resolve(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    // A dead publisher actor answers nothing: stop and exit non-zero, so a supervisor restarts it.
    void running.failed.then(() => running.stop().then(() => resolve(1), () => resolve(1)));
  });
  logger.flush();
  return exitCode;
}
