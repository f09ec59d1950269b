// The INI text PTBurn's status files are made of (PTBurn 3 SDK rev 3.24 §3): `[Section]` headers and
// `Key=Value` lines, as Windows' profile API writes them. The reader is built for a file that
// another machine is rewriting while we read it over a share: it never throws, drops a last line
// that has no line ending (it may be cut mid-write) and anything after a NUL (a file being
// extended), and says so with `partial`. Section and key names match without regard to case, as
// the Windows API does; when a key repeats, the last one wins.

import { CRLF } from './key-lines.ts';

export interface IniSection {
  name: string;
  /** In file order; a repeated key keeps its first position and its last value. */
  entries: Array<[string, string]>;
}

export interface IniDocument {
  sections: IniSection[];
  /** The text ended mid-line or held a NUL: whatever followed may be missing. */
  partial: boolean;
  /** Lines that were neither blank, comment, header nor Key=Value (garbage, or keys before any header). */
  skippedLines: number;
}

export function parseIni(text: string): IniDocument {
  let partial = false;
  let body = text.replace(/^\uFEFF/, '');
  const nul = body.indexOf('\0');
  if (nul >= 0) {
    body = body.slice(0, nul);
    partial = true;
  }
  const lines = body.split(/\r\n|\r|\n/);
  // split() leaves '' after a final line ending; anything else there was cut off mid-line.
  const last = lines.pop() ?? '';
  if (last.trim() !== '') partial = true;

  const sections: IniSection[] = [];
  const byName = new Map<string, IniSection>();
  let current: IniSection | undefined;
  let skippedLines = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      const close = line.indexOf(']');
      if (close < 0) {
        skippedLines++;
        current = undefined;
        continue;
      }
      const name = line.slice(1, close).trim();
      current = byName.get(name.toLowerCase());
      if (!current) {
        current = { name, entries: [] };
        sections.push(current);
        byName.set(name.toLowerCase(), current);
      }
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !current) {
      skippedLines++;
      continue;
    }
    setEntry(current, line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return { sections, partial, skippedLines };
}

function setEntry(section: IniSection, key: string, value: string): void {
  const existing = section.entries.find(([k]) => k.toLowerCase() === key.toLowerCase());
  if (existing) existing[1] = value;
  else section.entries.push([key, value]);
}

/** `[Name]` then `Key=Value` lines, CRLF after every line, as WritePrivateProfileString leaves a file. */
export function writeIni(sections: ReadonlyArray<IniSection>): string {
  let out = '';
  for (const section of sections) {
    out += `[${section.name}]${CRLF}`;
    for (const [key, value] of section.entries) out += `${key}=${value}${CRLF}`;
  }
  return out;
}

export function findSection(doc: IniDocument, name: string): IniSection | undefined {
  const wanted = name.toLowerCase();
  return doc.sections.find((s) => s.name.toLowerCase() === wanted);
}

/** Case-insensitive key lookup over one section. */
export function sectionReader(section: IniSection | undefined) {
  const map = new Map<string, string>();
  for (const [key, value] of section?.entries ?? []) map.set(key.toLowerCase(), value);
  const str = (key: string): string | undefined => map.get(key.toLowerCase());
  const int = (key: string): number | undefined => {
    const value = str(key);
    return value !== undefined && /^[+-]?\d{1,15}$/.test(value) ? Number(value) : undefined;
  };
  return { str, int, keys: () => [...map.keys()] };
}

export type SectionReader = ReturnType<typeof sectionReader>;
