// DCMTK's storescu sends generated objects (16-bit CT with private data and nested sequences, 8-bit
// secondary capture, 32-bit RT dose grid) in each uncompressed transfer syntax; every stored file must be
// Explicit VR LE PS3.10 with the right File Meta and, by pydicom's reading, the same object as the
// input, pixel for pixel. Each object is given to storescu in the syntax it is to travel in, so storescu
// sends it without converting it (DCMTK mis-swaps 32-bit OW when it converts from Big Endian).
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, TransferSyntax } from '../../src/dicom/uid.ts';
import { echoscu, storescu, type ToolResult } from '../support/dcmtk.ts';
import { dcmdumpFiles, wireDatasets } from '../support/dcmtk-process.ts';
import { startInteropServer } from '../support/interop-server.ts';
import { datasetBytes, fileMetaText, filesUnder } from '../support/part10.ts';
import { compareDatasets, makeDatasets, type Comparison, type DatasetFixture } from '../support/python-fixtures.ts';
import { rawStore } from '../support/raw-store.ts';
import type { TestServer } from '../support/server.ts';

const CALLED = 'DISCROBOT';
const CALLING = 'MODALITY_A1';
const OBJECTS = ['ct16', 'mr8', 'rtdose32'] as const;
type ObjectName = (typeof OBJECTS)[number];
/** What make_datasets.py builds these as: a check that the fixtures still are what this file tests. */
const SOP_CLASS: Record<ObjectName, string> = {
  ct16: '1.2.840.10008.5.1.4.1.1.2',
  mr8: '1.2.840.10008.5.1.4.1.1.7',
  rtdose32: '1.2.840.10008.5.1.4.1.1.481.2',
};
/** storescu option that makes the object travel in the syntax of the input file it is given. */
const SYNTAXES = [
  { option: '-xi', key: 'ivrle', uid: TransferSyntax.ImplicitVRLittleEndian },
  { option: '-xe', key: 'evrle', uid: TransferSyntax.ExplicitVRLittleEndian },
  { option: '-xb', key: 'evrbe', uid: TransferSyntax.ExplicitVRBigEndian },
] as const;

let work: string;
let fixtures: DatasetFixture[];

function fixture(name: ObjectName, syntaxUid: string): DatasetFixture {
  const found = fixtures.find((f) => f.name === name && f.transferSyntaxUid === syntaxUid);
  if (!found) throw new Error(`make_datasets.py made no ${name} in ${syntaxUid}`);
  return found;
}

/** The object's SOP Instance UID, as its input file's File Meta names it (the same in every syntax). */
const sopInstanceOf = (name: ObjectName) => fileMetaText(fixture(name, TransferSyntax.ExplicitVRLittleEndian).file).get('0002,0003')!;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'discrobot-fidelity-'));
  fixtures = await makeDatasets(path.join(work, 'in'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('C-ECHO', () => {
  it('echoscu gets a successful C-ECHO response', async () => {
    const server = await startInteropServer({ dicom: { aeTitles: [CALLED] } });
    try {
      const result = await echoscu(server.port, CALLED);
      expect(result.code, result.output).toBe(0);
      expect(result.output).toMatch(/Received Echo Response \(Success\)/);
    } finally {
      await server.dispose();
    }
  });
});

describe.each(SYNTAXES)('storescu $option: objects travel in $key', ({ option, key, uid }) => {
  let server: TestServer;
  let sent: ToolResult;
  let comparisons: Comparison[];

  const rowOf = (name: ObjectName) => server.index.all().find((r) => r.sopInstanceUid === sopInstanceOf(name));

  beforeAll(async () => {
    // One server per syntax: the same objects (same UIDs) are sent in each.
    server = await startInteropServer({ dicom: { aeTitles: [CALLED] } });
    sent = await storescu(server.port, CALLED, OBJECTS.map((name) => fixture(name, uid).file), [option, '-aet', CALLING]);
    const rows = server.index.all();
    comparisons = rows.length === 0 ? [] : await compareDatasets(OBJECTS.flatMap((name) => {
      const row = rowOf(name);
      return row ? [{ original: fixture(name, uid).file, rewritten: row.path }] : [];
    }));
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('storescu succeeds and each object gets one database row, received in this syntax from the calling AE', () => {
    for (const name of OBJECTS) expect(fileMetaText(fixture(name, uid).file).get('0002,0002'), name).toBe(SOP_CLASS[name]);
    expect(sent.code, sent.output).toBe(0);
    const rows = server.index.all();
    expect(rows.map((r) => r.sopInstanceUid).sort()).toEqual(OBJECTS.map(sopInstanceOf).sort());
    for (const row of rows) {
      expect(row.receivedTransferSyntax).toBe(uid);
      expect(row.callingAeTitle).toBe(CALLING);
      expect(row.calledAeTitle).toBe(CALLED);
      expect(row.path).toBe(path.join(server.dataDir, 'store', row.studyInstanceUid, row.seriesInstanceUid, `${row.sopInstanceUid}.dcm`));
    }
    // Nothing else in the data folder: three files, no leftovers in .incoming.
    expect(filesUnder(path.join(server.dataDir, 'store')).sort()).toEqual(rows.map((r) => r.path).sort());
  });

  it.each(OBJECTS)('%s: stored as Explicit VR LE PS3.10 with File Meta naming the object, our implementation and the calling AE', (name) => {
    const result = comparisons.find((c) => c.original === fixture(name, uid).file);
    expect(result?.meta, `no stored file for ${name}`).toBeDefined();
    const meta = result!.meta!;
    expect(meta.preamble_zero && meta.dicm).toBe(true);
    expect(meta.group_length).toBe(meta.group_length_actual);
    expect(meta.pydicom).toEqual({
      transfer_syntax: TransferSyntax.ExplicitVRLittleEndian,
      sop_class: SOP_CLASS[name],
      sop_instance: sopInstanceOf(name),
      implementation_class: IMPLEMENTATION_CLASS_UID,
      implementation_version: IMPLEMENTATION_VERSION_NAME,
      source_ae: CALLING,
      version: '0001',
      is_little_endian: true,
      is_implicit_vr: false,
    });
    expect(rowOf(name)!.sopClassUid).toBe(SOP_CLASS[name]);
  });

  it.each(OBJECTS)('%s: pydicom reads the same elements with the same values, pixel for pixel', (name) => {
    const result = comparisons.find((c) => c.original === fixture(name, uid).file);
    expect(result, `no stored file for ${name}`).toBeDefined();
    expect(result!.differences).toEqual([]);
    // The object was read, not skipped: every fixture has a few dozen elements.
    expect(result!.elements).toBeGreaterThan(20);
  });

  if (key === 'evrle') {
    it('the data set is stored byte for byte as storescu sent it (DCMTK storescp +B as the oracle)', async () => {
      const wire = await wireDatasets(work, OBJECTS.map((name) => fixture(name, uid).file), [option, '-aet', CALLING]);
      for (const name of OBJECTS) {
        const arrived = wire.get(sopInstanceOf(name));
        expect(arrived, `storescp got no ${name}`).toBeDefined();
        expect(datasetBytes(rowOf(name)!.path).equals(arrived!), `${name}: stored data set differs from the bytes on the wire`).toBe(true);
      }
    });
  }

  it('dcmdump reads every stored file without an error or warning', async () => {
    const files = server.index.all().map((r) => r.path);
    expect(files).toHaveLength(OBJECTS.length);
    const dump = await dcmdumpFiles(files);
    expect(dump.complaints).toEqual([]);
    expect(dump.code).toBe(0);
  });
});

// DCMTK re-encodes every sequence with explicit lengths before sending, so the undefined-length
// sequences of ct16 (and the private sequence) reach the server only from a sender that sends bytes as they are.
describe.each(SYNTAXES)('undefined-length sequences on the wire, $key (raw sender)', ({ key, uid }) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startInteropServer({ dicom: { aeTitles: [CALLED] } });
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('ct16 is stored as the same object (byte for byte when it arrives in Explicit VR LE)', async () => {
    const input = fixture('ct16', uid);
    const dataset = readFileSync(input.raw);
    // The fixture really has undefined lengths: a Sequence Delimitation Item (FFFE,E0DD) ends only those.
    expect(dataset.includes(Buffer.from([0xfe, 0xff, 0xdd, 0xe0])) || dataset.includes(Buffer.from([0xff, 0xfe, 0xe0, 0xdd]))).toBe(true);
    const result = await rawStore(server.port, {
      calledAeTitle: CALLED,
      callingAeTitle: CALLING,
      sopClassUid: SOP_CLASS.ct16,
      sopInstanceUid: sopInstanceOf('ct16'),
      transferSyntaxUid: uid,
      dataset,
    });
    expect(result).toEqual({ status: 0, contextResult: 0 });
    const row = server.index.all().find((r) => r.sopInstanceUid === sopInstanceOf('ct16'));
    expect(row?.receivedTransferSyntax).toBe(uid);
    if (key === 'evrle') expect(datasetBytes(row!.path).equals(dataset)).toBe(true);
    const [comparison] = await compareDatasets([{ original: input.file, rewritten: row!.path }]);
    expect(comparison!.differences).toEqual([]);
    expect(comparison!.meta!.pydicom.transfer_syntax).toBe(TransferSyntax.ExplicitVRLittleEndian);
    const dump = await dcmdumpFiles([row!.path]);
    expect(dump.complaints).toEqual([]);
  });
});

// pydicom's own test files: a real-world mix (RT plan and dose, SR, ECG waveform, RGB and YBR images,
// Big Endian MR, odd sizes). Several share SOP Instance UIDs, and a SOP Instance UID stored before is
// a resend or a kept-apart duplicate (test/e2e/duplicates.test.ts), so each goes to a server of its own.
const PYDICOM_FILES = [
  'CT_small', 'ExplVR_BigEnd', 'MR_small', 'MR_small_bigendian', 'MR_small_expb', 'MR_small_implicit', 'MR_small_padded',
  'SC_rgb_jpeg_dcmd', 'SC_rgb_small_odd', 'SC_ybr_full_422_uncompressed', 'reportsi', 'reportsi_with_empty_number_tags',
  'rtdose', 'rtdose_1frame', 'rtdose_expb', 'rtdose_expb_1frame', 'rtplan', 'test-SR', 'waveform_ecg',
];
/** DCMTK drops Data Set Trailing Padding before sending (seen with storescp +B): not ours to keep. */
const DROPPED_BY_STORESCU = '(fffc, fffc): missing from the rewritten file';

describe('a real-world mix (pydicom\'s test files), each sent in its own transfer syntax', () => {
  const verdicts = new Map<string, { sent: ToolResult; syntax: string; receivedSyntax?: string; comparison?: Comparison; stored?: string }>();

  beforeAll(async () => {
    const pairs: { name: string; original: string; rewritten: string }[] = [];
    for (const name of PYDICOM_FILES) {
      const input = fixtures.find((f) => f.name === `pydicom-${name}`);
      if (!input) throw new Error(`make_datasets.py made no pydicom-${name}`);
      if (input.pydicomReadable === false) throw new Error(`pydicom cannot read pydicom-${name} completely: it cannot be an oracle`);
      const option = SYNTAXES.find((s) => s.uid === input.transferSyntaxUid)!.option;
      const server = await startInteropServer({ dicom: { aeTitles: [CALLED], acceptStructuredReports: true } });
      try {
        const sent = await storescu(server.port, CALLED, [input.file], [option, '-aet', CALLING]);
        const [row] = server.index.all();
        // Copied aside: the server's data folder goes when it stops.
        const stored = row ? path.join(work, `stored-${name}.dcm`) : undefined;
        if (row && stored) {
          copyFileSync(row.path, stored);
          pairs.push({ name, original: input.file, rewritten: stored });
        }
        verdicts.set(name, { sent, stored, syntax: input.transferSyntaxUid, receivedSyntax: row?.receivedTransferSyntax });
      } finally {
        await server.dispose();
      }
    }
    const comparisons = await compareDatasets(pairs.map(({ original, rewritten }) => ({ original, rewritten })));
    pairs.forEach((pair, i) => (verdicts.get(pair.name)!.comparison = comparisons[i]));
  }, 120_000);

  it.each(PYDICOM_FILES)('%s: stored as the same object, read cleanly by dcmdump', async (name) => {
    const verdict = verdicts.get(name)!;
    expect(verdict.sent.code, verdict.sent.output).toBe(0);
    expect(verdict.stored, 'no new database row').toBeDefined();
    expect(verdict.receivedSyntax, 'travelled in the file\'s own syntax').toBe(verdict.syntax);
    expect(verdict.comparison!.differences.filter((d) => d !== DROPPED_BY_STORESCU)).toEqual([]);
    expect(verdict.comparison!.meta!.pydicom.transfer_syntax).toBe(TransferSyntax.ExplicitVRLittleEndian);
    const dump = await dcmdumpFiles([verdict.stored!]);
    expect(dump.complaints).toEqual([]);
    expect(dump.code).toBe(0);
  });
});
