// Constant memory and speed: a 1 GiB multi-frame object streams through in 16 KB fragments without
// being held, and walking 500 CT images costs a small fraction of writing them.
import { describe, expect, it } from 'vitest';
import { DatasetRewriter } from '../../src/dicom/dataset-rewriter.ts';
import { INDEX_TAGS, indexEntry } from '../../src/dicom/index-keys.ts';
import { type SyntaxKey, SYNTAX_UID, encodeElement } from './rewrite-support.ts';

const FRAGMENT = 16 * 1024;

/** The elements of an image header in `syntax`, ending with the Pixel Data header of `pixelBytes`. */
function imageHeader(syntax: SyntaxKey, rows: number, columns: number, frames: number, pixelBytes: number): Buffer {
  const be = syntax === 'evrbe';
  const us = (n: number): Buffer => { const b = Buffer.alloc(2); if (be) b.writeUInt16BE(n); else b.writeUInt16LE(n); return b; };
  const text = (s: string, pad = ' '): Buffer => Buffer.from(s.length % 2 ? s + pad : s, 'latin1');
  return Buffer.concat([
    encodeElement(syntax, 0x00080016, 'UI', text('1.2.840.10008.5.1.4.1.1.2', '\0')),
    encodeElement(syntax, 0x00080018, 'UI', text('1.2.826.0.1.3680043.8.498.77.1', '\0')),
    encodeElement(syntax, 0x00080060, 'CS', text('CT')),
    encodeElement(syntax, 0x00100010, 'PN', text('Test^Large')),
    encodeElement(syntax, 0x00100020, 'LO', text('LARGE1')),
    encodeElement(syntax, 0x0020000d, 'UI', text('1.2.826.0.1.3680043.8.498.77.2', '\0')),
    encodeElement(syntax, 0x0020000e, 'UI', text('1.2.826.0.1.3680043.8.498.77.3', '\0')),
    encodeElement(syntax, 0x00280002, 'US', us(1)),
    encodeElement(syntax, 0x00280004, 'CS', text('MONOCHROME2')),
    encodeElement(syntax, 0x00280008, 'IS', text(String(frames))),
    encodeElement(syntax, 0x00280010, 'US', us(rows)),
    encodeElement(syntax, 0x00280011, 'US', us(columns)),
    encodeElement(syntax, 0x00280100, 'US', us(16)),
    encodeElement(syntax, 0x00280101, 'US', us(16)),
    encodeElement(syntax, 0x00280102, 'US', us(15)),
    encodeElement(syntax, 0x00280103, 'US', us(0)),
    encodeElement(syntax, 0x7fe00010, 'OW', Buffer.alloc(0), pixelBytes),
  ]);
}

/** 16-bit pixel words 0, 1, 2, … in the syntax's byte order, one fragment's worth. */
function pixelFragment(be: boolean): Buffer {
  const b = Buffer.alloc(FRAGMENT);
  for (let i = 0; i < FRAGMENT / 2; i++) {
    if (be) b.writeUInt16BE(i, 2 * i);
    else b.writeUInt16LE(i, 2 * i);
  }
  return b;
}

describe('a 1 GiB multi-frame object', () => {
  for (const syntax of ['evrle', 'ivrle', 'evrbe'] as SyntaxKey[]) {
    it(`${syntax}: streams through in 16 KB fragments with constant memory, every pixel right`, () => {
      const pixelBytes = 512 * 1024 * 1024 * 2; // 512 frames of 1024 x 1024 x 16 bits
      const header = imageHeader(syntax, 1024, 1024, 512, pixelBytes);
      const fragment = pixelFragment(syntax === 'evrbe');
      const expected = pixelFragment(false);
      const rewriter = new DatasetRewriter({ transferSyntaxUid: SYNTAX_UID[syntax], collectTags: INDEX_TAGS });
      const before = process.memoryUsage();
      let peakExternal = 0;
      let out = 0;
      for (const piece of rewriter.push(header)) out += piece.length;
      for (let n = 0; n < pixelBytes / FRAGMENT; n++) {
        const pieces = rewriter.push(fragment);
        // One piece per fragment: the fragment itself (Explicit LE), a slice of it (Implicit LE), or its swapped copy.
        expect(pieces.length).toBe(1);
        const piece = pieces[0]!;
        if (syntax === 'evrbe') {
          if (n % 997 === 0 || n === pixelBytes / FRAGMENT - 1) expect(piece.equals(expected)).toBe(true);
        } else {
          expect(piece.buffer).toBe(fragment.buffer);
        }
        out += piece.length;
        if (n % 4096 === 0) peakExternal = Math.max(peakExternal, process.memoryUsage().arrayBuffers - before.arrayBuffers);
      }
      for (const piece of rewriter.end()) out += piece.length;
      expect(rewriter.bytesIn).toBe(header.length + pixelBytes);
      expect(rewriter.bytesOut).toBe(out);
      expect(out).toBeGreaterThanOrEqual(pixelBytes);
      expect(peakExternal).toBeLessThan(256 * 1024 * 1024);
      expect(indexEntry(rewriter.collected)).toMatchObject({ patientId: 'LARGE1', modality: 'CT', sopClassUid: '1.2.840.10008.5.1.4.1.1.2' });
    });
  }

  it('evrbe: swapped fragments of odd size carry the odd byte into the next fragment', () => {
    const pixelBytes = 64 * 1024 * 1024;
    const header = imageHeader('evrbe', 1024, 1024, 32, pixelBytes);
    const words = Buffer.alloc(pixelBytes);
    for (let i = 0; i < pixelBytes / 2; i++) words.writeUInt16BE(i & 0xffff, 2 * i);
    const rewriter = new DatasetRewriter({ transferSyntaxUid: SYNTAX_UID.evrbe });
    const pieces = [...rewriter.push(header)];
    for (let off = 0; off < pixelBytes; off += 16381) pieces.push(...rewriter.push(words.subarray(off, off + 16381)));
    pieces.push(...rewriter.end());
    const output = Buffer.concat(pieces);
    expect(output.subarray(output.length - pixelBytes).equals(Buffer.from(words).swap16())).toBe(true);
  });
});
