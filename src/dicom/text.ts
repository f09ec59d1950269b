// Decoding of DICOM text values for display and the index, per Specific Character Set (PS3.3
// C.12.1.1.2, PS3.5 6.1). Stored files keep the received bytes; this is only for reading them.

type Decoding = 'latin1' | 'utf8' | string; // anything else: a WHATWG TextDecoder label

/** Single-byte and multi-byte defined terms without code extensions. */
const PLAIN: Readonly<Record<string, Decoding>> = {
  '': 'latin1', // default repertoire (ASCII); latin1 keeps stray 8-bit bytes visible
  'ISO_IR 6': 'latin1',
  'ISO_IR 100': 'latin1',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'iso-8859-9',
  'ISO_IR 203': 'iso-8859-15',
  'ISO_IR 166': 'windows-874', // TIS 620 (a superset of it)
  'ISO_IR 13': 'shift_jis', // JIS X 0201: its single bytes are Shift_JIS's
  'ISO_IR 192': 'utf8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

/** What a code element (G0: bytes < 0x80, G1: bytes >= 0x80) currently decodes as. */
type CodeSet =
  | { kind: 'single'; decoding: Decoding } // one byte, one character
  | { kind: 'jisx0208' } // two 7-bit bytes, decoded as EUC-JP after setting the high bits
  | { kind: 'jisx0212' } // same, with EUC-JP's 0x8F prefix
  | { kind: 'double'; decoding: Decoding }; // two 8-bit bytes (KS X 1001 as EUC-KR, GB 2312 as GBK)

interface Designation {
  term: string;
  escape: number[]; // bytes after ESC
  g: 0 | 1;
  set: CodeSet;
}

const ASCII: CodeSet = { kind: 'single', decoding: 'latin1' };
const single = (decoding: Decoding): CodeSet => ({ kind: 'single', decoding });
const esc = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** ISO 2022 defined terms (PS3.3 Tables C.12-3 and C.12-4) and their escape sequences. */
const DESIGNATIONS: readonly Designation[] = [
  { term: 'ISO 2022 IR 6', escape: esc('(B'), g: 0, set: ASCII },
  { term: 'ISO 2022 IR 13', escape: esc('(J'), g: 0, set: ASCII }, // JIS X 0201 Romaji
  { term: 'ISO 2022 IR 13', escape: esc(')I'), g: 1, set: single('shift_jis') }, // JIS X 0201 Katakana
  { term: 'ISO 2022 IR 100', escape: esc('-A'), g: 1, set: single('latin1') },
  { term: 'ISO 2022 IR 101', escape: esc('-B'), g: 1, set: single('iso-8859-2') },
  { term: 'ISO 2022 IR 109', escape: esc('-C'), g: 1, set: single('iso-8859-3') },
  { term: 'ISO 2022 IR 110', escape: esc('-D'), g: 1, set: single('iso-8859-4') },
  { term: 'ISO 2022 IR 144', escape: esc('-L'), g: 1, set: single('iso-8859-5') },
  { term: 'ISO 2022 IR 127', escape: esc('-G'), g: 1, set: single('iso-8859-6') },
  { term: 'ISO 2022 IR 126', escape: esc('-F'), g: 1, set: single('iso-8859-7') },
  { term: 'ISO 2022 IR 138', escape: esc('-H'), g: 1, set: single('iso-8859-8') },
  { term: 'ISO 2022 IR 148', escape: esc('-M'), g: 1, set: single('iso-8859-9') },
  { term: 'ISO 2022 IR 203', escape: esc('-b'), g: 1, set: single('iso-8859-15') },
  { term: 'ISO 2022 IR 166', escape: esc('-T'), g: 1, set: single('windows-874') },
  { term: 'ISO 2022 IR 87', escape: esc('$B'), g: 0, set: { kind: 'jisx0208' } },
  { term: 'ISO 2022 IR 159', escape: esc('$(D'), g: 0, set: { kind: 'jisx0212' } },
  { term: 'ISO 2022 IR 149', escape: esc('$)C'), g: 1, set: { kind: 'double', decoding: 'euc-kr' } },
  { term: 'ISO 2022 IR 58', escape: esc('$)A'), g: 1, set: { kind: 'double', decoding: 'gbk' } },
];

const decoders = new Map<string, TextDecoder>();

function decodeBytes(bytes: Uint8Array, decoding: Decoding): string {
  if (decoding === 'latin1' || decoding === 'utf8') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(decoding);
  let decoder = decoders.get(decoding);
  if (!decoder) {
    try {
      decoder = new TextDecoder(decoding);
    } catch {
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    }
    decoders.set(decoding, decoder);
  }
  return decoder.decode(bytes);
}

function stripTrailingPadding(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0)) end--;
  return s.slice(0, end);
}

function terms(specificCharacterSet: string | undefined): string[] {
  return (specificCharacterSet ?? '').split('\\').map((t) => t.trim());
}

/** The sets in force before any escape sequence: those of value 1 (PS3.5 6.1.2.5.3). */
function initialSets(first: string): [CodeSet, CodeSet] {
  let g0 = ASCII;
  let g1: CodeSet = single('latin1');
  for (const d of DESIGNATIONS) {
    if (d.term !== first) continue;
    if (d.g === 0) g0 = d.set;
    else g1 = d.set;
  }
  return [g0, g1];
}

/** Code extension techniques: runs of bytes between escape sequences, each in its own set. */
function decodeIso2022(value: Buffer, first: string): string {
  let [g0, g1] = initialSets(first);
  let out = '';
  let run: number[] = [];
  let runDecoding: Decoding = 'latin1';
  const flush = (): void => {
    if (run.length) out += decodeBytes(Uint8Array.from(run), runDecoding);
    run = [];
  };
  const put = (decoding: Decoding, ...bytes: number[]): void => {
    if (decoding !== runDecoding) {
      flush();
      runDecoding = decoding;
    }
    run.push(...bytes);
  };
  for (let i = 0; i < value.length; ) {
    const b = value[i]!;
    if (b === 0x1b) {
      const d = DESIGNATIONS.find((x) => x.escape.every((e, k) => value[i + 1 + k] === e));
      if (d) {
        if (d.g === 0) g0 = d.set;
        else g1 = d.set;
        i += 1 + d.escape.length;
        continue;
      }
    }
    const set = b < 0x80 ? g0 : g1;
    const next = value[i + 1];
    if (set.kind === 'single' || next === undefined || (set.kind !== 'double' && (b < 0x21 || b > 0x7e))) {
      // Controls and spaces inside a two-byte G0 set are still single bytes.
      put(set.kind === 'single' ? set.decoding : 'latin1', b);
      i += 1;
    } else if (set.kind === 'jisx0208') {
      put('euc-jp', b | 0x80, next | 0x80);
      i += 2;
    } else if (set.kind === 'jisx0212') {
      put('euc-jp', 0x8f, b | 0x80, next | 0x80);
      i += 2;
    } else {
      put(set.decoding, b, next);
      i += 2;
    }
  }
  flush();
  return out;
}

/** A text value as a string, trailing spaces and NULs removed. Multiple values stay joined by "\". */
export function decodeText(value: Buffer, specificCharacterSet: string | undefined): string {
  const all = terms(specificCharacterSet);
  const first = all[0] ?? '';
  if (all.some((t) => t.startsWith('ISO 2022'))) return stripTrailingPadding(decodeIso2022(value, first));
  return stripTrailingPadding(decodeBytes(value, PLAIN[first] ?? 'latin1'));
}

/** A UI value: ASCII, padded with NUL (some writers pad with a space). */
export function decodeUid(value: Buffer): string {
  return stripTrailingPadding(value.toString('latin1')).trim();
}

/** The `index`th value of a US element (Explicit VR Little Endian bytes), or null. */
export function decodeUs(value: Buffer, index = 0): number | null {
  return value.length >= 2 * index + 2 ? value.readUInt16LE(2 * index) : null;
}

/** The first value of an IS element as a number, or null if empty or not an integer. */
export function decodeIs(value: Buffer): number | null {
  const first = value.toString('latin1').split('\\')[0]!.trim().replace(/\0+$/, '');
  return /^[+-]?\d+$/.test(first) ? Number.parseInt(first, 10) : null;
}
