// Shared by the end-to-end robot tests (test/e2e/robot-*.test.ts, publish-cli.test.ts): one disc
// image mastered once from pydicom-made DICOM files (its label beside it, so discs get printed),
// and the checks every finished publish run must pass on the simulator's world: every disc
// accounted for, none left inside the unit, and every delivered disc reads back against the
// image's MD5 tags (so no disc counts as done without verifying).
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExpectStatic } from 'vitest';
import { master } from '../../adapters/media/master.ts';
import { checkMedium, VerifyError } from '../../adapters/recorder/md5-verify.ts';
import type { PublishSummary } from '../../src/publish/publish-run.ts';
import type { Accounting } from '../../simulator/world.ts';

/** Debian's interpreter: the `python3` on PATH may be another one, without pydicom. */
const PYTHON = '/usr/bin/python3';
const MAKE_INPUTS = fileURLToPath(new URL('../media/fixtures/make_disc_inputs.py', import.meta.url));

export interface TestImage {
  iso: string;
  label: string;
  bytes: number;
}

export function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A small study (one CT series) mastered into `<dir>/out`: a CD image and its label, side by side. */
export async function masterTestImage(dir: string): Promise<TestImage> {
  const spec = {
    out: path.join(dir, 'in'),
    root: '1.2.826.0.1.3680043.8.498.4404.',
    patient: { id: 'PAT4404', name: 'Roboter^Rita', charset: 'ISO_IR 100', birth: '19700101', sex: 'F' },
    institution: 'Robot Test Clinic',
    studies: [{ date: '20261201', time: '101500', id: 'S1', description: 'CT Head', accession: 'A4404',
      series: [{ modality: 'CT', count: 3, syntax: 'evrle', rows: 32, cols: 32, number: 1, description: 'Head' }] }],
  };
  await runPython(MAKE_INPUTS, JSON.stringify(spec));
  const summary = await master([spec.out], { outDir: path.join(dir, 'out'), media: 'cd', fileSetId: 'PAT4404', now: new Date('2026-12-02T08:00:00Z') });
  const disc = summary.discs[0];
  if (summary.status !== 'written' || summary.discs.length !== 1 || !disc) throw new Error(`mastering failed: ${JSON.stringify(summary)}`);
  if (path.join(path.dirname(disc.image), path.basename(disc.image, '.iso') + '.jpg') !== disc.label) {
    throw new Error(`the label ${disc.label} does not sit beside ${disc.image}: publish would not print`);
  }
  return { iso: disc.image, label: disc.label, bytes: disc.bytes };
}

function runPython(script: string, stdin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${script} exited with ${code}: ${stderr}`))));
    child.stdin.end(stdin);
  });
}

/** The simulator's folder in a data folder (simulator/server.ts: <data>/sim). */
export function simDirOf(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'sim');
}

/** null when the disc file reads back as the image (MD5 tags and whole-image MD5), else why not. */
export async function readBackProblem(discFile: string, image: TestImage): Promise<string | null> {
  try {
    await checkMedium({ device: `stdio:${discFile}`, imagePath: image.iso, imageBytes: image.bytes });
    return null;
  } catch (err) {
    if (err instanceof VerifyError) return err.detail;
    throw err;
  }
}

export interface AccountingExpectation {
  /** Discs the run must have left in the reject bin. */
  reject: number;
  /** Delivered discs must carry a label (true) or must not (false); undefined: not checked. */
  printed?: boolean;
}

/**
 * What every publish run on the simulator must leave behind: the snapshot accounts for every disc
 * (nothing appeared or vanished), each numbered disc lies in the output, the reject bin, a bin or
 * the operator's hands, none in a drive, the printer, the picker or the chassis; the output holds
 * exactly the delivered discs, as files in the output folder, each reading back as the image.
 */
export async function expectEveryDiscAccounted(expect: ExpectStatic, summary: PublishSummary, dataDir: string, image: TestImage, expected: AccountingExpectation): Promise<Accounting> {
  expect(summary.simulator, 'a simulator run reports its world').toBeDefined();
  const { accounting: acc, outputFolder } = summary.simulator!;
  expect(acc.total, 'discs in the unit and taken out = discs brought in').toBe(acc.expected);
  expect({ drives: acc.drives, printer: acc.printer, picker: acc.picker, chassis: acc.chassis }, 'no disc left inside the unit').toEqual({ drives: [], printer: [], picker: [], chassis: [] });
  const placed = [...acc.output, ...acc.reject, ...acc.input, ...acc.collected].sort();
  expect(placed, 'every numbered disc is in the output, the reject bin, a bin or collected').toEqual(acc.discs.map((d) => d.id).sort());
  expect(acc.total, 'blanks plus numbered discs').toBe(acc.blanksInBins + acc.discs.length);

  const delivered = summary.jobs.flatMap((job) => job.discs).filter((disc) => disc.outcome === 'delivered');
  expect(acc.output, 'the output holds exactly the delivered discs').toHaveLength(delivered.length);
  expect(acc.reject, 'discs in the reject bin').toHaveLength(expected.reject);

  const outputDiscs = acc.discs.filter((d) => acc.output.includes(d.id));
  const files = outputDiscs.map((d) => d.file);
  expect(files.every((f) => f !== null), 'every delivered disc was written').toBe(true);
  const simDir = simDirOf(dataDir);
  const absolute = files.map((f) => path.join(simDir, f!));
  expect(absolute.map((f) => path.dirname(f)), 'delivered disc files lie in the output folder').toEqual(absolute.map(() => outputFolder));
  expect((await fs.readdir(outputFolder).catch(() => [])).sort(), 'the output folder holds the delivered discs and nothing else').toEqual(absolute.map((f) => path.basename(f)).sort());
  if (expected.printed !== undefined) {
    expect(outputDiscs.map((d) => [d.id, d.printed]), `delivered discs are ${expected.printed ? '' : 'not '}printed`).toEqual(outputDiscs.map((d) => [d.id, expected.printed]));
  }
  for (const file of absolute) expect(await readBackProblem(file, image), `${path.basename(file)} reads back as the image`).toBeNull();
  return acc;
}
