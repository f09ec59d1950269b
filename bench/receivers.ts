// The two storage SCPs the benchmark compares: DCMTK's storescp (the reference) and discrobot itself.
// Each is started fresh, on a free loopback port, with an empty output folder, and waited for with a
// C-ECHO; `storedObjects` then tells which objects reached its disk, and how big their files are.
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DCMTK_ENV, LOOPBACK, ServerProcess, freePort, waitForEcho } from './processes.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STARTUP_TIMEOUT_MS = 60_000;

/**
 * storescp's flags, besides the port and output folder. `+B` (bit-preserving) streams each data set
 * straight into its file as it arrives instead of parsing it into memory and writing it out again:
 * the same kind of work discrobot does, about 10 % faster than storescp's defaults here, and flat in
 * memory for large objects. `-dhl` skips the reverse DNS lookup of the peer. Max PDU stays at the
 * default 16384, which is discrobot's default too. (docs/benchmarks.md has the comparison.)
 */
export const STORESCP_FLAGS = ['+B', '-dhl'] as const;

export interface Receiver {
  label: string;
  aeTitle: string;
  port: number;
  server: ServerProcess;
  /** Where the received files end up. */
  outputDir: string;
  /** The objects stored so far, by SOP Instance UID (read from the file names). */
  storedObjects(): Promise<StoredObject[]>;
}

export interface StoredObject {
  sopInstanceUid: string;
  bytes: number;
}

export async function startStorescp(workDir: string, label: string): Promise<Receiver> {
  const aeTitle = 'STORESCP';
  const outputDir = path.join(workDir, 'received');
  await mkdir(outputDir, { recursive: true });
  const port = await freePort();
  const server = new ServerProcess(label, 'storescp', ['-aet', aeTitle, '-od', outputDir, ...STORESCP_FLAGS, String(port)], {
    env: DCMTK_ENV,
    logFile: path.join(workDir, 'storescp.log'),
  });
  await waitUntilAnswering(server, aeTitle, port);
  return {
    label,
    aeTitle,
    port,
    server,
    outputDir,
    // storescp names files <modality prefix>.<SOP Instance UID>, e.g. CT.1.2.3.
    storedObjects: () => listObjects(outputDir, (name) => /^[A-Za-z]+\.(\d[\d.]*)$/.exec(name)?.[1]),
  };
}

export interface DiscrobotOptions {
  durable: boolean;
}

/** The YAML configuration the benchmark gives discrobot (see src/config/schema.ts). */
export function discrobotConfig(dataDir: string, port: number, aeTitle: string, options: DiscrobotOptions): string {
  return [
    'dicom:',
    `  listeners: [{ host: "${LOOPBACK}", port: ${port} }]`,
    `  aeTitles: [${aeTitle}]`,
    'storage:',
    `  data: ${JSON.stringify(dataDir)}`,
    `  durable: ${options.durable}`,
    'log:',
    '  level: warn',
    // Any free port: the publisher's HTTP API is not measured here.
    'http:',
    '  listen: "127.0.0.1:0"',
    '',
  ].join('\n');
}

export async function startDiscrobot(workDir: string, label: string, options: DiscrobotOptions): Promise<Receiver> {
  const aeTitle = 'DISCROBOT';
  const dataDir = path.join(workDir, 'data');
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const configFile = path.join(workDir, 'config.yaml');
  await writeFile(configFile, discrobotConfig(dataDir, port, aeTitle, options));
  // bin/discrobot.js runs in node itself (tsx is registered in-process), so the child's pid is the
  // process whose memory we read.
  const server = new ServerProcess(
    label,
    process.execPath,
    [path.join(REPO_ROOT, 'bin', 'discrobot.js'), 'serve', '--config', configFile, '--data', dataDir, '--port', String(port), '--ae', aeTitle],
    { cwd: REPO_ROOT, logFile: path.join(workDir, 'discrobot.log') },
  );
  await waitUntilAnswering(server, aeTitle, port);
  const storeDir = path.join(dataDir, 'store');
  return {
    label,
    aeTitle,
    port,
    server,
    outputDir: storeDir,
    // discrobot files objects as store/<study>/<series>/<SOP Instance UID>.dcm; .incoming holds partial ones.
    storedObjects: () => listObjects(storeDir, (name) => /^(\d[\d.]*)\.dcm$/.exec(name)?.[1]),
  };
}

/** Waits for the first C-ECHO answer; a receiver that never answers is stopped, not left behind. */
async function waitUntilAnswering(server: ServerProcess, aeTitle: string, port: number): Promise<void> {
  try {
    await waitForEcho(server, aeTitle, port, STARTUP_TIMEOUT_MS);
  } catch (err) {
    await server.stop(2000);
    throw err;
  }
}

/** The files under dir, recursively (skipping dot-folders), whose names `uidOf` recognises. */
async function listObjects(dir: string, uidOf: (name: string) => string | undefined): Promise<StoredObject[]> {
  const objects: StoredObject[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.')) objects.push(...(await listObjects(full, uidOf)));
      continue;
    }
    const sopInstanceUid = entry.isFile() ? uidOf(entry.name) : undefined;
    if (sopInstanceUid) objects.push({ sopInstanceUid, bytes: (await stat(full)).size });
  }
  return objects;
}
