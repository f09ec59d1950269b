import { describe, expect, it } from 'vitest';
import {
  formatDicomDate,
  formatPersonName,
  LABEL_LINE_ROLES,
  labelContent,
  labelLines,
  labelTemplateProblem,
  MAX_STUDY_LINES,
  type LabelData,
} from '../../src/media/label-data.ts';

const muller: LabelData = {
  patientName: 'Müller^Jürgen',
  patientId: '12345',
  birthDate: '19700131',
  studies: [
    { date: '20261127', description: 'Thorax', modalities: ['CT'] },
    { date: '20261128', description: 'Abdomen  mit KM ', modalities: ['mr', 'SR', 'MR'] },
  ],
  institution: 'Klinikum Musterstadt',
  discIndex: 1,
  discCount: 2,
  createdAt: '2026-11-28T09:15:00Z',
};

describe('formatPersonName', () => {
  it.each([
    ['Müller^Jürgen', 'MÜLLER, Jürgen'],
    ['Müller^Jürgen^Karl^Dr.^jun.', 'MÜLLER, Dr. Jürgen Karl, jun.'],
    ['Müller', 'MÜLLER'],
    ['^Jürgen', 'Jürgen'],
    ['Müller ^Jürgen  ', 'MÜLLER, Jürgen'],
    ['Σωκράτης^Νίκος', 'ΣΩΚΡΆΤΗΣ, Νίκος'],
    ['山田^太郎', '山田 太郎'],
    ['Yamada^Tarou=山田^太郎=やまだ^たろう', 'YAMADA, Tarou (山田 太郎)'],
    ['=山田^太郎=やまだ^たろう', '山田 太郎'],
    ['==やまだ^たろう', 'やまだ たろう'],
    ['Hong^Gildong=洪^吉洞=홍^길동', 'HONG, Gildong (洪 吉洞)'],
    ['', ''],
    ['^^^^', ''],
  ])('%s -> %s', (pn, expected) => {
    expect(formatPersonName(pn)).toBe(expected);
  });
});

describe('formatDicomDate', () => {
  it.each([
    ['19700131', '1970-01-31'],
    ['1970-01-31', '1970-01-31'],
    ['1970.01.31', '1970-01-31'], // ACR-NEMA
    [' 20261127 ', '2026-11-27'],
    ['19701331', '19701331'], // not a date: shown as received rather than hidden
    ['1970', '1970'],
  ])('%s -> %s', (da, expected) => {
    expect(formatDicomDate(da)).toBe(expected);
  });

  it('gives null for an absent or empty value', () => {
    expect(formatDicomDate(null)).toBeNull();
    expect(formatDicomDate('  ')).toBeNull();
  });
});

describe('labelLines', () => {
  it('prints institution, name, ID and birth date, studies, disc i of N and creation date, top to bottom', () => {
    expect(labelLines(muller)).toEqual([
      'Klinikum Musterstadt',
      'MÜLLER, Jürgen',
      'ID 12345 · born 1970-01-31',
      'CT 2026-11-27 Thorax',
      'MR/SR 2026-11-28 Abdomen mit KM',
      'Disc 1 of 2',
      'Created 2026-11-28 · DICOM ONLY',
    ]);
  });

  it('tags each line with its role for the layout', () => {
    expect(labelContent(muller).map((l) => l.role)).toEqual([
      'institution',
      'patientName',
      'patientId',
      'study',
      'study',
      'disc',
      'created',
    ]);
  });

  it('leaves out what the instances leave empty, but never the ID or the disc number', () => {
    const sparse: LabelData = {
      ...muller,
      patientName: '',
      birthDate: null,
      institution: ' ',
      studies: [{ date: null, description: null, modalities: [] }, { date: '', description: 'Knee', modalities: ['MR'] }],
      contentType: 'DICOM PLUS WEB',
    };
    expect(labelLines(sparse)).toEqual(['ID 12345', 'Study', 'MR Knee', 'Disc 1 of 2', 'Created 2026-11-28 · DICOM PLUS WEB']);
  });

  it(`summarises more than ${MAX_STUDY_LINES} studies in one line`, () => {
    const studies = Array.from({ length: 7 }, (_, i) => ({ date: `2026010${i + 1}`, description: `S${i + 1}`, modalities: ['CT'] }));
    const lines = labelLines({ ...muller, studies });
    const studyLines = lines.slice(3, -2);
    expect(studyLines).toEqual(['CT 2026-01-01 S1', 'CT 2026-01-02 S2', 'CT 2026-01-03 S3', '+ 4 more studies']);
    expect(labelLines({ ...muller, studies: studies.slice(0, MAX_STUDY_LINES) }).slice(3, -2)).toHaveLength(MAX_STUDY_LINES);
  });

  it('rejects a disc number outside 1..N, a missing Patient ID and a creation date that is not ISO', () => {
    expect(() => labelLines({ ...muller, discIndex: 0 })).toThrow(RangeError);
    expect(() => labelLines({ ...muller, discIndex: 3, discCount: 2 })).toThrow(RangeError);
    expect(() => labelLines({ ...muller, discIndex: 1.5 })).toThrow(RangeError);
    expect(() => labelLines({ ...muller, discCount: 0, discIndex: 0 })).toThrow(RangeError);
    expect(() => labelLines({ ...muller, patientId: '  ' })).toThrow(/Patient ID/);
    expect(() => labelLines({ ...muller, createdAt: '28.11.2026' })).toThrow(/ISO date/);
    expect(() => labelLines({ ...muller, createdAt: '2026-13-01' })).toThrow(/ISO date/);
  });
});

describe('a label template (a route\'s label.lines)', () => {
  it('prints only the lines it names, in its order; every study line where it names study', () => {
    expect(labelContent({ ...muller, lines: ['patientId', 'patientName', 'study', 'disc'] })).toEqual([
      { role: 'patientId', text: 'ID 12345 · born 1970-01-31' },
      { role: 'patientName', text: 'MÜLLER, Jürgen' },
      { role: 'study', text: 'CT 2026-11-27 Thorax' },
      { role: 'study', text: 'MR/SR 2026-11-28 Abdomen mit KM' },
      { role: 'disc', text: 'Disc 1 of 2' },
    ]);
    expect(labelLines({ ...muller, lines: ['patientName', 'patientId', 'created', 'institution'] })).toEqual([
      'MÜLLER, Jürgen',
      'ID 12345 · born 1970-01-31',
      'Created 2026-11-28 · DICOM ONLY',
      'Klinikum Musterstadt',
    ]);
  });

  it('of every line in the default order prints what a label without a template prints', () => {
    expect(LABEL_LINE_ROLES).toEqual(['institution', 'patientName', 'patientId', 'study', 'disc', 'created']);
    expect(labelContent({ ...muller, lines: [...LABEL_LINE_ROLES] })).toEqual(labelContent(muller));
  });

  it('still leaves out a line whose value is empty', () => {
    expect(labelLines({ ...muller, institution: '  ', lines: ['institution', 'patientName', 'patientId'] })).toEqual([
      'MÜLLER, Jürgen',
      'ID 12345 · born 1970-01-31',
    ]);
  });

  it('must name the patient (patientName and patientId) and name each line once', () => {
    expect(labelTemplateProblem(['patientName', 'patientId'])).toBeUndefined();
    expect(labelTemplateProblem(['patientId', 'disc'])).toBe('must include patientName: a disc must name its patient');
    expect(labelTemplateProblem([])).toBe('must include patientName and patientId: a disc must name its patient');
    expect(labelTemplateProblem(['patientName', 'patientId', 'study', 'study'])).toBe('names the line study twice');
    expect(() => labelContent({ ...muller, lines: ['patientName', 'disc'] })).toThrow(/must include patientId/);
    expect(() => labelContent({ ...muller, lines: ['patientName', 'patientId', 'disc', 'disc'] })).toThrow(RangeError);
  });
});
