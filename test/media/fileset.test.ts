// The disc layout: File IDs valid for PS3.10 and ISO 9660 Level 1, deterministic whatever the input
// order, collision-free, in the sorted order of Patient ID and UIDs; the root holds only DICOMDIR,
// README.TXT, INDEX.HTM, DICOM and a site folder; stored files are mapped, never copied.
import { describe, expect, it } from 'vitest';
import {
  assignFileIds, compareUids, discFileSetIds, imageEntries, isFileId, isFileSetId, siteFolderProblems,
} from '../../src/media/fileset.ts';

interface Item {
  patientId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  rootLevel?: boolean;
  sourcePath: string;
}

const item = (p: string, st: string, se: string, sop: string): Item => ({
  patientId: p, studyInstanceUid: st, seriesInstanceUid: se, sopInstanceUid: sop, sourcePath: `/store/${st}/${se}/${sop}.dcm`,
});

/** 2 studies x 3 series x 12 instances, UIDs whose numeric and text orders differ (…9 < …10). */
function study(): Item[] {
  const out: Item[] = [];
  for (const st of [1, 2]) for (const se of [9, 10, 11]) for (let i = 1; i <= 12; i++) out.push(item('P1', `1.2.${st}`, `1.2.${st}.${se}`, `1.2.${st}.${se}.${i}`));
  return out;
}

function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('File IDs', () => {
  it('are DICOM/Pnnnnnnn/Snnnnnnn/Ennnnnnn/Innnnnnn: 5 components of 8 characters A-Z 0-9', () => {
    for (const { fileId } of assignFileIds(study())) {
      expect(isFileId(fileId)).toBe(true);
      expect(fileId.join('/')).toMatch(/^DICOM\/P\d{7}\/S\d{7}\/E\d{7}\/I\d{7}$/);
    }
  });

  it('are the same for the same instances in any order, and unique', () => {
    const key = (placed: ReturnType<typeof assignFileIds<Item>>) => placed.map((p) => `${p.item.sopInstanceUid}=${p.fileId.join('/')}`).sort();
    const reference = key(assignFileIds(study()));
    for (const seed of [1, 2, 3]) expect(key(assignFileIds(shuffled(study(), seed)))).toEqual(reference);
    expect(new Set(reference.map((r) => r.split('=')[1])).size).toBe(study().length);
  });

  it('count patients, studies, series and instances in numeric UID order, restarting under each parent', () => {
    const byUid = new Map(assignFileIds(shuffled(study(), 7)).map((p) => [p.item.sopInstanceUid, p.fileId.join('/')]));
    expect(byUid.get('1.2.1.9.1')).toBe('DICOM/P0000001/S0000001/E0000001/I0000001');
    expect(byUid.get('1.2.1.9.10')).toBe('DICOM/P0000001/S0000001/E0000001/I0000010');
    expect(byUid.get('1.2.1.10.2')).toBe('DICOM/P0000001/S0000001/E0000002/I0000002');
    expect(byUid.get('1.2.2.11.12')).toBe('DICOM/P0000001/S0000002/E0000003/I0000012');
  });

  it('put root-level objects (hanging protocols) directly under DICOM as Rnnnnnnn', () => {
    const hp = { ...item('', '', '', '1.9.1'), rootLevel: true };
    const placed = assignFileIds([...study(), hp]);
    expect(placed[0]).toEqual({ item: hp, fileId: ['DICOM', 'R0000001'] });
    expect(placed[1]!.fileId.join('/')).toBe('DICOM/P0000001/S0000001/E0000001/I0000001');
  });

  it('give each patient a folder of its own', () => {
    const placed = assignFileIds([item('B', '1.5', '1.5.1', '1.5.1.1'), item('A', '1.6', '1.6.1', '1.6.1.1')]);
    expect(placed.map((p) => `${p.item.patientId}:${p.fileId[1]}`)).toEqual(['A:P0000001', 'B:P0000002']);
  });

  it('refuse an instance twice on one disc', () => {
    expect(() => assignFileIds([item('A', '1.1', '1.1.1', '9.9'), item('A', '1.1', '1.1.2', '9.9')])).toThrow(/9\.9 appears twice/);
  });
});

describe('UID order', () => {
  it('compares components as numbers', () => {
    expect(['1.2.10', '1.2.9', '1.10', '1.2', '1.2.9.1'].sort(compareUids)).toEqual(['1.2', '1.2.9', '1.2.9.1', '1.2.10', '1.10']);
  });
});

describe('File-set IDs', () => {
  it('are 1 to 16 characters A-Z 0-9 _', () => {
    expect(isFileSetId('PATIENT_CD_2026')).toBe(true);
    for (const bad of ['', 'lower', 'WITH SPACE', 'A'.repeat(17), 'DASH-ED']) expect(isFileSetId(bad), bad).toBe(false);
  });

  it('say "i of N" on a spanned set and stay within 16 characters', () => {
    expect(discFileSetIds('STUDY', 1)).toEqual(['STUDY']);
    expect(discFileSetIds('STUDY', 3)).toEqual(['STUDY_1OF3', 'STUDY_2OF3', 'STUDY_3OF3']);
    const long = discFileSetIds('ABCDEFGHIJKLMNOP', 12);
    expect(long[0]).toBe('ABCDEFGHI_01OF12');
    expect(long[11]).toBe('ABCDEFGHI_12OF12');
    for (const id of long) expect(isFileSetId(id), id).toBe(true);
    expect(new Set(long).size).toBe(12);
  });
});

describe('the image', () => {
  const placed = assignFileIds(study().slice(0, 3));
  const site = { name: 'VIEWER', sourceDir: '/opt/viewer', files: ['VIEWER.HTM', 'LIB/APP.JS'], entry: 'VIEWER.HTM' };
  const entries = imageEntries({ placed, dicomdirPath: '/stage/DICOMDIR', readmePath: '/stage/README.TXT', indexPath: '/stage/INDEX.HTM', site });

  it('holds in its root only DICOMDIR, README.TXT, INDEX.HTM, DICOM and the site folder', () => {
    expect(new Set(entries.map((e) => e.isoPath.split('/')[1]))).toEqual(new Set(['DICOMDIR', 'README.TXT', 'INDEX.HTM', 'DICOM', 'VIEWER']));
  });

  it('maps every DICOM file from where it is stored (no copy)', () => {
    for (const p of placed) {
      expect(entries).toContainEqual({ isoPath: '/' + p.fileId.join('/'), sourcePath: p.item.sourcePath });
    }
    expect(entries).toContainEqual({ isoPath: '/VIEWER/LIB/APP.JS', sourcePath: '/opt/viewer/LIB/APP.JS' });
  });
});

describe('a site folder', () => {
  it('with Level 1 names is accepted', () => {
    expect(siteFolderProblems({ name: 'VIEWER', files: ['VIEWER.HTM', 'BIN/RUN.EXE', 'README'], entry: 'VIEWER.HTM' })).toEqual([]);
  });

  it('with names ISO 9660 Level 1 would change, a reserved name or a missing entry is refused', () => {
    const problems = siteFolderProblems({ name: 'DICOM', files: ['index.html', 'LONGFOLDERNAME/A.JS', 'A/B/C/D/E/F/G/H.JS'], entry: 'START.HTM' });
    expect(problems.join('\n')).toMatch(/reserved/);
    expect(problems.join('\n')).toMatch(/index\.html: file names must be 8\.3 upper case/);
    expect(problems.join('\n')).toMatch(/LONGFOLDERNAME\/A\.JS: folder names/);
    expect(problems.join('\n')).toMatch(/H\.JS: deeper than 8 directory levels/);
    expect(problems.join('\n')).toMatch(/entry "START\.HTM" is not a file/);
    expect(siteFolderProblems({ name: 'my viewer', files: [] })).toHaveLength(1);
  });
});
