// Real-world inputs: instances with empty Study Date/Time, no Study ID, Series Number or Instance
// Number (dcmmkdir in strict mode refuses them; our DICOMDIR still passes the oracles, with the
// substitutes listed), a patient whose studies use different character sets, and private objects.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomdirError, buildDicomdir, type DicomdirResult } from '../../src/media/dicomdir/build.ts';
import { checkDicomdir } from '../../src/media/dicomdir/check.ts';
import { makeStudies, pydicomReport, readFixtures, run, type PyRecord, type StudyFixture } from './dicomdir-support.ts';

let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'dicomdir-gaps-'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Generates a set, builds and writes its DICOMDIR, and runs dciodvfy, dcdirdmp and pydicom on it. */
async function disc(set: 'gaps' | 'mixed' | 'private', options: { allowPrivate?: boolean } = {}) {
  const root = path.join(work, set);
  mkdirSync(root);
  const fixtures = await makeStudies(root, set);
  const result = buildDicomdir({ fileSetId: 'GAPS', profile: 'STD-GEN-CD', instances: readFixtures(fixtures), ...options });
  const dicomdir = path.join(root, 'DICOMDIR');
  writeFileSync(dicomdir, result.bytes);
  const [dciodvfy, dcdirdmp, py] = await Promise.all([run('dciodvfy', [dicomdir]), run('dcdirdmp', [dicomdir]), pydicomReport([dicomdir])]);
  return { root, fixtures, result, dicomdir, dciodvfy, dcdirdmp, py, records: py.records[0]! };
}

function expectOraclesPass(d: Awaited<ReturnType<typeof disc>>): void {
  expect(d.dciodvfy.output.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
  expect(d.dcdirdmp.code).toBe(0);
  expect(d.dcdirdmp.output).not.toMatch(/Error/);
  expect([...d.dcdirdmp.output.matchAll(/-> (\S+)/g)].map((m) => m[1]).sort()).toEqual(d.fixtures.map((f) => f.fileId.join('\\')).sort());
  expect(d.py.fileset.errors).toEqual([]);
  expect(d.py.fileset.count).toBe(d.fixtures.length);
  expect(checkDicomdir(d.result.bytes).errors).toEqual([]);
}

const text = (r: PyRecord | undefined, tag: string): string | undefined => r?.elements[tag]?.text;

describe('instances with the gaps real senders leave', () => {
  let d: Awaited<ReturnType<typeof disc>>;
  let fixtures: StudyFixture[];
  let result: DicomdirResult;
  beforeAll(async () => {
    d = await disc('gaps');
    fixtures = d.fixtures;
    result = d.result;
  });

  it('are refused by dcmmkdir in strict mode (the inputs really lack the keys)', async () => {
    const r = await run('dcmmkdir', ['-Pgp', '+r', '+D', path.join(work, 'CHECK_GAPS'), 'DICOM'], { cwd: d.root });
    const refused = new Set([...r.output.matchAll(/^E: required attribute .* in file: (\S+)/gm)].map((m) => m[1]));
    expect(refused.size).toBe(fixtures.length);
  });

  it('still make a DICOMDIR that passes dciodvfy, dcdirdmp, pydicom and our checker', () => {
    expectOraclesPass(d);
  });

  it('get documented substitutes in their records, each listed', () => {
    const subs = new Map(result.substitutions.map((s) => [`${s.recordType} ${s.key} ${s.sopInstanceUid}`, s]));
    const uid = (i: number): string => fixtures[i]!.sopInstanceUid;
    // fixture order: CT (series 3), CT #5 and CT without number (series without number), SR (study 2), ECG (series 7)
    const expected: [string, string][] = [
      [`STUDY (0008,0020) Study Date ${uid(0)}`, '20240102'], // the Series Date
      [`STUDY (0008,0030) Study Time ${uid(0)}`, '101010'], // the Series Time
      [`STUDY (0020,0010) Study ID ${uid(0)}`, 'ACC77'], // the Accession Number
      [`SERIES (0020,0011) Series Number ${uid(1)}`, '8'], // after the highest of the study (3, 7)
      [`IMAGE (0020,0013) Instance Number ${uid(2)}`, '6'], // after 5
      [`STUDY (0008,0020) Study Date ${uid(3)}`, '20240105'], // the SR's Content Date
      [`STUDY (0008,0030) Study Time ${uid(3)}`, '090000'],
      [`STUDY (0020,0010) Study ID ${uid(3)}`, '2'], // the study's position under its patient
      [`SR DOCUMENT (0020,0013) Instance Number ${uid(3)}`, '1'],
      [`WAVEFORM (0008,0023) Content Date ${uid(4)}`, '20240102'], // its Acquisition DateTime
      [`WAVEFORM (0008,0033) Content Time ${uid(4)}`, '101500'],
    ];
    expect([...subs.keys()].sort()).toEqual(expected.map(([k]) => k).sort());
    for (const [key, value] of expected) {
      expect(subs.get(key)!.value, key).toBe(value);
      expect(subs.get(key)!.reason.length, key).toBeGreaterThan(20);
    }
    // and the records carry them
    const leaf = (i: number): PyRecord => d.records.find((r) => r.id === uid(i))!;
    const parentOf = (r: PyRecord): PyRecord => d.records.find((p) => p.id === r.parent)!;
    expect(text(leaf(2), '00200013')).toBe('6');
    expect(text(parentOf(leaf(2)), '00200011')).toBe('8');
    expect(text(parentOf(parentOf(leaf(2))), '00080020')).toBe('20240102');
    expect(text(parentOf(parentOf(leaf(3))), '00200010')).toBe('2');
    expect(text(leaf(4), '00080023')).toBe('20240102');
  });

  it('orders series and instances by their (substituted) numbers', () => {
    const series = d.records.filter((r) => r.type === 'SERIES');
    const firstStudySeries = series.filter((s) => s.parent === series[0]!.parent).map((s) => text(s, '00200011'));
    expect(firstStudySeries).toEqual(['3', '7', '8']);
  });
});

describe('a patient whose studies use different character sets', () => {
  it('gets a PATIENT record in ISO_IR 192 while each study keeps its own bytes and set', async () => {
    const d = await disc('mixed');
    expectOraclesPass(d);
    const patient = d.records.find((r) => r.type === 'PATIENT')!;
    expect(text(patient, '00080005')).toBe('ISO_IR 192');
    expect(patient.elements['00100010']!.raw).toBe(Buffer.from('Müller^Jürgen ', 'utf8').toString('hex'));
    expect(text(patient, '00100010')).toBe('Müller^Jürgen');
    const studies = d.records.filter((r) => r.type === 'STUDY');
    expect(studies.map((s) => text(s, '00080005')).sort()).toEqual(['ISO_IR 100', 'ISO_IR 192']);
    for (const s of studies) expect(text(s, '00081030')).toBe('Schädel');
    const latin = studies.find((s) => text(s, '00080005') === 'ISO_IR 100')!;
    expect(latin.elements['00081030']!.raw).toBe(Buffer.from('Schädel ', 'latin1').toString('hex'));
  });
});

describe('private SOP classes', () => {
  it('are refused unless private records are allowed, then written as PRIVATE records with the class as Private Record UID', async () => {
    const d = await disc('private', { allowPrivate: true });
    expectOraclesPass(d);
    const priv = d.fixtures.find((f) => f.recordType === 'PRIVATE')!;
    const record = d.records.find((r) => r.id === priv.sopInstanceUid)!;
    expect(record.type).toBe('PRIVATE');
    expect(text(record, '00041432')).toBe(priv.sopClassUid);
    expect(() => buildDicomdir({ fileSetId: 'X', profile: 'STD-GEN-CD', instances: readFixtures(d.fixtures) })).toThrow(DicomdirError);
    expect(() => buildDicomdir({ fileSetId: 'X', profile: 'STD-GEN-CD', instances: readFixtures(d.fixtures) })).toThrow(new RegExp(`${priv.sopInstanceUid}.*stays off the disc`));
  });
});
