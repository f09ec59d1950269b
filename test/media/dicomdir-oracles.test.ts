// Our DICOMDIR for generated studies of every record type, checked by the real tools for each
// profile: dciodvfy (IOD), dcdirdmp (offset walk), pydicom FileSet (load everything), dcmdump (reads
// it and every file), and DCMTK's dcmmkdir on the same tree (same records, every key it writes is in
// ours with the same bytes), plus our own checker.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDicomdir, type DicomdirResult, type DirectoryInstance } from '../../src/media/dicomdir/build.ts';
import { checkDicomdir } from '../../src/media/dicomdir/check.ts';
import type { MediaProfile } from '../../src/media/profiles.ts';
import { RECORD_TYPES } from '../../src/media/record-types.ts';
import { makeStudies, pydicomReport, readFixtures, run, type PyRecord, type Run, type StudyFixture } from './dicomdir-support.ts';

const PROFILES: { profile: MediaProfile; flag: string }[] = [
  { profile: 'STD-GEN-CD', flag: '-Pgp' },
  { profile: 'STD-GEN-DVD-JPEG', flag: '-Pdv' },
  { profile: 'STD-GEN-BD', flag: '-Pbd' },
];

let work: string;
let source: string;
let fixtures: StudyFixture[];
let instances: DirectoryInstance[];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'dicomdir-oracles-'));
  source = path.join(work, 'source');
  mkdirSync(source);
  fixtures = await makeStudies(source, 'complete');
  instances = readFixtures(fixtures);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

type Element = PyRecord['elements'][string];

/** Equal values: raw bytes where pydicom kept them, else the decoded text; sequences item by item, element by element. */
function sameValue(a: Element, b: Element): boolean {
  if (a.vr !== b.vr) return false;
  if (a.vr === 'SQ') {
    const x = a.items as Record<string, Element>[];
    const y = b.items as Record<string, Element>[];
    return x.length === y.length && x.every((item, i) => sameElements(item, y[i]!));
  }
  return a.raw !== undefined && b.raw !== undefined ? a.raw === b.raw : a.text === b.text;
}

function sameElements(a: Record<string, Element>, b: Record<string, Element>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] !== undefined && sameValue(a[k]!, b[k]!));
}

const recordKey = (r: PyRecord): string => `${r.type}|${r.id}`;

it('the fixture covers every record type the SOP-class table uses', () => {
  const used = new Set(RECORD_TYPES.map((r) => r.recordType).filter((t): t is string => t !== null));
  expect(new Set(fixtures.map((f) => f.recordType))).toEqual(used);
});

describe.each(PROFILES)('$profile', ({ profile, flag }) => {
  let root: string;
  let result: DicomdirResult;
  let dicomdir: string;
  let dcmmkdir: Run;
  let py: Awaited<ReturnType<typeof pydicomReport>>;

  beforeAll(async () => {
    root = path.join(work, profile);
    cpSync(source, root, { recursive: true });
    result = buildDicomdir({ fileSetId: 'PATIENT_CD 1', profile, instances });
    dicomdir = path.join(root, 'DICOMDIR');
    writeFileSync(dicomdir, result.bytes);
    // DCMTK's DICOMDIR for the same tree, strict (no +I), outside the tree
    const check = path.join(work, `CHECK${flag}`);
    dcmmkdir = await run('dcmmkdir', [flag, '+r', '+F', 'PATIENT_CD', '+D', check, 'DICOM'], { cwd: root });
    py = await pydicomReport([dicomdir, check]);
  });

  it('has one record per patient, study, series and instance, and only the Stereometric label made up', () => {
    const leaves = fixtures.length;
    const patients = new Set(fixtures.filter((f) => f.recordType !== 'HANGING PROTOCOL').map((f) => f.fileId[1])).size;
    const studies = new Set(fixtures.filter((f) => f.fileId.length === 5).map((f) => f.fileId.slice(1, 3).join('/'))).size;
    const series = new Set(fixtures.filter((f) => f.fileId.length === 5).map((f) => f.fileId.slice(1, 4).join('/'))).size;
    expect(result.recordCount).toBe(leaves + patients + studies + series);
    // complete inputs: only the Content Label dciodvfy demands of STEREOMETRIC records, which the IOD lacks
    expect(result.substitutions.map((s) => `${s.recordType} ${s.key}`)).toEqual(['STEREOMETRIC (0070,0080) Content Label']);
  });

  it('passes dciodvfy without an Error line', async () => {
    const r = await run('dciodvfy', [dicomdir]);
    expect(r.output).toContain('BasicDirectory');
    expect(r.output.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('is walked by dcdirdmp through every offset, listing every file once', async () => {
    const r = await run('dcdirdmp', [dicomdir]);
    expect(r.code).toBe(0);
    expect(r.output).not.toMatch(/Error/);
    const listed = [...r.output.matchAll(/-> (\S+)/g)].map((m) => m[1]!);
    expect(listed.sort()).toEqual(fixtures.map((f) => f.fileId.join('\\')).sort());
  });

  it("loads in pydicom's FileSet with every instance", () => {
    expect(py.fileset.errors).toEqual([]);
    expect(py.fileset.count).toBe(fixtures.length);
    expect(py.fileset.files.sort()).toEqual(fixtures.map((f) => path.join(root, ...f.fileId)).sort());
  });

  it('is read by dcmdump, with a fresh File-set UID, consistency flag 0 and every record in use', async () => {
    const r = await run('dcmdump', ['-M', '+L', dicomdir]);
    expect(r.code).toBe(0);
    expect(r.output).not.toMatch(/^E:/m);
    expect(r.stdout).toContain('(0002,0002) UI =MediaStorageDirectoryStorage');
    expect(r.stdout).toContain('(0002,0010) UI =LittleEndianExplicit');
    expect(r.stdout).toContain(`(0002,0003) UI [${result.fileSetUid}]`);
    expect(result.fileSetUid).toMatch(/^2\.25\.[1-9]\d*$/);
    expect(r.stdout).toMatch(/\(0004,1130\) CS \[PATIENT_CD 1\]/);
    expect(r.stdout).toMatch(/\(0004,1212\) US 0 /);
    expect(r.stdout.match(/\(0004,1410\) US 65535 /g)?.length).toBe(result.recordCount);
    // and every referenced file
    const files = await run('dcmdump', ['-q', ...fixtures.map((f) => path.join(root, ...f.fileId))]);
    expect(files.code).toBe(0);
  });

  it(`matches dcmmkdir ${flag} on the same tree: no E: line, the same records, every key it writes in ours with the same bytes`, () => {
    expect(dcmmkdir.output).not.toMatch(/^E:/m);
    expect(dcmmkdir.output).not.toMatch(/cannot be added/);
    const [ours, theirs] = py.records as [PyRecord[], PyRecord[]];
    expect(theirs.length).toBe(result.recordCount);
    const oursByKey = new Map(ours.map((o) => [recordKey(o), o]));
    expect(new Set(ours.map(recordKey))).toEqual(new Set(theirs.map(recordKey)));
    let compared = 0;
    for (const t of theirs) {
      const o = oursByKey.get(recordKey(t))!;
      expect(o.parent, `${recordKey(t)} parent`).toBe(t.parent);
      for (const [tag, element] of Object.entries(t.elements)) {
        const mine = o.elements[tag];
        expect(mine, `${recordKey(t)} lacks ${tag}`).toBeDefined();
        expect(sameValue(mine!, element), `${recordKey(t)} ${tag}: ours ${JSON.stringify(mine)} vs dcmmkdir ${JSON.stringify(element)}`).toBe(true);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(5 * theirs.length);
    // our checker finds nothing wrong with DCMTK's DICOMDIR either
    expect(checkDicomdir(readFileSync(path.join(work, `CHECK${flag}`))).errors).toEqual([]);
  });

  it('passes our own checker, which reads the same records at the same offsets in the same order as pydicom', () => {
    const checked = checkDicomdir(result.bytes);
    expect(checked.errors).toEqual([]);
    const ours = py.records[0]!;
    expect(checked.records.map((r) => [r.offset, r.type])).toEqual(ours.map((r) => [r.offset, r.type]));
    // names and descriptions decode alike (Latin-1 and UTF-8 records)
    for (const [i, r] of checked.records.entries()) {
      for (const tag of ['00100010', '00081030', '0008103E', '00080080']) {
        const text = ours[i]!.elements[tag]?.text;
        if (text !== undefined) expect(r.keys[tag], `${r.type} ${tag}`).toBe(text);
      }
    }
    expect(checked.records.find((r) => r.type === 'PATIENT' && r.keys['00100020'] === 'PID192')?.keys['00100010']).toBe('山田^太郎');
    expect(checked.records.find((r) => r.type === 'PATIENT' && r.keys['00100020'] === 'PID100')?.keys['00100010']).toBe('Müller^Jürgen');
  });
});
