// `npm run bench:ingest`: how fast discrobot takes in a CT series compared with DCMTK's storescp,
// and how much memory it needs for one 1 GiB object. Everything runs on 127.0.0.1.
//
// 1. 500 CT images (512x512, 16-bit, Explicit VR LE, one study and series) are generated once into
//    .bench/ (gitignored) and sent by DCMTK storescu over one association to: storescp, discrobot with
//    `storage.durable: true` (fsync before Success) and discrobot with `durable: false`. Each receiver
//    is a fresh process with an empty folder; each is measured --runs times, interleaved, and the
//    median of storescu's wall time is reported with the ratio to storescp.
// 2. One 1 GiB Multi-frame Grayscale Word SC object is sent to discrobot (durable) and, for
//    reference, to storescp; the receiver's peak RSS (VmHWM) is read from /proc after the transfer.
//
// Targets are printed beside the figures and never fail the run; a missing object or a failing tool
// does (exit 1). Options: --runs N (3), --count N (500), --frames N (2048), --skip-large.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sampleCpuBusy } from './cpu-load.ts';
import { ensureCtSeries, ensureMultiframe } from './dataset-cache.ts';
import { describeMachine, formatMachine } from './machine-info.ts';
import { DCMTK_ENV, LOOPBACK, ToolError, readMemory, runTool, runToolOrThrow, type ServerProcess } from './processes.ts';
import { STORESCP_FLAGS, startDiscrobot, startStorescp, type Receiver } from './receivers.ts';
import { markdownTable, mb, median, seconds, targetCell, type Target } from './report.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_ROOT = path.join(REPO_ROOT, '.bench');
/** Every stored CT file holds at least its pixel data: a shorter one was cut off. */
const CT_PIXEL_BYTES = 512 * 512 * 2;
const SEND_TIMEOUT_MS = 5 * 60_000;

/** Before each transfer, wait up to this long for other processes to leave the CPUs mostly idle. */
const QUIET_WAIT_MS = 10_000;
const QUIET_BUSY_FRACTION = 0.2;

const TARGET_RATIO_FAST = 1.0;
const TARGET_RATIO_DURABLE = 2.0;
const TARGET_PEAK_RSS_BYTES = 200e6;

/** storescu's flags besides the peer: only the SOP classes present (-R), default transfer syntax
 *  proposal (explicit VR little endian first, so the files travel as they are stored). */
const STORESCU_FLAGS = ['-aet', 'BENCH', '-R'] as const;

type ReceiverKind = 'storescp' | 'discrobot-durable' | 'discrobot-fast';

const RECEIVERS: Record<ReceiverKind, { label: string; start: (workDir: string, label: string) => Promise<Receiver> }> = {
  storescp: { label: `storescp ${STORESCP_FLAGS.join(' ')}`, start: startStorescp },
  'discrobot-durable': { label: 'discrobot, durable: true', start: (dir, label) => startDiscrobot(dir, label, { durable: true }) },
  'discrobot-fast': { label: 'discrobot, durable: false', start: (dir, label) => startDiscrobot(dir, label, { durable: false }) },
};

interface Measurement {
  kind: ReceiverKind;
  wallMs: number;
  rssBeforeBytes: number;
  peakRssBytes: number;
  /** CPU busy fraction (all cores) sampled just before the transfer, the receiver idle. */
  otherCpuBusy: number;
}

const failures: string[] = [];
const running = new Set<ServerProcess>();
let tempRoot: string | undefined;

async function main(): Promise<number> {
  const { values: opts } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      count: { type: 'string', default: '500' },
      frames: { type: 'string', default: '2048' },
      'skip-large': { type: 'boolean', default: false },
    },
  });
  const runs = positiveInt('--runs', opts.runs);
  const count = positiveInt('--count', opts.count);
  const frames = positiveInt('--frames', opts.frames);

  tempRoot = await mkdtemp(path.join(os.tmpdir(), 'discrobot-bench-'));
  const machine = await describeMachine(tempRoot);
  for (const tool of ['storescu', 'storescp', 'echoscu']) await runToolOrThrow(tool, ['--version'], { timeoutMs: 10_000 });

  log(`preparing ${count} CT images in ${path.relative(REPO_ROOT, CACHE_ROOT)}/ ...`);
  const series = await ensureCtSeries(CACHE_ROOT, { count, rows: 512, cols: 512 });
  log(`  ${series.generatedNow ? 'generated' : 'cached'}: ${series.sopInstanceUids.length} files, ${mb(series.totalBytes)} MB in ${series.dir}`);

  const measurements: Measurement[] = [];
  for (let run = 1; run <= runs; run += 1) {
    for (const kind of Object.keys(RECEIVERS) as ReceiverKind[]) {
      const m = await measure(kind, `${kind}-${run}`, { options: ['+sd'], files: [series.dir] }, { uids: series.sopInstanceUids, minBytes: CT_PIXEL_BYTES }, `${RECEIVERS[kind].label}, run ${run}/${runs}`);
      if (m) measurements.push(m);
    }
  }

  const large: Measurement[] = [];
  let largeBytes = 0;
  if (!opts['skip-large']) {
    log(`preparing one multi-frame object of ${frames} frames of 512x512x16 bits ...`);
    const object = await ensureMultiframe(CACHE_ROOT, { frames, rows: 512, cols: 512 });
    largeBytes = object.bytes;
    log(`  ${object.generatedNow ? 'generated' : 'cached'}: ${mb(object.bytes)} MB (pixel data ${object.pixelDataBytes} bytes) in ${object.file}`);
    for (const kind of ['discrobot-durable', 'storescp'] as const) {
      const m = await measure(kind, `large-${kind}`, { options: [], files: [object.file] }, { uids: [object.sopInstanceUid], minBytes: object.pixelDataBytes }, `${RECEIVERS[kind].label}, one ${mb(object.bytes)} MB object`);
      if (m) large.push(m);
    }
  }

  const lines = [
    '',
    '## Machine',
    '',
    ...formatMachine(machine).map((l) => `    ${l}`),
    '',
    '## Commands (TCP_NODELAY=1 in the DCMTK processes\' environment; ports are free ones on 127.0.0.1)',
    '',
    `    storescu ${STORESCU_FLAGS.join(' ')} [+sd] -aec <AE> ${LOOPBACK} <port> <folder or file>`,
    `    storescp -aet STORESCP -od <empty folder> ${STORESCP_FLAGS.join(' ')} <port>`,
    '    node bin/discrobot.js serve --config <config.yaml> --data <empty folder> --port <port> --ae DISCROBOT',
    '      (config: listener on 127.0.0.1, storage.durable true or false, log.level warn)',
    '',
    'CPU busy: share of both cores busy in the second before the transfer, receiver idle (other processes).',
    '',
    ...seriesReport(measurements, series.sopInstanceUids.length, series.totalBytes, runs),
    ...(opts['skip-large'] ? [] : largeReport(large, largeBytes, frames)),
  ];
  if (failures.length > 0) lines.push('', '## FAILED', '', ...failures.map((f) => `- ${f}`));
  process.stdout.write(`${lines.join('\n')}\n`);
  return failures.length > 0 ? 1 : 0;
}

/**
 * One transfer: a fresh receiver, storescu timed from spawn to exit, the receiver's memory read, the
 * receiver stopped, and every expected object looked for on its disk. Failures are recorded and the
 * benchmark goes on, so one bad receiver does not hide the others' figures.
 */
async function measure(kind: ReceiverKind, name: string, storescuInput: { options: string[]; files: string[] }, expected: { uids: string[]; minBytes: number }, title: string): Promise<Measurement | undefined> {
  const workDir = path.join(tempRoot!, name);
  // Dirty pages of the previous transfer must not be written back on this one's time.
  await runTool('sync', [], { timeoutMs: 120_000 });
  let receiver: Receiver | undefined;
  try {
    receiver = await RECEIVERS[kind].start(workDir, title);
    running.add(receiver.server);
    const otherCpuBusy = await waitForQuietCpu();
    const before = await readMemory(receiver.server.pid);
    const send = await runTool('storescu', [...STORESCU_FLAGS, ...storescuInput.options, '-aec', receiver.aeTitle, LOOPBACK, String(receiver.port), ...storescuInput.files], {
      env: DCMTK_ENV,
      timeoutMs: SEND_TIMEOUT_MS,
    });
    const after = await readMemory(receiver.server.pid);
    const stopped = await receiver.server.stop();
    running.delete(receiver.server);

    const problems: string[] = [];
    if (send.code !== 0) problems.push(`storescu failed (${send.signal ?? `exit ${send.code}`}): ${(send.stdout + send.stderr).trim().split('\n').slice(-5).join(' / ')}`);
    if (stopped.killed) problems.push(`${title}: did not stop within 10 s of SIGTERM (killed)`);
    const stored = new Map((await receiver.storedObjects()).map((o) => [o.sopInstanceUid, o.bytes]));
    const missing = expected.uids.filter((uid) => !stored.has(uid));
    if (missing.length > 0) problems.push(`${missing.length} of ${expected.uids.length} objects missing (e.g. ${missing[0]})`);
    const short = expected.uids.filter((uid) => (stored.get(uid) ?? Infinity) < expected.minBytes);
    if (short.length > 0) problems.push(`${short.length} stored files smaller than ${expected.minBytes} bytes (e.g. ${short[0]}: ${stored.get(short[0]!)})`);

    const m: Measurement = { kind, wallMs: send.wallMs, rssBeforeBytes: before.rssBytes, peakRssBytes: after.peakRssBytes, otherCpuBusy };
    log(`  ${title}: ${seconds(m.wallMs)} s, ${stored.size}/${expected.uids.length} stored, peak RSS ${mb(m.peakRssBytes)} MB, CPU busy before ${percent(otherCpuBusy)}${problems.length ? `  <-- ${problems.join('; ')}` : ''}`);
    if (problems.length > 0) {
      const serverLog = await receiver.server.logTail();
      failures.push(`${title}: ${problems.join('; ')}${serverLog ? `\n  ${receiver.server.label} log:\n${serverLog}` : ''}`);
      return undefined;
    }
    return m;
  } catch (err) {
    const message = err instanceof ToolError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`  ${title}: FAILED\n${message}`);
    failures.push(`${title}: ${message}`);
    return undefined;
  } finally {
    if (receiver) {
      await receiver.server.stop(2000);
      running.delete(receiver.server);
    }
    await rm(workDir, { recursive: true, force: true });
  }
}

function seriesReport(measurements: Measurement[], count: number, totalBytes: number, runs: number): string[] {
  const byKind = (kind: ReceiverKind) => measurements.filter((m) => m.kind === kind);
  const reference = median(byKind('storescp').map((m) => m.wallMs));
  const targets: Record<ReceiverKind, number | undefined> = { storescp: undefined, 'discrobot-durable': TARGET_RATIO_DURABLE, 'discrobot-fast': TARGET_RATIO_FAST };
  const rows = (Object.keys(RECEIVERS) as ReceiverKind[]).map((kind) => {
    const ms = byKind(kind);
    const med = median(ms.map((m) => m.wallMs));
    const ratio = med / reference;
    const limit = targets[kind];
    const target: Target | undefined = limit === undefined || Number.isNaN(ratio) ? undefined : { text: `≤ ${limit.toFixed(1)}`, met: ratio <= limit };
    return [
      RECEIVERS[kind].label,
      ms.map((m) => seconds(m.wallMs)).join(', ') || 'none',
      ms.length ? seconds(med) : '—',
      ms.length ? ((totalBytes / 1e6) / (med / 1000)).toFixed(0) : '—',
      ms.length ? (med / count).toFixed(2) : '—',
      Number.isNaN(ratio) ? '—' : ratio.toFixed(2),
      targetCell(target),
      ms.length ? mb(Math.max(...ms.map((m) => m.peakRssBytes))) : '—',
      ms.map((m) => percent(m.otherCpuBusy)).join(', ') || '—',
    ];
  });
  return [
    `## ${count} CT images, ${mb(totalBytes)} MB, one association (median of ${runs} run${runs === 1 ? "" : "s"})`,
    '',
    ...markdownTable(['receiver', 'storescu wall time per run (s)', 'median (s)', 'MB/s', 'ms/object', 'ratio to storescp', 'target', 'peak RSS (MB)', 'CPU busy before each run'], rows),
    '',
  ];
}

function largeReport(large: Measurement[], bytes: number, frames: number): string[] {
  const rows = large.map((m) => {
    const target: Target | undefined = m.kind === 'storescp' ? undefined : { text: `< ${mb(TARGET_PEAK_RSS_BYTES)}`, met: m.peakRssBytes < TARGET_PEAK_RSS_BYTES };
    return [RECEIVERS[m.kind].label, seconds(m.wallMs), ((bytes / 1e6) / (m.wallMs / 1000)).toFixed(0), mb(m.rssBeforeBytes), mb(m.peakRssBytes), targetCell(target), percent(m.otherCpuBusy)];
  });
  return [
    `## One ${mb(bytes)} MB object (Multi-frame Grayscale Word SC, ${frames} frames of 512x512x16 bits)`,
    '',
    ...markdownTable(['receiver', 'storescu wall time (s)', 'MB/s', 'RSS before (MB)', 'peak RSS (MB)', 'target', 'CPU busy before'], rows),
    '',
  ];
}

/** Samples CPU use until it is below QUIET_BUSY_FRACTION or QUIET_WAIT_MS passed; returns the last sample. */
async function waitForQuietCpu(): Promise<number> {
  const deadline = Date.now() + QUIET_WAIT_MS;
  let busy = await sampleCpuBusy(1000);
  while (busy > QUIET_BUSY_FRACTION && Date.now() < deadline) busy = await sampleCpuBusy(1000);
  return busy;
}

const percent = (fraction: number): string => `${Math.round(fraction * 100)}%`;

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ToolError(`${flag} must be a positive integer (got ${value})`);
  return n;
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function cleanUp(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop(2000)));
  if (tempRoot) await rm(tempRoot, { recursive: true, force: true });
}

process.once('SIGINT', () => {
  log('interrupted: stopping receivers and removing temp folders');
  void cleanUp().finally(() => process.exit(130));
});

try {
  process.exitCode = await main();
} catch (err) {
  log(`bench:ingest failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
