// The benchmark's input objects, generated once by the Python generators (Debian's pydicom) and kept
// under .bench/ (gitignored). A cache entry's name holds the parameters and a hash of the generator's
// source, so changing either makes a new entry; entries of the same parameters made by an older
// generator, and interrupted generations, are removed.
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToolOrThrow } from './processes.ts';

/** Debian's interpreter: the `python3` on PATH may be another one, without pydicom. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const CT_GENERATOR = path.join(BENCH_DIR, 'generate_ct_series.py');
const MULTIFRAME_GENERATOR = path.join(BENCH_DIR, 'generate_multiframe.py');

export interface CtSeriesParams {
  count: number;
  rows: number;
  cols: number;
}

export interface CtSeries {
  dir: string;
  /** SOP Instance UIDs of the files, which are named <uid>.dcm. */
  sopInstanceUids: string[];
  totalBytes: number;
  generatedNow: boolean;
}

export interface MultiframeParams {
  frames: number;
  rows: number;
  cols: number;
}

export interface MultiframeObject {
  file: string;
  sopInstanceUid: string;
  bytes: number;
  pixelDataBytes: number;
  generatedNow: boolean;
}

/** The CT series for these parameters, generated into the cache if it is not there yet. */
export async function ensureCtSeries(cacheRoot: string, params: CtSeriesParams): Promise<CtSeries> {
  const kind = `ct-${params.count}x${params.rows}x${params.cols}-`;
  const key = `${kind}${await sourceHash(CT_GENERATOR)}`;
  const dir = path.join(cacheRoot, key);
  const generatedNow = !(await exists(dir));
  if (generatedNow) {
    await removeOtherEntries(cacheRoot, kind, key);
    const partial = `${dir}.partial-${process.pid}`;
    await mkdir(partial, { recursive: true });
    await runToolOrThrow(SYSTEM_PYTHON, [CT_GENERATOR, '--out', partial, '--count', String(params.count), '--rows', String(params.rows), '--cols', String(params.cols)], { timeoutMs: 10 * 60_000 });
    await rename(partial, dir);
  }
  const names = (await readdir(dir)).filter((n) => n.endsWith('.dcm')).sort();
  if (names.length !== params.count) throw new Error(`${dir} holds ${names.length} files, expected ${params.count}: delete it and run again`);
  let totalBytes = 0;
  for (const name of names) totalBytes += (await stat(path.join(dir, name))).size;
  return { dir, sopInstanceUids: names.map((n) => n.slice(0, -'.dcm'.length)), totalBytes, generatedNow };
}

/** The large multi-frame object for these parameters, generated (streaming) if it is not cached. */
export async function ensureMultiframe(cacheRoot: string, params: MultiframeParams): Promise<MultiframeObject> {
  const kind = `multiframe-${params.frames}x${params.rows}x${params.cols}-`;
  const key = `${kind}${await sourceHash(MULTIFRAME_GENERATOR)}`;
  const dir = path.join(cacheRoot, key);
  const file = path.join(dir, 'object.dcm');
  const generatedNow = !(await exists(dir));
  if (generatedNow) {
    await removeOtherEntries(cacheRoot, kind, key);
    const partial = `${dir}.partial-${process.pid}`;
    await mkdir(partial, { recursive: true });
    await runToolOrThrow(SYSTEM_PYTHON, [MULTIFRAME_GENERATOR, '--out', path.join(partial, 'object.dcm'), '--frames', String(params.frames), '--rows', String(params.rows), '--cols', String(params.cols)], { timeoutMs: 10 * 60_000 });
    await rename(partial, dir);
  }
  const pixelDataBytes = params.frames * params.rows * params.cols * 2;
  const bytes = (await stat(file)).size;
  if (bytes <= pixelDataBytes) throw new Error(`${file} is ${bytes} bytes, less than its pixel data: delete ${dir} and run again`);
  const sopInstanceUid = await readSopInstanceUid(file);
  return { file, sopInstanceUid, bytes, pixelDataBytes, generatedNow };
}

/** The Media Storage SOP Instance UID from the file meta header (the first few hundred bytes). */
async function readSopInstanceUid(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(1024);
    await handle.read(head, 0, head.length, 0);
    // (0002,0003) UI, explicit VR: tag 02 00 03 00, "UI", 16-bit length.
    const at = head.indexOf(Buffer.from([0x02, 0x00, 0x03, 0x00, 0x55, 0x49]));
    if (at < 0) throw new Error(`${file} has no Media Storage SOP Instance UID in its meta header`);
    const length = head.readUInt16LE(at + 6);
    return head.toString('latin1', at + 8, at + 8 + length).replace(/\0+$/, '');
  } finally {
    await handle.close();
  }
}

async function sourceHash(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex').slice(0, 10);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

/** Removes the other entries whose names start with prefix, so regenerating does not grow the cache. */
async function removeOtherEntries(cacheRoot: string, prefix: string, keep: string): Promise<void> {
  await mkdir(cacheRoot, { recursive: true });
  for (const name of await readdir(cacheRoot)) {
    if (name.startsWith(prefix) && name !== keep) await rm(path.join(cacheRoot, name), { recursive: true, force: true });
  }
}
