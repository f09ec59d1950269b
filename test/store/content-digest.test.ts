// The store's content digest and what it decides when a SOP Instance UID comes again. Real parts:
// the InstanceStore writing real files, a real SQLite index (migrations applied), pino capturing
// the log. The oracle for the digest is independent of the store's code: SHA-256 of the stored
// file's bytes after its File Meta Information, cut out the plain way (test/support/part10.ts).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../adapters/db/database.ts';
import { InstanceIndex } from '../../adapters/db/instances.ts';
import { InstanceStore, type StoreOutcome } from '../../adapters/store/instance-store.ts';
import { datasetBytes, fileMetaText, filesUnder } from '../support/part10.ts';
import { tempDir } from '../db/temp-db.ts';
import { CT_IMAGE, EXPLICIT_LE, IMPLICIT_LE, freshUids, implicitLe } from '../e2e/support/dataset.ts';

const PATIENT = { id: 'PID-DIGEST-7', name: 'Hashwell^Ada', birthDate: '19620415' };

/** A small CT data set in Implicit VR LE; `version` changes one value (the Instance Number). */
function dataset(uids: ReturnType<typeof freshUids>, version = 1): Buffer {
  return implicitLe([
    { tag: 0x00080016, vr: 'UI', value: CT_IMAGE },
    { tag: 0x00080018, vr: 'UI', value: uids.sopInstanceUid },
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x00100010, vr: 'PN', value: PATIENT.name },
    { tag: 0x00100020, vr: 'LO', value: PATIENT.id },
    { tag: 0x00100030, vr: 'DA', value: PATIENT.birthDate },
    { tag: 0x0020000d, vr: 'UI', value: uids.studyInstanceUid },
    { tag: 0x0020000e, vr: 'UI', value: uids.seriesInstanceUid },
    { tag: 0x00200013, vr: 'IS', value: String(version) },
    { tag: 0x7fe00010, vr: 'OW', value: Buffer.alloc(512, version) },
  ]);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Harness {
  dir: string;
  db: Db;
  index: InstanceIndex;
  store: InstanceStore;
  logLines: Record<string, unknown>[];
  /** Stores one data set as a C-STORE delivers it, in chunks the size a PDU would carry. */
  send(uids: ReturnType<typeof freshUids>, bytes: Buffer, options?: { callingAeTitle?: string; transferSyntaxUid?: string; messageId?: number }): Promise<StoreOutcome>;
  rows(sopInstanceUid: string): ReturnType<InstanceIndex['all']>;
  /** Files in the store's folders, the temp folder included. */
  files(): string[];
  close(): void;
}

async function openStore(): Promise<Harness> {
  const dir = tempDir('discrobot-digest');
  const db = openDatabase(path.join(dir, 'db.sqlite'), { durable: false });
  const index = new InstanceIndex(db);
  const logLines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(JSON.parse(s)) });
  const store = new InstanceStore({ dataDir: path.join(dir, 'data'), durable: true, reserveBytes: 0, index, logger });
  await store.init();
  let messageId = 0;
  return {
    dir, db, index, store, logLines,
    async send(uids, bytes, options = {}) {
      const sink = store.begin({
        associationId: 'digest-test',
        messageId: options.messageId ?? ++messageId,
        sopClassUid: CT_IMAGE,
        sopInstanceUid: uids.sopInstanceUid,
        transferSyntaxUid: options.transferSyntaxUid ?? IMPLICIT_LE,
        callingAeTitle: options.callingAeTitle ?? 'CT_ONE',
        calledAeTitle: 'DISCROBOT',
      });
      for (let at = 0; at < bytes.length; at += 100) sink.write(bytes.subarray(at, at + 100));
      sink.end();
      const outcome = await sink.completion;
      expect(outcome.status, outcome.comment).toBe(0);
      return outcome;
    },
    rows: (sopInstanceUid) => index.all().filter((r) => r.sopInstanceUid === sopInstanceUid),
    files: () => filesUnder(path.join(dir, 'data', 'store')),
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let h: Harness;
beforeEach(async () => {
  h = await openStore();
});
afterEach(() => h.close());

describe('content digest', () => {
  it('is SHA-256 of the stored data set, the File Meta Information left out', async () => {
    const uids = freshUids();
    const outcome = await h.send(uids, dataset(uids));
    const [row] = h.rows(uids.sopInstanceUid);
    expect(row!.contentDigest).toBe(sha256(datasetBytes(row!.path)));
    expect(outcome.stored?.contentDigest).toBe(row!.contentDigest);
  });

  it('does not change with the sender: two stores, two calling AE titles, two File Meta groups, one digest', async () => {
    const other = await openStore();
    try {
      const uids = freshUids();
      await h.send(uids, dataset(uids), { callingAeTitle: 'CT_ONE' });
      await other.send(uids, dataset(uids), { callingAeTitle: 'MR_TWO' });
      const [mine] = h.rows(uids.sopInstanceUid);
      const [theirs] = other.rows(uids.sopInstanceUid);
      // The files differ in group 0002 (Source Application Entity Title), and only there.
      expect(fileMetaText(mine!.path).get('0002,0016')).toBe('CT_ONE');
      expect(fileMetaText(theirs!.path).get('0002,0016')).toBe('MR_TWO');
      expect(readFileSync(mine!.path).equals(readFileSync(theirs!.path))).toBe(false);
      expect(datasetBytes(mine!.path).equals(datasetBytes(theirs!.path))).toBe(true);
      expect(mine!.contentDigest).toBe(theirs!.contentDigest);
    } finally {
      other.close();
    }
  });

  it('differs when one value of the data set differs', async () => {
    const a = freshUids();
    await h.send(a, dataset(a, 1));
    const other = await openStore();
    try {
      await other.send(a, dataset(a, 2));
      expect(h.rows(a.sopInstanceUid)[0]!.contentDigest).not.toBe(other.rows(a.sopInstanceUid)[0]!.contentDigest);
    } finally {
      other.close();
    }
  });
});

describe('a SOP Instance UID that comes again', () => {
  it('with the same content under another calling AE title: a resend, one row, one file, nothing replaced', async () => {
    const uids = freshUids();
    const first = await h.send(uids, dataset(uids), { callingAeTitle: 'CT_ONE' });
    const [row] = h.rows(uids.sopInstanceUid);
    const bytesBefore = readFileSync(row!.path);
    const before = Date.now();
    const again = await h.send(uids, dataset(uids), { callingAeTitle: 'CT_TWO' });

    expect(first.stored).toMatchObject({ instanceId: row!.id, disposition: 'new' });
    expect(first.stored).not.toHaveProperty('duplicate');
    expect(again.stored).toMatchObject({
      instanceId: row!.id,
      studyInstanceUid: uids.studyInstanceUid,
      patientId: PATIENT.id,
      patientName: PATIENT.name,
      patientBirthDate: PATIENT.birthDate,
      duplicate: 'same',
      callingAeTitle: 'CT_TWO',
      calledAeTitle: 'DISCROBOT',
      disposition: 'discarded',
      path: row!.path,
    });
    expect(again.stored!.receivedAtMs).toBeGreaterThanOrEqual(before);
    expect(h.rows(uids.sopInstanceUid)).toEqual([row]);
    expect(h.files()).toEqual([row!.path]);
    expect(readFileSync(row!.path).equals(bytesBefore)).toBe(true);
  });

  it('with the same data set received in another transfer syntax: still the same object', async () => {
    const uids = freshUids();
    await h.send(uids, dataset(uids), { transferSyntaxUid: IMPLICIT_LE });
    const [row] = h.rows(uids.sopInstanceUid);
    // The store keeps Explicit VR LE: its own file's data set is that object in Explicit VR LE.
    const explicit = datasetBytes(row!.path);
    expect(explicit.equals(dataset(uids))).toBe(false);
    const again = await h.send(uids, explicit, { transferSyntaxUid: EXPLICIT_LE });
    expect(again.stored).toMatchObject({ instanceId: row!.id, duplicate: 'same', disposition: 'discarded' });
    expect(h.rows(uids.sopInstanceUid)).toHaveLength(1);
  });

  it('logs a resend at info with UIDs only, no patient data', async () => {
    const uids = freshUids();
    await h.send(uids, dataset(uids));
    await h.send(uids, dataset(uids));
    const line = h.logLines.find((l) => l['sopInstanceUid'] === uids.sopInstanceUid && /same content/.test(String(l['msg'])));
    expect(line).toMatchObject({ level: 30 });
    const text = JSON.stringify(line);
    for (const secret of [PATIENT.id, 'Hashwell', 'Ada', PATIENT.birthDate]) expect(text).not.toContain(secret);
  });

  it('with different content and the first on no job: kept apart, the first stays current and untouched', async () => {
    const uids = freshUids();
    await h.send(uids, dataset(uids, 1));
    const [first] = h.rows(uids.sopInstanceUid);
    const firstBytes = readFileSync(first!.path);
    const again = await h.send(uids, dataset(uids, 2));

    const rows = h.rows(uids.sopInstanceUid);
    expect(rows).toHaveLength(2);
    const keptApart = rows.find((r) => r.id !== first!.id)!;
    expect(rows.find((r) => r.id === first!.id)).toEqual(first);
    expect(keptApart).toMatchObject({ duplicateOf: first!.id, jobId: null, instanceNumber: '2' });
    expect(keptApart.contentDigest).toBe(sha256(datasetBytes(keptApart.path)));
    expect(keptApart.contentDigest).not.toBe(first!.contentDigest);
    expect(again.stored).toMatchObject({ instanceId: keptApart.id, duplicate: 'different', disposition: 'kept-apart', path: keptApart.path });
    expect(h.index.current(uids.sopInstanceUid)?.id).toBe(first!.id);
    expect(readFileSync(first!.path).equals(firstBytes)).toBe(true);
    expect(h.files().sort()).toEqual([first!.path, keptApart.path].sort());
  });

  it('with content already kept apart: not kept twice, still reported as different', async () => {
    const uids = freshUids();
    await h.send(uids, dataset(uids, 1));
    await h.send(uids, dataset(uids, 2));
    const keptApart = h.rows(uids.sopInstanceUid).find((r) => r.duplicateOf !== null)!;
    const again = await h.send(uids, dataset(uids, 2));
    expect(again.stored).toMatchObject({ instanceId: keptApart.id, duplicate: 'different', disposition: 'discarded', path: keptApart.path });
    expect(h.rows(uids.sopInstanceUid)).toHaveLength(2);
    expect(h.files()).toHaveLength(2);
    // A third content is kept apart again, in a file of its own.
    const third = await h.send(uids, dataset(uids, 3));
    expect(third.stored).toMatchObject({ duplicate: 'different', disposition: 'kept-apart' });
    expect(new Set(h.rows(uids.sopInstanceUid).map((r) => r.path)).size).toBe(3);
  });

  it('against a row written before digests existed: cannot be shown the same, so kept apart as different', async () => {
    const uids = freshUids();
    await h.send(uids, dataset(uids));
    h.db.prepare('UPDATE instances SET content_digest = NULL WHERE sop_instance_uid = ?').run(uids.sopInstanceUid);
    const again = await h.send(uids, dataset(uids));
    expect(again.stored).toMatchObject({ duplicate: 'different', disposition: 'kept-apart' });
    expect(h.rows(uids.sopInstanceUid)).toHaveLength(2);
  });

  it('from two associations at once: one row, one file, the later one a resend', async () => {
    const uids = freshUids();
    const both = await Promise.all([h.send(uids, dataset(uids), { messageId: 1 }), h.send(uids, dataset(uids), { messageId: 2 })]);
    expect(both.map((o) => o.stored?.disposition).sort()).toEqual(['discarded', 'new']);
    expect(both.map((o) => o.stored?.duplicate).filter(Boolean)).toEqual(['same']);
    const rows = h.rows(uids.sopInstanceUid);
    expect(rows).toHaveLength(1);
    expect(both.every((o) => o.stored?.instanceId === rows[0]!.id)).toBe(true);
    expect(h.files()).toEqual([rows[0]!.path]);
    expect(existsSync(path.join(h.dir, 'data', 'store', '.incoming'))).toBe(true);
    expect(readdirSync(path.join(h.dir, 'data', 'store', '.incoming'))).toEqual([]);
  });
});
