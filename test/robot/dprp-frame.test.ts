// The DPRP/1 line codec (src/robot/dprp/frame.ts) and the host's line splitting
// (adapters/robot/line-stream.ts, transport.ts): what the protocol document's §2 says about lines.
import { describe, expect, it } from 'vitest';
import { firstValueFrom, toArray } from 'rxjs';
import { decodeFrame, decodeValue, encodeFrame, encodeValue, MAX_LINE_BYTES, MAX_SEQ, nextSeq, type Frame } from '../../src/robot/dprp/frame.ts';
import { crc16Hex } from '../../src/robot/dprp/crc16.ts';
import { LineSplitter } from '../../adapters/robot/line-stream.ts';
import { streamTransport } from '../../adapters/robot/transport.ts';
import { createDuplexPair } from '../../adapters/robot/stream-pair.ts';

/** Puts a correct checksum on a body, the way a well-behaved peer would. */
const withCrc = (body: string) => `${body} *${crc16Hex(body)}`;

describe('DPRP frame codec', () => {
  it('CRC-16/CCITT-FALSE has the standard check value and covers every byte before " *"', () => {
    expect(crc16Hex('123456789')).toBe('29B1');
    const line = encodeFrame({ kind: 'Q', seq: 2, verb: 'GET_INFO', args: {} });
    expect(line).toBe(withCrc('Q2 GET_INFO'));
  });

  it('round-trips kind, seq, verb and arguments in their order', () => {
    const frame: Frame = { kind: 'R', seq: 41, verb: 'OK', args: { type: '5', model: 'DP-XRP', bins: '0,25', dev: 'stdio:/tmp/d0.iso' } };
    const line = encodeFrame(frame);
    expect(line.startsWith('R41 OK type=5 model=DP-XRP bins=0,25 dev=stdio:/tmp/d0.iso *')).toBe(true);
    const decoded = decodeFrame(line);
    expect(decoded).toEqual({ ok: true, frame });
    if (decoded.ok) expect(Object.keys(decoded.frame.args)).toEqual(['type', 'model', 'bins', 'dev']);
  });

  it('percent-encodes spaces, =, *, % and non-ASCII, and decodes them back', () => {
    const tricky = { desc: 'Disc Publisher XRP', expr: 'a=b', star: 'x *1234', pct: '100%', name: 'Müller, Jürgen 患者' };
    const line = encodeFrame({ kind: 'E', seq: 3, verb: 'NOTE', args: tricky });
    expect(line).toContain('desc=Disc%20Publisher%20XRP');
    expect(line).toContain('expr=a%3Db');
    expect(line).toContain('star=x%20%2A1234');
    expect(line).toContain('pct=100%25');
    expect(line).toContain('name=M%C3%BCller,%20J%C3%BCrgen%20%E6%82%A3%E8%80%85');
    expect(line).toMatch(/^[\x21-\x7e ]+$/);
    expect(decodeFrame(line)).toEqual({ ok: true, frame: { kind: 'E', seq: 3, verb: 'NOTE', args: tricky } });
    expect(encodeValue('plain-1.0:/a,b_c')).toBe('plain-1.0:/a,b_c');
    expect(decodeValue(encodeValue('tab\there'))).toBe('tab\there');
  });

  it('a wrong checksum is BADCRC and keeps the seq; a missing one or a bad head is BADFRAME', () => {
    const good = encodeFrame({ kind: 'Q', seq: 7, verb: 'GET_STATUS', args: {} });
    const wrongCrc = good.slice(0, -4) + (good.endsWith('0000') ? '0001' : '0000');
    expect(decodeFrame(wrongCrc)).toMatchObject({ ok: false, error: 'BADCRC', seq: 7, kind: 'Q' });
    expect(decodeFrame('Q7 GET_STATUS')).toMatchObject({ ok: false, error: 'BADFRAME', seq: 7 });
    expect(decodeFrame(`${good.slice(0, -4)}1e6d`)).toMatchObject({ ok: false, error: 'BADFRAME' });
    const badHead = decodeFrame(withCrc('X7 GET_STATUS'));
    expect(badHead).toMatchObject({ ok: false, error: 'BADFRAME' });
    expect(badHead.ok === false && badHead.seq).toBeUndefined();
    expect(decodeFrame(withCrc('Q7 get_status'))).toMatchObject({ ok: false, error: 'BADFRAME', seq: 7 });
    expect(decodeFrame(withCrc('Q7 MEDIA_INFO drive'))).toMatchObject({ ok: false, error: 'BADFRAME', seq: 7 });
    expect(decodeFrame(withCrc('Q7 MEDIA_INFO 1drive=0'))).toMatchObject({ ok: false, error: 'BADFRAME', seq: 7 });
    expect(decodeFrame(withCrc('Q7 MEDIA_INFO drive=%E0%A4'))).toMatchObject({ ok: false, error: 'BADFRAME', seq: 7 });
    expect(decodeFrame(withCrc(`Q${MAX_SEQ + 1} PING`))).toMatchObject({ ok: false, error: 'BADFRAME' });
    const garbage = decodeFrame('garbage without a checksum');
    expect(garbage).toMatchObject({ ok: false, error: 'BADFRAME' });
    expect(garbage.ok === false && garbage.seq).toBeUndefined();
  });

  it('refuses to encode what it could not decode', () => {
    expect(() => encodeFrame({ kind: 'Q', seq: 1, verb: 'get', args: {} })).toThrow(/verb/);
    expect(() => encodeFrame({ kind: 'Q', seq: MAX_SEQ + 1, verb: 'PING', args: {} })).toThrow(/seq/);
    expect(() => encodeFrame({ kind: 'Q', seq: 1, verb: 'PING', args: { 'bad key': '1' } })).toThrow(/key/);
  });

  it('accepts a line of exactly 1024 bytes and refuses one byte more', () => {
    const fit = (extra: number) => {
      const head = 'E5 NOTE text=';
      const filler = 'x'.repeat(MAX_LINE_BYTES - head.length - ' *XXXX'.length + extra);
      return withCrc(head + filler);
    };
    expect(Buffer.byteLength(fit(0))).toBe(MAX_LINE_BYTES);
    expect(decodeFrame(fit(0))).toMatchObject({ ok: true });
    expect(decodeFrame(fit(1))).toMatchObject({ ok: false, error: 'BADFRAME', detail: expect.stringContaining('1024') });
  });

  it('ignores a \\r before the line end', () => {
    const line = encodeFrame({ kind: 'R', seq: 4, verb: 'OK', args: { n: '2' } });
    expect(decodeFrame(`${line}\r`)).toEqual(decodeFrame(line));
  });

  it('numbers host requests 1..65535 and wraps to 1, never 0', () => {
    expect(nextSeq(0)).toBe(1);
    expect(nextSeq(1)).toBe(2);
    expect(nextSeq(MAX_SEQ - 1)).toBe(MAX_SEQ);
    expect(nextSeq(MAX_SEQ)).toBe(1);
  });
});

describe('line splitting on the host side', () => {
  it('splits on \\n across chunks and drops a \\r before it', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from('R1 OK *787B\r\nE1 HEART'))).toEqual(['R1 OK *787B']);
    expect(splitter.push(Buffer.from('BEAT t=1 tick=1 *0000\nR2'))).toEqual(['E1 HEARTBEAT t=1 tick=1 *0000']);
    expect(splitter.push(Buffer.from(' OK\n\n'))).toEqual(['R2 OK', '']);
  });

  it('keeps a multi-byte character split between chunks', () => {
    const splitter = new LineSplitter();
    const bytes = Buffer.from('name=é\n');
    const cut = bytes.indexOf(0xa9);
    expect(splitter.push(bytes.subarray(0, cut))).toEqual([]);
    expect(splitter.push(bytes.subarray(cut))).toEqual(['name=é']);
  });

  it('hands on an overlong run once, as a line that fails to decode, and resumes after the next \\n', () => {
    const splitter = new LineSplitter();
    const good = encodeFrame({ kind: 'R', seq: 9, verb: 'OK', args: {} });
    const out: string[] = [];
    for (let i = 0; i < 10; i++) out.push(...splitter.push(Buffer.alloc(512, 0x41)));
    out.push(...splitter.push(Buffer.from(`AAAA\n${good}\n`)));
    expect(out).toHaveLength(2);
    expect(Buffer.byteLength(out[0]!)).toBeGreaterThan(MAX_LINE_BYTES);
    expect(Buffer.byteLength(out[0]!)).toBeLessThanOrEqual(MAX_LINE_BYTES + 2);
    expect(decodeFrame(out[0]!)).toMatchObject({ ok: false, error: 'BADFRAME' });
    expect(out[1]).toBe(good);
  });

  it('a line of 1024 bytes plus \\r\\n is still a line', () => {
    const splitter = new LineSplitter();
    const body = 'E5 NOTE text=';
    const line = withCrc(body + 'y'.repeat(MAX_LINE_BYTES - body.length - 6));
    expect(splitter.push(Buffer.from(`${line}\r\n`))).toEqual([line]);
  });

  it('the stream transport delivers lines written before anyone listened, and completes when the far end closes', async () => {
    const [hostEnd, deviceEnd] = createDuplexPair();
    deviceEnd.write('E0 HELLO\r\nnoise\n');
    const transport = streamTransport(hostEnd);
    const all = firstValueFrom(transport.lines$.pipe(toArray()));
    const closed = firstValueFrom(transport.closed$);
    deviceEnd.end('R1 OK\n');
    expect(await all).toEqual(['E0 HELLO', 'noise', 'R1 OK']);
    expect((await closed).reason).toMatch(/device end closed/);
    await expect(transport.write('Q2 PING')).rejects.toThrow(/closed/);
  });
});
