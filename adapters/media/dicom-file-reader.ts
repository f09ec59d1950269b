// Reads a PS3.10 file for mastering: its File Meta Information and the top-level elements a
// DICOMDIR needs (INDEX_TAGS), without reading the pixel data. An Explicit VR Little Endian file
// goes on the disc as it is; the walk stops at the first top-level element past the last index
// tag (normally Pixel Data) and only the header in front of it goes through the DatasetRewriter,
// which collects the values exactly as the store does. Implicit VR LE and Explicit VR BE files are
// re-encoded into an Explicit VR LE copy (the store's conversion), since STD-GEN discs take nothing
// else; compressed files are refused with the reason.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import fs from 'node:fs/promises';
import { DatasetError, DatasetRewriter } from '../../src/dicom/dataset-rewriter.ts';
import { hasLongLength, vrCode } from '../../src/dicom/vr.ts';
import { formatTag } from '../../src/dicom/dictionary.ts';
import { encodeFileMeta } from '../../src/dicom/file-meta.ts';
import { INDEX_TAGS } from '../../src/dicom/index-keys.ts';
import { decodeUid } from '../../src/dicom/text.ts';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, MEDIA_STORAGE_DIRECTORY_STORAGE, TransferSyntax } from '../../src/dicom/uid.ts';
import type { MasterInstance } from '../../src/media/instance-source.ts';

export type FileReadResult =
  | { kind: 'instance'; instance: MasterInstance }
  /** A DICOMDIR (Media Storage Directory): not an instance; each disc gets its own. */
  | { kind: 'directory'; file: string }
  | { kind: 'problem'; file: string; problem: string };

export interface ReadOptions {
  /** Where the Explicit VR LE copy of a file in another syntax is written (only then). */
  convertedPath: string;
}

const PREAMBLE_AND_PREFIX = 132;
const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;
const LAST_INDEX_TAG = Math.max(...INDEX_TAGS);
const WINDOW_BYTES = 16 * 1024;
const FEED_BYTES = 256 * 1024;
const MAX_META_VALUE = 1024;

/** Names of the transfer syntaxes a refusal is most likely to name. */
const SYNTAX_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

class FileProblem extends Error {}

/**
 * A random-access view of an open file that reads in windows, so small headers cost one read. The
 * reads are synchronous: a header is a few kB, normally in the page cache, and four thread-pool
 * round trips per file (open, stat, read, close) cost more than the reading itself.
 */
class FileWindow {
  private buf = Buffer.alloc(0);
  private start = 0;

  constructor(private readonly fd: number, readonly size: number) {}

  async at(pos: number, length: number, what: string): Promise<Buffer> {
    if (pos >= this.start && pos + length <= this.start + this.buf.length) {
      return this.buf.subarray(pos - this.start, pos - this.start + length);
    }
    if (pos + length > this.size) throw new FileProblem(`the file is truncated: ${what} at byte ${pos} runs past its end (${this.size} bytes)`);
    const want = Math.min(Math.max(length, WINDOW_BYTES), this.size - pos);
    const buf = Buffer.allocUnsafe(want);
    const bytesRead = readSync(this.fd, buf, 0, want, pos);
    if (bytesRead < length) throw new FileProblem(`the file is truncated: ${what} at byte ${pos} runs past its end`);
    this.buf = buf.subarray(0, bytesRead);
    this.start = pos;
    return this.buf.subarray(0, length);
  }
}

interface FileMetaValues {
  sopClassUid?: string;
  sopInstanceUid?: string;
  transferSyntaxUid?: string;
  /** Offset of the data set. */
  datasetStart: number;
}

export async function readDicomFile(file: string, options: ReadOptions): Promise<FileReadResult> {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const { size } = fstatSync(fd);
    const win = new FileWindow(fd, size);
    if (size < PREAMBLE_AND_PREFIX || (await win.at(128, 4, 'prefix')).toString('latin1') !== 'DICM') {
      return { kind: 'problem', file, problem: 'not a DICOM file: no "DICM" prefix after a 128-byte preamble (PS3.10)' };
    }
    const meta = await readFileMeta(win);
    if (meta.sopClassUid === MEDIA_STORAGE_DIRECTORY_STORAGE) return { kind: 'directory', file };
    const ts = meta.transferSyntaxUid;
    if (!ts) return { kind: 'problem', file, problem: 'the file meta information has no Transfer Syntax UID (0002,0010)' };
    const base = { inputPath: file, mediaStorageSopClassUid: meta.sopClassUid, mediaStorageSopInstanceUid: meta.sopInstanceUid };
    if (ts === TransferSyntax.ExplicitVRLittleEndian) {
      const elements = await headerElements(win, meta.datasetStart);
      return { kind: 'instance', instance: { ...base, sourcePath: file, bytes: size, transferSyntaxUid: ts, elements } };
    }
    if (ts === TransferSyntax.ImplicitVRLittleEndian || ts === TransferSyntax.ExplicitVRBigEndian) {
      closeSync(fd);
      fd = undefined;
      return { kind: 'instance', instance: { ...base, ...(await convert(file, meta, ts, options.convertedPath)) } };
    }
    const name = SYNTAX_NAMES[ts];
    return {
      kind: 'problem',
      file,
      problem: `transfer syntax ${ts}${name ? ` (${name})` : ''} is compressed or not one discrobot converts; ` +
        'STD-GEN discs take uncompressed Explicit VR Little Endian only: decompress the file first (e.g. DCMTK dcmdjpeg, dcmdrle or dcmconv)',
    };
  } catch (err) {
    if (err instanceof FileProblem) return { kind: 'problem', file, problem: err.message };
    if (err instanceof DatasetError) return { kind: 'problem', file, problem: `malformed data set: ${err.message}` };
    if (err instanceof RangeError && /file meta/.test(err.message)) return { kind: 'problem', file, problem: err.message };
    const code = (err as NodeJS.ErrnoException).code;
    if (code) return { kind: 'problem', file, problem: `unreadable: ${(err as Error).message}` };
    throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Group 0002, always Explicit VR LE, up to the first element of another group. */
async function readFileMeta(win: FileWindow): Promise<FileMetaValues> {
  let pos = PREAMBLE_AND_PREFIX;
  const out: FileMetaValues = { datasetStart: pos };
  while (pos + 8 <= win.size) {
    const h = await win.at(pos, 8, 'file meta element');
    if (h.readUInt16LE(0) !== 0x0002) break;
    const element = h.readUInt16LE(2);
    const vr = h.toString('latin1', 4, 6);
    let headerLength = 8;
    let length = h.readUInt16LE(6);
    if (hasLongLength(vrCode(vr))) {
      length = (await win.at(pos, 12, 'file meta element')).readUInt32LE(8);
      headerLength = 12;
    } else if (!/^[A-Z]{2}$/.test(vr)) {
      throw new FileProblem(`the file meta information is not Explicit VR (element (0002,${element.toString(16).padStart(4, '0')}) at byte ${pos})`);
    }
    if (length === UNDEFINED || length > MAX_META_VALUE && element !== 0x0001) {
      throw new FileProblem(`the file meta information element (0002,${element.toString(16).padStart(4, '0')}) has an implausible length ${length}`);
    }
    const value = await win.at(pos + headerLength, length, 'file meta value');
    if (element === 0x0002) out.sopClassUid = decodeUid(value);
    else if (element === 0x0003) out.sopInstanceUid = decodeUid(value);
    else if (element === 0x0010) out.transferSyntaxUid = decodeUid(value);
    pos += headerLength + length;
  }
  out.datasetStart = pos;
  return out;
}

/** Explicit VR LE element header at pos: tag, VR, header and value length. */
async function explicitHeader(win: FileWindow, pos: number): Promise<{ tag: number; vr: string; headerLength: number; length: number }> {
  const h = await win.at(pos, 8, 'element header');
  const tag = ((h.readUInt16LE(0) << 16) | h.readUInt16LE(2)) >>> 0;
  if (tag >>> 16 === 0xfffe) return { tag, vr: '', headerLength: 8, length: h.readUInt32LE(4) };
  const vr = h.toString('latin1', 4, 6);
  if (!/^[A-Z]{2}$/.test(vr)) throw new FileProblem(`malformed data set: element ${formatTag(tag)} at byte ${pos} has no valid VR (not Explicit VR?)`);
  if (hasLongLength(vrCode(vr))) return { tag, vr, headerLength: 12, length: (await win.at(pos, 12, 'element header')).readUInt32LE(8) };
  return { tag, vr, headerLength: 8, length: h.readUInt16LE(6) };
}

async function implicitHeader(win: FileWindow, pos: number): Promise<{ tag: number; vr: string; headerLength: number; length: number }> {
  const h = await win.at(pos, 8, 'element header');
  return { tag: ((h.readUInt16LE(0) << 16) | h.readUInt16LE(2)) >>> 0, vr: '', headerLength: 8, length: h.readUInt32LE(4) };
}

/** Skips an undefined-length sequence's items from `pos` (its first item); returns the end of its delimiter. */
async function skipSequence(win: FileWindow, pos: number, implicit: boolean): Promise<number> {
  for (;;) {
    const h = await win.at(pos, 8, 'item header');
    const tag = ((h.readUInt16LE(0) << 16) | h.readUInt16LE(2)) >>> 0;
    const length = h.readUInt32LE(4);
    if (tag === SEQUENCE_DELIMITATION) return pos + 8;
    if (tag !== ITEM) throw new FileProblem(`malformed data set: expected an item or sequence delimiter at byte ${pos}, found ${formatTag(tag)}`);
    pos += 8;
    if (length !== UNDEFINED) {
      pos += length;
      continue;
    }
    for (;;) {
      const e = implicit ? await implicitHeader(win, pos) : await explicitHeader(win, pos);
      if (e.tag === ITEM_DELIMITATION) {
        pos += 8;
        break;
      }
      if (e.length === UNDEFINED) pos = await skipSequence(win, pos + e.headerLength, implicit || e.vr === 'UN');
      else pos += e.headerLength + e.length;
      if (pos > win.size) throw new FileProblem(`the file is truncated: element ${formatTag(e.tag)} runs past its end`);
    }
  }
}

/** Offset of the first top-level element after the last index tag (or the end of the file). */
async function headerEnd(win: FileWindow, start: number): Promise<number> {
  let pos = start;
  while (pos < win.size) {
    const e = await explicitHeader(win, pos);
    if (e.tag > LAST_INDEX_TAG) {
      if (e.length !== UNDEFINED && pos + e.headerLength + e.length > win.size) {
        throw new FileProblem(`the file is truncated: element ${formatTag(e.tag)} at byte ${pos} has ${e.length} bytes, the file ends ${win.size - pos - e.headerLength} bytes after its header`);
      }
      return pos;
    }
    if (e.length === UNDEFINED) {
      if (e.vr !== 'SQ' && e.vr !== 'UN') throw new FileProblem(`malformed data set: element ${formatTag(e.tag)} (${e.vr}) has undefined length`);
      pos = await skipSequence(win, pos + e.headerLength, e.vr === 'UN');
    } else {
      pos += e.headerLength + e.length;
    }
    if (pos > win.size) throw new FileProblem(`the file is truncated: element ${formatTag(e.tag)} runs past its end`);
  }
  return pos;
}

/** The index elements of an Explicit VR LE file, collected by the store's own rewriter. */
async function headerElements(win: FileWindow, start: number): Promise<MasterInstance['elements']> {
  const end = await headerEnd(win, start);
  const rewriter = new DatasetRewriter({ transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian, collectTags: INDEX_TAGS });
  for (let pos = start; pos < end; pos += FEED_BYTES) {
    rewriter.push(await win.at(pos, Math.min(FEED_BYTES, end - pos), 'data set'));
  }
  rewriter.end();
  return rewriter.collected;
}

/** Re-encodes the data set into an Explicit VR LE PS3.10 file at `target`. */
async function convert(file: string, meta: FileMetaValues, ts: string, target: string): Promise<Omit<MasterInstance, 'inputPath'>> {
  if (!meta.sopClassUid || !meta.sopInstanceUid) {
    throw new FileProblem('the file meta information lacks the Media Storage SOP Class or Instance UID (0002,0002/0003)');
  }
  const header = encodeFileMeta({
    mediaStorageSopClassUid: meta.sopClassUid,
    mediaStorageSopInstanceUid: meta.sopInstanceUid,
    transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
    implementationClassUid: IMPLEMENTATION_CLASS_UID,
    implementationVersionName: IMPLEMENTATION_VERSION_NAME,
  });
  const rewriter = new DatasetRewriter({ transferSyntaxUid: ts, collectTags: INDEX_TAGS });
  const out = await fs.open(target, 'w');
  let bytes = 0;
  try {
    await out.write(header);
    bytes += header.length;
    const input = await fs.open(file, 'r');
    try {
      for await (const chunk of input.createReadStream({ start: meta.datasetStart, highWaterMark: 1024 * 1024, autoClose: false })) {
        const parts = rewriter.push(chunk as Buffer);
        if (parts.length > 0) bytes += (await out.writev(parts)).bytesWritten;
      }
    } finally {
      await input.close();
    }
    const tail = rewriter.end();
    if (tail.length > 0) bytes += (await out.writev(tail)).bytesWritten;
  } catch (err) {
    await out.close();
    await fs.rm(target, { force: true });
    throw err;
  }
  await out.close();
  return { sourcePath: target, bytes, transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian, convertedFrom: ts, elements: rewriter.collected };
}
