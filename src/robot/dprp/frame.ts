// DPRP/1 line framing: `<kind><seq> <VERB> [key=value ...] *<crc>\n` (docs/robot-protocol.md).
// Pure string work, shared by the driver and the simulator; the golden transcripts in the protocol
// document pin it down from outside so that both ends cannot drift together.

import { crc16Hex } from './crc16.ts';

export type FrameKind = 'Q' | 'R' | 'E' | 'N';

export interface Frame {
  kind: FrameKind;
  seq: number;
  verb: string;
  /** Keys keep their order of appearance; values are decoded text. */
  args: Record<string, string>;
}

export type DecodeResult =
  | { ok: true; frame: Frame }
  | { ok: false; error: 'BADFRAME' | 'BADCRC'; seq?: number; kind?: FrameKind; detail: string };

/** Longest line accepted, terminator excluded. */
export const MAX_LINE_BYTES = 1024;
export const MAX_SEQ = 65535;

const PLAIN_VALUE = /^[A-Za-z0-9._:/,-]+$/;
const KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
const VERB = /^[A-Z][A-Z0-9_]*$/;
const HEAD = /^([QREN])(\d{1,5})$/;

/** Values outside the plain alphabet are percent-encoded (RFC 3986, UTF-8); empty is `%`-free ''. */
export function encodeValue(value: string): string {
  if (PLAIN_VALUE.test(value)) return value;
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && /[A-Za-z0-9._:/,-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeValue(text: string): string {
  return text.includes('%') ? decodeURIComponent(text) : text;
}

/** The line without its terminator. */
export function encodeFrame(frame: Frame): string {
  if (!VERB.test(frame.verb)) throw new Error(`DPRP verb ${JSON.stringify(frame.verb)} is not upper-case letters, digits and _`);
  if (!Number.isInteger(frame.seq) || frame.seq < 0 || frame.seq > MAX_SEQ) throw new Error(`DPRP seq ${frame.seq} is out of 0..${MAX_SEQ}`);
  const parts = [`${frame.kind}${frame.seq}`, frame.verb];
  for (const [key, value] of Object.entries(frame.args)) {
    if (!KEY.test(key)) throw new Error(`DPRP key ${JSON.stringify(key)} is not a name`);
    parts.push(`${key}=${encodeValue(value)}`);
  }
  const body = parts.join(' ');
  return `${body} *${crc16Hex(body)}`;
}

export function decodeFrame(rawLine: string): DecodeResult {
  const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
  if (Buffer.byteLength(line) > MAX_LINE_BYTES) return { ok: false, error: 'BADFRAME', detail: `line longer than ${MAX_LINE_BYTES} bytes` };
  const star = line.lastIndexOf(' *');
  const head = HEAD.exec(line.split(' ', 1)[0] ?? '');
  const kind = head?.[1] as FrameKind | undefined;
  const seq = head ? Number(head[2]) : undefined;
  if (star < 0) return { ok: false, error: 'BADFRAME', detail: 'no " *<crc>" at the end', kind, seq };
  const body = line.slice(0, star);
  const crc = line.slice(star + 2);
  if (!/^[0-9A-F]{4}$/.test(crc)) return { ok: false, error: 'BADFRAME', detail: `checksum ${JSON.stringify(crc)} is not 4 upper-case hex digits`, kind, seq };
  if (crc16Hex(body) !== crc) return { ok: false, error: 'BADCRC', detail: `checksum ${crc}, computed ${crc16Hex(body)}`, kind, seq };
  if (!head || seq === undefined || kind === undefined || seq > MAX_SEQ) return { ok: false, error: 'BADFRAME', detail: 'line does not start with Q, R, E or N and a sequence number' };
  const [, verb, ...pairs] = body.split(' ');
  if (!verb || !VERB.test(verb)) return { ok: false, error: 'BADFRAME', detail: `verb ${JSON.stringify(verb ?? '')} is not a DPRP verb`, kind, seq };
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq) : '';
    if (!KEY.test(key)) return { ok: false, error: 'BADFRAME', detail: `argument ${JSON.stringify(pair)} is not key=value`, kind, seq };
    try {
      args[key] = decodeValue(pair.slice(eq + 1));
    } catch {
      return { ok: false, error: 'BADFRAME', detail: `value of ${key} is not valid percent-encoding`, kind, seq };
    }
  }
  return { ok: true, frame: { kind, seq, verb, args } };
}

/** Next sequence number after `seq`, wrapping 65535 → 1 (0 is reserved for HELLO and BADFRAME). */
export function nextSeq(seq: number): number {
  return seq >= MAX_SEQ ? 1 : seq + 1;
}
