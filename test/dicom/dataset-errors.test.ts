// Data sets the rewriter must refuse: cut short anywhere (judged against where pydicom's reader
// finds element boundaries), group 0002 inside, encapsulated pixel data, broken structure.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../src/dicom/dataset-rewriter.ts';
import { formatTag } from '../../src/dicom/dictionary.ts';
import {
  type FixtureEntry,
  type SyntaxKey,
  SYNTAX_UID,
  elementBoundaries,
  encodeElement,
  encodeItemTag,
  makeFixtures,
  rewrite,
  seededRandom,
  tempDir,
} from './rewrite-support.ts';

const dir = tempDir('rewriter-errors');
const fixtures: FixtureEntry[] = makeFixtures(dir);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const SYNTAXES: SyntaxKey[] = ['ivrle', 'evrle', 'evrbe'];
const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;
const TAGGED = /^(element \([0-9A-F]{4},[0-9A-F]{4}\) at offset \d+|data set at offset \d+): ./;

function rewriteError(data: Buffer, transferSyntaxUid: string): DatasetError | undefined {
  try {
    rewrite([data], transferSyntaxUid);
    return undefined;
  } catch (err) {
    if (err instanceof DatasetError) return err;
    throw err;
  }
}

describe('a data set cut short', () => {
  const cases: [string, string][] = [
    ['small', SYNTAX_UID.ivrle], ['small', SYNTAX_UID.evrle], ['small', SYNTAX_UID.evrbe],
    ['ct16', SYNTAX_UID.ivrle], ['ct16', SYNTAX_UID.evrle], ['ct16', SYNTAX_UID.evrbe],
    ['pydicom-test-SR', SYNTAX_UID.evrle], ['pydicom-rtplan', SYNTAX_UID.ivrle], ['pydicom-liver_expb_1frame', SYNTAX_UID.evrbe],
  ];
  for (const [name, ts] of cases) {
    it(`${name} in ${ts}: complete exactly at pydicom's element boundaries, refused with the element named anywhere else`, () => {
      const f = fixtures.find((x) => x.name === name && x.transferSyntaxUid === ts)!;
      const raw = fs.readFileSync(f.raw);
      const boundaries = elementBoundaries(f.raw, ts);
      expect(boundaries.at(-1)!.start).toBe(raw.length);
      const random = seededRandom(raw.length);
      const cuts = new Set<number>();
      for (let c = 0; c <= Math.min(raw.length, 3000); c++) cuts.add(c);
      for (let i = 0; i < 300; i++) cuts.add(Math.floor(random() * raw.length));
      for (const b of boundaries) cuts.add(b.start);
      let refused = 0;
      for (const cut of cuts) {
        const err = rewriteError(raw.subarray(0, cut), ts);
        const k = boundaries.findIndex((b) => b.start > cut) - 1; // the top-level element the cut falls in
        if (boundaries.some((b) => b.start === cut)) {
          expect(err, `cut at ${cut}`).toBeUndefined();
          continue;
        }
        refused++;
        expect(err, `cut at ${cut}`).toBeInstanceOf(DatasetError);
        expect(err!.message).toMatch(TAGGED);
        expect(err!.offset).toBeLessThanOrEqual(cut);
        // Named: the element the cut falls in, something inside it, or (cut in a tag) the one before it.
        expect(err!.offset).toBeGreaterThanOrEqual(boundaries[Math.max(0, k - 1)]!.start);
        if (err!.tag !== null && err!.offset === boundaries[k]!.start) expect(err!.tag).toBe(boundaries[k]!.tag);
        if (err!.tag === null) expect(cut).toBeLessThan(4);
      }
      expect(refused).toBeGreaterThan(cuts.size / 2);
    });
  }
});

describe('structurally invalid data sets', () => {
  const ui = (s: string): Buffer => Buffer.from(s.length % 2 ? `${s}\0` : s, 'latin1');
  const sopClass = (syntax: SyntaxKey): Buffer => encodeElement(syntax, 0x00080016, 'UI', ui('1.2.840.10008.5.1.4.1.1.7'));

  for (const syntax of SYNTAXES) {
    it(`${syntax}: group 0002 in the data set is refused, naming the tag`, () => {
      const data = Buffer.concat([sopClass(syntax), encodeElement(syntax, 0x00020010, 'UI', ui('1.2.840.10008.1.2.1'))]);
      const err = rewriteError(data, SYNTAX_UID[syntax]);
      expect(err?.message).toBe(`element (0002,0010) at offset ${sopClass(syntax).length}: group 0002 (File Meta Information) must not appear in the data set`);
    });

    it(`${syntax}: encapsulated (undefined-length) pixel data is refused`, () => {
      const data = Buffer.concat([
        sopClass(syntax),
        encodeElement(syntax, 0x7fe00010, 'OB', Buffer.alloc(0), 0xffffffff),
        encodeItemTag(syntax, ITEM, 0),
        encodeItemTag(syntax, ITEM, 4, Buffer.from([1, 2, 3, 4])),
        encodeItemTag(syntax, SEQUENCE_DELIMITATION, 0),
      ]);
      const err = rewriteError(data, SYNTAX_UID[syntax]);
      expect(err?.message).toMatch(/^element \(7FE0,0010\) at offset \d+: encapsulated \(undefined-length\) pixel data cannot occur/);
    });

    it(`${syntax}: an element running past the end of its defined-length item is refused`, () => {
      const inner = encodeElement(syntax, 0x00100020, 'LO', Buffer.from('ABCDEFGH'));
      const item = encodeItemTag(syntax, ITEM, inner.length - 2, inner); // the item claims 2 bytes less
      const data = Buffer.concat([sopClass(syntax), encodeElement(syntax, 0x00081140, 'SQ', item, item.length)]);
      const err = rewriteError(data, SYNTAX_UID[syntax]);
      expect(err?.message).toMatch(/^element \(0010,0020\) at offset \d+: value length 8 runs past the end of the enclosing item \(0008,1140\)/);
    });

    it(`${syntax}: delimiters and items out of place are refused`, () => {
      const stray = Buffer.concat([sopClass(syntax), encodeItemTag(syntax, ITEM_DELIMITATION, 0)]);
      expect(rewriteError(stray, SYNTAX_UID[syntax])?.message).toMatch(/^element \(FFFE,E00D\) at offset \d+: unexpected item delimitation in the top-level data set/);
      const item = Buffer.concat([sopClass(syntax), encodeItemTag(syntax, ITEM, 0)]);
      expect(rewriteError(item, SYNTAX_UID[syntax])?.message).toMatch(/^element \(FFFE,E000\) at offset \d+: item outside a sequence/);
      const notAnItem = Buffer.concat([
        encodeElement(syntax, 0x00081140, 'SQ', Buffer.alloc(0), 0xffffffff),
        sopClass(syntax),
      ]);
      expect(rewriteError(notAnItem, SYNTAX_UID[syntax])?.message).toMatch(/^element \(0008,0016\) at offset \d+: expected an item in sequence \(0008,1140\)/);
      const longDelimiter = Buffer.concat([
        encodeElement(syntax, 0x00081140, 'SQ', Buffer.alloc(0), 0xffffffff),
        encodeItemTag(syntax, SEQUENCE_DELIMITATION, 4, Buffer.alloc(4)),
      ]);
      expect(rewriteError(longDelimiter, SYNTAX_UID[syntax])?.message).toMatch(/delimitation item with length 4 \(must be 0\)/);
    });

    it(`${syntax}: a sequence never closed is refused, naming the sequence`, () => {
      const data = Buffer.concat([
        sopClass(syntax),
        encodeElement(syntax, 0x00081140, 'SQ', Buffer.alloc(0), 0xffffffff),
        encodeItemTag(syntax, ITEM, 0xffffffff),
        encodeElement(syntax, 0x00081150, 'UI', ui('1.2.3')),
        encodeItemTag(syntax, ITEM_DELIMITATION, 0),
      ]);
      expect(rewriteError(data, SYNTAX_UID[syntax])?.message).toBe(`element (0008,1140) at offset ${sopClass(syntax).length}: sequence has undefined length and no delimitation item before the end of the data set`);
      const closed = Buffer.concat([data, encodeItemTag(syntax, SEQUENCE_DELIMITATION, 0)]);
      expect(rewriteError(closed, SYNTAX_UID[syntax])).toBeUndefined();
    });
  }

  for (const syntax of ['evrle', 'evrbe'] as const) {
    it(`${syntax}: an unknown VR is refused (the stream has lost its way)`, () => {
      const bad = Buffer.concat([sopClass(syntax), encodeElement(syntax, 0x00100010, 'ZZ', Buffer.from('AB'))]);
      expect(rewriteError(bad, SYNTAX_UID[syntax])?.message).toBe(`element (0010,0010) at offset ${sopClass(syntax).length}: unknown VR 'ZZ' (lost sync with the encoding?)`);
    });
  }

  it('names tags the way DICOM writes them', () => {
    expect(formatTag(0x7fe00010)).toBe('(7FE0,0010)');
    expect(formatTag(0x00100010)).toBe('(0010,0010)');
  });
});
