// The PDV guard in front of the DIMSE library: a command set it cannot read is refused at once.
// Found by the PDU fuzz test: the library dropped such a command set without a word and the
// association sat idle until the idle timeout (300 s by default) instead of being aborted.
import { describe, expect, it } from 'vitest';
import { PdvGuard } from '../../adapters/dicom/pdv-guard.ts';
import { pData } from '../support/pdu.ts';
import { cEchoRq } from '../e2e/support/dimse.ts';
import { implicitLe } from '../e2e/support/dataset.ts';

const CONTEXT = 1;
const guard = () => new PdvGuard(new Set([CONTEXT]));
const command = (data: Buffer, last = true) => pData({ contextId: CONTEXT, command: true, last, data });

describe('PdvGuard: command sets', () => {
  it('passes a C-ECHO-RQ, whole or in fragments', () => {
    expect(guard().check(command(cEchoRq(1)))).toEqual({ ok: true });
    const g = guard();
    const echo = cEchoRq(2);
    expect(g.check(command(echo.subarray(0, 10), false))).toEqual({ ok: true });
    expect(g.check(command(echo.subarray(10)))).toEqual({ ok: true });
  });

  it('refuses a command set of random bytes', () => {
    const verdict = guard().check(command(Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz')));
    expect(verdict).toMatchObject({ ok: false, reason: expect.stringMatching(/command set/) });
  });

  it('refuses a command set without a Command Field', () => {
    const verdict = guard().check(command(implicitLe([{ tag: 0x00000110, vr: 'US', value: 1 }, { tag: 0x00000800, vr: 'US', value: 0x0101 }])));
    expect(verdict).toMatchObject({ ok: false, reason: expect.stringMatching(/no Command Field/) });
  });

  it('refuses a command set whose element runs past its end', () => {
    const echo = Buffer.from(cEchoRq(1));
    // The last element (Command Data Set Type, 2 bytes) claims 200.
    echo.writeUInt32LE(200, echo.length - 6);
    expect(guard().check(command(echo))).toMatchObject({ ok: false, reason: expect.stringMatching(/runs past/) });
  });

  it('refuses an element outside group 0000 in a command set', () => {
    const bad = Buffer.concat([cEchoRq(1), implicitLe([{ tag: 0x00100010, vr: 'PN', value: 'X' }])]);
    expect(guard().check(command(bad))).toMatchObject({ ok: false, reason: expect.stringMatching(/group 0000/) });
  });
});
