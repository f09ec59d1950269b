// Starts discrobot's storage SCP in-process on a free port with its own temporary data folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { embeddedDefaults, type Config } from '../../src/config/schema.ts';
import { serve, type RunningPublisher, type ServeOptions } from '../../src/serve.ts';

export interface TestServer extends RunningPublisher {
  port: number;
  dataDir: string;
  logLines: () => Record<string, unknown>[];
  dispose(): Promise<void>;
}

type DicomOverrides = Partial<Config['dicom']>;
type StorageOverrides = Partial<Config['storage']>;

export async function startServer(overrides: { dicom?: DicomOverrides; storage?: StorageOverrides } = {}, options: ServeOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'discrobot-test-'));
  const defaults = embeddedDefaults();
  const config: Config = {
    ...defaults,
    dicom: { ...defaults.dicom, listeners: [{ host: '127.0.0.1', port: 0 }], ...overrides.dicom },
    storage: { ...defaults.storage, data: dataDir, reserveBytes: 0, ...overrides.storage },
    log: { ...defaults.log, level: 'debug' },
    // Any free port: tests run side by side.
    http: { ...defaults.http, listen: '127.0.0.1:0' },
    // A simulated robot without motion time: storage tests do not wait on it.
    robots: [{ name: 'robot1', kind: 'sim', model: 'DP-4100', timeScale: 0 }],
  };
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const running = await serve(config, logger, options);
  return {
    ...running,
    port: running.listening[0]!.port,
    dataDir,
    logLines: () => lines,
    async dispose() {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
