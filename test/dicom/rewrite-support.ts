// Shared by the src/dicom tests: fixture generation (pydicom), seeded chunking, running the
// rewriter, and the external oracles (pydicom comparison, dcmdump).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetRewriter } from '../../src/dicom/dataset-rewriter.ts';
import { encodeFileMeta } from '../../src/dicom/file-meta.ts';
import { TransferSyntax } from '../../src/dicom/uid.ts';
import { seededRng } from '../../simulator/rng.ts';

/** Debian's interpreter: the one with pydicom 2.3.1 and numpy (the pyenv python3 on PATH has neither). */
export const PYTHON = '/usr/bin/python3';
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export interface FixtureEntry {
  name: string;
  transferSyntaxUid: string;
  /** The PS3.10 file pydicom wrote (or pydicom's own test file). */
  file: string;
  /** The bare data set, as a C-STORE delivers it. */
  raw: string;
  /** pydicom decodes all of the original (values and pixels), so it can judge a rewritten copy. */
  pydicomReadable: boolean;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `discrobot-${prefix}-`));
}

function run(command: string, args: string[], input?: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(command, args, { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`${command} could not run: ${r.error.message}`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** Runs test/fixtures/make_datasets.py into `dir`; fails loudly if pydicom or numpy is missing. */
export function makeFixtures(dir: string): FixtureEntry[] {
  const r = run(PYTHON, [path.join(FIXTURES, 'make_datasets.py'), dir]);
  if (r.status !== 0) throw new Error(`make_datasets.py failed (needs Debian's python3-pydicom and python3-numpy):\n${r.stderr}`);
  return JSON.parse(r.stdout) as FixtureEntry[];
}

export interface Comparison {
  original: string;
  rewritten: string;
  elements?: number;
  differences: string[];
  meta?: {
    preamble_zero: boolean;
    dicm: boolean;
    group_length: number | null;
    group_length_actual: number | null;
    elements: Record<string, { vr: string; hex: string }>;
    pydicom: Record<string, string | boolean>;
  };
}

/** pydicom's verdict on each (original, rewritten) pair: test/fixtures/compare_datasets.py. */
export function compareWithPydicom(pairs: { original: string; rewritten: string; subset?: boolean }[]): Comparison[] {
  const r = run(PYTHON, [path.join(FIXTURES, 'compare_datasets.py')], JSON.stringify(pairs));
  if (r.status !== 0) throw new Error(`compare_datasets.py failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Comparison[];
}

export interface DcmdumpResult {
  status: number | null;
  errors: string[];
  warnings: string[];
  stdout: string;
}

/** DCMTK's dcmdump on a file: its E: and W: lines (with the file name taken out, for comparing). */
export function dcmdump(file: string, extraArgs: string[] = []): DcmdumpResult {
  const r = run('dcmdump', [...extraArgs, file]);
  const lines = r.stderr.split('\n').map((l) => l.split(file).join('<file>'));
  return {
    status: r.status,
    errors: lines.filter((l) => l.startsWith('E:')),
    warnings: lines.filter((l) => l.startsWith('W:')),
    stdout: r.stdout,
  };
}

/** mulberry32 (the simulator's): small, fast, and the same sequence on every machine for a seed. */
export const seededRandom = seededRng;

/** Cuts `data` into chunks of 1 byte to 20 KB; a third are tiny, to split headers in every way. */
export function randomChunks(data: Buffer, seed: number): Buffer[] {
  const random = seededRandom(seed);
  const chunks: Buffer[] = [];
  for (let off = 0; off < data.length; ) {
    const size = random() < 0.33 ? 1 + Math.floor(random() * 16) : 1 + Math.floor(random() * 20 * 1024);
    chunks.push(data.subarray(off, off + size));
    off += size;
  }
  return chunks;
}

export interface RewriteResult {
  output: Buffer;
  rewriter: DatasetRewriter;
  /** Every buffer push()/end() returned, in order. */
  pieces: Buffer[];
}

export function rewrite(chunks: Buffer[], transferSyntaxUid: string, collectTags?: ReadonlySet<number>, maxCollectBytes?: number): RewriteResult {
  const rewriter = new DatasetRewriter({ transferSyntaxUid, collectTags, maxCollectBytes });
  const pieces: Buffer[] = [];
  for (const chunk of chunks) pieces.push(...rewriter.push(chunk));
  pieces.push(...rewriter.end());
  return { output: Buffer.concat(pieces), rewriter, pieces };
}

/** A PS3.10 file around a data set, with our own File Meta Information encoder. */
export function part10(dataset: Buffer, sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string = TransferSyntax.ExplicitVRLittleEndian): Buffer {
  return Buffer.concat([
    encodeFileMeta({
      mediaStorageSopClassUid: sopClassUid,
      mediaStorageSopInstanceUid: sopInstanceUid,
      transferSyntaxUid,
      implementationClassUid: '1.2.826.0.1.3680043.8.498.1',
      implementationVersionName: 'DISCROBOT_TEST',
    }),
    dataset,
  ]);
}

export type SyntaxKey = 'ivrle' | 'evrle' | 'evrbe';
export const SYNTAX_UID: Record<SyntaxKey, string> = {
  ivrle: TransferSyntax.ImplicitVRLittleEndian,
  evrle: TransferSyntax.ExplicitVRLittleEndian,
  evrbe: TransferSyntax.ExplicitVRBigEndian,
};
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/**
 * One hand-made element header and value (PS3.5 7.1), for inputs pydicom will not write (broken
 * ones). `value` must already be in the syntax's byte order; `length` overrides the length field.
 */
export function encodeElement(syntax: SyntaxKey, tag: number, vr: string, value: Buffer, length = value.length): Buffer {
  const be = syntax === 'evrbe';
  const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); if (be) b.writeUInt16BE(n); else b.writeUInt16LE(n); return b; };
  const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); if (be) b.writeUInt32BE(n); else b.writeUInt32LE(n); return b; };
  const tagBytes = Buffer.concat([u16(tag >>> 16), u16(tag & 0xffff)]);
  if (syntax === 'ivrle' || tag >>> 16 === 0xfffe) return Buffer.concat([tagBytes, u32(length), value]);
  if (LONG_VRS.has(vr)) return Buffer.concat([tagBytes, Buffer.from(vr, 'latin1'), Buffer.alloc(2), u32(length), value]);
  return Buffer.concat([tagBytes, Buffer.from(vr, 'latin1'), u16(length), value]);
}

/** Item (FFFE,E000), Item Delimitation (FFFE,E00D) or Sequence Delimitation (FFFE,E0DD). */
export function encodeItemTag(syntax: SyntaxKey, tag: number, length: number, content: Buffer = Buffer.alloc(0)): Buffer {
  return encodeElement(syntax, tag, '', content, length);
}

export interface Boundary {
  tag: number | null;
  start: number;
}

/** Where pydicom's reader finds the top-level elements of a raw data set (test/fixtures/element_boundaries.py). */
export function elementBoundaries(raw: string, transferSyntaxUid: string): Boundary[] {
  const r = run(PYTHON, [path.join(FIXTURES, 'element_boundaries.py'), raw, transferSyntaxUid]);
  if (r.status !== 0) throw new Error(`element_boundaries.py failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Boundary[];
}

/** Splits a PS3.10 file into its transfer syntax and bare data set (group 0002 walked, not trusted). */
export function splitPart10(file: string): { transferSyntaxUid: string; dataset: Buffer } {
  const data = fs.readFileSync(file);
  if (data.toString('latin1', 128, 132) !== 'DICM') throw new Error(`${file}: no DICM prefix`);
  let pos = 132;
  let transferSyntaxUid = '';
  while (pos + 8 <= data.length && data.readUInt16LE(pos) === 0x0002) {
    const vr = data.toString('latin1', pos + 4, pos + 6);
    const long = LONG_VRS.has(vr);
    const length = long ? data.readUInt32LE(pos + 8) : data.readUInt16LE(pos + 6);
    const start = pos + (long ? 12 : 8);
    if (data.readUInt16LE(pos + 2) === 0x0010) transferSyntaxUid = data.toString('latin1', start, start + length).replace(/[\0 ]+$/, '');
    pos = start + length;
  }
  return { transferSyntaxUid, dataset: data.subarray(pos) };
}
