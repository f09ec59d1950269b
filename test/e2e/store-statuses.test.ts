// C-STORE failure statuses: each bad object gets its own status, leaves nothing behind (no row, no
// file, no partial file, nothing outside the data folder), and the association goes on storing.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.ts';
import { storescu } from '../support/dcmtk.ts';
import { abortPdu, associate, type RawConnection } from '../support/pdu.ts';
import { cStore, cStoreRq, messagePdus } from './support/dimse.ts';
import { CT_IMAGE, EXPLICIT_LE, IMPLICIT_LE, VERIFICATION, ctDataset, freshUids, writeCtFile } from './support/dataset.ts';

const CT_CONTEXT = 1;

/** Every file under the data folder's store, .incoming included, as paths relative to it. */
function storedFiles(server: TestServer): string[] {
  const root = path.join(server.dataDir, 'store');
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
    .sort();
}

describe('refused for lack of disk space', () => {
  let server: TestServer;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'discrobot-statuses-'));
    // More than any disk here has free: every object is refused.
    server = await startServer({ storage: { reserveBytes: 2 ** 53 } });
  });
  afterAll(async () => {
    await server.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers A700 and stores nothing when free space is below reserveBytes', async () => {
    const file = writeCtFile(path.join(work, 'a.dcm'), freshUids());
    const result = await storescu(server.port, 'DISCROBOT', [file], ['-d']);
    expect(result.output).toMatch(/DIMSE Status\s*: 0xa700/);
    expect(server.index.count()).toBe(0);
    expect(storedFiles(server)).toEqual([]);
  });
});

describe('failures inside one association', () => {
  let server: TestServer;
  let connection: RawConnection;
  let messageId = 0;

  beforeAll(async () => {
    server = await startServer();
    ({ connection } = await associate(server.port, {
      contexts: [
        { id: CT_CONTEXT, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] },
        { id: 3, abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT_LE] },
      ],
    }));
  });
  afterAll(async () => {
    connection.destroy();
    await server.dispose();
  });

  /** After a failure: nothing new in the index or on disk, and a good object still stores on this association. */
  async function expectNothingStoredAndGoingOn(rowsBefore: number, filesBefore: string[]): Promise<void> {
    expect(server.index.count()).toBe(rowsBefore);
    expect(storedFiles(server)).toEqual(filesBefore);
    const good = freshUids();
    const response = await cStore(connection, CT_CONTEXT, ++messageId, CT_IMAGE, good.sopInstanceUid, ctDataset(good));
    expect(response.status).toBe(0x0000);
    expect(server.index.current(good.sopInstanceUid)).toBeDefined();
    expect(storedFiles(server)).toContain(path.join(good.studyInstanceUid, good.seriesInstanceUid, `${good.sopInstanceUid}.dcm`));
  }

  it('answers A900 when the data set\'s SOP Instance UID differs from the command\'s', async () => {
    const rows = server.index.count();
    const files = storedFiles(server);
    const commanded = freshUids();
    const actual = freshUids();
    const response = await cStore(connection, CT_CONTEXT, ++messageId, CT_IMAGE, commanded.sopInstanceUid, ctDataset({ ...commanded, sopInstanceUid: actual.sopInstanceUid }));
    expect(response.status).toBe(0xa900);
    expect(response.messageIdBeingRespondedTo).toBe(messageId);
    expect(server.index.current(commanded.sopInstanceUid)).toBeUndefined();
    expect(server.index.current(actual.sopInstanceUid)).toBeUndefined();
    await expectNothingStoredAndGoingOn(rows, files);
  });

  it('answers 0110 for a Study Instance UID with path characters, and writes nothing outside the data folder', async () => {
    const rows = server.index.count();
    const files = storedFiles(server);
    const escape = `escape-${process.pid}-${Date.now()}`;
    const uids = { ...freshUids(), studyInstanceUid: `../../${escape}` };
    const response = await cStore(connection, CT_CONTEXT, ++messageId, CT_IMAGE, uids.sopInstanceUid, ctDataset(uids));
    expect(response.status).toBe(0x0110);
    // Where a naive path.join(store, study, ...) would have led.
    const outside = path.resolve(server.dataDir, 'store', uids.studyInstanceUid);
    expect(outside.startsWith(server.dataDir + path.sep)).toBe(false);
    expect(existsSync(outside)).toBe(false);
    await expectNothingStoredAndGoingOn(rows, files);
  });

  it('answers 0110 for a SOP Instance UID with path characters in command and data set', async () => {
    const rows = server.index.count();
    const files = storedFiles(server);
    const uids = { ...freshUids(), sopInstanceUid: '../../../sop-escape' };
    const response = await cStore(connection, CT_CONTEXT, ++messageId, CT_IMAGE, uids.sopInstanceUid, ctDataset(uids));
    expect(response.status).toBe(0x0110);
    expect(existsSync(path.resolve(server.dataDir, 'store', 'x', 'y', 'sop-escape.dcm'))).toBe(false);
    await expectNothingStoredAndGoingOn(rows, files);
  });

  it('answers 0110 for a data set cut inside an element value, and leaves no partial file', async () => {
    const rows = server.index.count();
    const files = storedFiles(server);
    const uids = freshUids();
    // 6 MB: more than one 4 MB write batch, so a .part file exists before the cut is found. The
    // last fragment, flagged last, ends 100 bytes early.
    const whole = ctDataset({ ...uids, pixelBytes: 6 * 1024 * 1024 });
    const response = await cStore(connection, CT_CONTEXT, ++messageId, CT_IMAGE, uids.sopInstanceUid, whole.subarray(0, whole.length - 100));
    expect(response.status).toBe(0x0110);
    expect(response.errorComment).toMatch(/malformed/);
    await expectNothingStoredAndGoingOn(rows, files);
  });

  it('answers 0110 for a data set cut inside an element header', async () => {
    const rows = server.index.count();
    const files = storedFiles(server);
    const uids = freshUids();
    const whole = ctDataset(uids);
    // The pixel data element's 8-byte header starts 4096 + 8 bytes from the end: keep 3 bytes of it.
    const response = await cStore(connection, CT_CONTEXT, ++messageId, CT_IMAGE, uids.sopInstanceUid, whole.subarray(0, whole.length - 4096 - 5));
    expect(response.status).toBe(0x0110);
    await expectNothingStoredAndGoingOn(rows, files);
  });
});

describe('transfers broken off', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server.dispose());

  async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!condition()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const incoming = () => readdirSync(path.join(server.dataDir, 'store', '.incoming'));

  for (const how of ['A-ABORT', 'TCP reset'] as const) {
    it(`removes the partial file and records nothing when the peer breaks off with ${how}`, async () => {
      const { connection } = await associate(server.port, { contexts: [{ id: CT_CONTEXT, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] }] });
      const uids = freshUids();
      const pdus = messagePdus(CT_CONTEXT, cStoreRq(1, CT_IMAGE, uids.sopInstanceUid), ctDataset({ ...uids, pixelBytes: 8 * 1024 * 1024 }));
      // Command and about 5 MB of the 8 MB: past the first 4 MB write batch.
      for (const p of pdus.slice(0, 1 + Math.ceil((5 * 1024 * 1024) / 16372))) connection.send(p);
      await until(() => incoming().length === 1, 'the partial file');
      if (how === 'A-ABORT') connection.send(abortPdu());
      else connection.socket.resetAndDestroy();
      await until(() => incoming().length === 0, 'the partial file to be removed');
      expect(server.index.current(uids.sopInstanceUid)).toBeUndefined();
      expect(storedFiles(server)).toEqual([]);
      connection.destroy();
    });
  }
});
