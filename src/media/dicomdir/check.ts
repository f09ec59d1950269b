// discrobot's own DICOMDIR checker (reference §6 item 11 and the record rules of items 12-14): reads
// a DICOMDIR from its bytes, follows every offset, and reports what is wrong. It does not trust the
// writer: offsets must point at items of the record sequence, every record must be reached once, in
// the sequence's order, and each record must sit at its level with its required keys.
import { decodeText } from '../../dicom/text.ts';
import { MEDIA_STORAGE_DIRECTORY_STORAGE, TransferSyntax, isValidUid } from '../../dicom/uid.ts';
import { ROOT_RECORD_TYPES } from '../record-types.ts';
import { charsetName } from './charset.ts';
import { readElements, readItems, type ParsedElement } from './explicit-le.ts';
import { fileIdProblem } from './identifiers.ts';
import { formatTag, requiredKeys } from './record-keys.ts';
import { TEXT_VRS, isAscii, isEmptyValue, plainText } from './values.ts';

export interface CheckedRecord {
  /** Position of the record's item tag in the file. */
  offset: number;
  type: string;
  /** Every element but the three link/flag elements and the type, by tag ("GGGGEEEE"), as text. */
  keys: Record<string, string>;
}

export interface DicomdirCheck {
  errors: string[];
  /** In the order of the Directory Record Sequence. */
  records: CheckedRecord[];
}

const NEXT = 0x00041400;
const IN_USE = 0x00041410;
const LOWER = 0x00041420;
const TYPE = 0x00041430;
const PRIVATE_RECORD_UID = 0x00041432;
const FILE_ID = 0x00041500;
const REF_SOP_CLASS = 0x00041510;
const REF_SOP_INSTANCE = 0x00041511;
const REF_TRANSFER_SYNTAX = 0x00041512;
const CHARSET = 0x00080005;
const STRUCTURAL = new Set([NEXT, IN_USE, LOWER, TYPE]);
const BINARY_VRS = new Set(['OB', 'OW', 'OD', 'OF', 'OL', 'OV', 'UN', 'FL', 'FD', 'SS', 'SL', 'AT', 'SV', 'UV']);

/** Which record types may sit under which (PS3.3 Table F.4-1 for the types discrobot writes). */
const INTERMEDIATE: Readonly<Record<string, string>> = { PATIENT: 'ROOT', STUDY: 'PATIENT', SERIES: 'STUDY' };
const UNIQUE_KEY: Readonly<Record<string, number>> = { PATIENT: 0x00100020, STUDY: 0x0020000d, SERIES: 0x0020000e };

interface RecordInfo {
  offset: number;
  type: string;
  elements: Map<number, ParsedElement>;
}

function hex(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

function u32(e: ParsedElement | undefined): number | undefined {
  return e && e.value.length === 4 ? e.value.readUInt32LE(0) : undefined;
}

function u16(e: ParsedElement | undefined): number | undefined {
  return e && e.value.length === 2 ? e.value.readUInt16LE(0) : undefined;
}

function describe(e: ParsedElement, charset: string): string {
  if (e.vr === 'SQ') {
    try {
      return `[${readItems(e.value, 0, e.value.length).items.length} item(s)]`;
    } catch {
      return '[unreadable sequence]';
    }
  }
  if (e.vr === 'US') return Array.from({ length: e.value.length >> 1 }, (_, i) => e.value.readUInt16LE(2 * i)).join('\\');
  if (e.vr === 'UL') return Array.from({ length: e.value.length >> 2 }, (_, i) => e.value.readUInt32LE(4 * i)).join('\\');
  if (TEXT_VRS.has(e.vr)) return decodeText(e.value, charset || undefined);
  if (BINARY_VRS.has(e.vr)) return e.value.toString('hex');
  return plainText(e.value);
}

/** The meta information: checks it and returns where the data set starts. */
function checkMeta(bytes: Buffer, errors: string[]): number | null {
  if (bytes.length < 144 || bytes.toString('latin1', 128, 132) !== 'DICM') {
    errors.push('not a PS3.10 file: no "DICM" after the 128-byte preamble');
    return null;
  }
  if (bytes.readUInt32LE(132) !== 0x00000002 || bytes.toString('latin1', 136, 138) !== 'UL') {
    errors.push('the File Meta Information does not start with (0002,0000) UL');
    return null;
  }
  const start = 144 + bytes.readUInt32LE(140);
  if (start > bytes.length) {
    errors.push('the File Meta Information group length runs past the end of the file');
    return null;
  }
  let meta: Map<number, ParsedElement>;
  try {
    meta = new Map(readElements(bytes, 144, start).elements.map((e) => [e.tag, e]));
  } catch (e) {
    errors.push(`the File Meta Information cannot be read: ${(e as Error).message}`);
    return null;
  }
  const text = (tag: number): string => plainText(meta.get(tag)?.value ?? Buffer.alloc(0));
  if (text(0x00020002) !== MEDIA_STORAGE_DIRECTORY_STORAGE) errors.push(`Media Storage SOP Class UID is "${text(0x00020002)}", not ${MEDIA_STORAGE_DIRECTORY_STORAGE}`);
  if (!isValidUid(text(0x00020003))) errors.push(`Media Storage SOP Instance UID (the File-set UID) "${text(0x00020003)}" is not a valid UID`);
  if (text(0x00020010) !== TransferSyntax.ExplicitVRLittleEndian) errors.push(`Transfer Syntax UID is "${text(0x00020010)}", not Explicit VR Little Endian`);
  return start;
}

function checkKeys(r: RecordInfo, errors: string[]): void {
  const at = `${r.type} record at ${r.offset}`;
  for (const req of requiredKeys(r.type)) {
    const e = r.elements.get(req.tag);
    if (!e) errors.push(`${at}: ${req.name} ${formatTag(req.tag)} (Type ${req.type}) is missing`);
    else if (req.type === '1' && isEmptyValue(e.vr, e.value)) errors.push(`${at}: ${req.name} ${formatTag(req.tag)} (Type 1) is empty`);
  }
  const charset = charsetName(r.elements.get(CHARSET)?.value);
  for (const e of r.elements.values()) {
    if (TEXT_VRS.has(e.vr) && !isAscii(e.value) && charset === '') {
      errors.push(`${at}: ${formatTag(e.tag)} has characters beyond ASCII but the record has no Specific Character Set`);
    }
  }
  const isLeaf = !(r.type in INTERMEDIATE);
  if (!isLeaf) return;
  const fileId = r.elements.get(FILE_ID);
  if (!fileId) errors.push(`${at}: no Referenced File ID (0004,1500)`);
  else {
    const problem = fileIdProblem(plainText(fileId.value).split('\\'));
    if (problem) errors.push(`${at}: Referenced File ID "${plainText(fileId.value)}": ${problem}`);
  }
  for (const [tag, name] of [
    [REF_SOP_CLASS, 'Referenced SOP Class UID in File'],
    [REF_SOP_INSTANCE, 'Referenced SOP Instance UID in File'],
    [REF_TRANSFER_SYNTAX, 'Referenced Transfer Syntax UID in File'],
  ] as const) {
    const v = plainText(r.elements.get(tag)?.value ?? Buffer.alloc(0));
    if (!isValidUid(v)) errors.push(`${at}: ${name} ${formatTag(tag)} "${v}" is missing or not a UID`);
  }
  if (r.type === 'PRIVATE' && !isValidUid(plainText(r.elements.get(PRIVATE_RECORD_UID)?.value ?? Buffer.alloc(0)))) {
    errors.push(`${at}: PRIVATE record without a valid Private Record UID (0004,1432)`);
  }
}

export function checkDicomdir(bytes: Buffer): DicomdirCheck {
  const errors: string[] = [];
  const start = checkMeta(bytes, errors);
  if (start === null) return { errors, records: [] };

  let top: ParsedElement[];
  try {
    top = readElements(bytes, start, bytes.length).elements;
  } catch (e) {
    errors.push(`the data set cannot be read: ${(e as Error).message}`);
    return { errors, records: [] };
  }
  const module = new Map(top.map((e) => [e.tag, e]));
  const fileSetId = module.get(0x00041130);
  if (!fileSetId) errors.push('File-set ID (0004,1130) is missing');
  else if (!/^[A-Z0-9_ ]{0,16}$/.test(plainText(fileSetId.value))) errors.push(`File-set ID "${plainText(fileSetId.value)}" is not at most 16 characters of A-Z, 0-9, _ and space`);
  const consistency = u16(module.get(0x00041212));
  if (consistency !== 0) errors.push(`File-set Consistency Flag (0004,1212) is ${consistency ?? 'missing'}, not 0`);
  const sequence = module.get(0x00041220);
  if (!sequence) {
    errors.push('Directory Record Sequence (0004,1220) is missing');
    return { errors, records: [] };
  }

  const records: RecordInfo[] = [];
  try {
    const sequenceStart = sequence.start + 12;
    const undefinedLength = bytes.readUInt32LE(sequence.start + 8) === 0xffffffff;
    const items = readItems(bytes, sequenceStart, sequence.end, { undefinedLength }).items;
    for (const item of items) {
      const elements = new Map(item.elements.map((e) => [e.tag, e]));
      records.push({ offset: item.start, type: plainText(elements.get(TYPE)?.value ?? Buffer.alloc(0)), elements });
    }
  } catch (e) {
    errors.push(`the Directory Record Sequence cannot be read: ${(e as Error).message}`);
    return { errors, records: [] };
  }
  const byOffset = new Map(records.map((r, i) => [r.offset, i]));

  // Links: every non-zero offset points at a record of the sequence.
  const link = (what: string, value: number | undefined, from: string): number | null => {
    if (value === undefined) {
      errors.push(`${from}: ${what} is missing or not a UL`);
      return null;
    }
    if (value === 0) return null;
    const target = byOffset.get(value);
    if (target === undefined) {
      errors.push(`${from}: ${what} = ${value} does not point at a directory record`);
      return null;
    }
    return target;
  };
  const first = link('(0004,1200) Offset of the First Directory Record of the Root Directory Entity', u32(module.get(0x00041200)), 'root');
  const last = u32(module.get(0x00041202));
  if (records.length === 0 && (u32(module.get(0x00041200)) !== 0 || last !== 0)) errors.push('no records, but the root offsets are not 0');

  // Traversal in pre-order from the root; each record once, at a level its type allows.
  const order: number[] = [];
  const seen = new Set<number>();
  const walk = (firstIndex: number | null, parentType: string): number | null => {
    let lastVisited: number | null = null;
    for (let i = firstIndex; i !== null; ) {
      if (seen.has(i)) {
        errors.push(`record at ${records[i]!.offset} is reached twice (a cycle or a shared link)`);
        return lastVisited;
      }
      seen.add(i);
      order.push(i);
      lastVisited = i;
      const r = records[i]!;
      const at = `${r.type || '(no type)'} record at ${r.offset}`;
      const expected = INTERMEDIATE[r.type];
      if (expected !== undefined) {
        if (expected !== parentType) errors.push(`${at} sits under ${parentType}, not under ${expected}`);
      } else if (ROOT_RECORD_TYPES.has(r.type)) {
        if (parentType !== 'ROOT') errors.push(`${at} sits under ${parentType}; it belongs in the root directory entity`);
      } else if (r.type === 'PRIVATE') {
        // a PRIVATE record may sit at any level
      } else if (parentType !== 'SERIES') {
        errors.push(`${at} sits under ${parentType}, not under a SERIES record`);
      }
      if (u16(r.elements.get(IN_USE)) !== 0xffff) errors.push(`${at}: Record In-use Flag (0004,1410) is not FFFFH`);
      const child = link('(0004,1420) Offset of Referenced Lower-Level Directory Entity', u32(r.elements.get(LOWER)), at);
      if (child !== null) {
        if (expected === undefined && r.type !== 'PRIVATE') errors.push(`${at} is a leaf record but has a lower-level entity`);
        walk(child, r.type);
      } else if (expected !== undefined) {
        errors.push(`${at} has no lower-level records`);
      }
      i = link('(0004,1400) Offset of the Next Directory Record', u32(r.elements.get(NEXT)), at);
    }
    return lastVisited;
  };
  const lastRoot = walk(first, 'ROOT');
  if (records.length > 0 && (lastRoot === null || last !== records[lastRoot]!.offset)) {
    errors.push(`(0004,1202) Offset of the Last Directory Record of the Root Directory Entity is ${last}, but the last root record is at ${lastRoot === null ? 'none' : records[lastRoot]!.offset}`);
  }
  for (let i = 0; i < records.length; i++) if (!seen.has(i)) errors.push(`${records[i]!.type} record at ${records[i]!.offset} is not reachable from the root`);
  if (order.some((index, position) => index !== position)) errors.push('the records are not in pre-order: the sequence order differs from the traversal order');

  // Keys and uniqueness.
  const unique = new Map<string, number>();
  for (const r of records) {
    checkKeys(r, errors);
    const keyTag = UNIQUE_KEY[r.type] ?? REF_SOP_INSTANCE;
    const keyValue = plainText(r.elements.get(keyTag)?.value ?? Buffer.alloc(0));
    const id = `${r.type in UNIQUE_KEY ? r.type : 'LEAF'}|${keyValue}`;
    const before = unique.get(id);
    if (keyValue && before !== undefined) errors.push(`${r.type} record at ${r.offset} repeats ${formatTag(keyTag)} "${keyValue}" of the record at ${before}`);
    unique.set(id, r.offset);
    const fileId = r.elements.get(FILE_ID);
    if (fileId) {
      const fid = `FILE|${plainText(fileId.value)}`;
      const other = unique.get(fid);
      if (other !== undefined) errors.push(`record at ${r.offset} references the file ${plainText(fileId.value)} already referenced at ${other}`);
      unique.set(fid, r.offset);
    }
  }

  return {
    errors,
    records: records.map((r) => {
      const charset = charsetName(r.elements.get(CHARSET)?.value);
      const keys: Record<string, string> = {};
      for (const e of r.elements.values()) if (!STRUCTURAL.has(e.tag)) keys[hex(e.tag)] = describe(e, charset);
      return { offset: r.offset, type: r.type, keys };
    }),
  };
}
