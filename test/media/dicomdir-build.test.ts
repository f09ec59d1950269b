// The writer on synthetic instances: refusals with messages that name the instance, identifiers,
// determinism, the date of last resort, speed at 10,000 instances, and the checker finding a
// corrupted offset that dcdirdmp and pydicom also reject.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DicomdirError, buildDicomdir, type DirectoryInstance } from '../../src/media/dicomdir/build.ts';
import { checkDicomdir } from '../../src/media/dicomdir/check.ts';
import { pydicomReport, run } from './dicomdir-support.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const ELE = '1.2.840.10008.1.2.1';
const ROOT = '1.2.826.0.1.3680043.8.498.4712';

function value(vr: string, text: string): { vr: string; value: Buffer } {
  const b = Buffer.from(text, 'latin1');
  return { vr, value: b.length % 2 ? Buffer.concat([b, Buffer.from(vr === 'UI' ? [0] : [0x20])]) : b };
}

interface Spec {
  patient?: string;
  study?: number;
  series?: number;
  n: number;
  sopClass?: string;
  omit?: number[];
  extra?: Record<number, { vr: string; value: Buffer }>;
}

/** A CT instance with every key its records need, minus `omit`. */
function ct({ patient = 'P1', study = 1, series = 1, n, sopClass = CT, omit = [], extra = {} }: Spec): DirectoryInstance {
  const elements = new Map<number, { vr: string; value: Buffer }>([
    [0x00080016, value('UI', sopClass)],
    [0x00080018, value('UI', `${ROOT}.${patient.length}.${study}.${series}.${n}`)],
    [0x00080020, value('DA', '20240301')],
    [0x00080030, value('TM', '101500')],
    [0x00080060, value('CS', 'CT')],
    [0x00100010, value('PN', `${patient}^Test`)],
    [0x00100020, value('LO', patient)],
    [0x0020000d, value('UI', `${ROOT}.${patient.length}.${study}`)],
    [0x0020000e, value('UI', `${ROOT}.${patient.length}.${study}.${series}`)],
    [0x00200010, value('SH', `S${study}`)],
    [0x00200011, value('IS', String(series))],
    [0x00200013, value('IS', String(n))],
    [0x00280010, { vr: 'US', value: Buffer.from([0, 2]) }],
    [0x00280011, { vr: 'US', value: Buffer.from([0, 2]) }],
  ]);
  for (const tag of omit) elements.delete(tag);
  for (const [tag, v] of Object.entries(extra)) elements.set(Number(tag), v);
  const id = (k: number, p: string): string => `${p}${String(k).padStart(7, '0')}`;
  return { fileId: ['DICOM', id(patient.length, 'P'), id(study, 'S'), id(series, 'E'), id(n, 'I')], transferSyntaxUid: ELE, elements };
}

const build = (instances: DirectoryInstance[], extra: Partial<Parameters<typeof buildDicomdir>[0]> = {}) =>
  buildDicomdir({ fileSetId: 'TEST', profile: 'STD-GEN-CD', instances, ...extra });

const work = mkdtempSync(path.join(tmpdir(), 'dicomdir-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('refusals', () => {
  it('refuses an instance without Patient ID, naming it', () => {
    const bad = ct({ n: 2, omit: [0x00100020] });
    expect(() => build([ct({ n: 1 }), bad])).toThrow(DicomdirError);
    expect(() => build([ct({ n: 1 }), bad])).toThrow(/1\.2\.826\.0\.1\.3680043\.8\.498\.4712\.2\.1\.1\.2 .*no Patient ID/);
    const blank = ct({ n: 2, extra: { 0x00100020: value('LO', '  ') } });
    expect(() => build([blank])).toThrow(/no Patient ID/);
  });

  it('refuses invalid File IDs', () => {
    const withId = (fileId: string[]): DirectoryInstance => ({ ...ct({ n: 1 }), fileId });
    for (const fileId of [[], ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'], ['DICOM', 'i0000001'], ['DICOM', 'I00000001'], ['DICOM', ''], ['DICOM', 'IM.DCM'], ['DICOM', 'A B']]) {
      expect(() => build([withId(fileId)]), fileId.join('/')).toThrow(/invalid File ID/);
    }
    expect(() => build([withId(['A', 'B', 'C', 'D', 'E', 'F', 'G', '_0Z9'])])).not.toThrow();
  });

  it('refuses SOP classes that stay off the disc, and the same instance or File ID twice', () => {
    expect(() => build([ct({ n: 1, sopClass: '1.2.840.10008.5.1.1.27' })])).toThrow(/stays off the disc \(retired/);
    expect(() => build([ct({ n: 1 }), ct({ n: 1 })])).toThrow(/same SOP Instance UID/);
    const clash = { ...ct({ n: 2 }), fileId: ct({ n: 1 }).fileId };
    expect(() => build([ct({ n: 1 }), clash])).toThrow(/File ID DICOM\\P0000002\\S0000001\\E0000001\\I0000001 is also/);
  });

  it('refuses a study under two patients', () => {
    const other = ct({ patient: 'P2', n: 2 });
    (other.elements as Map<number, { vr: string; value: Buffer }>).set(0x0020000d, value('UI', `${ROOT}.2.1`));
    expect(() => build([ct({ n: 1 }), other])).toThrow(/belongs to patient "P1" and to patient "P2"/);
  });

  it('refuses a missing Type 1 key that has no substitute, naming key and instance', () => {
    const dose = ct({ n: 1, sopClass: '1.2.840.10008.5.1.4.1.1.481.2' }); // RT Dose without Dose Summation Type
    expect(() => build([dose])).toThrow(/RT DOSE record needs Dose Summation Type \(3004,000A\)/);
  });

  it('refuses bad File-set IDs and UIDs', () => {
    expect(() => build([ct({ n: 1 })], { fileSetId: 'lower' })).toThrow(/File-set ID/);
    expect(() => build([ct({ n: 1 })], { fileSetId: 'SEVENTEEN_CHARS_X' })).toThrow(/File-set ID/);
    expect(() => build([ct({ n: 1 })], { fileSetUid: '1.02.3' })).toThrow(/File-set UID/);
  });
});

describe('identity and layout', () => {
  it('gives each disc a new File-set UID under 2.25, or the one it is given, and names the implementation', () => {
    const a = build([ct({ n: 1 })]);
    const b = build([ct({ n: 1 })]);
    expect(a.fileSetUid).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
    expect(a.fileSetUid.length).toBeLessThanOrEqual(64);
    expect(a.fileSetUid).not.toBe(b.fileSetUid);
    const c = build([ct({ n: 1 })], { fileSetUid: '1.2.3.4', implementation: { classUid: '1.2.826.0.1.3680043.8.685.1.1.2.4.10', versionName: 'CDROBOT3_1_2_4' } });
    expect(c.fileSetUid).toBe('1.2.3.4');
    expect(c.bytes.includes(Buffer.from('1.2.3.4\0'))).toBe(true);
    expect(c.bytes.includes(Buffer.from('CDROBOT3_1_2_4'))).toBe(true);
  });

  it('is the same file whatever the order of its instances', () => {
    const instances = [1, 2, 3].flatMap((study) => [1, 2].flatMap((series) => [3, 1, 2].map((n) => ct({ patient: study === 3 ? 'PX' : 'P1', study, series, n }))));
    const a = build(instances, { fileSetUid: '1.2.3' });
    const b = build([...instances].reverse(), { fileSetUid: '1.2.3' });
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(checkDicomdir(a.bytes).errors).toEqual([]);
    // instances in Instance Number order under their series
    const numbers = checkDicomdir(a.bytes).records.filter((r) => r.type === 'IMAGE').map((r) => r.keys['00200013']);
    expect(numbers.slice(0, 3)).toEqual(['1', '2', '3']);
  });

  it('writes an empty file-set with zero root offsets', () => {
    const r = build([]);
    expect(r.recordCount).toBe(0);
    expect(checkDicomdir(r.bytes).errors).toEqual([]);
  });

  it("falls back to the disc's date when no instance of a study has any date", () => {
    const bare = ct({ n: 1, omit: [0x00080020, 0x00080030] });
    const before = new Date();
    const r = build([bare]);
    const date = r.substitutions.find((s) => s.key.includes('Study Date'))!;
    const ymd = (d: Date): string => `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
    expect([ymd(before), ymd(new Date())]).toContain(date.value);
    expect(date.reason).toMatch(/date the disc was made/);
    expect(r.substitutions.find((s) => s.key.includes('Study Time'))!.value).toMatch(/^\d{6}$/);
  });
});

describe('10,000 instances', () => {
  // Speed is measured by `npm run bench:media`, never asserted here.
  it('build with one record each and check clean', () => {
    const instances: DirectoryInstance[] = [];
    for (let study = 1; study <= 4; study++) for (let series = 1; series <= 10; series++) for (let n = 1; n <= 250; n++) instances.push(ct({ study, series, n }));
    const r = build(instances, { profile: 'STD-GEN-DVD-JPEG' });
    expect(r.recordCount).toBe(1 + 4 + 40 + 10_000);
    expect(checkDicomdir(r.bytes).errors).toEqual([]);
  });
});

describe('the checker', () => {
  const instances = [1, 2].flatMap((series) => [1, 2, 3].map((n) => ct({ series, n })));
  const good = build(instances);
  const records = checkDicomdir(good.bytes).records;

  /** Overwrites a UL link of the record at `offset` (found by tag within the record). */
  function patch(bytes: Buffer, offset: number, tag: number, to: number): Buffer {
    const out = Buffer.from(bytes);
    const needle = Buffer.from([tag >>> 16 & 0xff, tag >>> 24, tag & 0xff, (tag >>> 8) & 0xff, 0x55, 0x4c]); // tag, "UL"
    const at = out.indexOf(needle, offset);
    out.writeUInt32LE(to, at + 8);
    return out;
  }

  it('finds an offset that points between records, as dcdirdmp and pydicom do', async () => {
    const series = records.find((r) => r.type === 'SERIES')!;
    const corrupt = patch(good.bytes, series.offset, 0x00041400, records[records.length - 1]!.offset + 2);
    const errors = checkDicomdir(corrupt).errors;
    expect(errors.some((e) => /\(0004,1400\).* does not point at a directory record/.test(e))).toBe(true);
    const file = path.join(work, 'CORRUPT');
    writeFileSync(file, corrupt);
    const dcdirdmp = await run('dcdirdmp', [file]);
    expect(dcdirdmp.output).toMatch(/Error/);
    await expect(pydicomReport([file])).rejects.toThrow();
  });

  it('finds records cut off from the root and a wrong last-root offset', () => {
    const study = records.find((r) => r.type === 'STUDY')!;
    const firstSeries = records.find((r) => r.type === 'SERIES')!;
    const cut = patch(good.bytes, firstSeries.offset, 0x00041400, 0);
    expect(checkDicomdir(cut).errors.some((e) => /SERIES record at \d+ is not reachable from the root/.test(e))).toBe(true);
    const loop = patch(good.bytes, study.offset, 0x00041420, records[0]!.offset);
    expect(checkDicomdir(loop).errors.some((e) => /reached twice/.test(e))).toBe(true);
    const last = Buffer.from(good.bytes);
    last.writeUInt32LE(study.offset, last.indexOf(Buffer.from([0x04, 0x00, 0x02, 0x12, 0x55, 0x4c])) + 8);
    expect(checkDicomdir(last).errors.some((e) => /\(0004,1202\)/.test(e))).toBe(true);
  });

  it('reports the records with their keys', () => {
    expect(records.map((r) => r.type)).toEqual(['PATIENT', 'STUDY', 'SERIES', 'IMAGE', 'IMAGE', 'IMAGE', 'SERIES', 'IMAGE', 'IMAGE', 'IMAGE']);
    expect(records[0]!.keys['00100010']).toBe('P1^Test');
    expect(records[3]!.keys['00041500']).toBe('DICOM\\P0000002\\S0000001\\E0000001\\I0000001');
  });
});
