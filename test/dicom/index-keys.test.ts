// What the rewriter collects for the index and the DICOMDIR, checked against pydicom's reading of the
// original files: decoded columns, raw values, and collected sequences re-read as a data set.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { vrOf } from '../../src/dicom/dictionary.ts';
import { INDEX_TAGS, headerJson, indexEntry, parseHeaderJson } from '../../src/dicom/index-keys.ts';
import {
  PYTHON,
  SYNTAX_UID,
  compareWithPydicom,
  encodeElement,
  encodeItemTag,
  makeFixtures,
  part10,
  randomChunks,
  rewrite,
  splitPart10,
  tempDir,
} from './rewrite-support.ts';

const dir = tempDir('index-keys');
const fixtures = makeFixtures(dir);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const here = path.dirname(fileURLToPath(import.meta.url));

interface Oracle {
  columns: Record<string, string | null>;
  raw: Record<string, string>;
}
function pydicomIndex(files: string[]): Record<string, Oracle> {
  const r = spawnSync(PYTHON, [path.join(here, '..', 'fixtures', 'index_values.py'), ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`index_values.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, Oracle>;
}

const charsetDir = path.join(spawnSync(PYTHON, ['-c', 'import pydicom, os; print(os.path.dirname(pydicom.__file__))'], { encoding: 'utf8' }).stdout.trim(), 'data', 'charset_files');
const sources: { label: string; file: string }[] = [
  ...['ct16', 'mr8', 'rtdose32'].flatMap((name) => (['ivrle', 'evrle', 'evrbe'] as const).map((s) => ({ label: `${name} ${s}`, file: fixtures.find((f) => f.name === name && f.transferSyntaxUid === SYNTAX_UID[s])!.file }))),
  ...['pydicom-test-SR', 'pydicom-rtplan', 'pydicom-waveform_ecg', 'pydicom-liver_expb_1frame', 'pydicom-reportsi'].map((name) => ({ label: name, file: fixtures.find((f) => f.name === name)!.file })),
  ...['chrH31', 'chrH32', 'chrI2', 'chrX1', 'chrX2', 'chrArab', 'chrRuss', 'chrGerm'].map((name) => ({ label: name, file: path.join(charsetDir, `${name}.dcm`) })),
];
const oracle = pydicomIndex(sources.map((s) => s.file));

describe('INDEX_TAGS', () => {
  it('are all standard data elements and include every key the index and DICOMDIR records need', () => {
    for (const tag of INDEX_TAGS) expect(vrOf(tag), tag.toString(16)).toBeDefined();
    const required = [
      0x00080005, 0x00080016, 0x00080018, 0x00080060, 0x00080080, 0x00280100, 0x00280010, 0x00280011, 0x00280008, // named in the brief
      0x00100010, 0x00100020, 0x00100030, 0x00100040, // PATIENT
      0x00080020, 0x00080030, 0x00080050, 0x00081030, 0x0020000d, 0x00200010, // STUDY
      0x00080021, 0x00080031, 0x00080081, 0x0008103e, 0x00081050, 0x0020000e, 0x00200011, // SERIES (conformance statement 8.1-1)
      0x00080008, 0x00081140, 0x00200032, 0x00200013, 0x00200037, 0x00200052, 0x00280030, // IMAGE
      0x3004000a, 0x30060002, 0x300a0002, 0x0040a491, 0x0040a493, 0x0040a043, 0x00420012, 0x00080023, 0x00080033, 0x00720002,
    ];
    for (const tag of required) expect(INDEX_TAGS.has(tag), tag.toString(16)).toBe(true);
  });
});

describe('indexEntry and headerJson', () => {
  for (const source of sources) {
    it(`${source.label}: columns and raw values match pydicom's reading of the original`, () => {
      const { transferSyntaxUid, dataset } = splitPart10(source.file);
      const { rewriter } = rewrite(randomChunks(dataset, 3), transferSyntaxUid, INDEX_TAGS);
      const entry = indexEntry(rewriter.collected);
      const expected = oracle[source.file]!;
      // pydicom drops trailing empty PN component groups: "Wang^XiaoDong=王^小東=" prints without the "=".
      expect({ ...entry, patientName: entry.patientName?.replace(/=+$/, '') ?? null }).toEqual(expected.columns);

      const json = JSON.parse(JSON.stringify(headerJson(rewriter.collected))) as ReturnType<typeof headerJson>;
      for (const key of Object.keys(json)) expect(key).toMatch(/^[0-9A-F]{8}$/);
      const back = parseHeaderJson(json);
      expect([...back.keys()].sort()).toEqual([...rewriter.collected.keys()].sort());
      for (const [tag, { vr, value }] of rewriter.collected) {
        expect(back.get(tag)).toEqual({ vr, value });
        expect(INDEX_TAGS.has(tag)).toBe(true);
        const key = tag.toString(16).toUpperCase().padStart(8, '0');
        // Little endian originals: the collected value is the element's bytes exactly as pydicom read them.
        if (vr !== 'SQ' && transferSyntaxUid !== SYNTAX_UID.evrbe && expected.raw[key] !== undefined) {
          expect(value.toString('hex'), key).toBe(expected.raw[key]);
        }
      }
    });
  }

  it('collected values, sequences included, re-read by pydicom equal the original elements', () => {
    const pairs = sources.slice(0, 14).map((source, i) => {
      const { transferSyntaxUid, dataset } = splitPart10(source.file);
      const { rewriter } = rewrite(randomChunks(dataset, 10 + i), transferSyntaxUid, INDEX_TAGS);
      const elements = [...rewriter.collected].sort(([a], [b]) => a - b).map(([tag, { vr, value }]) =>
        vr === 'SQ'
          ? encodeElement('evrle', tag, 'SQ', Buffer.concat([value, encodeItemTag('evrle', 0xfffee0dd, 0)]), 0xffffffff)
          : encodeElement('evrle', tag, vr, value),
      );
      const file = path.join(dir, `collected-${i}.dcm`);
      fs.writeFileSync(file, part10(Buffer.concat(elements), '1.2.840.10008.5.1.4.1.1.7', '1.2.3.4'));
      return { original: source.file, rewritten: file, subset: true };
    });
    const verdicts = compareWithPydicom(pairs);
    for (const v of verdicts) {
      expect(v.differences, v.original).toEqual([]);
      expect(v.elements).toBeGreaterThan(10);
    }
    // Sequences were among them (ct16: Referenced Image and Shared Functional Groups; the SR: Content).
    const ct = parseHeaderJson(headerJson(rewrite([splitPart10(sources[0]!.file).dataset], SYNTAX_UID.ivrle, INDEX_TAGS).rewriter.collected));
    expect(ct.get(0x00081140)?.vr).toBe('SQ');
    expect(ct.get(0x52009229)?.vr).toBe('SQ');
  });

  it('leaves out values and sequences longer than maxCollectBytes', () => {
    const longtext = fixtures.find((f) => f.name === 'longtext')!;
    const raw = fs.readFileSync(longtext.raw);
    const tags = new Set([0x00104000, 0x00100020]);
    const capped = rewrite([raw], longtext.transferSyntaxUid, tags).rewriter.collected;
    expect(capped.has(0x00104000)).toBe(false); // 70002 bytes > 64 KiB default
    expect(capped.get(0x00100020)?.value.toString('latin1')).toBe('PID0005 ');
    const roomy = rewrite([raw], longtext.transferSyntaxUid, tags, 100_000).rewriter.collected;
    expect(roomy.get(0x00104000)?.value.length).toBe(70002);
    expect(roomy.get(0x00104000)?.vr).toBe('UN');

    const ct = fixtures.find((f) => f.name === 'ct16' && f.transferSyntaxUid === SYNTAX_UID.evrbe)!;
    const small = rewrite([fs.readFileSync(ct.raw)], ct.transferSyntaxUid, INDEX_TAGS, 100).rewriter.collected;
    expect(small.has(0x00081140)).toBe(false);
    expect(small.has(0x00100020)).toBe(true);
  });
});
