// A fragment boundary can fall anywhere (inside a tag, a VR, a length, a value, a word being
// byte-swapped): the output and the collected values must never depend on where.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { INDEX_TAGS } from '../../src/dicom/index-keys.ts';
import { type RewriteResult, type SyntaxKey, SYNTAX_UID, makeFixtures, rewrite, seededRandom, tempDir } from './rewrite-support.ts';

const dir = tempDir('chunks');
const fixtures = makeFixtures(dir);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function collectedSnapshot(r: RewriteResult): string[] {
  return [...r.rewriter.collected].map(([tag, { vr, value }]) => `${tag.toString(16)} ${vr} ${value.toString('hex')}`).sort();
}

describe.each(['ivrle', 'evrle', 'evrbe'] as SyntaxKey[])('the small data set in %s', (syntax) => {
  const ts = SYNTAX_UID[syntax];
  const raw = fs.readFileSync(fixtures.find((f) => f.name === 'small' && f.transferSyntaxUid === ts)!.raw);
  const whole = rewrite([raw], ts, INDEX_TAGS);
  const expected = collectedSnapshot(whole);

  it('has the structure worth splitting: sequences, private data, swapped words', () => {
    expect(raw.length).toBeGreaterThan(1000);
    expect(raw.length).toBeLessThan(4000);
    expect(expected.length).toBeGreaterThan(15);
    expect(whole.rewriter.collected.has(0x00081140)).toBe(true); // a sequence, collected whole
  });

  it('gives the same output and collected values for every single split position', () => {
    for (let cut = 0; cut <= raw.length; cut++) {
      const r = rewrite([raw.subarray(0, cut), raw.subarray(cut)], ts, INDEX_TAGS);
      expect(r.output.equals(whole.output), `split at ${cut}`).toBe(true);
      expect(collectedSnapshot(r), `split at ${cut}`).toEqual(expected);
    }
  });

  it('gives the same output fed one byte at a time', () => {
    const bytes = Array.from({ length: raw.length }, (_, i) => raw.subarray(i, i + 1));
    const r = rewrite(bytes, ts, INDEX_TAGS);
    expect(r.output.equals(whole.output)).toBe(true);
    expect(collectedSnapshot(r)).toEqual(expected);
    expect(r.rewriter.bytesIn).toBe(raw.length);
    expect(r.rewriter.bytesOut).toBe(whole.output.length);
  });

  it('gives the same output for 2000 random three-way splits', () => {
    const random = seededRandom(42);
    for (let i = 0; i < 2000; i++) {
      const [a, b] = [Math.floor(random() * raw.length), Math.floor(random() * raw.length)].sort((x, y) => x - y) as [number, number];
      const r = rewrite([raw.subarray(0, a), raw.subarray(a, b), raw.subarray(b)], ts, INDEX_TAGS);
      expect(r.output.equals(whole.output), `splits at ${a}, ${b}`).toBe(true);
    }
  });
});
