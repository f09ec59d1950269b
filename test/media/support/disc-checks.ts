// The checks every disc image of the tests must pass, with the real tools as oracles: isoinfo (ISO
// 9660 volume and names), osirrox (extraction), xorriso (MD5 tags), dciodvfy (DICOMDIR IOD),
// pydicom's FileSet (offsets, every instance loads), plus INDEX.HTM links and README.TXT content.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const PYTHON = '/usr/bin/python3';
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: readonly string[], options: { cwd?: string; stdin?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (options.stdin !== undefined) {
      child.stdin!.on('error', () => undefined); // a tool that exits early closes it; 'close' reports the outcome
      child.stdin!.end(options.stdin);
    }
  });
}

async function runOk(command: string, args: readonly string[], options: { cwd?: string; stdin?: string } = {}): Promise<string> {
  const r = await run(command, args, options);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.code}: ${r.stderr}`);
  return r.stdout;
}

export interface InputFile {
  file: string;
  kind: string;
  sopClassUid?: string;
  sopInstanceUid?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  patientId?: string;
  syntax?: string;
}

export interface SeriesSpec {
  modality: string;
  count: number;
  syntax?: 'evrle' | 'ivrle' | 'evrbe';
  rows?: number;
  cols?: number;
  number?: number;
  description?: string;
  gaps?: boolean;
}

export interface InputSpec {
  out: string;
  root: string;
  patient: { id: string; name: string; charset?: string; birth?: string; sex?: string };
  institution?: string;
  studies?: { date?: string; time?: string; id?: string; description?: string; accession?: string; series: SeriesSpec[] }[];
  extras?: ('sr' | 'private' | 'retired' | 'hanging-protocol')[];
  bad?: ('not-dicom' | 'no-preamble' | 'truncated' | 'no-patient-id' | 'other-patient' | 'compressed')[];
}

/** Generates DICOM inputs with pydicom (test/media/fixtures/make_disc_inputs.py). */
export async function makeInputs(spec: InputSpec): Promise<InputFile[]> {
  return JSON.parse(await runOk(PYTHON, [FIXTURES + 'make_disc_inputs.py'], { stdin: JSON.stringify(spec) })) as InputFile[];
}

export async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

/** Every file under dir, relative and "/"-separated. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else out.push(r);
    }
  };
  await walk('');
  return out.sort();
}

export async function extractImage(iso: string, dir: string): Promise<void> {
  await runOk('osirrox', ['-indev', iso, '-extract', '/', dir]);
  await runOk('chmod', ['-R', 'u+w', dir]); // osirrox restores read-only modes; let the test clean up
}

export interface PydicomView {
  fileSetId: string;
  fileSetUid: string;
  mediaStorageSopClassUid: string;
  transferSyntaxUid: string;
  consistencyFlag: number;
  count: number;
  indexXmlError: string | null;
  instances: {
    path: string;
    recordType: string;
    sopClassUid: string;
    sopInstanceUid: string;
    transferSyntaxUid: string;
    datasetSopInstanceUid: string;
    patientId: string;
    studyInstanceUid: string;
    seriesInstanceUid: string;
  }[];
}

export interface DiscExpectation {
  fileSetId: string;
  profile: string;
  discIndex: number;
  discCount: number;
  /** Root folder of the site content merged into the disc, if any. */
  siteFolder?: string;
  /** Names INDEX.HTM must show (patients' formatted names, IDs, study and series UIDs). */
  manifestNames: string[];
}

export interface CheckedDisc {
  root: string;
  pydicom: PydicomView;
  /** SOP Instance UID -> SHA-256 of its file on the image. */
  shaBySop: Map<string, string>;
  index: string;
  readme: string;
}

const LEVEL1_DIR = /^[A-Z0-9_]{1,8}$/;
const LEVEL1_FILE = /^[A-Z0-9_]{1,8}\.[A-Z0-9_]{0,3};1$/;

/** Runs every disc check on one image and returns what the tests compare further. */
export async function checkDisc(iso: string, workDir: string, expected: DiscExpectation): Promise<CheckedDisc> {
  // A. the ISO 9660 volume
  const info = await runOk('isoinfo', ['-d', '-i', iso]);
  expect(info).toMatch(new RegExp(`^Volume id: ${expected.fileSetId}$`, 'm'));
  expect(info).toMatch(/^Logical block size is: 2048$/m);
  expect(info).toMatch(/^Volume set size is: 1$/m);
  expect(info).toMatch(/^NO Joliet present$/m);
  expect(info).toMatch(/^NO Rock Ridge present$/m);
  const listing = (await runOk('isoinfo', ['-f', '-i', iso])).split('\n').filter((l) => l !== '');
  const rootEntries: string[] = [];
  for (const line of listing) {
    const parts = line.split('/').slice(1);
    expect(parts.length, line).toBeLessThanOrEqual(8);
    const last = parts[parts.length - 1]!;
    parts.slice(0, -1).forEach((d) => expect(d, line).toMatch(LEVEL1_DIR));
    expect(LEVEL1_DIR.test(last) || LEVEL1_FILE.test(last), `${line} is not an ISO 9660 Level 1 name`).toBe(true);
    if (parts.length === 1) rootEntries.push(last);
    // DICOM files: File IDs, no extension
    if (parts[0] === 'DICOM' && last.includes(';')) expect(last, line).toMatch(/^[A-Z0-9_]{1,8}\.;1$/);
  }
  const expectedRoot = ['DICOM', 'DICOMDIR.;1', 'INDEX.HTM;1', 'README.TXT;1', ...(expected.siteFolder ? [expected.siteFolder] : [])];
  expect(rootEntries.sort()).toEqual(expectedRoot.sort());
  const md5 = await run('xorriso', ['-no_rc', '-md5', 'on', '-indev', iso, '-check_media', 'what=image', '--']);
  expect(md5.stdout + md5.stderr).toMatch(/\+ md5_match/);
  expect(md5.stdout + md5.stderr).not.toMatch(/md5_mismatch/);

  // B. the DICOMDIR, by dciodvfy and pydicom
  const root = path.join(workDir, `extract-${expected.fileSetId}`);
  await extractImage(iso, root);
  const vfy = await run('dciodvfy', [path.join(root, 'DICOMDIR')]);
  const errors = (vfy.stdout + vfy.stderr).split('\n').filter((l) => l.startsWith('Error'));
  expect(errors, 'dciodvfy DICOMDIR').toEqual([]);
  const pydicom = JSON.parse(await runOk(PYTHON, [FIXTURES + 'check_disc.py', root])) as PydicomView;
  expect(pydicom.fileSetId).toBe(expected.fileSetId);
  expect(pydicom.mediaStorageSopClassUid).toBe('1.2.840.10008.1.3.10');
  expect(pydicom.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
  expect(pydicom.consistencyFlag).toBe(0);
  const files = await listFiles(root);
  const dicomFiles = files.filter((f) => f.startsWith('DICOM/'));
  expect(pydicom.count).toBe(dicomFiles.length);
  expect(pydicom.instances.map((i) => i.path).sort()).toEqual(dicomFiles);
  const shaBySop = new Map<string, string>();
  for (const i of pydicom.instances) {
    expect(i.transferSyntaxUid, i.path).toBe('1.2.840.10008.1.2.1');
    expect(i.datasetSopInstanceUid).toBe(i.sopInstanceUid);
    shaBySop.set(i.sopInstanceUid, await sha256(path.join(root, i.path)));
  }

  // D. PDI content
  const readme = await fs.readFile(path.join(root, 'README.TXT'), 'latin1');
  expect(readme).toMatch(/^[\x20-\x7e\r\n]*$/); // ASCII
  expect(readme).toMatch(/discrobot 0\.1\.0/);
  expect(readme).toContain(expected.profile);
  if (expected.discCount > 1) expect(readme).toContain(`disc ${expected.discIndex} of a set of ${expected.discCount}`);
  const index = await fs.readFile(path.join(root, 'INDEX.HTM'), 'utf8');
  expect(pydicom.indexXmlError, 'INDEX.HTM is well-formed XHTML').toBeNull();
  expect(index).toContain(`Disc ${expected.discIndex} of ${expected.discCount}`);
  expect(index).toContain(expected.profile);
  const onImage = new Map(files.map((f) => [f.toLowerCase(), f]));
  const links = [...index.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
  expect(links).toContain('readme.txt');
  for (const link of links) {
    expect(link, 'links are lower case (DRG 3.2.1.9)').toBe(link.toLowerCase());
    expect(onImage.has(decodeURI(link)), `INDEX.HTM link ${link} resolves on the image`).toBe(true);
  }
  for (const name of expected.manifestNames) expect(index, `INDEX.HTM names ${name}`).toContain(name);
  return { root, pydicom, shaBySop, index, readme };
}

/** SOP Instance UID -> SHA-256 of each input file. */
export async function inputShas(inputs: readonly InputFile[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const i of inputs) if (i.sopInstanceUid) out.set(i.sopInstanceUid, await sha256(i.file));
  return out;
}

/** pydicom's element-by-element comparison of originals and their converted copies (no differences expected). */
export async function compareDatasets(pairs: { original: string; rewritten: string }[]): Promise<{ original: string; differences: string[] }[]> {
  const out = await runOk(PYTHON, [fileURLToPath(new URL('../../fixtures/compare_datasets.py', import.meta.url))], { stdin: JSON.stringify(pairs) });
  return JSON.parse(out) as { original: string; differences: string[] }[];
}

const DISCROBOT = fileURLToPath(new URL('../../../bin/discrobot.js', import.meta.url));

/** `discrobot master ...` as a process of its own: exit status, the JSON summary (if any), stderr. */
export async function runMasterCli(args: readonly string[]): Promise<{ code: number | null; summary: unknown; stderr: string }> {
  const r = await run(process.execPath, [DISCROBOT, 'master', ...args]);
  let summary: unknown;
  try {
    summary = r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout);
  } catch {
    throw new Error(`master printed no JSON: ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, summary, stderr: r.stderr };
}
