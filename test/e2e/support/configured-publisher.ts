// `discrobot serve` started from a configuration file the test writes: for scenarios the command
// line alone cannot set up, such as two simulated robots at different time scales, each reached by
// its own route. Otherwise as startPublisher(): free DICOM and HTTP ports, one quiet period on every
// route (--quiet-period), SIGTERM then SIGKILL to stop.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApiClient } from './api-client.ts';
import { freePort, startCli } from './process.ts';
import type { RunningPublisher } from './publisher-process.ts';

export interface ConfiguredPublisherOptions {
  dataDir: string;
  /** Where the configuration file is written (JSON, which the YAML loader reads too). */
  configFile: string;
  /** The file's content: routes, robots and whatever else the scenario needs. */
  config: Record<string, unknown>;
  quietPeriodSeconds: number;
}

export async function startConfiguredPublisher(options: ConfiguredPublisherOptions): Promise<RunningPublisher> {
  await writeFile(options.configFile, JSON.stringify(options.config, null, 2));
  const dicomPort = await freePort();
  const cli = startCli([
    'serve', '--config', options.configFile, '--host', '127.0.0.1', '--port', String(dicomPort), '--data', options.dataDir,
    '--http', '127.0.0.1:0', '--quiet-period', String(options.quietPeriodSeconds),
  ]);
  try {
    await cli.listening(30_000);
  } catch (err) {
    cli.kill();
    throw err;
  }
  const line = cli.logLines().find((l) => l['msg'] === 'HTTP API listening');
  if (typeof line?.['url'] !== 'string') {
    cli.kill();
    throw new Error(`no "HTTP API listening" line with its url:\n${cli.stdout()}`);
  }
  return {
    cli,
    api: new ApiClient(line['url']),
    dicomPort,
    dataDir: path.resolve(options.dataDir),
    async stop() {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGTERM');
      const timer = setTimeout(() => cli.kill(), 20_000);
      await cli.exited;
      clearTimeout(timer);
    },
  };
}
