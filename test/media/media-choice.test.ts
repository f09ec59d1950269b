// Media choice and spanning: the capacities are the reference's (the smaller of each -R/+R pair),
// 'auto' takes the smallest medium that holds everything, a payload too large for any one disc
// spans; splits keep studies, then series, whole where they fit, never mix patients, place each
// instance once, and an instance no disc can take is an error.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  IMAGE_FIXED_SECTORS, MEDIA, SECTOR_BYTES, chooseMedia, mediumSpec, planDiscs, usableBytes, type PlanItem,
} from '../../src/media/media-choice.ts';

const reference = readFileSync(new URL('../../../shared/reference/dicom-media.md', import.meta.url), 'utf8');

/** Sectors per medium from the reference's capacity table (section 4.6). */
function referenceSectors(label: RegExp): number {
  const row = reference.split('\n').find((l) => l.startsWith('|') && label.test(l));
  if (!row) throw new Error(`no row ${label} in the reference's capacity table`);
  const sectors = row.split('|')[2]!.trim().replace(/,/g, '');
  const bytes = row.split('|')[3]!.trim().replace(/,/g, '');
  expect(Number(sectors) * 2048).toBe(Number(bytes));
  return Number(sectors);
}

const MB = 1_000_000;

function items(spec: { patient?: string; study: string; series: string; count: number; bytes: number }[]): PlanItem[] {
  const out: PlanItem[] = [];
  for (const s of spec) {
    for (let i = 1; i <= s.count; i++) {
      out.push({
        patientId: s.patient ?? 'P1', studyInstanceUid: s.study, seriesInstanceUid: s.series, sopInstanceUid: `${s.series}.${i}`,
        fileBytes: s.bytes, recordBytes: 600,
      });
    }
  }
  return out;
}

describe('capacities', () => {
  it('are the reference table\'s user sectors, the smaller of each -R/+R pair, 80 min for CD-R', () => {
    expect(mediumSpec('cd').sectors).toBe(referenceSectors(/CD-R 80 min/));
    expect(mediumSpec('dvd').sectors).toBe(Math.min(referenceSectors(/DVD-R SL/), referenceSectors(/DVD\+R SL/)));
    expect(mediumSpec('dvd-dl').sectors).toBe(Math.min(referenceSectors(/DVD-R DL/), referenceSectors(/DVD\+R DL/)));
    expect(mediumSpec('bd').sectors).toBe(referenceSectors(/BD-R\/RE SL/));
    expect(mediumSpec('bd-dl').sectors).toBe(referenceSectors(/BD-R\/RE DL/));
  });

  it('map CD to STD-GEN-CD, DVD to STD-GEN-DVD-JPEG and BD to STD-GEN-BD', () => {
    expect(Object.fromEntries(MEDIA.map((m) => [m.kind, m.profile]))).toEqual({
      cd: 'STD-GEN-CD', dvd: 'STD-GEN-DVD-JPEG', 'dvd-dl': 'STD-GEN-DVD-JPEG', bd: 'STD-GEN-BD', 'bd-dl': 'STD-GEN-BD',
    });
  });

  it('leave a 1 % margin and room for the image\'s own structures and padding', () => {
    const cd = mediumSpec('cd').sectors * SECTOR_BYTES;
    expect(usableBytes(cd)).toBe(Math.floor(cd * 0.99) - IMAGE_FIXED_SECTORS * SECTOR_BYTES);
    expect(IMAGE_FIXED_SECTORS).toBeGreaterThanOrEqual(150); // xorriso's 300 KiB padding alone
  });
});

describe('automatic choice', () => {
  const choose = (total: number) => chooseMedia(items([{ study: '1.1', series: '1.1.1', count: 100, bytes: total / 100 }]), { media: 'auto', reserveBytes: 64 * 1024 });

  it('takes the smallest medium that holds everything on one disc', () => {
    expect(choose(500 * MB).medium.kind).toBe('cd');
    expect(choose(800 * MB).medium.kind).toBe('dvd');
    expect(choose(6000 * MB).medium.kind).toBe('dvd-dl');
    expect(choose(20_000 * MB).medium.kind).toBe('bd');
    expect(choose(40_000 * MB).medium.kind).toBe('bd-dl');
    expect(choose(40_000 * MB).discs).toHaveLength(1);
  });

  it('spans over the largest medium when no disc holds everything', () => {
    const decision = choose(120_000 * MB);
    expect(decision.medium.kind).toBe('bd-dl');
    expect(decision.discs).toHaveLength(3);
  });

  it('uses configured capacities instead of the table', () => {
    const small = chooseMedia(items([{ study: '1.1', series: '1.1.1', count: 10, bytes: 100_000 }]), {
      media: 'auto', reserveBytes: 0, capacities: { cd: 1 * MB, dvd: 2 * MB },
    });
    expect(small.medium.kind).toBe('dvd');
    expect(small.capacityBytes).toBe(2 * MB);
  });

  it('is refused for an empty payload and for a file beyond the ISO 9660 Level 1 limit', () => {
    expect(() => chooseMedia([], { media: 'auto', reserveBytes: 0 })).toThrow(/nothing to put on a disc/);
    expect(() => chooseMedia(items([{ study: '1', series: '1.1', count: 1, bytes: 2 ** 32 }]), { media: 'bd', reserveBytes: 0 })).toThrow(/ISO 9660 Level 1 limit/);
  });
});

describe('spanning', () => {
  const plan = (list: PlanItem[], capacity: number) => planDiscs(list, { usableBytes: usableBytes(capacity), reserveBytes: 16 * 1024, mediumName: 'test disc' });
  const CAPACITY = 2 * MB; // about 1.6 MB of payload

  it('places every instance exactly once', () => {
    const list = items([
      { study: '1.1', series: '1.1.1', count: 30, bytes: 50_000 },
      { study: '1.2', series: '1.2.1', count: 20, bytes: 70_000 },
      { study: '1.2', series: '1.2.2', count: 5, bytes: 10_000 },
    ]);
    const discs = plan(list, CAPACITY);
    expect(discs.flat().sort((a, b) => a - b)).toEqual(list.map((_, i) => i));
  });

  it('keeps a study whole on a new disc rather than split it, when it fits one disc', () => {
    const list = items([
      { study: '1.1', series: '1.1.1', count: 10, bytes: 100_000 }, // 1.0 MB
      { study: '1.2', series: '1.2.1', count: 10, bytes: 100_000 }, // 1.0 MB: not beside the first
    ]);
    const discs = plan(list, CAPACITY);
    expect(discs.map((d) => new Set(d.map((i) => list[i]!.studyInstanceUid)))).toEqual([new Set(['1.1']), new Set(['1.2'])]);
  });

  it('splits a study too large for a disc by series, and only a series too large by instance', () => {
    const list = items([
      { study: '1.1', series: '1.1.1', count: 8, bytes: 100_000 }, // 0.8 MB
      { study: '1.1', series: '1.1.2', count: 8, bytes: 100_000 }, // 0.8 MB
      { study: '1.1', series: '1.1.3', count: 30, bytes: 100_000 }, // 3 MB: more than a disc
    ]);
    const discs = plan(list, CAPACITY);
    const discsOf = (series: string) => discs.filter((d) => d.some((i) => list[i]!.seriesInstanceUid === series)).length;
    expect(discsOf('1.1.1')).toBe(1);
    expect(discsOf('1.1.2')).toBe(1);
    expect(discsOf('1.1.3')).toBeGreaterThanOrEqual(2);
    expect(discs.length).toBeGreaterThanOrEqual(3);
  });

  it('fills no disc beyond its payload', () => {
    const list = items([{ study: '1.1', series: '1.1.1', count: 200, bytes: 33_000 }]);
    const budget = usableBytes(CAPACITY) - 16 * 1024;
    const discs = plan(list, CAPACITY);
    expect(discs.length).toBeGreaterThan(1);
    discs.forEach((disc, d) => {
      const fileBytes = disc.reduce((n, i) => n + Math.ceil(list[i]!.fileBytes / SECTOR_BYTES) * SECTOR_BYTES, 0);
      expect(fileBytes).toBeLessThanOrEqual(budget);
      if (d < discs.length - 1) expect(fileBytes).toBeGreaterThan(budget * 0.9); // and fills all but the last well
    });
  });

  it('never puts two patients on one disc', () => {
    const list = items([
      { patient: 'A', study: '1.1', series: '1.1.1', count: 2, bytes: 10_000 },
      { patient: 'B', study: '1.2', series: '1.2.1', count: 2, bytes: 10_000 },
    ]);
    const discs = plan(list, CAPACITY);
    expect(discs.map((d) => [...new Set(d.map((i) => list[i]!.patientId))])).toEqual([['A'], ['B']]);
  });

  it('puts root-level objects on the first disc, beside the patient', () => {
    const list = [
      ...items([{ study: '1.1', series: '1.1.1', count: 20, bytes: 100_000 }]),
      { patientId: '', studyInstanceUid: '', seriesInstanceUid: '', sopInstanceUid: '9.9', rootLevel: true, fileBytes: 5_000, recordBytes: 600 },
    ];
    const discs = plan(list, CAPACITY);
    expect(discs[0]).toContain(list.length - 1);
    expect(discs[0]!.some((i) => list[i]!.patientId === 'P1')).toBe(true);
  });

  it('is an error, naming the instance, when one instance cannot fit an empty disc', () => {
    const list = items([{ study: '1.1', series: '1.1.1', count: 1, bytes: 3 * MB }]);
    expect(() => plan(list, CAPACITY)).toThrow(/instance 1\.1\.1\.1 \(3000000 bytes\) is larger than one test disc can hold/);
    expect(() => chooseMedia(list, { media: 'cd', reserveBytes: 0, capacities: { cd: CAPACITY } })).toThrow(/larger than one CD-R can hold/);
  });
});
