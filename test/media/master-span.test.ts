// A study too large for one (small, configured) disc spans several: whole series where they fit, a
// series larger than a disc split by instance. Each disc is a complete file-set that passes every
// check alone; together they hold every instance exactly once. Run through the command line.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MasterSummary } from '../../adapters/media/master.ts';
import { checkDisc, inputShas, makeInputs, runMasterCli, type CheckedDisc, type InputFile } from './support/disc-checks.ts';

const ROOT = '1.2.826.0.1.3680043.8.498.4202.';
const CAPACITY = 600_000;

describe('discrobot master: a study spanning several discs', () => {
  let dir: string;
  let inputs: InputFile[];
  let code: number | null;
  let summary: MasterSummary;
  const discs: CheckedDisc[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'master-span-'));
    inputs = await makeInputs({
      out: path.join(dir, 'in'),
      root: ROOT,
      patient: { id: 'WANG4202', name: 'Wang^XiaoDong=王^小東', charset: 'ISO_IR 192', birth: '19791105', sex: 'M' },
      institution: 'Hôpital Européen',
      studies: [{
        date: '20261130', time: '0930', id: 'CT7', description: 'CT Abdomen', accession: 'A4202',
        series: [
          { modality: 'CT', count: 8, rows: 128, cols: 128, number: 1, description: 'Venous phase' },
          { modality: 'CT', count: 4, rows: 128, cols: 128, number: 2, description: 'Arterial phase' },
          { modality: 'CT', count: 3, rows: 128, cols: 128, number: 3, description: 'Coronal' },
        ],
      }],
    });
    const out = path.join(dir, 'out');
    // The small capacity comes from a configuration file, the way a site (or a test) overrides one.
    const config = path.join(dir, 'discrobot.yaml');
    await fs.writeFile(config, `media:\n  capacities:\n    cd: ${CAPACITY}\n`);
    const r = await runMasterCli([path.join(dir, 'in'), '--out', out, '--media', 'cd', '--config', config, '--fileset-id', 'WANG_SET']);
    code = r.code;
    summary = r.summary as MasterSummary;
    for (const d of summary.discs ?? []) {
      discs.push(await checkDisc(d.image, dir, {
        fileSetId: d.fileSetId,
        profile: 'STD-GEN-CD',
        discIndex: d.index,
        discCount: d.count,
        manifestNames: ['WANG, XiaoDong (王 小東)', 'WANG4202', 'Hôpital Européen', 'Venous phase', 'Arterial phase', 'Coronal', `${ROOT}1`],
      }));
    }
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('exits 0 and writes one image and one label per disc, each image within the capacity', async () => {
    expect(code).toBe(0);
    expect(summary.status).toBe('written');
    expect(summary.discs.length).toBeGreaterThanOrEqual(3);
    const n = summary.discs.length;
    const names = summary.discs.flatMap((d) => [path.basename(d.image), path.basename(d.label)]);
    expect((await fs.readdir(path.join(dir, 'out'))).sort()).toEqual(names.sort());
    summary.discs.forEach((d, i) => {
      expect(d).toMatchObject({ index: i + 1, count: n, media: 'cd', profile: 'STD-GEN-CD', fileSetId: `WANG_SET_${i + 1}OF${n}`, capacityBytes: CAPACITY });
      expect(d.bytes).toBeLessThanOrEqual(CAPACITY);
    });
  });

  it('holds every instance exactly once across the discs, byte for byte', async () => {
    const all = discs.flatMap((d) => d.pydicom.instances.map((i) => i.sopInstanceUid));
    expect(all.sort()).toEqual(inputs.map((i) => i.sopInstanceUid).sort());
    const original = await inputShas(inputs);
    for (const d of discs) for (const [sop, sha] of d.shaBySop) expect(sha).toBe(original.get(sop));
    expect(summary.discs.map((d) => d.instances).reduce((a, b) => a + b, 0)).toBe(inputs.length);
  });

  it('gives each disc its own File-set UID and a File-set ID saying "i of N"', () => {
    const uids = discs.map((d) => d.pydicom.fileSetUid);
    expect(new Set(uids).size).toBe(discs.length);
    expect(summary.discs.map((d) => d.fileSetUid)).toEqual(uids);
  });

  it('keeps the series that fit one disc whole and splits only the one larger than a disc', () => {
    const discsOf = (series: string) => discs.filter((d) => d.pydicom.instances.some((i) => i.seriesInstanceUid === series)).length;
    expect(discsOf(`${ROOT}1.1`)).toBeGreaterThanOrEqual(2);
    expect(discsOf(`${ROOT}1.2`)).toBe(1);
    expect(discsOf(`${ROOT}1.3`)).toBe(1);
    // every disc holds one patient and its study
    for (const d of discs) expect(new Set(d.pydicom.instances.map((i) => `${i.patientId}|${i.studyInstanceUid}`))).toEqual(new Set([`WANG4202|${ROOT}1`]));
  });

  it('says in INDEX.HTM which disc holds which part of the split series', () => {
    const first = discs[0]!;
    const onFirst = first.pydicom.instances.filter((i) => i.seriesInstanceUid === `${ROOT}1.1`).length;
    expect(first.index).toContain(`${onFirst} of 8 on this disc, the others on disc 2`);
    const last = discs[discs.length - 1]!;
    expect(last.index).toMatch(/8 on discs? 1(, 2)?</);
  });
});
