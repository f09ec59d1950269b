// Explicit VR Little Endian at the byte level, for the DICOMDIR: element sizes and writing, and a
// small reader for the sequences and items the directory copies from instances or checks in a file.
// Positions are absolute indexes into the buffer given, so the checker gets file offsets directly.
import { hasLongLength, vrCode } from '../../dicom/vr.ts';

export const ITEM = 0xfffee000;
export const ITEM_DELIMITATION = 0xfffee00d;
export const SEQUENCE_DELIMITATION = 0xfffee0dd;
const UNDEFINED_LENGTH = 0xffffffff;

export interface DataElement {
  tag: number;
  vr: string;
}

/** An element as read: where its encoding lies (header to delimiter), and its value. */
export interface ParsedElement extends DataElement {
  /** First byte of the element's header. */
  start: number;
  /** One past its last byte (past the sequence delimiter for undefined lengths). */
  end: number;
  /** The value; for a sequence, its items without the sequence delimiter. */
  value: Buffer;
}

export interface ParsedItem {
  /** Position of the item tag (FFFE,E000). */
  start: number;
  end: number;
  /** The whole item, header to delimiter. */
  raw: Buffer;
  elements: ParsedElement[];
}

export class ParseError extends Error {
  constructor(
    readonly position: number,
    message: string,
  ) {
    super(`at byte ${position}: ${message}`);
    this.name = 'ParseError';
  }
}

export function headerSize(vr: string): number {
  return hasLongLength(vrCode(vr)) ? 12 : 8;
}

export function encodedSize(vr: string, valueLength: number): number {
  return headerSize(vr) + valueLength;
}

/**
 * A value to write: bytes as they are, or an ASCII string the writer pads to even length (NUL for
 * UI, space otherwise). Strings save a buffer per value for the many values the writer makes itself.
 */
export type ElementValue = Buffer | string;

export function valueLength(value: ElementValue): number {
  return typeof value === 'string' ? value.length + (value.length & 1) : value.length;
}

/** Writes one element with a defined length at `pos`; returns the position after it. */
export function writeElement(buf: Buffer, pos: number, tag: number, vr: string, value: ElementValue): number {
  const length = valueLength(value);
  pos = writeHeader(buf, pos, tag, vr, length);
  if (typeof value === 'string') return writeAscii(buf, pos, value, vr === 'UI' ? 0x00 : 0x20);
  buf.set(value, pos);
  return pos + length;
}

function writeHeader(buf: Buffer, pos: number, tag: number, vr: string, length: number): number {
  buf.writeUInt16LE(tag >>> 16, pos);
  buf.writeUInt16LE(tag & 0xffff, pos + 2);
  const code = vrCode(vr);
  buf[pos + 4] = code >> 8;
  buf[pos + 5] = code & 0xff;
  if (hasLongLength(code)) {
    buf.writeUInt16LE(0, pos + 6);
    buf.writeUInt32LE(length, pos + 8);
    return pos + 12;
  }
  buf.writeUInt16LE(length, pos + 6);
  return pos + 8;
}

/** Short ASCII values byte by byte: cheaper than Buffer.write's call into C++ for a few bytes. */
function writeAscii(buf: Buffer, pos: number, text: string, pad: number): number {
  const n = text.length;
  for (let i = 0; i < n; i++) buf[pos + i] = text.charCodeAt(i);
  if (n & 1) {
    buf[pos + n] = pad;
    return pos + n + 1;
  }
  return pos + n;
}

/** Elements (in the order given) encoded one after another. */
export function encodeElements(elements: readonly { tag: number; vr: string; value: ElementValue }[]): Buffer {
  let size = 0;
  for (const e of elements) size += encodedSize(e.vr, valueLength(e.value));
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const e of elements) pos = writeElement(out, pos, e.tag, e.vr, e.value);
  return out;
}

/** Writes a UL or US value in place of an element (the links the encoder fills in). */
export function writeNumberElement(buf: Buffer, pos: number, tag: number, vr: 'UL' | 'US', n: number): number {
  buf.writeUInt16LE(tag >>> 16, pos);
  buf.writeUInt16LE(tag & 0xffff, pos + 2);
  buf[pos + 4] = 0x55; // 'U'
  buf[pos + 5] = vr === 'UL' ? 0x4c : 0x53; // 'L' or 'S'
  if (vr === 'UL') {
    buf.writeUInt16LE(4, pos + 6);
    buf.writeUInt32LE(n, pos + 8);
    return pos + 12;
  }
  buf.writeUInt16LE(2, pos + 6);
  buf.writeUInt16LE(n, pos + 8);
  return pos + 10;
}

/** Writes an item or delimiter header. */
export function writeItemHeader(buf: Buffer, pos: number, tag: number, length: number): number {
  buf.writeUInt16LE(tag >>> 16, pos);
  buf.writeUInt16LE(tag & 0xffff, pos + 2);
  buf.writeUInt32LE(length, pos + 4);
  return pos + 8;
}

/** Element encodings (already sorted) wrapped into one item of explicit length. */
export function encodeItem(elements: readonly { tag: number; vr: string; value: ElementValue }[]): Buffer {
  const size = elements.reduce((n, e) => n + encodedSize(e.vr, valueLength(e.value)), 0);
  const out = Buffer.alloc(8 + size);
  let pos = writeItemHeader(out, 0, ITEM, size);
  for (const e of elements) pos = writeElement(out, pos, e.tag, e.vr, e.value);
  return out;
}

function readTag(buf: Buffer, pos: number): number {
  return ((buf.readUInt16LE(pos) << 16) | buf.readUInt16LE(pos + 2)) >>> 0;
}

/**
 * Reads the elements between `start` and `end`. Inside an undefined-length item (`inItem`) it stops
 * after the item delimiter and reports where. `implicit` reads Implicit VR LE (the content of a UN
 * sequence of undefined length, PS3.5 6.2.2), where every element reads as UN unless it is a sequence.
 */
export function readElements(buf: Buffer, start: number, end: number, options: { inItem?: boolean; implicit?: boolean } = {}): { elements: ParsedElement[]; end: number } {
  const elements: ParsedElement[] = [];
  let pos = start;
  while (pos < end) {
    if (pos + 8 > end) throw new ParseError(pos, 'element header runs past the end');
    const tag = readTag(buf, pos);
    if (tag === ITEM_DELIMITATION) {
      if (!options.inItem) throw new ParseError(pos, 'item delimiter outside an item of undefined length');
      return { elements, end: pos + 8 };
    }
    if (tag >>> 16 === 0xfffe) throw new ParseError(pos, `unexpected item-group tag ${tag.toString(16)} among elements`);
    let vr: string;
    let length: number;
    let hdr: number;
    if (options.implicit) {
      vr = 'UN';
      length = buf.readUInt32LE(pos + 4);
      hdr = 8;
    } else {
      vr = buf.toString('latin1', pos + 4, pos + 6);
      if (!/^[A-Z]{2}$/.test(vr)) throw new ParseError(pos, `invalid VR bytes for element ${tag.toString(16)}`);
      hdr = headerSize(vr);
      if (pos + hdr > end) throw new ParseError(pos, 'element header runs past the end');
      length = hdr === 12 ? buf.readUInt32LE(pos + 8) : buf.readUInt16LE(pos + 6);
    }
    const valueStart = pos + hdr;
    if (length === UNDEFINED_LENGTH) {
      if (vr !== 'SQ' && vr !== 'UN') throw new ParseError(pos, `undefined length for VR ${vr}`);
      const implicit = options.implicit === true || vr === 'UN';
      const seq = readItems(buf, valueStart, end, { undefinedLength: true, implicit });
      const elementEnd = seq.end;
      elements.push({ tag, vr: options.implicit ? 'SQ' : vr, start: pos, end: elementEnd, value: buf.subarray(valueStart, elementEnd - 8) });
      pos = elementEnd;
      continue;
    }
    const valueEnd = valueStart + length;
    if (valueEnd > end) throw new ParseError(pos, `value of ${tag.toString(16)} (length ${length}) runs past the end`);
    elements.push({ tag, vr, start: pos, end: valueEnd, value: buf.subarray(valueStart, valueEnd) });
    pos = valueEnd;
  }
  if (options.inItem) throw new ParseError(pos, 'item of undefined length has no delimiter');
  return { elements, end: pos };
}

/**
 * Reads the items of a sequence value from `start`: up to `end` for a defined length, or up to and
 * including the sequence delimiter when `undefinedLength` (then `end` is only a bound).
 */
export function readItems(buf: Buffer, start: number, end: number, options: { undefinedLength?: boolean; implicit?: boolean } = {}): { items: ParsedItem[]; end: number } {
  const items: ParsedItem[] = [];
  let pos = start;
  while (pos < end) {
    if (pos + 8 > end) throw new ParseError(pos, 'item header runs past the end');
    const tag = readTag(buf, pos);
    const length = buf.readUInt32LE(pos + 4);
    if (tag === SEQUENCE_DELIMITATION) {
      // A collected value may keep the delimiter of its undefined-length sequence at its very end.
      if (!options.undefinedLength && pos + 8 !== end) throw new ParseError(pos, 'sequence delimiter in a sequence of defined length');
      return { items, end: pos + 8 };
    }
    if (tag !== ITEM) throw new ParseError(pos, `expected an item tag, found ${tag.toString(16)}`);
    const itemStart = pos;
    let itemEnd: number;
    let elements: ParsedElement[];
    if (length === UNDEFINED_LENGTH) {
      const read = readElements(buf, pos + 8, end, { inItem: true, implicit: options.implicit });
      elements = read.elements;
      itemEnd = read.end;
    } else {
      itemEnd = pos + 8 + length;
      if (itemEnd > end) throw new ParseError(pos, `item length ${length} runs past the end`);
      elements = readElements(buf, pos + 8, itemEnd, { implicit: options.implicit }).elements;
    }
    items.push({ start: itemStart, end: itemEnd, raw: buf.subarray(itemStart, itemEnd), elements });
    pos = itemEnd;
  }
  if (options.undefinedLength) throw new ParseError(pos, 'sequence of undefined length has no delimiter');
  return { items, end: pos };
}

/** The items of an SQ value as collected from an instance (items only, no delimiter). */
export function sequenceItems(value: Buffer): ParsedItem[] {
  return readItems(value, 0, value.length).items;
}
