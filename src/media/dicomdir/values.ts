// Value helpers for directory keys: emptiness, padding, and the few values the writer makes itself
// (substitutes, UIDs, File IDs), which are always in the default repertoire.

/** VRs whose values are character strings in the Specific Character Set (DCMTK's DcmCharString). */
export const TEXT_VRS: ReadonlySet<string> = new Set(['SH', 'LO', 'ST', 'LT', 'PN', 'UC', 'UT']);

/** VRs padded with a space; UI and the binary VRs are padded with NUL. */
const SPACE_PADDED: ReadonlySet<string> = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UR', ...TEXT_VRS]);

/** Whether a value holds nothing but padding (PS3.5 6.2: spaces for strings, NUL for UI). */
export function isEmptyValue(vr: string, value: Buffer): boolean {
  if (value.length === 0) return true;
  if (vr === 'SQ' || (!SPACE_PADDED.has(vr) && vr !== 'UI')) return false;
  for (const b of value) if (b !== 0x20 && b !== 0x00) return false;
  return true;
}

/** A value brought to even length with the VR's padding byte. */
export function evenLength(vr: string, value: Buffer): Buffer {
  if (value.length % 2 === 0) return value;
  return Buffer.concat([value, Buffer.from([SPACE_PADDED.has(vr) ? 0x20 : 0x00])]);
}

/** The value as text without padding, read byte for byte (for ASCII values: UIDs, codes, numbers). */
export function plainText(value: Buffer): string {
  let end = value.length;
  while (end > 0 && (value[end - 1] === 0x20 || value[end - 1] === 0x00)) end--;
  let start = 0;
  while (start < end && value[start] === 0x20) start++;
  return value.toString('latin1', start, end);
}

export function isAscii(value: Buffer): boolean {
  for (const b of value) if (b >= 0x80 || b === 0x1b) return false;
  return true;
}

/** The first value of an IS as an integer, or null. */
export function integerValue(value: Buffer | undefined): number | null {
  if (!value) return null;
  const first = plainText(value).split('\\')[0]!.trim();
  return /^[+-]?\d{1,10}$/.test(first) ? Number.parseInt(first, 10) : null;
}

/** A date as DA and a time as TM, in local time: for values the writer has to make up. */
export function dicomDate(d: Date): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

export function dicomTime(d: Date): string {
  return `${String(d.getHours()).padStart(2, '0')}${String(d.getMinutes()).padStart(2, '0')}${String(d.getSeconds()).padStart(2, '0')}`;
}
