// decodeText against pydicom's decoding of the same bytes: its character set test files (ISO 2022
// Japanese and Korean, GB18030, UTF-8, the ISO 8859 family) and one sample per single-byte set.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeIs, decodeText, decodeUid, decodeUs } from '../../src/dicom/text.ts';
import { PYTHON } from './rewrite-support.ts';

interface Sample {
  source: string;
  vr: string;
  charset: string;
  hex: string;
  text: string;
}
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'charset_values.py');
const run = spawnSync(PYTHON, [script], { encoding: 'utf8' });
if (run.status !== 0) throw new Error(`charset_values.py failed: ${run.stderr}`);
const samples = JSON.parse(run.stdout) as Sample[];

describe('decodeText', () => {
  it('covers the character sets that matter', () => {
    const charsets = new Set(samples.map((s) => s.charset));
    for (const c of ['ISO_IR 100', 'ISO_IR 192', 'GB18030', '\\ISO 2022 IR 87', 'ISO 2022 IR 13\\ISO 2022 IR 87', '\\ISO 2022 IR 149', 'ISO_IR 144', 'ISO_IR 127', 'ISO_IR 13']) {
      expect(charsets).toContain(c);
    }
    expect(samples.length).toBeGreaterThan(100);
  });

  for (const s of samples) {
    it(`${s.source} (${s.charset || 'default'}): ${s.text}`, () => {
      const ours = decodeText(Buffer.from(s.hex, 'hex'), s.charset || undefined);
      // pydicom leaves out trailing empty PN component groups ("Wang^XiaoDong=王^小東=" prints without the last "=").
      expect(s.vr === 'PN' ? ours.replace(/=+$/, '') : ours).toBe(s.text);
    });
  }

  it('strips trailing spaces and NULs but keeps inner ones', () => {
    expect(decodeText(Buffer.from('AB C  \0'), undefined)).toBe('AB C');
    expect(decodeText(Buffer.from(' X '), 'ISO_IR 100')).toBe(' X');
  });

  it('falls back to Latin-1 for unknown character sets instead of failing', () => {
    expect(decodeText(Buffer.from([0x4d, 0xfc]), 'NOT A CHARSET')).toBe('Mü');
  });
});

describe('value helpers', () => {
  it('decodes UIDs, US and IS values', () => {
    expect(decodeUid(Buffer.from('1.2.840.10008.1.2.1\0', 'latin1'))).toBe('1.2.840.10008.1.2.1');
    expect(decodeUid(Buffer.from('1.2.3 ', 'latin1'))).toBe('1.2.3');
    expect(decodeUs(Buffer.from([0x10, 0x00, 0x20, 0x01]))).toBe(16);
    expect(decodeUs(Buffer.from([0x10, 0x00, 0x20, 0x01]), 1)).toBe(288);
    expect(decodeUs(Buffer.from([0x10]))).toBeNull();
    expect(decodeIs(Buffer.from(' +12 '))).toBe(12);
    expect(decodeIs(Buffer.from('-3\\4'))).toBe(-3);
    expect(decodeIs(Buffer.from('1.5'))).toBeNull();
    expect(decodeIs(Buffer.from(''))).toBeNull();
  });
});
