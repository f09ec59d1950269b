// The PDU layer's guards, on raw sockets against the running SCP: malformed, oversized, early or
// missing PDUs end that one connection with the right A-ABORT (or none, for ARTIM), promptly, and
// the server keeps answering everyone else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.ts';
import { echoscu } from '../support/dcmtk.ts';
import { PDU, RawConnection, associate, associateRq, pData, pdu, rejectFields } from '../support/pdu.ts';
import { cEchoRq, cStoreRq, messagePdus } from './support/dimse.ts';
import { CT_IMAGE, EXPLICIT_LE, IMPLICIT_LE, VERIFICATION, ctDataset, freshUids } from './support/dataset.ts';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const CONTEXTS = [
  { id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT_LE, IMPLICIT_LE] },
  { id: 3, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] },
];
const ARTIM_SECONDS = 0.5;
const IDLE_SECONDS = 1;

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ dicom: { artimTimeoutSeconds: ARTIM_SECONDS, idleTimeoutSeconds: IDLE_SECONDS } });
});
afterAll(async () => server.dispose());

async function expectStillAnswering(): Promise<void> {
  const result = await echoscu(server.port, 'DISCROBOT');
  expect(result.code, result.output).toBe(0);
  expect(result.output).toContain('Received Echo Response (Success)');
}

describe('PDU guards', () => {
  it('rejects an unknown application context name with A-ASSOCIATE-RJ 1/1/2', async () => {
    const connection = await RawConnection.connect(server.port);
    connection.send(associateRq({ applicationContextName: '1.2.3.4.5.6', contexts: CONTEXTS }));
    const answer = await connection.nextPdu();
    expect(answer.type).toBe(PDU.AssociateRj);
    expect(rejectFields(answer.bytes)).toEqual({ result: 1, source: 1, reason: 2 });
    expect(await connection.closesWithin(1000), 'closed promptly').toBe(true);
    await expectStillAnswering();
  });

  it('aborts (source 2, reason 6) a P-DATA-TF longer than the advertised 16384 and closes promptly', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    const sentAt = performance.now();
    connection.send(pdu(PDU.PData, Buffer.alloc(16385)));
    const answer = await connection.nextPdu(2000);
    expect(answer.type).toBe(PDU.Abort);
    expect(rejectFields(answer.bytes)).toMatchObject({ source: 2, reason: 6 });
    expect(answer.at - sentAt).toBeLessThan(500);
    expect(await connection.closesWithin(1000), 'closed promptly after the A-ABORT').toBe(true);
    await expectStillAnswering();
  });

  it('aborts a 2 GB P-DATA length header at once, without buffering the junk that follows', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    const header = Buffer.from([PDU.PData, 0, 0x80, 0, 0, 0]);
    const junk = Buffer.alloc(1024 * 1024, 0x5a);
    const sentAt = performance.now();
    connection.send(header);
    // Keep pouring junk while waiting: a buffering server would still be reading.
    for (let i = 0; i < 16; i++) connection.send(junk);
    const answer = await connection.nextPdu(2000);
    expect(answer.type).toBe(PDU.Abort);
    expect(rejectFields(answer.bytes)).toMatchObject({ source: 2, reason: 6 });
    // A framer that buffered would wait for 2 GB; ours answers from the 6-byte header.
    expect(answer.at - sentAt).toBeLessThan(500);
    expect(await connection.closesWithin(1000), 'closed promptly after the A-ABORT').toBe(true);
    await expectStillAnswering();
  });

  it('aborts (source 2, reason 2) a P-DATA-TF sent before any A-ASSOCIATE-RQ', async () => {
    const connection = await RawConnection.connect(server.port);
    connection.send(pData({ contextId: 1, command: true, last: true, data: cEchoRq(1) }));
    const answer = await connection.nextPdu();
    expect(answer.type).toBe(PDU.Abort);
    expect(rejectFields(answer.bytes)).toMatchObject({ source: 2, reason: 2 });
    expect(await connection.closesWithin(1000), 'closed promptly after the A-ABORT').toBe(true);
    await expectStillAnswering();
  });

  it('aborts (source 2, reason 1) an unknown PDU type', async () => {
    const connection = await RawConnection.connect(server.port);
    connection.send(Buffer.from('GET / HTTP/1.1\r\nHost: discrobot\r\n\r\n'));
    const answer = await connection.nextPdu();
    expect(answer.type).toBe(PDU.Abort);
    expect(rejectFields(answer.bytes)).toMatchObject({ source: 2, reason: 1 });
    expect(await connection.closesWithin(1000), 'closed promptly after the A-ABORT').toBe(true);
    await expectStillAnswering();
  });

  it('aborts (source 2, reason 6) an A-ASSOCIATE-RQ whose items run past its end', async () => {
    const connection = await RawConnection.connect(server.port);
    const rq = associateRq({ contexts: CONTEXTS });
    rq.writeUInt16BE(0xfff0, rq.indexOf(Buffer.from([0x20, 0]), 74) + 2);
    connection.send(rq);
    const answer = await connection.nextPdu();
    expect(answer.type).toBe(PDU.Abort);
    expect(rejectFields(answer.bytes)).toMatchObject({ source: 2, reason: 6 });
    expect(await connection.closesWithin(1000), 'closed promptly after the A-ABORT').toBe(true);
    await expectStillAnswering();
  });

  it('aborts (source 2, reason 2) a second A-ASSOCIATE-RQ on an established association', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    connection.send(associateRq({ contexts: CONTEXTS }));
    const answer = await connection.nextPdu();
    expect(answer.type).toBe(PDU.Abort);
    expect(rejectFields(answer.bytes)).toMatchObject({ source: 2, reason: 2 });
    expect(await connection.closesWithin(1000), 'closed promptly after the A-ABORT').toBe(true);
    await expectStillAnswering();
  });

  it('closes a connection that never sends an A-ASSOCIATE-RQ after the ARTIM timeout, not before', async () => {
    const connection = await RawConnection.connect(server.port);
    const openedAt = performance.now();
    const closedAt = await Promise.race([connection.closed, new Promise<number>((r) => setTimeout(() => r(Infinity), 5000))]);
    const elapsed = closedAt - openedAt;
    expect(elapsed).toBeGreaterThanOrEqual(ARTIM_SECONDS * 1000 - 50);
    expect(elapsed).toBeLessThan(ARTIM_SECONDS * 1000 + 1500);
    await expectStillAnswering();
  });

  it('aborts an established association that stays idle for idleTimeoutSeconds', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    const acceptedAt = performance.now();
    const answer = await connection.nextPdu(IDLE_SECONDS * 1000 + 3000);
    expect(answer.type).toBe(PDU.Abort);
    const elapsed = answer.at - acceptedAt;
    expect(elapsed).toBeGreaterThanOrEqual(IDLE_SECONDS * 1000 - 50);
    expect(elapsed).toBeLessThan(IDLE_SECONDS * 1000 + 1500);
    expect(await connection.closesWithin(1000), 'closed promptly').toBe(true);
    await expectStillAnswering();
  });

  it('aborts a C-STORE that stalls mid-transfer after idleTimeoutSeconds without data, leaving no partial file', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    const uids = freshUids();
    const pdus = messagePdus(3, cStoreRq(1, CT_IMAGE, uids.sopInstanceUid), ctDataset({ ...uids, pixelBytes: 65536 }));
    for (const p of pdus.slice(0, 2)) connection.send(p); // the command and the first fragment, then silence
    const answer = await connection.nextPdu(IDLE_SECONDS * 1000 + 3000);
    expect(answer.type).toBe(PDU.Abort);
    expect(await connection.closesWithin(1000), 'closed promptly').toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(readdirSync(path.join(server.dataDir, 'store', '.incoming'))).toEqual([]);
    expect(server.index.current(uids.sopInstanceUid)).toBeUndefined();
    await expectStillAnswering();
  });

  it('keeps a slow but steady C-STORE alive past the idle timeout', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    const uids = freshUids();
    const pdus = messagePdus(3, cStoreRq(1, CT_IMAGE, uids.sopInstanceUid), ctDataset({ ...uids, pixelBytes: 5 * 16384 }));
    // One fragment every 0.4 s: the whole transfer spans more than twice the 1 s idle timeout.
    for (const p of pdus) {
      connection.send(p);
      await new Promise((r) => setTimeout(r, IDLE_SECONDS * 400));
    }
    const answer = await connection.nextPdu(3000);
    expect(answer.type).toBe(PDU.PData);
    expect(server.index.current(uids.sopInstanceUid)).toBeDefined();
    connection.destroy();
  });

  it('keeps an association alive while it is active: each C-ECHO restarts the idle timer', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    // Three echoes spaced 0.6 s apart span 1.8 s, longer than the 1 s idle timeout.
    for (let id = 1; id <= 3; id++) {
      await new Promise((r) => setTimeout(r, IDLE_SECONDS * 600));
      connection.send(pData({ contextId: 1, command: true, last: true, data: cEchoRq(id) }));
      const answer = await connection.nextPdu(2000);
      expect(answer.type).toBe(PDU.PData);
    }
    connection.destroy();
  });
});
