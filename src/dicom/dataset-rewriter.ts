// Streaming re-encoder of a received data set (no preamble, no group 0002) into Explicit VR Little
// Endian, in one pass and constant memory. Explicit VR LE input is returned untouched but still walked,
// so truncation is caught and index values are collected. Implicit VR LE gets VRs from the dictionary;
// Explicit VR Big Endian gets its binary values byte-swapped. Values are never buffered whole: large
// ones go out as slices of the input (or swapped copies of them).
import { DatasetError } from './dataset-error.ts';
import { formatTag, isUsOrSs, vrOf } from './dictionary.ts';
import { TransferSyntax } from './uid.ts';
import { VR_OB, VR_OW, VR_SQ, VR_UN, hasLongLength, isKnownVr, swapUnit, vrCode, vrName } from './vr.ts';

export { DatasetError } from './dataset-error.ts';

export interface CollectedElement {
  vr: string;
  /** The value bytes as written to the output (Explicit VR Little Endian). */
  value: Buffer;
}

export interface DatasetRewriterOptions {
  transferSyntaxUid: string;
  /** Top-level tags whose values to keep in `collected`. */
  collectTags?: ReadonlySet<number>;
  /** Values (or sequences) longer than this are not collected. */
  maxCollectBytes?: number;
}

type Syntax = 'implicitLE' | 'explicitLE' | 'explicitBE';

const UNDEFINED_LENGTH = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;
const BITS_ALLOCATED = 0x00280100;
const PIXEL_REPRESENTATION = 0x00280103;
/** Top-level values the rewriter itself needs, collected whether asked for or not. */
const OWN_NEEDS: ReadonlySet<number> = new Set([BITS_ALLOCATED, PIXEL_REPRESENTATION]);
const VR_US = vrCode('US');
const VR_SS = vrCode('SS');

const STAGE_SIZE = 16 * 1024;
/** Value slices below this are copied next to the headers instead of being handed out alone. */
const SMALL_SLICE = 512;

/** An open sequence or item. */
interface Frame {
  kind: 'sequence' | 'item';
  /** The sequence's tag (for an item: the tag of its sequence), for messages. */
  tag: number;
  offset: number;
  /** Input offset where a defined-length value ends, or -1 for undefined length. */
  end: number;
  /** The nearest end of an enclosing defined-length value (Infinity if none). */
  limit: number;
  /** Encoding of its content in the input. */
  syntax: Syntax;
  /** Content is copied exactly as received (Explicit VR LE input, or a UN sequence's implicit content). */
  verbatim: boolean;
  /** A collected top-level sequence: collection stops when it closes. */
  collected: boolean;
}

/** Accumulates the output bytes of one collected element, dropping them past the size cap. */
class Collector {
  parts: Buffer[] = [];
  size = 0;
  overflow = false;
  constructor(
    readonly tag: number,
    readonly vr: number,
    readonly max: number,
    readonly keep: boolean,
  ) {}

  add(b: Buffer): void {
    if (this.overflow) return;
    this.size += b.length;
    if (this.size > this.max) {
      this.overflow = true;
      this.parts = [];
    } else {
      this.parts.push(b);
    }
  }
}

function syntaxOf(transferSyntaxUid: string): Syntax {
  switch (transferSyntaxUid) {
    case TransferSyntax.ImplicitVRLittleEndian:
      return 'implicitLE';
    case TransferSyntax.ExplicitVRLittleEndian:
      return 'explicitLE';
    case TransferSyntax.ExplicitVRBigEndian:
      return 'explicitBE';
    default:
      throw new Error(`DatasetRewriter: unsupported transfer syntax ${transferSyntaxUid}`);
  }
}

export class DatasetRewriter {
  readonly collected = new Map<number, CollectedElement>();
  bytesIn = 0;
  bytesOut = 0;

  private readonly syntax: Syntax;
  /** Explicit VR LE input: the output is the input. */
  private readonly passthrough: boolean;
  private readonly collectTags: ReadonlySet<number>;
  private readonly maxCollectBytes: number;
  private readonly transferSyntaxUid: string;

  private readonly stack: Frame[] = [];
  /** Input offset of the next unread byte. */
  private pos = 0;
  private ended = false;
  /** The last data element seen (at any depth), for errors where the next tag is unreadable. */
  private lastTag: number | null = null;
  private lastTagOffset = 0;

  // Element header being gathered across chunks.
  private readonly scratch = Buffer.alloc(12);
  private scratchLen = 0;
  private headerOffset = 0;

  // Value being streamed.
  private inValue = false;
  private valueRemaining = 0;
  private valueLength = 0;
  private valueTag = 0;
  private valueUnit = 1;
  private readonly carry = Buffer.alloc(8);
  private carryLen = 0;
  private valueCollector: Collector | null = null;

  /** Receives every output byte while a collected element or sequence is being written. */
  private tap: Collector | null = null;

  // Output of the current push: headers and small values go into `stage`, large slices go out alone.
  private parts: Buffer[] = [];
  private stage: Buffer = Buffer.alloc(0);
  private stageStart = 0;
  private stagePos = 0;

  private bitsAllocated: number | undefined;
  private pixelRepresentation: number | undefined;

  constructor(opts: DatasetRewriterOptions) {
    this.transferSyntaxUid = opts.transferSyntaxUid;
    this.syntax = syntaxOf(opts.transferSyntaxUid);
    this.passthrough = this.syntax === 'explicitLE';
    this.collectTags = opts.collectTags ?? new Set();
    this.maxCollectBytes = opts.maxCollectBytes ?? 64 * 1024;
  }

  push(chunk: Buffer): Buffer[] {
    if (this.ended) throw new Error('DatasetRewriter: push() after end()');
    this.bytesIn += chunk.length;
    let off = 0;
    while (off < chunk.length) {
      if (this.inValue) {
        const n = Math.min(this.valueRemaining, chunk.length - off);
        this.valueBytes(chunk, off, off + n);
        off += n;
        this.pos += n;
        this.valueRemaining -= n;
        if (this.valueRemaining === 0) this.finishValue();
      } else {
        off = this.header(chunk, off);
      }
    }
    if (this.passthrough && chunk.length > 0) this.parts.push(chunk);
    return this.takeOutput();
  }

  end(): Buffer[] {
    if (this.ended) throw new Error('DatasetRewriter: end() called twice');
    this.ended = true;
    if (this.inValue) {
      throw new DatasetError(this.valueTag, this.headerOffset, `value length ${this.valueLength} runs past the end of the data set`);
    }
    if (this.scratchLen > 0) {
      if (this.scratchLen >= 4) {
        throw new DatasetError(this.readTag(this.scratch, 0, this.contextSyntax()), this.headerOffset, 'the data set ends inside the element header');
      }
      const where = `the data set ends ${this.scratchLen} byte(s) into the header at offset ${this.headerOffset}`;
      if (this.lastTag === null) throw new DatasetError(null, this.headerOffset, where);
      throw new DatasetError(this.lastTag, this.lastTagOffset, `${where}, which follows this element`);
    }
    this.closeFinishedFrames();
    const open = this.stack[this.stack.length - 1];
    if (open) {
      const what = open.kind === 'sequence' ? 'sequence' : 'an item of this sequence';
      const reason = open.end < 0
        ? 'has undefined length and no delimitation item before the end of the data set'
        : `has a defined length that runs past the end of the data set`;
      throw new DatasetError(open.tag, open.kind === 'sequence' ? open.offset : this.sequenceOffset(), `${what} ${reason}`);
    }
    return this.takeOutput();
  }

  // ---- headers ---------------------------------------------------------------------------------

  /** Reads (or continues gathering) one header at `off`; returns the new offset in `chunk`. */
  private header(chunk: Buffer, off: number): number {
    if (this.scratchLen === 0) this.closeFinishedFrames();
    const syntax = this.contextSyntax();
    const avail = chunk.length - off;
    let buf: Buffer;
    let at: number;
    let size: number;
    if (this.scratchLen === 0 && avail >= 12) {
      buf = chunk;
      at = off;
      this.headerOffset = this.pos;
      size = this.headerSize(chunk, off, syntax);
      off += size;
    } else {
      if (this.scratchLen === 0) this.headerOffset = this.pos;
      const first = Math.min(8 - this.scratchLen, avail);
      if (first > 0) {
        chunk.copy(this.scratch, this.scratchLen, off, off + first);
        this.scratchLen += first;
        off += first;
        this.pos += first;
      }
      if (this.scratchLen < 8) return off;
      size = this.headerSize(this.scratch, 0, syntax);
      const more = Math.min(size - this.scratchLen, chunk.length - off);
      if (more > 0) {
        chunk.copy(this.scratch, this.scratchLen, off, off + more);
        this.scratchLen += more;
        off += more;
        this.pos += more;
      }
      if (this.scratchLen < size) return off;
      buf = this.scratch;
      at = 0;
      this.pos -= size; // counted again below, as for a header read in one piece
      this.scratchLen = 0;
    }
    this.pos += size;
    this.element(buf, at, size, syntax);
    return off;
  }

  private headerSize(buf: Buffer, at: number, syntax: Syntax): number {
    if (syntax === 'implicitLE') return 8;
    const group = syntax === 'explicitBE' ? buf.readUInt16BE(at) : buf.readUInt16LE(at);
    if (group === 0xfffe) return 8; // items and delimiters carry no VR
    const vr = (buf[at + 4]! << 8) | buf[at + 5]!;
    if (!isKnownVr(vr)) {
      const shown = /^[A-Z]{2}$/.test(vrName(vr)) ? `'${vrName(vr)}'` : `0x${vr.toString(16).padStart(4, '0')}`;
      throw new DatasetError(this.readTag(buf, at, syntax), this.headerOffset, `unknown VR ${shown} (lost sync with the encoding?)`);
    }
    return hasLongLength(vr) ? 12 : 8;
  }

  private readTag(buf: Buffer, at: number, syntax: Syntax): number {
    return syntax === 'explicitBE'
      ? ((buf.readUInt16BE(at) << 16) | buf.readUInt16BE(at + 2)) >>> 0
      : ((buf.readUInt16LE(at) << 16) | buf.readUInt16LE(at + 2)) >>> 0;
  }

  /** Handles a complete header of `size` bytes at buf[at]; `this.pos` is already past it. */
  private element(buf: Buffer, at: number, size: number, syntax: Syntax): void {
    const be = syntax === 'explicitBE';
    const tag = this.readTag(buf, at, syntax);
    const offset = this.headerOffset;
    const top = this.stack[this.stack.length - 1];
    const verbatim = top ? top.verbatim : this.passthrough;
    const limit = top ? top.limit : Infinity;
    if (this.pos > limit) {
      throw new DatasetError(tag, offset, `header runs past the end of the enclosing ${top!.kind} ${formatTag(top!.tag)}`);
    }

    if (tag >>> 16 === 0xfffe) {
      const length = be ? buf.readUInt32BE(at + 4) : buf.readUInt32LE(at + 4);
      this.itemOrDelimiter(tag, length, buf, at, size, verbatim, top, offset);
      return;
    }
    if (top && top.kind === 'sequence') {
      throw new DatasetError(tag, offset, `expected an item in sequence ${formatTag(top.tag)}, found a data element`);
    }
    if (!top && tag >>> 16 === 0x0002) {
      throw new DatasetError(tag, offset, 'group 0002 (File Meta Information) must not appear in the data set');
    }
    this.lastTag = tag;
    this.lastTagOffset = offset;

    let vr: number;
    let length: number;
    if (syntax === 'implicitLE') {
      length = buf.readUInt32LE(at + 4);
      const known = vrOf(tag);
      vr = known === undefined ? VR_UN : vrCode(known);
      if (vr === VR_US && this.pixelRepresentation === 1 && isUsOrSs(tag)) vr = VR_SS;
    } else {
      vr = (buf[at + 4]! << 8) | buf[at + 5]!;
      if (size === 12) length = be ? buf.readUInt32BE(at + 8) : buf.readUInt32LE(at + 8);
      else length = be ? buf.readUInt16BE(at + 6) : buf.readUInt16LE(at + 6);
    }

    if (length === UNDEFINED_LENGTH) {
      if (tag === PIXEL_DATA) {
        throw new DatasetError(tag, offset, `encapsulated (undefined-length) pixel data cannot occur in transfer syntax ${this.transferSyntaxUid}`);
      }
      if (vr === VR_SQ || (vr === VR_UN && syntax === 'implicitLE')) {
        // An unknown element of undefined length in Implicit VR can only be a sequence.
        this.openSequence(tag, VR_SQ, length, buf, at, size, offset, syntax, verbatim, limit);
      } else if (vr === VR_UN) {
        // PS3.5 6.2.2: a UN of undefined length holds a sequence encoded in Implicit VR LE; kept as is.
        this.openSequence(tag, VR_UN, length, buf, at, size, offset, 'implicitLE', true, limit);
      } else {
        throw new DatasetError(tag, offset, `undefined length is not allowed for VR ${vrName(vr)}`);
      }
      return;
    }
    if (this.pos + length > limit) {
      throw new DatasetError(tag, offset, `value length ${length} runs past the end of the enclosing ${top!.kind} ${formatTag(top!.tag)}`);
    }
    // Inside a UN sequence's implicit content nothing is interpreted: only undefined lengths need walking.
    if (vr === VR_SQ && !(verbatim && syntax === 'implicitLE')) {
      this.openSequence(tag, VR_SQ, length, buf, at, size, offset, syntax, verbatim, limit);
      return;
    }

    if (verbatim) {
      this.emitRaw(buf, at, size);
    } else {
      // A 16-bit length cannot hold a long Implicit VR value: PS3.5 6.2.2 allows UN for it.
      if (!hasLongLength(vr) && length > 0xffff) vr = VR_UN;
      this.emitElementHeader(tag, vr, length);
    }
    this.startValue(tag, vr, length, be && !verbatim);
  }

  private itemOrDelimiter(tag: number, length: number, buf: Buffer, at: number, size: number, verbatim: boolean, top: Frame | undefined, offset: number): void {
    if (tag === ITEM) {
      if (!top || top.kind !== 'sequence') {
        throw new DatasetError(tag, offset, `item outside a sequence${top ? ` (in an item of ${formatTag(top.tag)})` : ''}`);
      }
      if (length !== UNDEFINED_LENGTH && this.pos + length > top.limit) {
        throw new DatasetError(tag, offset, `item length ${length} runs past the end of sequence ${formatTag(top.tag)}`);
      }
      if (verbatim) this.emitRaw(buf, at, size);
      else this.emitItemHeader(ITEM, length === 0 ? 0 : UNDEFINED_LENGTH);
      if (length === 0) return;
      const end = length === UNDEFINED_LENGTH ? -1 : this.pos + length;
      this.stack.push({ kind: 'item', tag: top.tag, offset, end, limit: end < 0 ? top.limit : end, syntax: top.syntax, verbatim, collected: false });
      return;
    }
    if (length !== 0) {
      throw new DatasetError(tag, offset, `delimitation item with length ${length} (must be 0)`);
    }
    if (tag === ITEM_DELIMITATION && top && top.kind === 'item' && top.end < 0) {
      this.stack.pop();
      if (verbatim) this.emitRaw(buf, at, size);
      else this.emitItemHeader(ITEM_DELIMITATION, 0);
      return;
    }
    if (tag === SEQUENCE_DELIMITATION && top && top.kind === 'sequence' && top.end < 0) {
      this.stack.pop();
      this.stopSequenceCollection(top);
      if (verbatim) this.emitRaw(buf, at, size);
      else this.emitItemHeader(SEQUENCE_DELIMITATION, 0);
      return;
    }
    const where = top ? `${top.kind} ${formatTag(top.tag)}${top.end >= 0 ? ' (defined length)' : ''}` : 'the top-level data set';
    throw new DatasetError(tag, offset, `unexpected ${tag === ITEM_DELIMITATION ? 'item delimitation' : tag === SEQUENCE_DELIMITATION ? 'sequence delimitation' : 'item-group tag'} in ${where}`);
  }

  private openSequence(tag: number, vr: number, length: number, buf: Buffer, at: number, size: number, offset: number, syntax: Syntax, verbatim: boolean, limit: number): void {
    if (verbatim) this.emitRaw(buf, at, size);
    else this.emitElementHeader(tag, vr, length === 0 ? 0 : UNDEFINED_LENGTH);
    const atTop = this.stack.length === 0;
    const collected = atTop && this.collectTags.has(tag);
    if (collected) this.tap = new Collector(tag, vr, this.maxCollectBytes, true);
    const end = length === UNDEFINED_LENGTH ? -1 : this.pos + length;
    const frame: Frame = { kind: 'sequence', tag, offset, end, limit: end < 0 ? limit : end, syntax, verbatim, collected };
    if (length === 0) this.stopSequenceCollection(frame);
    else this.stack.push(frame);
  }

  private stopSequenceCollection(frame: Frame): void {
    if (!frame.collected || !this.tap) return;
    this.store(this.tap);
    this.tap = null;
  }

  /** Pops the defined-length sequences and items that end here; re-encoded ones get delimiters. */
  private closeFinishedFrames(): void {
    for (let top = this.stack[this.stack.length - 1]; top && top.end === this.pos; top = this.stack[this.stack.length - 1]) {
      this.stack.pop();
      if (top.kind === 'sequence') this.stopSequenceCollection(top);
      if (!top.verbatim) this.emitItemHeader(top.kind === 'item' ? ITEM_DELIMITATION : SEQUENCE_DELIMITATION, 0);
    }
  }

  /** Offset of the innermost open sequence: errors about its items name the sequence and its place. */
  private sequenceOffset(): number {
    for (let i = this.stack.length - 1; i >= 0; i--) if (this.stack[i]!.kind === 'sequence') return this.stack[i]!.offset;
    return 0;
  }

  private contextSyntax(): Syntax {
    const top = this.stack[this.stack.length - 1];
    return top ? top.syntax : this.syntax;
  }

  // ---- values ----------------------------------------------------------------------------------

  private startValue(tag: number, vr: number, length: number, swap: boolean): void {
    this.valueTag = tag;
    this.valueLength = length;
    this.valueRemaining = length;
    this.carryLen = 0;
    this.valueUnit = swap ? this.swapUnitFor(tag, vr) : 1;
    this.valueCollector = null;
    if (this.stack.length === 0) {
      const keep = this.collectTags.has(tag);
      if (keep || OWN_NEEDS.has(tag)) {
        const max = keep ? this.maxCollectBytes : 64;
        if (length <= max) this.valueCollector = new Collector(tag, vr, max, keep);
      }
    }
    this.tap = this.valueCollector ?? this.tap;
    if (length === 0) this.finishValue();
    else this.inValue = true;
  }

  private swapUnitFor(tag: number, vr: number): number {
    // 32/64-bit pixels in OW (e.g. RT Dose) are 4/8-byte units, not 16-bit words.
    if (tag === PIXEL_DATA && this.stack.length === 0 && vr === VR_OW && (this.bitsAllocated === 32 || this.bitsAllocated === 64)) {
      return this.bitsAllocated / 8;
    }
    if (vr === VR_OB) return 1;
    return swapUnit(vr);
  }

  private valueBytes(chunk: Buffer, start: number, end: number): void {
    const unit = this.valueUnit;
    if (unit === 1) {
      this.emitSlice(chunk, start, end);
      return;
    }
    let i = start;
    if (this.carryLen > 0) {
      const take = Math.min(unit - this.carryLen, end - i);
      chunk.copy(this.carry, this.carryLen, i, i + take);
      this.carryLen += take;
      i += take;
      if (this.carryLen === unit) {
        this.emitSwapped(this.carry, 0, unit, unit);
        this.carryLen = 0;
      }
    }
    const aligned = end - i - ((end - i) % unit);
    if (aligned > 0) {
      this.emitSwapped(chunk, i, i + aligned, unit);
      i += aligned;
    }
    if (i < end) {
      chunk.copy(this.carry, 0, i, end);
      this.carryLen = end - i;
    }
  }

  private finishValue(): void {
    this.inValue = false;
    // A length that is not a multiple of the unit (malformed): the odd tail goes out as it came.
    if (this.carryLen > 0) {
      this.emitSlice(Buffer.from(this.carry.subarray(0, this.carryLen)), 0, this.carryLen);
      this.carryLen = 0;
    }
    const c = this.valueCollector;
    if (!c) return;
    this.valueCollector = null;
    this.tap = null;
    if (c.overflow) return;
    const value = c.parts.length === 1 ? Buffer.from(c.parts[0]!) : Buffer.concat(c.parts);
    if (c.tag === BITS_ALLOCATED && value.length >= 2) this.bitsAllocated = value.readUInt16LE(0);
    if (c.tag === PIXEL_REPRESENTATION && value.length >= 2) this.pixelRepresentation = value.readUInt16LE(0);
    if (c.keep) this.collected.set(c.tag, { vr: vrName(c.vr), value });
  }

  private store(c: Collector): void {
    if (c.overflow || !c.keep) return;
    this.collected.set(c.tag, { vr: vrName(c.vr), value: Buffer.concat(c.parts) });
  }

  // ---- output ----------------------------------------------------------------------------------

  private takeOutput(): Buffer[] {
    this.flushStage();
    const out = this.parts;
    this.parts = [];
    for (const b of out) this.bytesOut += b.length;
    return out;
  }

  private flushStage(): void {
    if (this.stagePos > this.stageStart) {
      this.parts.push(this.stage.subarray(this.stageStart, this.stagePos));
      this.stageStart = this.stagePos;
    }
  }

  /** Returns the stage offset of `n` fresh bytes; staged bytes are never overwritten once written. */
  private reserve(n: number): number {
    if (this.stage.length - this.stagePos < n) {
      this.flushStage();
      this.stage = Buffer.allocUnsafe(Math.max(STAGE_SIZE, n));
      this.stageStart = 0;
      this.stagePos = 0;
    }
    const p = this.stagePos;
    this.stagePos += n;
    return p;
  }

  private emitElementHeader(tag: number, vr: number, length: number): void {
    const long = hasLongLength(vr);
    const size = long ? 12 : 8;
    const p = this.reserve(size);
    const s = this.stage;
    s.writeUInt16LE(tag >>> 16, p);
    s.writeUInt16LE(tag & 0xffff, p + 2);
    s[p + 4] = vr >> 8;
    s[p + 5] = vr & 0xff;
    if (long) {
      s.writeUInt16LE(0, p + 6);
      s.writeUInt32LE(length, p + 8);
    } else {
      s.writeUInt16LE(length, p + 6);
    }
    this.tap?.add(s.subarray(p, p + size));
  }

  private emitItemHeader(tag: number, length: number): void {
    const p = this.reserve(8);
    const s = this.stage;
    s.writeUInt16LE(tag >>> 16, p);
    s.writeUInt16LE(tag & 0xffff, p + 2);
    s.writeUInt32LE(length, p + 4);
    this.tap?.add(s.subarray(p, p + 8));
  }

  /** A header copied as received (verbatim content); `buf` may be the reused scratch buffer. */
  private emitRaw(buf: Buffer, at: number, size: number): void {
    if (this.passthrough) {
      if (this.tap) this.tap.add(buf === this.scratch ? Buffer.from(buf.subarray(at, at + size)) : buf.subarray(at, at + size));
      return;
    }
    const p = this.reserve(size);
    buf.copy(this.stage, p, at, at + size);
    this.tap?.add(this.stage.subarray(p, p + size));
  }

  private emitSlice(src: Buffer, start: number, end: number): void {
    if (end <= start) return;
    if (this.passthrough) {
      this.tap?.add(src.subarray(start, end));
      return;
    }
    if (end - start < SMALL_SLICE) {
      const p = this.reserve(end - start);
      src.copy(this.stage, p, start, end);
      this.tap?.add(this.stage.subarray(p, p + end - start));
      return;
    }
    this.flushStage();
    const slice = src.subarray(start, end);
    this.parts.push(slice);
    this.tap?.add(slice);
  }

  private emitSwapped(src: Buffer, start: number, end: number, unit: number): void {
    const n = end - start;
    let out: Buffer;
    if (n < SMALL_SLICE) {
      const p = this.reserve(n);
      out = this.stage.subarray(p, p + n);
      src.copy(out, 0, start, end);
    } else {
      this.flushStage();
      out = Buffer.allocUnsafe(n);
      src.copy(out, 0, start, end);
      this.parts.push(out);
    }
    if (unit === 2) out.swap16();
    else if (unit === 4) out.swap32();
    else out.swap64();
    this.tap?.add(out);
  }
}
