// Load against a real `discrobot serve`: 50 parallel associations (storescu processes) each sending
// 100 small objects, twice in a row. Everything is stored (the API counts each study's instances);
// after a forced garbage collection the server's resident memory is within 50 MB of where it
// started, its open file descriptors are back to their count, and no temporary file is left.
// The server runs with --expose-gc; SIGUSR2 makes it collect and log a `process report` line.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/api-client.ts';
import { send } from './support/patient-study.ts';
import { temporaryFiles, writeLoadStudy } from './support/load-study.ts';
import { startPublisher, type RunningPublisher } from './support/publisher-process.ts';
import { MB, requestProcessReport, type ProcessReportLine } from './support/server-watch.ts';

const ASSOCIATIONS = 50;
const OBJECTS_PER_ASSOCIATION = 100;
const ROUNDS = 2;
/** Issue 7: after a forced GC, resident memory within 50 MB of where it started. */
const RSS_GROWTH_BOUND_BYTES = 50 * MB;
/** 256 bytes of pixels: the load is in associations and objects, not in bytes. */
const PIXEL_BYTES = 256;
const TEST_TIMEOUT_MS = 300_000;

let work: string;
let publisher: RunningPublisher;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'discrobot-load-'));
  // The server process inherits this: global.gc() exists, so the process report collects first.
  process.env['NODE_OPTIONS'] = [process.env['NODE_OPTIONS'], '--expose-gc'].filter(Boolean).join(' ');
  publisher = await startPublisher({
    dataDir: path.join(work, 'data'),
    // No study completes during the test: the figures are the storage SCP's, not a disc burn's.
    quietPeriodSeconds: 3600,
    config: {
      file: path.join(work, 'discrobot.json'),
      // All 50 associations come from 127.0.0.1: the per-peer limit (default 16) is raised for this test.
      content: { dicom: { maxAssociations: 128, maxAssociationsPerPeer: 64 } },
    },
  });
}, 60_000);

afterAll(async () => {
  await publisher?.stop();
  await fs.rm(work, { recursive: true, force: true });
});

/** Waits until no association is open, then answers the report (taken after a forced GC). */
async function settledReport(): Promise<ProcessReportLine> {
  let last: ProcessReportLine | undefined;
  return waitFor(async () => {
    last = await requestProcessReport(publisher.cli);
    return last.openAssociations === 0 ? last : undefined;
  }, 'no open association', { intervalMs: 500, lastSeen: () => last });
}

describe('load: 50 parallel associations x 100 objects, twice', () => {
  it('stores everything and returns to its memory and file-descriptor baseline', async () => {
    const { api } = publisher;
    // Warm-up: the first association loads code paths, SQLite pages and the DIMSE library's tables.
    // Measuring before it would count that one-time growth as a leak; the baseline is after it.
    const warmUp = await writeLoadStudy(path.join(work, 'warm-up'), 10);
    await send(publisher.dicomPort, warmUp.files);
    const baseline = await settledReport();
    expect(baseline.gc, 'the server runs with --expose-gc').toBe(true);

    const rounds: { round: number; seconds: number; rss: number; openFds: number | null }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const studies = await Promise.all(Array.from({ length: ASSOCIATIONS }, (_, a) => writeLoadStudy(path.join(work, `round${round}`, String(a)), OBJECTS_PER_ASSOCIATION, PIXEL_BYTES)));
      const started = performance.now();
      // Each send() fails unless all 100 objects of its association were answered Success.
      await Promise.all(studies.map((study) => send(publisher.dicomPort, study.files)));
      const seconds = (performance.now() - started) / 1000;
      for (const study of studies) {
        const stored = await api.study(study.studyInstanceUid);
        expect(stored?.instances, `study ${study.studyInstanceUid} of round ${round}`).toBe(OBJECTS_PER_ASSOCIATION);
      }
      const report = await settledReport();
      rounds.push({ round, seconds: Math.round(seconds * 10) / 10, rss: Math.round(report.rss / MB), openFds: report.openFds });
      await fs.rm(path.join(work, `round${round}`), { recursive: true, force: true });
    }

    // Descriptors close asynchronously (sockets, temp files): wait until they are back, or fail with the counts.
    let after = await settledReport();
    await waitFor(async () => {
      after = await settledReport();
      return after.openFds === baseline.openFds;
    }, `open file descriptors back to ${baseline.openFds}`, { timeoutMs: 20_000, intervalMs: 500, lastSeen: () => after.openFds }).catch(() => undefined);
    console.log(JSON.stringify({
      objects: ASSOCIATIONS * OBJECTS_PER_ASSOCIATION * ROUNDS, rounds,
      baseline: { rssMb: Math.round(baseline.rss / MB), heapUsedMb: Math.round(baseline.heapUsed / MB), openFds: baseline.openFds },
      after: { rssMb: Math.round(after.rss / MB), heapUsedMb: Math.round(after.heapUsed / MB), openFds: after.openFds },
    }));

    expect(after.openFds).toBe(baseline.openFds);
    expect(after.rss - baseline.rss, `resident memory grew from ${Math.round(baseline.rss / MB)} MB to ${Math.round(after.rss / MB)} MB`).toBeLessThan(RSS_GROWTH_BOUND_BYTES);
    expect(temporaryFiles(publisher.dataDir)).toEqual([]);
    expect(publisher.cli.stdout()).not.toMatch(/uncaught exception|unhandled rejection/);
  }, TEST_TIMEOUT_MS);
});
