// The PDU framer: whole PDUs out whatever the chunking, length bounds checked on the 6-byte header
// before anything is buffered, and linear time in the PDU size.
import { describe, expect, it } from 'vitest';
import { AbortReason, PduFramer, type FramerVerdict } from '../../adapters/dicom/pdu-framer.ts';
import { PDU, abortPdu, associateRq, pData, pdu, releaseRq } from '../support/pdu.ts';

const LIMITS = { maxPDataLength: 16384, maxAssociateLength: 1024 * 1024 };

/** True if the verdicts are exactly these PDUs, byte for byte (Buffer.equals: deep equality is slow on large buffers). */
const arePdus = (verdicts: FramerVerdict[], expected: Buffer[]) =>
  verdicts.length === expected.length && verdicts.every((v, i) => v.kind === 'pdu' && v.type === expected[i]![0] && v.pdu.equals(expected[i]!));

describe('PduFramer', () => {
  const stream = [
    associateRq({ contexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }] }),
    pData({ contextId: 1, command: true, last: true, data: Buffer.alloc(16384 - 6, 7) }),
    pData({ contextId: 1, command: false, last: true, data: Buffer.alloc(10, 1) }),
    releaseRq(),
    abortPdu(),
  ];
  const bytes = Buffer.concat(stream);

  it('returns the same PDUs whether fed whole, byte by byte, or in odd chunks', () => {
    for (const size of [bytes.length, 1, 5, 6, 7, 4093]) {
      const framer = new PduFramer(LIMITS);
      const out: FramerVerdict[] = [];
      for (let i = 0; i < bytes.length; i += size) out.push(...framer.push(bytes.subarray(i, i + size)));
      expect(arePdus(out, stream), `chunks of ${size}`).toBe(true);
    }
  });

  it('accepts a P-DATA-TF of exactly the limit and refuses one byte more (reason 6), from its header alone', () => {
    expect(new PduFramer(LIMITS).push(pdu(PDU.PData, Buffer.alloc(16384)))).toMatchObject([{ kind: 'pdu', type: PDU.PData }]);
    const verdicts = new PduFramer(LIMITS).push(Buffer.from([PDU.PData, 0, 0, 0, 0x40, 0x01]));
    expect(verdicts).toMatchObject([{ kind: 'violation', abortReason: AbortReason.InvalidParameterValue }]);
  });

  it('refuses a 2 GB header at once and takes nothing more after a violation', () => {
    const framer = new PduFramer(LIMITS);
    expect(framer.push(Buffer.from([PDU.PData, 0, 0x80, 0, 0, 0]))).toMatchObject([{ kind: 'violation', abortReason: 6 }]);
    expect(framer.push(Buffer.alloc(1024 * 1024))).toEqual([]);
    expect(framer.push(releaseRq())).toEqual([]);
  });

  it('lets an A-ASSOCIATE-RQ exceed the P-DATA bound up to its own bound', () => {
    const big = pdu(PDU.AssociateRq, Buffer.alloc(200_000));
    expect(new PduFramer(LIMITS).push(big)).toMatchObject([{ kind: 'pdu', type: PDU.AssociateRq }]);
    expect(new PduFramer(LIMITS).push(pdu(PDU.AssociateRq, Buffer.alloc(1024 * 1024 + 1)).subarray(0, 6)))
      .toMatchObject([{ kind: 'violation', abortReason: 6 }]);
  });

  it('refuses an unknown PDU type (reason 1) and an oversized fixed-size PDU (reason 6)', () => {
    expect(new PduFramer(LIMITS).push(Buffer.from('GET / HTTP/1.1\r\n'))).toMatchObject([{ kind: 'violation', abortReason: AbortReason.UnrecognizedPdu }]);
    expect(new PduFramer(LIMITS).push(pdu(PDU.ReleaseRq, Buffer.alloc(70_000)).subarray(0, 6))).toMatchObject([{ kind: 'violation', abortReason: 6 }]);
  });

  it('frames a 64 MB PDU arriving in 1 KB chunks in linear time', () => {
    const size = 64 * 1024 * 1024;
    const framer = new PduFramer({ maxPDataLength: size, maxAssociateLength: size });
    const whole = pdu(PDU.PData, Buffer.alloc(size, 3));
    const started = performance.now();
    const out: FramerVerdict[] = [];
    for (let i = 0; i < whole.length; i += 1024) out.push(...framer.push(whole.subarray(i, i + 1024)));
    const elapsed = performance.now() - started;
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: 'pdu', type: PDU.PData });
    expect((out[0] as { pdu: Buffer }).pdu.length).toBe(whole.length);
    // Copying the partial PDU on every chunk (quadratic) would move ~2 TB here.
    expect(elapsed).toBeLessThan(10_000);
  });

  it('stays linear when a peer drips a 512 KB A-ASSOCIATE-RQ one byte per segment', () => {
    const framer = new PduFramer(LIMITS);
    const whole = pdu(PDU.AssociateRq, Buffer.alloc(512 * 1024, 1));
    const started = performance.now();
    const out: FramerVerdict[] = [];
    for (let i = 0; i < whole.length; i++) out.push(...framer.push(whole.subarray(i, i + 1)));
    const elapsed = performance.now() - started;
    expect(arePdus(out, [whole])).toBe(true);
    // Walking (or shifting) every buffered chunk on each push is ~1.4e11 steps here: minutes at least.
    expect(elapsed).toBeLessThan(8000);
  });
});
