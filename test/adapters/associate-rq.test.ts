// Our A-ASSOCIATE-RQ parser: everything the library drops (application context, the last items,
// context IDs in their proposed order), and malformed requests refused rather than half-read.
import { describe, expect, it } from 'vitest';
import { AssociateRqError, parseAssociateRq } from '../../adapters/dicom/associate-rq.ts';
import { associateRq } from '../support/pdu.ts';

const contexts = [
  { id: 3, abstractSyntax: '1.2.840.10008.5.1.4.1.1.2', transferSyntaxes: ['1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1'] },
  { id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
];

describe('parseAssociateRq', () => {
  it('reads AE titles, application context, contexts in proposed order, user information', () => {
    const parsed = parseAssociateRq(associateRq({
      calledAeTitle: 'DISCROBOT', callingAeTitle: 'CT01', applicationContextName: '1.2.3.4', contexts,
      maxPduLength: 0, asyncOpsWindow: [2, 2], implementationClassUid: '1.2.3.99', implementationVersionName: 'CT_V1',
    }));
    expect(parsed).toEqual({
      protocolVersion: 1,
      calledAeTitle: 'DISCROBOT',
      callingAeTitle: 'CT01',
      applicationContextName: '1.2.3.4',
      presentationContexts: contexts,
      maxPduLength: 0,
      implementationClassUid: '1.2.3.99',
      implementationVersionName: 'CT_V1',
      asyncOpsProposed: true,
    });
  });

  it('reads the last item even when it is only 6 bytes long (the library skips the last 6 bytes)', () => {
    const rq = associateRq({ contexts: [contexts[1]!], implementationVersionName: 'AB' });
    expect(parseAssociateRq(rq).implementationVersionName).toBe('AB');
  });

  it('refuses a request whose PDU length disagrees with its bytes', () => {
    const rq = associateRq({ contexts });
    expect(() => parseAssociateRq(rq.subarray(0, rq.length - 6))).toThrow(AssociateRqError);
  });

  it('refuses an item that runs past its container', () => {
    const rq = Buffer.from(associateRq({ contexts }));
    // The first presentation context item (0x20) claims more bytes than the PDU holds.
    const at = rq.indexOf(Buffer.from([0x20, 0]), 74);
    rq.writeUInt16BE(0xfff0, at + 2);
    expect(() => parseAssociateRq(rq)).toThrow(/runs past/);
  });

  it('refuses a request without an application context item', () => {
    const rq = associateRq({ contexts });
    const ctxItem = 4 + rq.readUInt16BE(74 + 2);
    const body = Buffer.concat([rq.subarray(6, 74), rq.subarray(74 + ctxItem)]);
    const header = Buffer.from([1, 0, 0, 0, 0, 0]);
    header.writeUInt32BE(body.length, 2);
    expect(() => parseAssociateRq(Buffer.concat([header, body]))).toThrow(/no application context/);
  });

  // Found by the PDU fuzz test: the DIMSE library renumbers a context ID of 0 or one it already
  // has, then fails to find it when the association is accepted (no A-ASSOCIATE-AC, no A-ABORT).
  it('refuses a presentation context ID of 0', () => {
    const rq = associateRq({ contexts: [{ ...contexts[1]!, id: 0 }] });
    expect(() => parseAssociateRq(rq)).toThrow(/presentation context ID 0/);
  });

  it('refuses a presentation context ID proposed twice', () => {
    const rq = associateRq({ contexts: [contexts[1]!, { ...contexts[0]!, id: contexts[1]!.id }] });
    expect(() => parseAssociateRq(rq)).toThrow(/presentation context ID 1 is proposed twice/);
  });
});
