// `npm run bench:robot`: the wall time of a 100-disc job through the robot simulator at a high
// time scale, beside the reference: plain xorriso burning and reading back the same image 100 times
// (the recorder's own work, with no robot, protocol or actors). The ratio says what the robot side
// adds. Goal: the 100-disc job in under a minute here (printed, never enforced).
//
// The image is one mastered CT study (20 images, 256x256) with its label, so every disc is burned,
// finalized, verified, printed and delivered. The simulator runs in-process on a socat pty pair (the
// driver's real tty path); 25 blanks sit in the input bin, and the simulated operator refills it when
// it runs out, as a person would. Every disc must be delivered and verified, or the run fails (exit 1).
// Options: --discs N (100), --time-scale N (1000), --model ID (DP-XRP), --runs N (1).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { master } from '../adapters/media/master.ts';
import { runPublish } from '../src/publish/publish-run.ts';
import { ensureCtSeries } from './dataset-cache.ts';
import { describeMachine, formatMachine } from './machine-info.ts';
import { runToolOrThrow } from './processes.ts';
import { markdownTable, median, seconds } from './report.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_ROOT = path.join(REPO_ROOT, '.bench');
const GOAL_MS = 60_000;
const TOOL_TIMEOUT_MS = 10 * 60_000;

const { values: flags } = parseArgs({
  options: {
    discs: { type: 'string', default: '100' },
    'time-scale': { type: 'string', default: '1000' },
    model: { type: 'string', default: 'DP-XRP' },
    runs: { type: 'string', default: '1' },
  },
  strict: true,
});
const discs = Number(flags.discs);
const timeScale = Number(flags['time-scale']);
const runs = Number(flags.runs);

/** The recorder's commands (adapters/recorder), run by hand: burn to a stdio: drive, then read back. */
async function referenceBurns(image: string, work: string): Promise<number> {
  const started = performance.now();
  for (let n = 0; n < discs; n++) {
    const target = path.join(work, `ref-${n}.img`);
    await runToolOrThrow('xorriso', ['-no_rc', '-as', 'cdrecord', '-v', `dev=stdio:${target}`, '-nopad', image], { timeoutMs: TOOL_TIMEOUT_MS });
    await runToolOrThrow('xorriso', ['-no_rc', '-md5', 'on', '-indev', `stdio:${target}`, '-check_media', 'event=FAILURE', '--'], { timeoutMs: TOOL_TIMEOUT_MS });
    await rm(target);
  }
  return performance.now() - started;
}

async function robotJob(image: string, work: string, run: number): Promise<{ ms: number; delivered: number; refills: number }> {
  const dataDir = path.join(work, `robot-${run}`);
  const started = performance.now();
  const summary = await runPublish({
    inputs: [image], robot: { kind: 'sim', model: flags.model }, copies: discs, timeScale, inject: [], dataDir, autoOperator: true, simLink: 'pty',
  });
  const ms = performance.now() - started;
  const job = summary.jobs[0]!;
  const verifiedOut = summary.simulator?.accounting.output.length ?? 0;
  if (summary.status !== 'delivered' || job.copiesDone !== discs || verifiedOut !== discs) {
    throw new Error(`the robot job did not deliver ${discs} discs: ${summary.status}, ${job.copiesDone} done, ${verifiedOut} in the output (${job.reason ?? ''})`);
  }
  await rm(dataDir, { recursive: true, force: true });
  return { ms, delivered: job.copiesDone, refills: summary.operatorActions.length };
}

async function main(): Promise<void> {
  if (!(discs >= 1) || !(timeScale >= 0) || !(runs >= 1)) throw new Error('--discs and --runs must be positive, --time-scale at least 0');
  await mkdir(CACHE_ROOT, { recursive: true });
  const series = await ensureCtSeries(CACHE_ROOT, { count: 20, rows: 256, cols: 256 });
  const work = await mkdtemp(path.join(CACHE_ROOT, 'robot-run-'));
  try {
    const machine = await describeMachine(work);
    const mastered = await master([series.dir], { outDir: path.join(work, 'image') });
    const disc = mastered.discs[0];
    if (mastered.status !== 'written' || !disc) throw new Error(`mastering the bench study failed: ${mastered.error ?? mastered.status}`);
    console.log(`image ${(disc.bytes / 1e6).toFixed(1)} MB (${disc.media}), label ${path.basename(disc.label)}; ${discs} discs on a simulated ${flags.model} at time scale ${timeScale}`);

    const reference: number[] = [];
    const ours: number[] = [];
    let refills = 0;
    for (let run = 0; run < runs; run++) {
      reference.push(await referenceBurns(disc.image, work));
      const job = await robotJob(disc.image, work, run);
      ours.push(job.ms);
      refills = job.refills;
    }
    const ref = median(reference);
    const job = median(ours);
    console.log('');
    for (const line of formatMachine(machine)) console.log(line);
    console.log('');
    for (const line of markdownTable(['', 'wall time', 'per disc', 'ratio', 'goal'], [
      [`xorriso burn + read-back × ${discs} (reference)`, `${seconds(ref)} s`, `${seconds(ref / discs)} s`, '1.00', '—'],
      [`discrobot publish, ${discs} discs, ${flags.model} × ${timeScale}`, `${seconds(job)} s`, `${seconds(job / discs)} s`, (job / ref).toFixed(2), `< 60 s: ${job < GOAL_MS ? 'met' : 'MISSED'}`],
    ])) console.log(line);
    console.log(`\nmedian of ${runs} run(s); the simulated operator refilled the input bin ${refills} time(s) per job`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
