// Discs from the store: objects received in Explicit and Implicit VR go through the real store
// (InstanceStore, SQLite index), and a disc is mastered from the index rows alone. The stored files
// go on the image unchanged (the store already wrote them as Explicit VR LE), and the file reader's
// header-only walk finds exactly the keys the store collected on arrival.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../adapters/db/database.ts';
import { InstanceIndex } from '../../adapters/db/instances.ts';
import { InstanceStore } from '../../adapters/store/instance-store.ts';
import { readDicomFile } from '../../adapters/media/dicom-file-reader.ts';
import { masterInstances, type MasterSummary } from '../../adapters/media/master.ts';
import { parseHeaderJson } from '../../src/dicom/index-keys.ts';
import { instanceFromStoreRow } from '../../src/media/instance-source.ts';
import { checkDisc, makeInputs, sha256, type CheckedDisc, type InputFile } from './support/disc-checks.ts';

const ROOT = '1.2.826.0.1.3680043.8.498.4204.';

/** The File Meta elements of a PS3.10 file (Explicit VR LE) and where its data set starts. */
function fileMeta(bytes: Buffer): { values: Map<number, string>; start: number } {
  const values = new Map<number, string>();
  let pos = 132;
  while (bytes.readUInt16LE(pos) === 0x0002) {
    const element = bytes.readUInt16LE(pos + 2);
    const vr = bytes.toString('latin1', pos + 4, pos + 6);
    const long = ['OB', 'OW', 'UN', 'SQ', 'UT'].includes(vr);
    const length = long ? bytes.readUInt32LE(pos + 8) : bytes.readUInt16LE(pos + 6);
    const valueStart = pos + (long ? 12 : 8);
    values.set(element, bytes.toString('latin1', valueStart, valueStart + length).replace(/[\0 ]+$/, ''));
    pos = valueStart + length;
  }
  return { values, start: pos };
}

/** Stores a PS3.10 file as a C-STORE would deliver it: its data set alone, in its transfer syntax. */
async function store(st: InstanceStore, file: string, n: number): Promise<void> {
  const bytes = await fs.readFile(file);
  const { values, start } = fileMeta(bytes);
  const sink = st.begin({
    associationId: 'test', messageId: n, sopClassUid: values.get(0x0002)!, sopInstanceUid: values.get(0x0003)!,
    transferSyntaxUid: values.get(0x0010)!, callingAeTitle: 'MODALITY', calledAeTitle: 'DISCROBOT',
  });
  sink.end(bytes.subarray(start));
  const outcome = await sink.completion;
  if (outcome.status !== 0) throw new Error(`store refused ${file}: ${outcome.comment}`);
}

describe('discrobot master: from the store', () => {
  let dir: string;
  let db: Db;
  let index: InstanceIndex;
  let inputs: InputFile[];
  let summary: MasterSummary;
  let disc: CheckedDisc;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'master-store-'));
    inputs = await makeInputs({
      out: path.join(dir, 'in'),
      root: ROOT,
      patient: { id: 'PAT4204', name: 'Ångström^Åsa', birth: '19910312', sex: 'F' },
      studies: [{
        date: '20261203', time: '141500', id: 'MR1', description: 'MR Knee',
        series: [{ modality: 'MR', count: 3, syntax: 'ivrle', number: 4 }, { modality: 'MR', count: 2, syntax: 'evrle', number: 5 }],
      }],
      extras: ['sr'],
    });
    db = openDatabase(path.join(dir, 'db.sqlite'), { durable: false });
    index = new InstanceIndex(db);
    const st = new InstanceStore({ dataDir: path.join(dir, 'data'), durable: false, reserveBytes: 0, index, logger: pino({ level: 'silent' }) });
    await st.init();
    let n = 0;
    for (const i of inputs) await store(st, i.file, ++n);
    summary = await masterInstances(index.all().map(instanceFromStoreRow), { outDir: path.join(dir, 'out'), fileSetId: 'STORE', media: 'dvd' });
    disc = await checkDisc(summary.discs[0]!.image, dir, {
      fileSetId: 'STORE', profile: 'STD-GEN-DVD-JPEG', discIndex: 1, discCount: 1, manifestNames: ['ÅNGSTRÖM, Åsa', 'PAT4204', 'MR Knee'],
    });
  });

  afterAll(async () => {
    db?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes a DVD with every stored instance, as stored, byte for byte', async () => {
    expect(summary.status).toBe('written');
    expect(summary.converted).toEqual([]);
    const rows = index.all();
    expect(rows).toHaveLength(inputs.length);
    for (const row of rows) expect(disc.shaBySop.get(row.sopInstanceUid), row.path).toBe(await sha256(row.path));
  });

  it('reads from a stored file exactly the keys the store collected on arrival', async () => {
    for (const row of index.all()) {
      const read = await readDicomFile(row.path, { convertedPath: path.join(dir, 'unused.dcm') });
      expect(read.kind).toBe('instance');
      if (read.kind !== 'instance') continue;
      const stored = parseHeaderJson(JSON.parse(row.headerJson) as Record<string, { vr: string; b64: string }>);
      expect([...read.instance.elements.keys()].sort()).toEqual([...stored.keys()].sort());
      for (const [tag, value] of stored) expect(read.instance.elements.get(tag), tag.toString(16)).toEqual(value);
      expect(read.instance.sourcePath).toBe(row.path);
    }
    await expect(fs.stat(path.join(dir, 'unused.dcm'))).rejects.toThrow(/ENOENT/);
  });
});
