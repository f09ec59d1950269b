// Bad inputs are reported per file with a nonzero exit status, and nothing is left half-written:
// not DICOM, no preamble, truncated, no Patient ID, another patient, compressed. With --skip-bad
// the good files still make a disc (exit status 3). Job errors (an instance larger than any
// medium, an image name already taken, a bad File-set ID) fail cleanly too.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { master, type MasterSummary } from '../../adapters/media/master.ts';
import { checkDisc, makeInputs, runMasterCli, type InputFile } from './support/disc-checks.ts';

const ROOT = '1.2.826.0.1.3680043.8.498.4203.';

describe('discrobot master: bad inputs and job errors', () => {
  let dir: string;
  let inputs: InputFile[];
  const good = () => inputs.filter((i) => i.kind === 'image');
  const bad = () => inputs.filter((i) => i.kind !== 'image');

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'master-bad-'));
    inputs = await makeInputs({
      out: path.join(dir, 'in'),
      root: ROOT,
      patient: { id: 'PAT4203', name: 'Doe^Jane', birth: '19800101', sex: 'F' },
      studies: [{ date: '20261201', time: '080000', id: 'X1', description: 'XR Hand', series: [{ modality: 'CT', count: 3 }] }],
      bad: ['not-dicom', 'no-preamble', 'truncated', 'no-patient-id', 'other-patient', 'compressed'],
    });
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reports each bad file with its reason, exits 1 and leaves the output folder empty', async () => {
    const out = path.join(dir, 'out-strict');
    const r = await runMasterCli([path.join(dir, 'in'), '--out', out, '--fileset-id', 'STRICT']);
    expect(r.code).toBe(1);
    const summary = r.summary as MasterSummary;
    expect(summary.status).toBe('failed');
    expect(summary.discs).toEqual([]);
    expect(r.stderr).toMatch(/6 input\(s\) cannot go on a disc/);
    const reasons = new Map(summary.problems.map((p) => [p.file, p.problem]));
    expect([...reasons.keys()].sort()).toEqual(bad().map((b) => b.file).sort());
    const reasonOf = (kind: string) => reasons.get(inputs.find((i) => i.kind === kind)!.file);
    expect(reasonOf('not-dicom')).toMatch(/not a DICOM file/);
    expect(reasonOf('no-preamble')).toMatch(/not a DICOM file/);
    expect(reasonOf('truncated')).toMatch(/truncated/);
    expect(reasonOf('no-patient-id')).toMatch(/Patient ID \(0010,0020\) is missing/);
    expect(reasonOf('other-patient')).toMatch(/mixed patients/);
    expect(reasonOf('compressed')).toMatch(/1\.2\.840\.10008\.1\.2\.4\.50 \(JPEG Baseline\) is compressed/);
    expect(await fs.readdir(out)).toEqual([]);
  });

  it('with --skip-bad writes the disc from the good files, still lists the bad ones, and exits 3', async () => {
    const out = path.join(dir, 'out-skip');
    const r = await runMasterCli([path.join(dir, 'in'), '--out', out, '--fileset-id', 'SKIP', '--skip-bad']);
    expect(r.code).toBe(3);
    const summary = r.summary as MasterSummary;
    expect(summary.status).toBe('written-with-skips');
    expect(summary.problems.map((p) => p.file).sort()).toEqual(bad().map((b) => b.file).sort());
    expect(summary.discs).toHaveLength(1);
    const disc = await checkDisc(summary.discs[0]!.image, dir, {
      fileSetId: 'SKIP', profile: 'STD-GEN-CD', discIndex: 1, discCount: 1, manifestNames: ['DOE, Jane', 'PAT4203'],
    });
    expect(disc.pydicom.instances.map((i) => i.sopInstanceUid).sort()).toEqual(good().map((g) => g.sopInstanceUid).sort());
    expect((await fs.readdir(out)).sort()).toEqual(['SKIP.iso', 'SKIP.jpg']);
  });

  it('reports a second file with the SOP Instance UID of another', async () => {
    const copy = path.join(dir, 'copy-of-first.dcm');
    await fs.copyFile(good()[0]!.file, copy);
    const summary = await master([...good().map((g) => g.file), copy], { outDir: path.join(dir, 'out-dup'), fileSetId: 'DUP' });
    expect(summary.status).toBe('failed');
    expect(summary.problems).toEqual([{ file: copy, problem: expect.stringMatching(/is also in .*s1e1i001\.dcm: a disc holds each instance once/) }]);
  });

  it('refuses an instance larger than the largest medium as a job error and writes nothing', async () => {
    const out = path.join(dir, 'out-large');
    const tiny = { cd: 400_000, dvd: 401_000, 'dvd-dl': 402_000, bd: 403_000, 'bd-dl': 404_000 };
    const one = good()[0]!;
    const summary = await master([one.file], { outDir: out, capacities: tiny, fileSetId: 'LARGE' });
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain(`instance ${one.sopInstanceUid} (${(await fs.stat(one.file)).size} bytes) is larger than one BD-R DL can hold`);
    expect(await fs.readdir(out)).toEqual([]);
  });

  it('takes capacities from --config, lets --capacity override them, and names a bad config field (exit 2)', async () => {
    const config = path.join(dir, 'capacities.yaml');
    await fs.writeFile(config, 'media:\n  capacities:\n    cd: 1000\n    bd-dl: 1000\n');
    const one = good()[0]!;
    // With the configured 1000-byte BD-R DL nothing fits; --capacity gives it its size back.
    const tooSmall = await runMasterCli([one.file, '--out', path.join(dir, 'out-cfg1'), '--config', config, '--media', 'bd-dl']);
    expect(tooSmall.code).toBe(1);
    expect((tooSmall.summary as MasterSummary).error).toContain('larger than one BD-R DL can hold');
    const overridden = await runMasterCli([one.file, '--out', path.join(dir, 'out-cfg2'), '--config', config, '--media', 'bd-dl', '--capacity', 'bd-dl=50GB']);
    expect(overridden.code, overridden.stderr).toBe(0);
    const bad = path.join(dir, 'bad-capacities.yaml');
    await fs.writeFile(bad, 'media:\n  capacities:\n    cd: lots\n');
    const usage = await runMasterCli([one.file, '--out', path.join(dir, 'out-cfg3'), '--config', bad]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('media.capacities.cd');
  });

  it('never overwrites an image of an earlier run', async () => {
    const out = path.join(dir, 'out-twice');
    const first = await master(good().map((g) => g.file), { outDir: out, fileSetId: 'TWICE', media: 'cd' });
    expect(first.status).toBe('written');
    const before = await fs.stat(first.discs[0]!.image);
    const second = await master(good().map((g) => g.file), { outDir: out, fileSetId: 'TWICE', media: 'cd' });
    expect(second.status).toBe('failed');
    expect(second.error).toMatch(/TWICE\.iso already exists/);
    expect((await fs.stat(first.discs[0]!.image)).mtimeMs).toBe(before.mtimeMs);
    expect((await fs.readdir(out)).sort()).toEqual(['TWICE.iso', 'TWICE.jpg']);
  });

  it('does not read its own output folder as input (`master . --out ./discs`)', async () => {
    const folder = path.join(dir, 'nested');
    await fs.mkdir(folder);
    for (const g of good()) await fs.copyFile(g.file, path.join(folder, path.basename(g.file)));
    const out = path.join(folder, 'discs');
    expect((await master([folder], { outDir: out, fileSetId: 'FIRST', media: 'cd' })).status).toBe('written');
    const second = await master([folder], { outDir: out, fileSetId: 'SECOND', media: 'cd' });
    expect(second.problems).toEqual([]);
    expect(second.discs[0]!.instances).toBe(good().length);
  });

  it('rejects a File-set ID that is not 1-16 characters A-Z 0-9 _ as a usage error (exit 2)', async () => {
    const r = await runMasterCli([path.join(dir, 'in'), '--out', path.join(dir, 'out-usage'), '--fileset-id', 'lower-case']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--fileset-id "lower-case" must be 1 to 16 characters/);
    expect(r.summary).toBeUndefined();
  });
});
