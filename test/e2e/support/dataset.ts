// A tiny DICOM encoder for test inputs: Implicit VR Little Endian data sets (as a C-STORE carries
// them) and PS3.10 files around them for storescu. Independent of the code under test on purpose.
import { writeFileSync } from 'node:fs';

export type Element = { tag: number; vr: 'UI' | 'CS' | 'PN' | 'LO' | 'IS' | 'DA' | 'SH' | 'US' | 'OW' | 'OB' | 'UL'; value: string | number | Buffer };

const UI_PAD = 0;
const TEXT_PAD = 0x20;

function valueBytes(e: Element): Buffer {
  if (Buffer.isBuffer(e.value)) return e.value.length % 2 ? Buffer.concat([e.value, Buffer.alloc(1)]) : e.value;
  if (e.vr === 'US') {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(Number(e.value));
    return b;
  }
  if (e.vr === 'UL') {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(Number(e.value));
    return b;
  }
  const text = Buffer.from(String(e.value), 'latin1');
  return text.length % 2 ? Buffer.concat([text, Buffer.from([e.vr === 'UI' ? UI_PAD : TEXT_PAD])]) : text;
}

/** Implicit VR Little Endian, elements sorted by tag. */
export function implicitLe(elements: Element[]): Buffer {
  return Buffer.concat([...elements].sort((a, b) => a.tag - b.tag).map((e) => {
    const value = valueBytes(e);
    const header = Buffer.alloc(8);
    header.writeUInt16LE(e.tag >>> 16, 0);
    header.writeUInt16LE(e.tag & 0xffff, 2);
    header.writeUInt32LE(value.length, 4);
    return Buffer.concat([header, value]);
  }));
}

function explicitLe(e: Element): Buffer {
  const value = valueBytes(e);
  const long = e.vr === 'OB' || e.vr === 'OW';
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(e.tag >>> 16, 0);
  header.writeUInt16LE(e.tag & 0xffff, 2);
  header.write(e.vr, 4, 'latin1');
  if (long) header.writeUInt32LE(value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

export const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const EXPLICIT_BE = '1.2.840.10008.1.2.2';
export const VERIFICATION = '1.2.840.10008.1.1';

export interface TestObject {
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopClassUid?: string;
  patientName?: string;
  patientId?: string;
  instanceNumber?: number;
  /** Bytes of 8-bit pixel data, a multiple of 256 (rows of 256 columns). */
  pixelBytes?: number;
}

/** A small CT-like data set in Implicit VR LE. */
export function ctDataset(o: TestObject): Buffer {
  const pixels = Buffer.alloc(Math.ceil((o.pixelBytes ?? 4096) / 256) * 256);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + (o.instanceNumber ?? 1)) & 0xff;
  return implicitLe([
    { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 100' },
    { tag: 0x00080016, vr: 'UI', value: o.sopClassUid ?? CT_IMAGE },
    { tag: 0x00080018, vr: 'UI', value: o.sopInstanceUid },
    { tag: 0x00080020, vr: 'DA', value: '20261128' },
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x00100010, vr: 'PN', value: o.patientName ?? 'Test^Patient' },
    { tag: 0x00100020, vr: 'LO', value: o.patientId ?? 'TESTPID' },
    { tag: 0x0020000d, vr: 'UI', value: o.studyInstanceUid },
    { tag: 0x0020000e, vr: 'UI', value: o.seriesInstanceUid },
    { tag: 0x00200013, vr: 'IS', value: String(o.instanceNumber ?? 1) },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280010, vr: 'US', value: Math.ceil(pixels.length / 256) },
    { tag: 0x00280011, vr: 'US', value: 256 },
    { tag: 0x00280100, vr: 'US', value: 8 },
    { tag: 0x00280101, vr: 'US', value: 8 },
    { tag: 0x00280102, vr: 'US', value: 7 },
    { tag: 0x00280103, vr: 'US', value: 0 },
    { tag: 0x7fe00010, vr: 'OW', value: pixels },
  ]);
}

/** A PS3.10 file: preamble, DICM, File Meta Information (Explicit VR LE), the data set in `transferSyntax`. */
export function part10(dataset: Buffer, sopClassUid: string, sopInstanceUid: string, transferSyntax = IMPLICIT_LE): Buffer {
  const rest = Buffer.concat([
    explicitLe({ tag: 0x00020001, vr: 'OB', value: Buffer.from([0, 1]) }),
    explicitLe({ tag: 0x00020002, vr: 'UI', value: sopClassUid }),
    explicitLe({ tag: 0x00020003, vr: 'UI', value: sopInstanceUid }),
    explicitLe({ tag: 0x00020010, vr: 'UI', value: transferSyntax }),
    explicitLe({ tag: 0x00020012, vr: 'UI', value: '1.2.826.0.1.3680043.9.7433.1.1' }),
  ]);
  const groupLength = explicitLe({ tag: 0x00020000, vr: 'UL', value: rest.length });
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), groupLength, rest, dataset]);
}

export function writeCtFile(file: string, o: TestObject): string {
  writeFileSync(file, part10(ctDataset(o), o.sopClassUid ?? CT_IMAGE, o.sopInstanceUid));
  return file;
}

let counter = 0;
/** Fresh UIDs under a test root: study, series, instance. */
export function freshUids(): { studyInstanceUid: string; seriesInstanceUid: string; sopInstanceUid: string } {
  counter += 1;
  const base = `1.2.826.0.1.3680043.9.7433.2.${process.pid}.${Date.now() % 1e9}.${counter}`;
  return { studyInstanceUid: `${base}.1`, seriesInstanceUid: `${base}.2`, sopInstanceUid: `${base}.3` };
}
