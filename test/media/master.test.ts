// One disc from a varied study: Explicit VR LE files go on it byte for byte, Implicit VR and big
// endian files as Explicit VR LE copies, a structured report and a hanging protocol get their
// records, the private and the retired object stay off and are listed, empty keys are substituted
// and listed, and a site folder is merged in its own directory. Checked with isoinfo, osirrox,
// xorriso's MD5 tags, dciodvfy and pydicom's FileSet (test/media/support/disc-checks.ts).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { master, type MasterSummary } from '../../adapters/media/master.ts';
import { checkDisc, compareDatasets, inputShas, listFiles, makeInputs, type CheckedDisc, type InputFile } from './support/disc-checks.ts';

const ROOT = '1.2.826.0.1.3680043.8.498.4201.';

describe('discrobot master: one disc', () => {
  let dir: string;
  let inputs: InputFile[];
  let summary: MasterSummary;
  let disc: CheckedDisc;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'master-one-'));
    inputs = await makeInputs({
      out: path.join(dir, 'in'),
      root: ROOT,
      patient: { id: 'PAT4201', name: 'Müller^Jürgen', charset: 'ISO_IR 100', birth: '19600229', sex: 'M' },
      institution: 'Klinikum Süd',
      studies: [
        {
          date: '20261201', time: '101500', id: 'S1', description: 'CT Thorax', accession: 'A4201',
          series: [
            { modality: 'CT', count: 4, syntax: 'evrle', number: 2, description: 'Thorax 1mm' },
            { modality: 'MR', count: 3, syntax: 'ivrle', number: 1, description: 'Localizer' },
            { modality: 'OT', count: 2, syntax: 'evrbe', number: 3 },
          ],
        },
        { description: 'Outside study', series: [{ modality: 'CT', count: 2, gaps: true }] },
      ],
      extras: ['sr', 'private', 'retired', 'hanging-protocol'],
    });
    const viewer = path.join(dir, 'viewer');
    await fs.mkdir(path.join(viewer, 'LIB'), { recursive: true });
    await fs.writeFile(path.join(viewer, 'VIEWER.HTM'), '<html><body>viewer</body></html>\n');
    await fs.writeFile(path.join(viewer, 'LIB', 'APP.JS'), '// viewer code\n');
    summary = await master([path.join(dir, 'in')], {
      outDir: path.join(dir, 'out'),
      media: 'cd',
      fileSetId: 'PAT4201',
      institution: 'Klinikum Süd',
      contact: 'Radiology, +49 30 1234',
      site: { dir: viewer, entry: 'VIEWER.HTM', description: 'a web viewer' },
      now: new Date('2026-12-02T08:00:00Z'),
    });
    disc = await checkDisc(path.join(dir, 'out', 'PAT4201.iso'), dir, {
      fileSetId: 'PAT4201',
      profile: 'STD-GEN-CD',
      discIndex: 1,
      discCount: 1,
      siteFolder: 'VIEWER',
      manifestNames: [
        'MÜLLER, Jürgen', 'PAT4201', 'Klinikum Süd', 'CT Thorax', 'Thorax 1mm', 'Outside study',
        ...new Set(inputs.filter((i) => i.kind === 'image' || i.kind === 'sr').flatMap((i) => [i.studyInstanceUid!, i.seriesInstanceUid!])),
      ],
    });
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes one CD image and its label, and nothing else, into the output folder', async () => {
    expect(summary.status).toBe('written');
    expect(summary.problems).toEqual([]);
    expect(summary.discs).toHaveLength(1);
    const d = summary.discs[0]!;
    expect(d).toMatchObject({ index: 1, count: 1, media: 'cd', profile: 'STD-GEN-CD', fileSetId: 'PAT4201', studies: 2, series: 5 });
    expect(d.fileSetUid).toBe(disc.pydicom.fileSetUid);
    expect(d.bytes).toBe((await fs.stat(d.image)).size);
    expect(await fs.readdir(path.join(dir, 'out'))).toEqual(['PAT4201.iso', 'PAT4201.jpg']);
    const jpg = await fs.readFile(d.label);
    expect(jpg.subarray(0, 3).toString('hex')).toBe('ffd8ff');
  });

  it('puts every image, the report and the hanging protocol on the disc, each once', () => {
    const expected = inputs.filter((i) => ['image', 'sr', 'hanging-protocol'].includes(i.kind)).map((i) => i.sopInstanceUid).sort();
    expect(disc.pydicom.instances.map((i) => i.sopInstanceUid).sort()).toEqual(expected);
    expect(summary.discs[0]!.instances).toBe(expected.length);
    const byKind = (kind: string) => inputs.find((i) => i.kind === kind)!.sopInstanceUid;
    const record = (sop: string | undefined) => disc.pydicom.instances.find((i) => i.sopInstanceUid === sop);
    expect(record(byKind('sr'))?.recordType).toBe('SR DOCUMENT');
    expect(record(byKind('hanging-protocol'))).toMatchObject({ recordType: 'HANGING PROTOCOL', path: 'DICOM/R0000001' });
  });

  it('copies Explicit VR LE inputs byte for byte and converts the others without changing a value', async () => {
    const original = await inputShas(inputs);
    const converted = inputs.filter((i) => i.syntax === 'ivrle' || i.syntax === 'evrbe');
    expect(converted.length).toBe(5);
    for (const i of inputs.filter((i) => i.syntax === 'evrle' && disc.shaBySop.has(i.sopInstanceUid!))) {
      expect(disc.shaBySop.get(i.sopInstanceUid!), i.file).toBe(original.get(i.sopInstanceUid!));
    }
    for (const i of converted) expect(disc.shaBySop.get(i.sopInstanceUid!)).not.toBe(original.get(i.sopInstanceUid!));
    expect(summary.converted.map((c) => c.file).sort()).toEqual(converted.map((c) => c.file).sort());
    const pairs = converted.map((i) => ({
      original: i.file,
      rewritten: path.join(disc.root, disc.pydicom.instances.find((x) => x.sopInstanceUid === i.sopInstanceUid)!.path),
    }));
    for (const result of await compareDatasets(pairs)) expect(result.differences, result.original).toEqual([]);
  });

  it('lays the files out as DICOM/Pnnnnnnn/Snnnnnnn/Ennnnnnn/Innnnnnn in UID order', () => {
    const images = inputs.filter((i) => i.kind === 'image');
    const pathOf = (sop: string) => disc.pydicom.instances.find((i) => i.sopInstanceUid === sop)!.path;
    for (const i of images) expect(pathOf(i.sopInstanceUid!)).toMatch(/^DICOM\/P0000001\/S000000[12]\/E000000\d\/I\d{7}$/);
    // instance 1.3 of study 1 series 1 is the third file of that series' folder
    expect(pathOf(`${ROOT}1.1.3`)).toBe('DICOM/P0000001/S0000001/E0000001/I0000003');
    expect(pathOf(`${ROOT}2.1.2`)).toBe('DICOM/P0000001/S0000002/E0000001/I0000002');
  });

  it('lists what stays off the disc, with the reason, in the summary and in INDEX.HTM', () => {
    const off = inputs.filter((i) => i.kind === 'private' || i.kind === 'retired');
    expect(summary.offDisc.map((o) => o.file).sort()).toEqual(off.map((o) => o.file).sort());
    for (const o of summary.offDisc) {
      expect(o.reason).toMatch(o.sopClassUid.startsWith('1.3.12') ? /private/ : /retired/);
      expect(disc.index).toContain(o.sopInstanceUid);
      expect(disc.index).toContain(o.sopClassName!);
    }
    expect(disc.readme).toMatch(/2 object\(s\) of the request are not on this disc/);
  });

  it('substitutes the empty directory keys of the outside study and lists each substitution', () => {
    const gaps = inputs.filter((i) => i.studyInstanceUid === `${ROOT}2` && i.kind === 'image').map((i) => i.sopInstanceUid);
    const keys = summary.substitutions.map((s) => s.key);
    for (const name of ['Study Date', 'Study Time', 'Study ID', 'Series Number', 'Instance Number']) {
      expect(keys.some((k) => k.includes(name)), name).toBe(true);
    }
    for (const s of summary.substitutions) {
      expect(gaps).toContain(s.sopInstanceUid);
      expect(disc.index).toContain(s.reason.replace(/&/g, '&amp;').replace(/'/g, '&#39;'));
    }
  });

  it('merges the site folder in its own directory and links its entry page from INDEX.HTM', async () => {
    const files = await listFiles(disc.root);
    expect(files.filter((f) => f.startsWith('VIEWER/'))).toEqual(['VIEWER/LIB/APP.JS', 'VIEWER/VIEWER.HTM']);
    expect(disc.index).toContain('href="viewer/viewer.htm"');
    expect(disc.readme).toContain('VIEWER\\');
  });

  it('masters its own extracted disc again: DICOMDIR ignored, the other non-DICOM files reported', async () => {
    const again = await master([disc.root], { outDir: path.join(dir, 'again'), fileSetId: 'AGAIN', media: 'cd', skipBad: true });
    expect(again.status).toBe('written-with-skips');
    expect(again.ignored.map((i) => path.relative(disc.root, i.file))).toEqual(['DICOMDIR']);
    expect(again.problems.map((p) => path.relative(disc.root, p.file)).sort()).toEqual(['INDEX.HTM', 'README.TXT', 'VIEWER/LIB/APP.JS', 'VIEWER/VIEWER.HTM']);
    for (const p of again.problems) expect(p.problem).toMatch(/not a DICOM file/);
    expect(again.discs[0]!.instances).toBe(summary.discs[0]!.instances);
  });

  it('names the institution, contact and medium in README.TXT in ASCII', () => {
    expect(disc.readme).toContain('Created by:   Klinikum Sud');
    expect(disc.readme).toContain('Radiology, +49 30 1234');
    expect(disc.readme).toContain('CD-R, File-set ID PAT4201');
    expect(disc.readme).toContain('Created on:   2026-12-02');
  });
});
