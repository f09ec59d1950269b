// `discrobot serve` started from a configuration file the test writes: for scenarios the command
// line alone cannot set up, such as two simulated robots at different time scales, each reached by
// its own route. Otherwise as startPublisher(): free DICOM and HTTP ports, one quiet period on every
// route (--quiet-period), SIGTERM then SIGKILL to stop.
import { startPublisher, type RunningPublisher } from './publisher-process.ts';

export interface ConfiguredPublisherOptions {
  dataDir: string;
  /** Where the configuration file is written (JSON, which the YAML loader reads too). */
  configFile: string;
  /** The file's content: routes, robots and whatever else the scenario needs. */
  config: Record<string, unknown>;
  quietPeriodSeconds: number;
}

export function startConfiguredPublisher(options: ConfiguredPublisherOptions): Promise<RunningPublisher> {
  return startPublisher({ dataDir: options.dataDir, quietPeriodSeconds: options.quietPeriodSeconds, config: { file: options.configFile, content: options.config } });
}
