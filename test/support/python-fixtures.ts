// Runs the pydicom fixture scripts of test/fixtures/ with Debian's Python (the one that has pydicom)
// and returns their JSON manifests: test inputs are made once per test file, into a temp folder.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Debian's interpreter: the `python3` on PATH may be another one, without pydicom. */
export const PYTHON = '/usr/bin/python3';
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Runs a script of test/fixtures/ and returns its standard output; rejects with its stderr on failure. */
export function runFixtureScript(script: string, args: string[], stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [FIXTURES + script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${script} exited with ${code}: ${stderr}`));
    });
    child.stdin.end(stdin ?? '');
  });
}

/** An object of make_datasets.py: its PS3.10 file and its data set alone, as a C-STORE carries it. */
export interface DatasetFixture {
  name: string;
  transferSyntaxUid: string;
  file: string;
  raw: string;
  /** False for pydicom test files that pydicom itself cannot read completely: no oracle for them. */
  pydicomReadable?: boolean;
}

export async function makeDatasets(outDir: string): Promise<DatasetFixture[]> {
  return JSON.parse(await runFixtureScript('make_datasets.py', [outDir])) as DatasetFixture[];
}

export interface ImageFixture {
  file: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
}

export interface ImageOptions {
  rows?: number;
  cols?: number;
  frames?: number;
  studies?: number;
  /** Series per study. */
  series?: number;
  /** UID root, ending in a dot; distinct roots give distinct objects. */
  root?: string;
}

/** `count` distinct 16-bit CT images (make_images.py), in Explicit VR LE. */
export async function makeImages(outDir: string, count: number, options: ImageOptions = {}): Promise<ImageFixture[]> {
  const args = [outDir, String(count)];
  for (const [key, value] of Object.entries(options)) if (value !== undefined) args.push(`--${key}`, String(value));
  return JSON.parse(await runFixtureScript('make_images.py', args)) as ImageFixture[];
}

export interface StructuredReportFixture {
  file: string;
  sopClassUid: string;
  sopInstanceUid: string;
}

/** A Basic Text SR and a Comprehensive SR (make_sr.py). */
export async function makeStructuredReports(outDir: string): Promise<StructuredReportFixture[]> {
  return JSON.parse(await runFixtureScript('make_sr.py', [outDir])) as StructuredReportFixture[];
}

export interface FileMetaFacts {
  preamble_zero: boolean;
  dicm: boolean;
  group_length: number | null;
  group_length_actual: number | null;
  elements: Record<string, { vr: string; hex: string }>;
  pydicom: {
    transfer_syntax: string;
    sop_class: string;
    sop_instance: string;
    implementation_class: string;
    implementation_version: string;
    source_ae: string;
    version: string;
    is_little_endian: boolean;
    is_implicit_vr: boolean;
  };
}

export interface Comparison {
  original: string;
  rewritten: string;
  /** How many elements pydicom compared (items included). */
  elements?: number;
  /** Every element whose decoded value differs; empty when the objects are the same. */
  differences: string[];
  meta?: FileMetaFacts;
}

/** pydicom's verdict (compare_datasets.py) on each stored file against the file that was sent. */
export async function compareDatasets(pairs: { original: string; rewritten: string }[]): Promise<Comparison[]> {
  return JSON.parse(await runFixtureScript('compare_datasets.py', [], JSON.stringify(pairs))) as Comparison[];
}
