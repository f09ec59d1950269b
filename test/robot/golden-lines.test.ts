// The golden transcripts themselves: four blocks, every line a valid DPRP frame with the checksum
// the standard CRC gives, except the lines that are bad on purpose (in `bad-lines`).
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/robot/dprp/frame.ts';
import { crc16Hex } from '../../src/robot/dprp/crc16.ts';
import { readGoldenTranscripts } from '../support/golden-transcripts.ts';

const transcripts = readGoldenTranscripts();

describe('golden transcripts in docs/robot-protocol.md', () => {
  it('are the four documented exchanges', () => {
    expect(transcripts.map((t) => t.name)).toEqual(['session-open', 'one-disc', 'pick-failure-and-recovery', 'bad-lines']);
  });

  it('CRC-16/CCITT-FALSE gives the standard check value', () => {
    expect(crc16Hex('123456789')).toBe('29B1');
  });

  for (const transcript of transcripts) {
    it(`${transcript.name}: every line decodes with its literal checksum`, () => {
      const bad = transcript.name === 'bad-lines' ? new Set(['Q1 GET_STATUS *0000', 'garbage without a checksum']) : new Set<string>();
      for (const line of transcript.lines) {
        const result = decodeFrame(line.text);
        if (bad.has(line.text)) expect(result.ok).toBe(false);
        else expect(result, line.text).toMatchObject({ ok: true });
      }
    });
  }
});
