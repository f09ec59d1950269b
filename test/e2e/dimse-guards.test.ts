// Guards between the PDU layer and DIMSE: PDVs only on accepted presentation contexts, objects only
// under the SOP class their context was negotiated for, and nothing a peer sends can grow the
// server's memory without bound (command sets, non-C-STORE data sets, P-DATA sent out of turn).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.ts';
import { echoscu } from '../support/dcmtk.ts';
import { PDU, associate, pData, rejectFields, type RawConnection } from '../support/pdu.ts';
import { cEcho, cStore, cStoreRq, messagePdus, readResponse } from './support/dimse.ts';
import { CT_IMAGE, IMPLICIT_LE, VERIFICATION, ctDataset, freshUids, implicitLe } from './support/dataset.ts';
import { nodeFs } from '../../adapters/store/durable-fs.ts';

const CT = 1;
const ECHO = 3;
const UNSUPPORTED = 5;
const CONTEXTS = [
  { id: CT, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] },
  { id: ECHO, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] },
  { id: UNSUPPORTED, abstractSyntax: '1.2.826.0.1.3680043.9.7433.99', transferSyntaxes: [IMPLICIT_LE] },
];
const FRAGMENT = 16372;

/** A C-FIND-RQ command set announcing a data set (the identifier). */
function cFindRq(messageId: number): Buffer {
  const body = implicitLe([
    { tag: 0x00000002, vr: 'UI', value: '1.2.840.10008.5.1.4.1.2.2.1' },
    { tag: 0x00000100, vr: 'US', value: 0x0020 },
    { tag: 0x00000110, vr: 'US', value: messageId },
    { tag: 0x00000800, vr: 'US', value: 0x0000 },
  ]);
  return Buffer.concat([implicitLe([{ tag: 0x00000000, vr: 'UL', value: body.length }]), body]);
}

async function expectAbort(connection: RawConnection, reason?: number): Promise<void> {
  const answer = await connection.nextPdu(3000);
  expect(answer.type, 'an A-ABORT').toBe(PDU.Abort);
  expect(rejectFields(answer.bytes)).toMatchObject({ source: 2, ...(reason === undefined ? {} : { reason }) });
  expect(await connection.closesWithin(1000), 'closed promptly').toBe(true);
}

describe('PDV and SOP class guards', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server.dispose());

  it('answers the unsupported proposal as such', async () => {
    const { connection, ac } = await associate(server.port, { contexts: CONTEXTS });
    expect(ac.contexts.find((c) => c.id === UNSUPPORTED)?.result).toBe(3);
    connection.destroy();
  });

  for (const [what, contextId] of [['refused', UNSUPPORTED], ['never proposed', 7]] as const) {
    it(`aborts a C-STORE sent on a presentation context that was ${what}, storing nothing`, async () => {
      const { connection } = await associate(server.port, { contexts: CONTEXTS });
      const uids = freshUids();
      for (const p of messagePdus(contextId, cStoreRq(1, CT_IMAGE, uids.sopInstanceUid), ctDataset(uids))) connection.send(p);
      await expectAbort(connection, 6);
      expect(server.index.current(uids.sopInstanceUid)).toBeUndefined();
    });
  }

  it('answers 0122 to a CT object sent on the Verification context, stores nothing, and goes on', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    const uids = freshUids();
    const refused = await cStore(connection, ECHO, 1, CT_IMAGE, uids.sopInstanceUid, ctDataset(uids));
    expect(refused.status).toBe(0x0122);
    expect(server.index.current(uids.sopInstanceUid)).toBeUndefined();
    const good = freshUids();
    expect((await cStore(connection, CT, 2, CT_IMAGE, good.sopInstanceUid, ctDataset(good))).status).toBe(0);
    connection.destroy();
  });

  it('aborts a C-FIND whose identifier grows past 1 MB instead of buffering it', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    connection.send(pData({ contextId: ECHO, command: true, last: true, data: cFindRq(1) }));
    const fragment = pData({ contextId: ECHO, command: false, last: false, data: Buffer.alloc(FRAGMENT, 0x41) });
    // 1.5 MB, never flagged last: a server that buffers would wait silently for more.
    for (let sent = 0; sent < 1.5 * 1024 * 1024; sent += FRAGMENT) connection.send(fragment);
    await expectAbort(connection, 0);
  });

  it('aborts a command set that never ends', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    const fragment = pData({ contextId: ECHO, command: true, last: false, data: Buffer.alloc(FRAGMENT, 0) });
    for (let i = 0; i < 6; i++) connection.send(fragment);
    await expectAbort(connection, 0);
  });

  it('still answers a small C-FIND with a failure, on the same association', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    connection.send(pData({ contextId: ECHO, command: true, last: true, data: cFindRq(1) }));
    connection.send(pData({ contextId: ECHO, command: false, last: true, data: implicitLe([{ tag: 0x00100010, vr: 'PN', value: '*' }]) }));
    const response = await readResponse(connection);
    expect(response.commandField).toBe(0x8020);
    expect(response.status).not.toBe(0);
    const good = freshUids();
    expect((await cStore(connection, CT, 2, CT_IMAGE, good.sopInstanceUid, ctDataset(good))).status).toBe(0);
    connection.destroy();
  });

  it('answers a C-ECHO with Success only on the Verification context, 0122 on a storage context', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    const onVerification = await cEcho(connection, ECHO, 1);
    expect(onVerification.commandField).toBe(0x8030);
    expect(onVerification.status).toBe(0);
    const onCt = await cEcho(connection, CT, 2);
    expect(onCt.commandField).toBe(0x8030);
    expect(onCt.status).toBe(0x0122);
    connection.destroy();
  });

  it('keeps answering echoscu after all of the above', async () => {
    const result = await echoscu(server.port, 'DISCROBOT');
    expect(result.code, result.output).toBe(0);
  });
});

describe('P-DATA sent while a C-STORE response is pending', () => {
  let server: TestServer;

  beforeAll(async () => {
    // A slow disk: each file fsync takes half a second, so the response stays pending that long.
    server = await startServer({}, { fs: { ...nodeFs, fsync: async (fd) => { await nodeFs.fsync(fd); await new Promise((r) => setTimeout(r, 500)); } } });
  });
  afterAll(async () => server.dispose());

  it('holds a little in order and stores it after the response', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    const first = freshUids();
    const second = freshUids();
    // The second C-STORE follows at once, before the first one's response (as a pipelining peer would).
    for (const p of messagePdus(CT, cStoreRq(1, CT_IMAGE, first.sopInstanceUid), ctDataset(first))) connection.send(p);
    for (const p of messagePdus(CT, cStoreRq(2, CT_IMAGE, second.sopInstanceUid), ctDataset(second))) connection.send(p);
    const r1 = await readResponse(connection);
    const r2 = await readResponse(connection);
    expect([r1.messageIdBeingRespondedTo, r1.status, r2.messageIdBeingRespondedTo, r2.status]).toEqual([1, 0, 2, 0]);
    expect(server.index.current(second.sopInstanceUid)).toBeDefined();
    connection.destroy();
  });

  it('aborts a peer that sends more than 1 MB before the response, rather than buffering it', async () => {
    const { connection } = await associate(server.port, { contexts: CONTEXTS });
    const first = freshUids();
    const second = freshUids();
    for (const p of messagePdus(CT, cStoreRq(1, CT_IMAGE, first.sopInstanceUid), ctDataset(first))) connection.send(p);
    for (const p of messagePdus(CT, cStoreRq(2, CT_IMAGE, second.sopInstanceUid), ctDataset({ ...second, pixelBytes: 2 * 1024 * 1024 }))) connection.send(p);
    // The first response may or may not get out before the abort.
    let answer = await connection.nextPdu(3000);
    if (answer.type === PDU.PData) answer = await connection.nextPdu(3000);
    expect(answer.type).toBe(PDU.Abort);
    expect(server.index.current(second.sopInstanceUid)).toBeUndefined();
  });
});
