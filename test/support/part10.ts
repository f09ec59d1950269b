// Reading PS3.10 files and data folders the plain way, for checks that must not trust our own parser.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** The data set part of a PS3.10 file: what follows the preamble, "DICM" and the whole group 0002. */
export function datasetBytes(file: string): Buffer {
  const bytes = readFileSync(file);
  if (bytes.toString('latin1', 128, 132) !== 'DICM') throw new Error(`${file}: no DICM prefix`);
  // (0002,0000) UL in Explicit VR LE: tag 4 bytes, "UL", length 2 bytes, value 4 bytes.
  if (bytes.readUInt16LE(132) !== 2 || bytes.readUInt16LE(134) !== 0 || bytes.toString('latin1', 136, 138) !== 'UL') {
    throw new Error(`${file}: the File Meta Information does not start with its group length`);
  }
  return bytes.subarray(144 + bytes.readUInt32LE(140));
}

/** Every file below dir (recursively, dot-folders included), as paths. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else out.push(full);
  }
  return out;
}

/** The File Meta Information elements of a PS3.10 file (Explicit VR LE), values as text keyed "0002,eeee". */
export function fileMetaText(file: string): Map<string, string> {
  const bytes = readFileSync(file);
  const end = 144 + bytes.readUInt32LE(140);
  const out = new Map<string, string>();
  for (let offset = 144; offset < end;) {
    const elem = bytes.readUInt16LE(offset + 2);
    const vr = bytes.toString('latin1', offset + 4, offset + 6);
    const long = ['OB', 'OW', 'UN', 'SQ', 'UT', 'UC', 'UR'].includes(vr);
    const length = long ? bytes.readUInt32LE(offset + 8) : bytes.readUInt16LE(offset + 6);
    const start = offset + (long ? 12 : 8);
    const key = `0002,${elem.toString(16).padStart(4, '0')}`;
    out.set(key, bytes.toString('latin1', start, start + length).replace(/[\0 ]+$/, ''));
    offset = start + length;
  }
  return out;
}
