// The flat `Key = Value` line format shared by PTBurn's job request (.JRQ) and command (.PTM) files
// (PTBurn 3 SDK rev 3.24 §2, §4). Pure text in, text out: the caller chooses the file encoding.
//
// What we assume about PTBurn's reader (the manual does not spell it out): keys are matched without
// regard to case, spaces around "=" and around the value do not count (the manual's own examples use
// both "Key = Value" and "Key=Value"), lines may end in CRLF, LF or CR (public clients write LF-only
// files), a leading byte-order mark is not part of the first key, and lines starting with ";" are
// comments as in any Windows INI file.

/** Windows line ending: PTBurn runs on Windows, so we write what Notepad and the INI API expect. */
export const CRLF = '\r\n';

export interface KeyLine {
  key: string;
  value: string;
  /** 1-based line number, so a problem can point at the line. */
  line: number;
}

export interface SplitLines {
  entries: KeyLine[];
  /** Non-blank, non-comment lines without "=": kept so a caller can call the file invalid. */
  unreadable: Array<{ line: number; text: string }>;
}

export function splitKeyLines(text: string): SplitLines {
  const entries: KeyLine[] = [];
  const unreadable: Array<{ line: number; text: string }> = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith(';')) return;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) {
      unreadable.push({ line: index + 1, text: trimmed });
      return;
    }
    entries.push({ key: trimmed.slice(0, eq).trim(), value: trimmed.slice(eq + 1).trim(), line: index + 1 });
  });
  return { entries, unreadable };
}

/** Canonical form: `Key = Value`, one pair a line, every line (the last too) ended by CRLF. */
export function joinKeyLines(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([key, value]) => `${key} = ${value}${CRLF}`).join('');
}

/**
 * Why a value cannot be written as one `Key = Value` line, or undefined when it can. A line break
 * would start a new key; NUL ends the string for a C reader; spaces at either end are trimmed on
 * reading, so the value would not come back as written.
 */
export function valueProblem(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return 'must not contain a line break';
  if (value.includes('\0')) return 'must not contain a NUL character';
  if (value !== value.trim()) return 'must not start or end with spaces (PTBurn trims them)';
  return undefined;
}

/** PTBurn's YES/NO; we also read TRUE/FALSE and 1/0, which an INI reader would plausibly accept. */
export function parseYesNo(value: string): boolean | undefined {
  const v = value.trim().toUpperCase();
  if (v === 'YES' || v === 'TRUE' || v === '1') return true;
  if (v === 'NO' || v === 'FALSE' || v === '0') return false;
  return undefined;
}

export const yesNo = (flag: boolean): string => (flag ? 'YES' : 'NO');

/** A whole decimal integer, optionally signed; anything else (1.5, 0x10, "") is not a number here. */
export function parseInteger(value: string): number | undefined {
  const v = value.trim();
  return /^[+-]?\d{1,15}$/.test(v) ? Number(v) : undefined;
}
