// Test helpers for the DICOMDIR writer: reading fixture files into DirectoryInstances the way the
// store does (the DatasetRewriter collecting the index tags), running the oracles, and generating
// the study fixtures with Debian's pydicom.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DatasetRewriter } from '../../src/dicom/dataset-rewriter.ts';
import { INDEX_TAGS } from '../../src/dicom/index-keys.ts';
import type { DirectoryInstance } from '../../src/media/dicomdir/build.ts';
import { PYTHON, runFixtureScript } from '../support/python-fixtures.ts';

export interface StudyFixture {
  fileId: string[];
  path: string;
  sopClassUid: string;
  sopInstanceUid: string;
  /** The record type the standard gives the object. */
  recordType: string;
}

export type FixtureSet = 'complete' | 'gaps' | 'mixed' | 'private';

export async function makeStudies(root: string, set: FixtureSet): Promise<StudyFixture[]> {
  return JSON.parse(await runFixtureScript('make_study_records.py', [root, set])) as StudyFixture[];
}

/** A PS3.10 file as a DirectoryInstance: meta read by hand, the data set through the DatasetRewriter. */
export function readInstance(file: string, fileId: readonly string[]): DirectoryInstance {
  const bytes = readFileSync(file);
  if (bytes.toString('latin1', 128, 132) !== 'DICM') throw new Error(`${file}: no DICM prefix`);
  const metaEnd = 144 + bytes.readUInt32LE(140);
  let transferSyntaxUid = '';
  for (let pos = 144; pos < metaEnd; ) {
    const elem = bytes.readUInt16LE(pos + 2);
    const vr = bytes.toString('latin1', pos + 4, pos + 6);
    const long = vr === 'OB' || vr === 'UN' || vr === 'SQ' || vr === 'UT';
    const length = long ? bytes.readUInt32LE(pos + 8) : bytes.readUInt16LE(pos + 6);
    const valueStart = pos + (long ? 12 : 8);
    if (elem === 0x0010) transferSyntaxUid = bytes.toString('latin1', valueStart, valueStart + length).replace(/\0+$/, '').trim();
    pos = valueStart + length;
  }
  const rewriter = new DatasetRewriter({ transferSyntaxUid, collectTags: INDEX_TAGS, maxCollectBytes: 1 << 20 });
  rewriter.push(bytes.subarray(metaEnd));
  rewriter.end();
  return { fileId, transferSyntaxUid, elements: rewriter.collected };
}

export function readFixtures(fixtures: readonly StudyFixture[]): DirectoryInstance[] {
  return fixtures.map((f) => readInstance(f.path, f.fileId));
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

export function run(command: string, args: string[], options: { cwd?: string; input?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, output: stdout + stderr }));
    child.stdin.end(options.input ?? '');
  });
}

const RECORDS_SCRIPT = path.join(path.dirname(new URL(import.meta.url).pathname), 'dicomdir_records.py');

/** Every record of a DICOMDIR as pydicom reads it (see dicomdir_records.py). */
export interface PyRecord {
  offset: number;
  type: string;
  /** Referenced SOP Instance UID, or the Patient ID / Study UID / Series UID for the upper levels. */
  id: string;
  parent: string | null;
  elements: Record<string, { vr: string; raw?: string; items?: unknown; text?: string }>;
}

/** One pydicom run: FileSet of the first DICOMDIR, and the records of each. */
export async function pydicomReport(dicomdirs: readonly string[]): Promise<{ fileset: { count: number; files: string[]; errors: string[] }; records: PyRecord[][] }> {
  const r = await run(PYTHON, [RECORDS_SCRIPT, 'report', ...dicomdirs]);
  if (r.code !== 0) throw new Error(`dicomdir_records.py report: ${r.stderr}`);
  return JSON.parse(r.stdout) as { fileset: { count: number; files: string[]; errors: string[] }; records: PyRecord[][] };
}

/** pydicom's record type for each SOP class, by its own FileSet rules. */
export async function pydicomRecordTypes(uids: readonly string[]): Promise<Record<string, { recordType: string; retired: boolean; known: boolean }>> {
  const r = await run(PYTHON, [RECORDS_SCRIPT, 'types'], { input: JSON.stringify(uids) });
  if (r.code !== 0) throw new Error(`dicomdir_records.py types: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, { recordType: string; retired: boolean; known: boolean }>;
}
