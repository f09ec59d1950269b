// `npm run bench:media`: how fast discrobot makes a disc compared with the reference tools, on one
// CT series of 10,000 images (512x512, Explicit VR LE, about 5 GB), generated once into .bench/.
//
// 1. DICOMDIR: discrobot reads the 10,000 files' headers and builds and writes the DICOMDIR
//    (in-process: dicom-file-reader + buildDicomdir, the code `master` runs), against DCMTK's
//    `dcmmkdir -Pgp +r` on a laid-out tree of the same files (hard links, File IDs as discrobot
//    assigns them). Target: at most 1.0 x dcmmkdir.
// 2. Image: a whole `discrobot master` run (a process of its own: read, DICOMDIR, README/INDEX,
//    label, ISO image with MD5 tags) against plain xorriso with the same image options on the
//    already laid-out tree. Target: at most 1.1 x xorriso.
//
// Each measurement runs several times, interleaved with its reference (the image runs alternate
// which goes first), each after `sync` and a wait for idle CPUs; medians are reported. This VM's
// disk writes vary by 10-20 % from run to run, hence five image runs. The targets are printed,
// never enforced; a failing tool or a wrong result fails the run (exit 1).
// Options: --runs N (image runs, 5), --dicomdir-runs N (3; dcmmkdir needs minutes for 10,000
// files), --count N (10000), --rows N (512), --cols N (512).
import { link, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readDicomFile } from '../adapters/media/dicom-file-reader.ts';
import { xorrisoArguments } from '../adapters/media/xorriso.ts';
import { buildDicomdir } from '../src/media/dicomdir/build.ts';
import { assignFileIds } from '../src/media/fileset.ts';
import { screenInstances, type MasterInstance } from '../src/media/instance-source.ts';
import { sampleCpuBusy } from './cpu-load.ts';
import { ensureCtSeries } from './dataset-cache.ts';
import { describeMachine, formatMachine } from './machine-info.ts';
import { runTool, runToolOrThrow } from './processes.ts';
import { markdownTable, median, seconds, targetCell } from './report.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_ROOT = path.join(REPO_ROOT, '.bench');
const TARGET_DICOMDIR_RATIO = 1.0;
const TARGET_IMAGE_RATIO = 1.1;
const READ_CONCURRENCY = 8;
const TOOL_TIMEOUT_MS = 30 * 60_000;
/** Before each timed step, wait up to this long for other processes to leave the CPUs mostly idle. */
const QUIET_WAIT_MS = 20_000;
const QUIET_BUSY_FRACTION = 0.2;

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'dicomdir-runs': { type: 'string', default: '3' },
    count: { type: 'string', default: '10000' },
    rows: { type: 'string', default: '512' },
    cols: { type: 'string', default: '512' },
  },
});
const runs = Number(flags.runs);
const dicomdirRuns = Number(flags['dicomdir-runs']);
const params = { count: Number(flags.count), rows: Number(flags.rows), cols: Number(flags.cols) };

/** What `master` does up to the DICOMDIR: read every header, screen, build, write. */
async function discrobotDicomdir(files: readonly string[], out: string, scratch: string): Promise<{ ms: number; buildMs: number; records: number }> {
  const started = performance.now();
  const instances: MasterInstance[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const n = next++;
      const r = await readDicomFile(files[n]!, { convertedPath: path.join(scratch, `${n}.dcm`) });
      if (r.kind !== 'instance') throw new Error(`${files[n]}: ${r.kind === 'problem' ? r.problem : r.kind}`);
      instances[n] = r.instance;
    }
  };
  await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
  const { accepted, problems } = screenInstances(instances);
  if (problems.length > 0) throw new Error(`screening refused ${problems.length} files: ${problems[0]!.problem}`);
  const buildStarted = performance.now();
  const result = buildDicomdir({
    fileSetId: 'BENCH',
    profile: 'STD-GEN-CD',
    instances: assignFileIds(accepted).map((p) => ({ fileId: p.fileId, transferSyntaxUid: p.item.transferSyntaxUid, elements: p.item.elements })),
  });
  const buildMs = performance.now() - buildStarted;
  await writeFile(out, result.bytes);
  return { ms: performance.now() - started, buildMs, records: result.recordCount };
}

/** Flushes earlier writes (the last image) to disk, then waits for idle CPUs; returns the CPU sample. */
async function settle(): Promise<number> {
  await runToolOrThrow('sync', [], { timeoutMs: TOOL_TIMEOUT_MS });
  return waitForQuietCpu();
}

/** Samples CPU use until it is below QUIET_BUSY_FRACTION or QUIET_WAIT_MS passed; returns the last sample. */
async function waitForQuietCpu(): Promise<number> {
  const deadline = Date.now() + QUIET_WAIT_MS;
  let busy = await sampleCpuBusy(1000);
  while (busy > QUIET_BUSY_FRACTION && Date.now() < deadline) busy = await sampleCpuBusy(1000);
  return busy;
}

async function main(): Promise<void> {
  if (!(runs >= 1) || !(dicomdirRuns >= 1) || !(params.count >= 1)) throw new Error('--runs, --dicomdir-runs and --count must be positive numbers');
  await mkdir(CACHE_ROOT, { recursive: true });
  const series = await ensureCtSeries(CACHE_ROOT, params);
  const work = await mkdtemp(path.join(CACHE_ROOT, 'media-run-'));
  try {
    const machine = await describeMachine(work);
    const xorrisoVersion = /xorriso (\S+)/.exec((await runToolOrThrow('xorriso', ['-version'], { timeoutMs: 10_000 })).stdout)?.[1] ?? 'unknown';
    const files = series.sopInstanceUids.map((uid) => path.join(series.dir, `${uid}.dcm`));
    console.log(`${files.length} CT images ${params.rows}x${params.cols}, ${(series.totalBytes / 1e9).toFixed(2)} GB in ${series.dir}${series.generatedNow ? ' (generated now)' : ''}`);

    // The laid-out tree: the same files under the File IDs discrobot gives them (hard links, no copy).
    const tree = path.join(work, 'tree');
    const scratch = path.join(work, 'scratch');
    await mkdir(scratch);
    const probe = path.join(work, 'DICOMDIR.layout');
    await discrobotDicomdir(files, probe, scratch); // also warms the page cache for every header
    const layoutInstances: MasterInstance[] = [];
    for (const [n, file] of files.entries()) {
      const r = await readDicomFile(file, { convertedPath: path.join(scratch, `${n}.dcm`) });
      if (r.kind === 'instance') layoutInstances.push(r.instance);
    }
    for (const p of assignFileIds(screenInstances(layoutInstances).accepted)) {
      const target = path.join(tree, ...p.fileId);
      await mkdir(path.dirname(target), { recursive: true });
      await link(p.item.sourcePath, target);
    }

    // Both sides read the same 5 GB: have all of it in the page cache before anything is timed.
    for (const file of files) await readFile(file);

    // 1. DICOMDIR
    const ours: number[] = [];
    const builds: number[] = [];
    const dcmtk: number[] = [];
    let records = 0;
    const busy: number[] = [];
    for (let run = 0; run < dicomdirRuns; run++) {
      busy.push(await settle());
      const r = await discrobotDicomdir(files, path.join(work, 'DICOMDIR.ours'), scratch);
      ours.push(r.ms);
      builds.push(r.buildMs);
      records = r.records;
      const out = path.join(work, 'DICOMDIR.dcmtk');
      await rm(out, { force: true });
      busy.push(await settle());
      const d = await runToolOrThrow('dcmmkdir', ['-Pgp', '+r', '--fileset-id', 'BENCH', '+D', out, 'DICOM'], { cwd: tree, timeoutMs: TOOL_TIMEOUT_MS });
      if (/^E:/m.test(d.stdout + d.stderr)) throw new Error(`dcmmkdir reported errors:\n${(d.stdout + d.stderr).slice(0, 2000)}`);
      dcmtk.push(d.wallMs);
    }
    if (records !== files.length + 3) throw new Error(`DICOMDIR has ${records} records, expected ${files.length + 3}`);

    // 2. Image: the tree gets the generated root files; plain xorriso maps the whole tree.
    await link(path.join(work, 'DICOMDIR.ours'), path.join(tree, 'DICOMDIR'));
    await writeFile(path.join(tree, 'README.TXT'), 'README\r\n'.repeat(60));
    await writeFile(path.join(tree, 'INDEX.HTM'), '<html><body>index</body></html>\n'.repeat(60));
    const command = [path.join(REPO_ROOT, 'bin/discrobot.js'), 'master'];
    const plain: number[] = [];
    const whole: number[] = [];
    let imageBytes = 0;
    let media = '';
    const runPlain = async (): Promise<void> => {
      const plainIso = path.join(work, 'plain.iso');
      const args = xorrisoArguments({ outPath: plainIso, volumeId: 'BENCH', applicationId: 'DISCROBOT BENCH', entries: [], pathListFile: '/dev/null' });
      // the same options as discrobot's, with the tree instead of a path list
      const treeArgs = [...args.slice(0, args.indexOf('-graft-points')), tree];
      busy.push(await settle());
      const x = await runToolOrThrow('xorriso', treeArgs, { timeoutMs: TOOL_TIMEOUT_MS });
      plain.push(x.wallMs);
      await rm(plainIso, { force: true });
    };
    const runMaster = async (run: number): Promise<void> => {
      const out = path.join(work, `out-${run}`);
      busy.push(await settle());
      const m = await runTool(process.execPath, [...command, series.dir, '--out', out, '--fileset-id', 'BENCH'], { timeoutMs: TOOL_TIMEOUT_MS });
      if (m.code !== 0) throw new Error(`discrobot master failed (exit ${m.code}):\n${m.stderr.slice(0, 2000)}`);
      const summary = JSON.parse(m.stdout) as { discs: { image: string; instances: number; media: string; bytes: number }[] };
      const disc = summary.discs[0];
      if (summary.discs.length !== 1 || disc?.instances !== files.length) throw new Error(`master made ${summary.discs.length} disc(s) with ${disc?.instances} instances`);
      imageBytes = (await stat(disc.image)).size;
      media = disc.media;
      whole.push(m.wallMs);
      await rm(out, { recursive: true, force: true });
    };
    for (let run = 0; run < runs; run++) {
      if (run % 2 === 0) {
        await runPlain();
        await runMaster(run);
      } else {
        await runMaster(run);
        await runPlain();
      }
    }

    const dicomdirRatio = median(ours) / median(dcmtk);
    const imageRatio = median(whole) / median(plain);
    console.log('');
    console.log(`## Media (${files.length} instances, ${(series.totalBytes / 1e9).toFixed(2)} GB; medians of ${dicomdirRuns} DICOMDIR and ${runs} image runs)`);
    console.log('');
    for (const line of markdownTable(['measurement', 'discrobot', 'reference', 'ratio', 'target'], [
      ['DICOMDIR: read headers, build, write', `${seconds(median(ours))} s (build alone ${seconds(median(builds))} s)`, `dcmmkdir -Pgp +r: ${seconds(median(dcmtk))} s`, `${dicomdirRatio.toFixed(2)} x`,
        targetCell({ text: `<= ${TARGET_DICOMDIR_RATIO.toFixed(1)} x`, met: dicomdirRatio <= TARGET_DICOMDIR_RATIO })],
      [`Image: whole \`discrobot master\` (${media}, ${(imageBytes / 1e9).toFixed(2)} GB)`, `${seconds(median(whole))} s`, `xorriso on the laid-out tree: ${seconds(median(plain))} s`, `${imageRatio.toFixed(2)} x`,
        targetCell({ text: `<= ${TARGET_IMAGE_RATIO.toFixed(1)} x`, met: imageRatio <= TARGET_IMAGE_RATIO })],
    ])) console.log(line);
    console.log('');
    console.log(`other processes' CPU use before the timed steps: median ${(median(busy) * 100).toFixed(0)} %, highest ${(Math.max(...busy) * 100).toFixed(0)} %`);
    console.log(`runs: discrobot DICOMDIR ${ours.map(seconds).join(', ')} s; dcmmkdir ${dcmtk.map(seconds).join(', ')} s; master ${whole.map(seconds).join(', ')} s; xorriso ${plain.map(seconds).join(', ')} s`);
    console.log('');
    for (const line of [...formatMachine(machine), `xorriso      ${xorrisoVersion}`]) console.log(line);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
