// What the A-ASSOCIATE-AC says, byte by byte, for requests DCMTK would never send: unlimited PDU
// length, an asynchronous operations window, more than 16 KB of presentation contexts, transfer
// syntaxes in an unhelpful order and context IDs out of order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.ts';
import { PDU, associate, associateRq, parsePData, pData, type ProposedContext } from '../support/pdu.ts';
import { cEchoRq, cStore } from './support/dimse.ts';
import { CT_IMAGE, EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, VERIFICATION, ctDataset, freshUids } from './support/dataset.ts';
import { acceptedStorageSopClasses } from '../../src/dicom/sop-classes.ts';
import { APPLICATION_CONTEXT_DICOM, IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../src/dicom/uid.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server.dispose());

const ACCEPTANCE = 0;

describe('A-ASSOCIATE-AC', () => {
  it('advertises max PDU 16384 when the request proposes 0 (unlimited), with our implementation UID and version, and no async operations window', async () => {
    const { connection, ac } = await associate(server.port, {
      maxPduLength: 0,
      asyncOpsWindow: [5, 5],
      contexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }],
    });
    expect(ac.applicationContextName).toBe(APPLICATION_CONTEXT_DICOM);
    expect(ac.maxPduLength).toBe(16384);
    expect(ac.implementationClassUid).toBe(IMPLEMENTATION_CLASS_UID);
    expect(ac.implementationVersionName).toBe(IMPLEMENTATION_VERSION_NAME);
    expect(ac.userItemTypes).toContain(0x51);
    expect(ac.userItemTypes).not.toContain(0x53);
    expect(ac.calledAeTitle).toBe('DISCROBOT');
    expect(ac.callingAeTitle).toBe('RAWSCU');
    connection.destroy();
  });

  it('accepts a request of 120 presentation contexts, larger than a P-DATA PDU may be, answering each', async () => {
    const classes = acceptedStorageSopClasses(false);
    const contexts: ProposedContext[] = Array.from({ length: 120 }, (_, i) => ({
      id: 2 * i + 1,
      abstractSyntax: classes[i % classes.length]!.uid,
      // Several syntaxes each, compressed ones first, as a PACS proposes them.
      transferSyntaxes: ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.5', EXPLICIT_BE, IMPLICIT_LE, EXPLICIT_LE],
    }));
    expect(associateRq({ contexts }).length).toBeGreaterThan(16384 + 6);
    const { connection, ac } = await associate(server.port, { contexts });
    expect(ac.contexts.map((c) => c.id)).toEqual(contexts.map((c) => c.id));
    for (const c of ac.contexts) expect(c).toEqual({ id: c.id, result: ACCEPTANCE, transferSyntax: EXPLICIT_LE });
    connection.destroy();
  });

  it('chooses Explicit VR LE for CT proposed as [Big Endian, Explicit LE, Implicit LE]', async () => {
    const { connection, ac } = await associate(server.port, {
      contexts: [{ id: 1, abstractSyntax: CT_IMAGE, transferSyntaxes: [EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE] }],
    });
    expect(ac.contexts).toEqual([{ id: 1, result: ACCEPTANCE, transferSyntax: EXPLICIT_LE }]);
    connection.destroy();
  });

  it('keeps presentation context IDs proposed out of order (3 then 1), and serves each on its own ID', async () => {
    const { connection, ac } = await associate(server.port, {
      contexts: [
        { id: 3, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] },
        { id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT_LE] },
      ],
    });
    expect(ac.contexts).toEqual(expect.arrayContaining([
      { id: 3, result: ACCEPTANCE, transferSyntax: IMPLICIT_LE },
      { id: 1, result: ACCEPTANCE, transferSyntax: EXPLICIT_LE },
    ]));
    expect(ac.contexts).toHaveLength(2);

    connection.send(pData({ contextId: 1, command: true, last: true, data: cEchoRq(7) }));
    const echo = await connection.nextPdu();
    expect(echo.type).toBe(PDU.PData);
    expect(parsePData(echo.bytes)[0]!.contextId).toBe(1);

    const uids = freshUids();
    const stored = await cStore(connection, 3, 8, CT_IMAGE, uids.sopInstanceUid, ctDataset(uids));
    expect(stored.status).toBe(0);
    expect(parsePData(stored.pdu.bytes)[0]!.contextId).toBe(3);
    expect(server.index.all().map((r) => r.sopInstanceUid)).toContain(uids.sopInstanceUid);
    connection.destroy();
  });
});
