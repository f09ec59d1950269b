// Many DCMTK senders at once, and one killed in the middle of a large object: every acknowledged
// object is stored once and intact, the killed one leaves no trace (no file, no temp file, no row),
// and neither disturbs the other associations.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoscu } from '../support/dcmtk.ts';
import { dcmdumpFiles, startStorescu } from '../support/dcmtk-process.ts';
import { startInteropServer, waitFor } from '../support/interop-server.ts';
import { datasetBytes, fileMetaText, filesUnder } from '../support/part10.ts';
import { compareDatasets, makeImages, type ImageFixture } from '../support/python-fixtures.ts';
import type { TestServer } from '../support/server.ts';

const CALLED = 'DISCROBOT';
const ASSOCIATIONS = 20;
const OBJECTS_PER_ASSOCIATION = 50;

let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'discrobot-parallel-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('storescu killed (SIGKILL) in the middle of a 200 MB object', () => {
  let server: TestServer;
  let large: ImageFixture;
  let series: ImageFixture[];

  beforeAll(async () => {
    // 512 x 512 x 400 frames x 16 bits: 210 MB of pixel data.
    large = (await makeImages(path.join(work, 'large'), 1, { rows: 512, cols: 512, frames: 400, root: '1.2.826.0.1.3680043.8.498.80.' }))[0]!;
    series = await makeImages(path.join(work, 'beside'), 100, { rows: 128, cols: 128, series: 2, root: '1.2.826.0.1.3680043.8.498.81.' });
    server = await startInteropServer({ dicom: { aeTitles: [CALLED] } });
  }, 120_000);

  afterAll(async () => {
    await server?.dispose();
  });

  it('leaves no file, temp file or row for it; a concurrent association stores all its objects; echo still works', async () => {
    const incoming = path.join(server.dataDir, 'store', '.incoming');
    const largestTemp = () => Math.max(0, ...readdirSync(incoming).map((name) => statSync(path.join(incoming, name), { throwIfNoEntry: false })?.size ?? 0));
    const killed = startStorescu(server.port, CALLED, [large.file], ['-aet', 'KILLED']);
    try {
      // The server has written the first 4 MB batch of the large object: the transfer is under way.
      await waitFor(() => largestTemp() >= 4 * 1024 * 1024, 30_000, 'a partial file of the large object');
      // Freeze the sender there, so the kill lands mid-object however fast the machine is.
      killed.child.kill('SIGSTOP');
      const beside = startStorescu(server.port, CALLED, series.map((s) => s.file), ['-aet', 'BESIDE']);
      await waitFor(() => server.index.count() >= 1, 30_000, 'the concurrent association stores its first object');

      expect(largestTemp(), 'the large object is still partial at the kill').toBeGreaterThanOrEqual(4 * 1024 * 1024);
      expect(beside.child.exitCode, 'the concurrent association is still running at the kill').toBeNull();
      expect(server.index.count()).toBeLessThan(series.length);

      killed.child.kill('SIGKILL');
      const killedResult = await killed.done;
      expect(killedResult.signal).toBe('SIGKILL');

      const besideResult = await beside.done;
      expect(besideResult.code, besideResult.output).toBe(0);

      await waitFor(() => readdirSync(incoming).length === 0, 10_000, 'the temp file of the killed transfer is removed');
      const rows = server.index.all();
      expect(rows.map((r) => r.sopInstanceUid).sort()).toEqual(series.map((s) => s.sopInstanceUid).sort());
      expect(rows.every((r) => r.callingAeTitle === 'BESIDE')).toBe(true);
      // Nothing of the large object anywhere in the data folder: only the concurrent series' files.
      const files = filesUnder(path.join(server.dataDir, 'store'));
      expect(files.sort()).toEqual(rows.map((r) => r.path).sort());
      expect(files.some((f) => f.includes(large.studyInstanceUid))).toBe(false);

      const echo = await echoscu(server.port, CALLED);
      expect(echo.code, echo.output).toBe(0);
    } finally {
      killed.child.kill('SIGKILL');
    }
  });
});

describe(`${ASSOCIATIONS} parallel associations storing ${OBJECTS_PER_ASSOCIATION} objects each`, () => {
  let server: TestServer;
  let images: ImageFixture[];
  const batches: ImageFixture[][] = [];
  const aeOf = (batch: number) => `SENDER_${batch}`;

  beforeAll(async () => {
    // 1000 distinct 64 x 64 images over 2 studies x 5 series, round robin: every association writes
    // into every series folder at the same time as the others.
    images = await makeImages(path.join(work, 'many'), ASSOCIATIONS * OBJECTS_PER_ASSOCIATION, { studies: 2, series: 5, root: '1.2.826.0.1.3680043.8.498.82.' });
    for (let i = 0; i < ASSOCIATIONS; i++) batches.push(images.slice(i * OBJECTS_PER_ASSOCIATION, (i + 1) * OBJECTS_PER_ASSOCIATION));
    server = await startInteropServer({ dicom: { aeTitles: [CALLED] } });
  }, 120_000);

  afterAll(async () => {
    await server?.dispose();
  });

  it('every storescu succeeds; 1000 rows and 1000 files, each from the association that sent it', async () => {
    const runs = batches.map((batch, i) => startStorescu(server.port, CALLED, batch.map((b) => b.file), ['-aet', aeOf(i)]));
    const results = await Promise.all(runs.map((r) => r.done));
    results.forEach((result, i) => expect(result.code, `association ${i}: ${result.output}`).toBe(0));

    const rows = server.index.all();
    expect(rows).toHaveLength(images.length);
    const bySop = new Map(rows.map((r) => [r.sopInstanceUid, r]));
    expect(bySop.size).toBe(images.length);
    batches.forEach((batch, i) => {
      for (const image of batch) {
        const row = bySop.get(image.sopInstanceUid);
        expect(row?.callingAeTitle, image.sopInstanceUid).toBe(aeOf(i));
        expect(row?.seriesInstanceUid).toBe(image.seriesInstanceUid);
      }
    });
    const files = filesUnder(path.join(server.dataDir, 'store'));
    expect(files).toHaveLength(images.length);
    expect(files.sort()).toEqual(rows.map((r) => r.path).sort());
  }, 300_000);

  it('every stored file is the object that was sent, and passes dcmdump', async () => {
    const rows = new Map(server.index.all().map((r) => [r.sopInstanceUid, r.path]));
    expect(rows.size).toBe(images.length);
    // These flat Explicit VR LE objects (no sequences) travel exactly as they are in their files, so
    // each stored data set must equal its input's, byte for byte: no object mixed up with another.
    const differing = images.filter((image) => !datasetBytes(rows.get(image.sopInstanceUid)!).equals(datasetBytes(image.file)));
    expect(differing.map((image) => image.sopInstanceUid)).toEqual([]);
    // And by value, with pydicom, for two objects of each association.
    const sample = batches.flatMap((batch) => [batch[0]!, batch[batch.length - 1]!]);
    const comparisons = await compareDatasets(sample.map((image) => ({ original: image.file, rewritten: rows.get(image.sopInstanceUid)! })));
    expect(comparisons.filter((c) => c.differences.length > 0)).toEqual([]);
    expect(comparisons.every((c) => (c.elements ?? 0) > 20)).toBe(true);
    const dump = await dcmdumpFiles([...rows.values()]);
    expect(dump.complaints).toEqual([]);
    expect(dump.code).toBe(0);
  }, 120_000);
});

describe('several associations sending the same SOP Instance UIDs at the same time', () => {
  const senders = ['SENDER_A', 'SENDER_B', 'SENDER_C'];
  let server: TestServer;
  let images: ImageFixture[];

  beforeAll(async () => {
    images = await makeImages(path.join(work, 'same'), 100, { series: 2, root: '1.2.826.0.1.3680043.8.498.83.' });
    server = await startInteropServer({ dicom: { aeTitles: [CALLED] } });
  }, 120_000);

  afterAll(async () => {
    await server?.dispose();
  });

  // A modality that resends while its first attempt is still running: each copy replaces the one
  // before (no disc job holds them yet), so every C-STORE succeeds and one row per UID remains,
  // describing the file that is on disk.
  it('every C-STORE succeeds and each UID ends with one row whose file is the object that row records', async () => {
    const runs = senders.map((ae) => startStorescu(server.port, CALLED, images.map((i) => i.file), ['-aet', ae]));
    const results = await Promise.all(runs.map((r) => r.done));
    results.forEach((result, i) => {
      expect(result.code, `${senders[i]}: ${result.output}`).toBe(0);
      expect(result.output).not.toMatch(/Store Failed/);
    });
    const rows = server.index.all();
    expect(rows.map((r) => r.sopInstanceUid).sort()).toEqual(images.map((i) => i.sopInstanceUid).sort());
    const mismatched = rows.filter((r) => fileMetaText(r.path).get('0002,0016') !== r.callingAeTitle);
    expect(mismatched.map((r) => `${r.sopInstanceUid}: row says ${r.callingAeTitle}, file says ${fileMetaText(r.path).get('0002,0016')}`)).toEqual([]);
    expect(filesUnder(path.join(server.dataDir, 'store')).sort()).toEqual(rows.map((r) => r.path).sort());
    const bySop = new Map(images.map((i) => [i.sopInstanceUid, i.file]));
    expect(rows.filter((r) => !datasetBytes(r.path).equals(datasetBytes(bySop.get(r.sopInstanceUid)!))).map((r) => r.sopInstanceUid)).toEqual([]);
  }, 120_000);
});
