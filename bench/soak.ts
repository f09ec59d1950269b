// `npm run soak`: the fuzz test's attacks and the load test's traffic against one real `discrobot
// serve`, for minutes instead of seconds, alternating: a stretch of PDU fuzzing (with slowloris
// trickles), then a load round (N parallel storescu associations of M objects each), until the
// time is up. A C-ECHO prober runs throughout. It prints the figures for docs/benchmarks.md: cases
// sent, echo latency p50/p99/max, RSS start/peak/end (end after a forced GC), open fds, objects
// stored per second, and the machine. Exit 1 if the server exited, an echo went unanswered, or an
// object was not stored; the figures are reported, never judged against targets here.
//
// Options: --minutes N (4), --fuzz-seconds N (30 per stretch), --associations N (50),
// --objects N (100 per association), --parallel N (24 fuzz connections), --slowloris N (4),
// --seed N (random), --durable yes|no (yes).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, formatMachine } from './machine-info.ts';
import { markdownTable } from './report.ts';
import { startPublisher } from '../test/e2e/support/publisher-process.ts';
import { send } from '../test/e2e/support/patient-study.ts';
import { runFuzz, trickle } from '../test/e2e/support/fuzz-runner.ts';
import { temporaryFiles, writeLoadStudy } from '../test/e2e/support/load-study.ts';
import { EchoProber, MB, RssSampler, requestProcessReport } from '../test/e2e/support/server-watch.ts';
import { waitFor } from '../test/e2e/support/api-client.ts';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '4' },
    'fuzz-seconds': { type: 'string', default: '30' },
    associations: { type: 'string', default: '50' },
    objects: { type: 'string', default: '100' },
    parallel: { type: 'string', default: '24' },
    slowloris: { type: 'string', default: '4' },
    seed: { type: 'string' },
    durable: { type: 'string', default: 'yes' },
  },
  strict: true,
});
const minutes = Number(flags.minutes);
const fuzzSeconds = Number(flags['fuzz-seconds']);
const associations = Number(flags.associations);
const objects = Number(flags.objects);
const parallel = Number(flags.parallel);
const slowloris = Number(flags.slowloris);
const seed = flags.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(flags.seed);
const durable = flags.durable !== 'no';

async function main(): Promise<number> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'discrobot-soak-'));
  console.log(`soak: ${minutes} min, seed ${seed} (--seed ${seed} replays the fuzz cases), ${associations} x ${objects} objects per load round, durable ${durable}`);
  process.env['NODE_OPTIONS'] = [process.env['NODE_OPTIONS'], '--expose-gc'].filter(Boolean).join(' ');
  const publisher = await startPublisher({
    dataDir: path.join(work, 'data'),
    quietPeriodSeconds: 3600,
    config: {
      file: path.join(work, 'discrobot.json'),
      content: {
        // ARTIM 10 s: slowloris trickles (a request takes them about 20 s) are cut, while a request
        // that waits behind a busy event loop during a load round is not. Every peer is 127.0.0.1.
        dicom: { artimTimeoutSeconds: 10, idleTimeoutSeconds: 30, maxAssociations: 512, maxAssociationsPerPeer: 512 },
        storage: { durable },
      },
    },
  });
  const failures: string[] = [];
  try {
    const pid = publisher.cli.child.pid!;
    const warmUp = await writeLoadStudy(path.join(work, 'warm-up'), 10);
    await send(publisher.dicomPort, warmUp.files);
    const start = await requestProcessReport(publisher.cli);
    // The C-ECHO figures are measured by this process, which shares the CPUs with the server and,
    // in load rounds, with 50 storescu processes: they include this process's own waits.
    const rss = new RssSampler(pid, 500);
    const prober = new EchoProber(publisher.dicomPort);
    const deadline = performance.now() + minutes * 60_000;
    let cases = 0;
    let nextCase = 0;
    let stored = 0;
    let storeSeconds = 0;
    const trickles = { connections: 0, bytes: 0, closedByServer: 0 };
    const answers: Record<string, number> = {};
    let round = 0;
    /** When each phase ran (performance.now()), to tell the echo figures of fuzzing and load apart. */
    const phases: { kind: 'fuzz' | 'load'; from: number; to: number }[] = [];
    /** The server's own event-loop delay per phase, from the process report that ends the phase. */
    const loopDelay: Record<'fuzz' | 'load', number[]> = { fuzz: [], load: [] };
    const endPhase = async (kind: 'fuzz' | 'load', from: number) => {
      phases.push({ kind, from, to: performance.now() });
      const report = await requestProcessReport(publisher.cli);
      if (report.eventLoopDelayMs) loopDelay[kind].push(report.eventLoopDelayMs.max);
    };
    while (performance.now() < deadline && failures.length === 0) {
      // A stretch of fuzzing with slowloris beside it.
      const fuzzFrom = performance.now();
      const stretchEnd = Math.min(deadline, fuzzFrom + fuzzSeconds * 1000);
      const over = () => performance.now() > stretchEnd || publisher.cli.child.exitCode !== null;
      const [fuzzed, trickled] = await Promise.all([
        runFuzz(publisher.dicomPort, { seed, count: Number.MAX_SAFE_INTEGER, first: nextCase, parallel, stop: over }),
        trickle(publisher.dicomPort, { count: slowloris, intervalMs: 300, stop: over }),
      ]);
      cases += fuzzed.cases;
      nextCase += fuzzed.cases;
      for (const [k, v] of Object.entries(fuzzed.answers)) answers[k] = (answers[k] ?? 0) + v;
      trickles.connections += trickled.connections;
      trickles.bytes += trickled.bytes;
      trickles.closedByServer += trickled.closedByServer;
      await endPhase('fuzz', fuzzFrom);
      if (performance.now() >= deadline) break;
      // A load round.
      round += 1;
      const studies = await Promise.all(Array.from({ length: associations }, (_, a) => writeLoadStudy(path.join(work, `round${round}`, String(a)), objects)));
      const started = performance.now();
      const sent = await Promise.allSettled(studies.map((study) => send(publisher.dicomPort, study.files)));
      storeSeconds += (performance.now() - started) / 1000;
      await endPhase('load', started);
      for (const result of sent) {
        if (result.status === 'fulfilled') stored += objects;
        // storescu's first lines and its errors say whether it was refused, cut off or timed out.
        else failures.push(`load round ${round}: ${String(result.reason).split('\n').filter((l, i) => i < 3 || /^E:/.test(l)).slice(0, 8).join(' | ')}`);
      }
      await rm(path.join(work, `round${round}`), { recursive: true, force: true });
      console.log(`  round ${round}: ${cases} fuzz cases so far, ${stored} objects stored, RSS ${Math.round(rss.last / MB)} MB, echo max ${Math.round(prober.figures().max)} ms`);
    }
    await prober.stop();
    rss.stop();
    if (publisher.cli.child.exitCode !== null) failures.push(`the server exited (${publisher.cli.child.exitCode})`);
    let end = await requestProcessReport(publisher.cli);
    await waitFor(async () => {
      end = await requestProcessReport(publisher.cli);
      return end.openAssociations === 0 && end.openFds === start.openFds;
    }, 'associations closed and fds back', { timeoutMs: 20_000, intervalMs: 500 }).catch(() => undefined);
    const echo = prober.figures();
    const during = (kind: 'fuzz' | 'load') => {
      const times = prober.samples.filter((x) => phases.some((p) => p.kind === kind && x.at >= p.from && x.at < p.to)).flatMap((x) => (x.ms === null ? [] : [x.ms])).sort((a, b) => a - b);
      const q = (f: number) => Math.round(times[Math.min(times.length - 1, Math.floor(f * times.length))] ?? NaN);
      return `${q(0.5)} / ${q(0.99)} / ${Math.round(times[times.length - 1] ?? NaN)} ms (${times.length} probes)`;
    };
    if (echo.failed > 0) failures.push(`${echo.failed} C-ECHO probes unanswered: ${prober.samples.filter((s) => s.ms === null).map((s) => s.error).slice(0, 3).join('; ')}`);
    const leftovers = temporaryFiles(publisher.dataDir);
    if (leftovers.length > 0) failures.push(`temporary files left: ${leftovers.slice(0, 5).join(', ')}`);
    if (/uncaught exception|unhandled rejection/.test(publisher.cli.stdout())) failures.push('an exception escaped (see the server log)');

    const machine = await describeMachine(work);
    console.log('');
    console.log(`Soak, ${minutes} min, seed ${seed}, ${new Date().toISOString().slice(0, 10)}`);
    for (const line of formatMachine(machine)) console.log(line);
    console.log('');
    for (const line of markdownTable(['Figure', 'Value'], [
      ['Fuzz cases sent (one connection each)', String(cases)],
      ['Server answers', Object.entries(answers).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')],
      ['Slowloris connections (closed by the server)', `${trickles.connections} (${trickles.closedByServer}), ${trickles.bytes} bytes`],
      ['C-ECHO probes (new association each)', `${echo.count}, ${echo.failed} unanswered`],
      ['C-ECHO latency p50 / p99 / max, all', `${Math.round(echo.p50)} / ${Math.round(echo.p99)} / ${Math.round(echo.max)} ms`],
      ['C-ECHO latency p50 / p99 / max, while fuzzing', during('fuzz')],
      ['C-ECHO latency p50 / p99 / max, during load rounds', during('load')],
      ['Server event-loop delay, max per phase: fuzzing / load', `${Math.max(...loopDelay.fuzz).toFixed(0)} / ${loopDelay.load.length ? Math.max(...loopDelay.load).toFixed(0) : '—'} ms`],
      ['RSS start (after GC) / peak / end (after GC)', `${Math.round(start.rss / MB)} / ${Math.round(rss.peak / MB)} / ${Math.round(end.rss / MB)} MB`],
      ['Heap used start / end (after GC)', `${Math.round(start.heapUsed / MB)} / ${Math.round(end.heapUsed / MB)} MB`],
      ['Open fds start / end', `${start.openFds} / ${end.openFds}`],
      ['Load rounds', `${round} x ${associations} associations x ${objects} objects`],
      ['Objects stored', String(stored)],
      ['Objects stored per second (during load rounds)', storeSeconds > 0 ? (stored / storeSeconds).toFixed(0) : '—'],
    ])) console.log(line);
  } finally {
    await publisher.stop();
    await rm(work, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.error(`\nFAILED:\n${failures.map((f) => `- ${f}`).join('\n')}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
