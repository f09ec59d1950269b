// The DICOMDIR's bytes: preamble and meta, the File-set Identification and Directory Information
// modules, and the records in pre-order (a record, then its subtree, then its next sibling) as items
// of explicit length, like DCMTK and pydicom. Sizes are known before writing, so every offset
// (from byte 0 of the file, preamble included, to the record's item tag) is written once, final.
import { ITEM, encodedSize, valueLength, writeElement, writeItemHeader, writeNumberElement } from './explicit-le.ts';
import type { DirectoryRecord } from './records.ts';

const FILE_SET_ID = 0x00041130;
const FIRST_ROOT_RECORD = 0x00041200;
const LAST_ROOT_RECORD = 0x00041202;
const CONSISTENCY_FLAG = 0x00041212;
const RECORD_SEQUENCE = 0x00041220;
const NEXT_RECORD = 0x00041400;
const IN_USE = 0x00041410;
const LOWER_LEVEL = 0x00041420;

/** Item header + (0004,1400) UL + (0004,1410) US + (0004,1420) UL. */
const RECORD_OVERHEAD = 8 + 12 + 10 + 12;

interface Placed {
  record: DirectoryRecord;
  size: number;
  position: number;
  next: number;
  firstChild: number;
}

/** Lays the records out in pre-order from `start`; returns them with positions and links. */
function place(roots: readonly DirectoryRecord[], start: number): Placed[] {
  const out: Placed[] = [];
  let position = start;
  const visit = (siblings: readonly DirectoryRecord[]): Placed[] => {
    const placed: Placed[] = [];
    for (const record of siblings) {
      const size = RECORD_OVERHEAD + record.body.length;
      const p: Placed = { record, size, position, next: 0, firstChild: 0 };
      position += size;
      out.push(p);
      placed.push(p);
      const children = visit(record.children);
      p.firstChild = children[0]?.position ?? 0;
    }
    for (let i = 0; i + 1 < placed.length; i++) placed[i]!.next = placed[i + 1]!.position;
    return placed;
  };
  visit(roots);
  return out;
}

export function encodeDicomdir(fileMeta: Buffer, fileSetId: string, roots: readonly DirectoryRecord[]): Buffer {
  const moduleSize = encodedSize('CS', valueLength(fileSetId)) + 12 + 12 + 10 + 12;
  const placed = place(roots, fileMeta.length + moduleSize);
  const sequenceLength = placed.reduce((n, p) => n + p.size, 0);
  const firstRoot = placed[0]?.position ?? 0;
  const rootSet = new Set(roots);
  const rootPlaced = placed.filter((p) => rootSet.has(p.record));
  const lastRoot = rootPlaced[rootPlaced.length - 1]?.position ?? 0;

  const out = Buffer.allocUnsafe(fileMeta.length + moduleSize + sequenceLength);
  fileMeta.copy(out, 0);
  let pos = fileMeta.length;
  pos = writeElement(out, pos, FILE_SET_ID, 'CS', fileSetId);
  pos = writeNumberElement(out, pos, FIRST_ROOT_RECORD, 'UL', firstRoot);
  pos = writeNumberElement(out, pos, LAST_ROOT_RECORD, 'UL', lastRoot);
  pos = writeNumberElement(out, pos, CONSISTENCY_FLAG, 'US', 0);
  // The sequence header alone: its value is the items written below.
  out.writeUInt16LE(RECORD_SEQUENCE >>> 16, pos);
  out.writeUInt16LE(RECORD_SEQUENCE & 0xffff, pos + 2);
  out.write('SQ', pos + 4, 2, 'latin1');
  out.writeUInt16LE(0, pos + 6);
  out.writeUInt32LE(sequenceLength, pos + 8);
  pos += 12;
  for (const p of placed) {
    if (pos !== p.position) throw new Error(`DICOMDIR layout: record written at ${pos}, placed at ${p.position}`);
    pos = writeItemHeader(out, pos, ITEM, p.size - 8);
    pos = writeNumberElement(out, pos, NEXT_RECORD, 'UL', p.next);
    pos = writeNumberElement(out, pos, IN_USE, 'US', 0xffff);
    pos = writeNumberElement(out, pos, LOWER_LEVEL, 'UL', p.firstChild);
    out.set(p.record.body, pos);
    pos += p.record.body.length;
  }
  return out;
}
