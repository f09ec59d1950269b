// Parses an A-ASSOCIATE-RQ PDU (PS3.8 9.3.2) ourselves: dcmjs-dimse drops the application context
// name, never parses the last 6 bytes, and renumbers presentation context IDs proposed out of order.

export interface ProposedContext {
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

export interface ParsedAssociateRq {
  protocolVersion: number;
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContextName: string;
  presentationContexts: ProposedContext[];
  /** Maximum Length Received of the requestor; 0 means unlimited. */
  maxPduLength: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  /** Asynchronous Operations Window sub-item present: we answer without it (no async operations). */
  asyncOpsProposed: boolean;
}

export class AssociateRqError extends Error {}

const text = (b: Buffer) => b.toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '');

export function parseAssociateRq(pdu: Buffer): ParsedAssociateRq {
  const end = 6 + pdu.readUInt32BE(2);
  if (pdu[0] !== 0x01) throw new AssociateRqError('not an A-ASSOCIATE-RQ');
  if (end !== pdu.length || end < 74) throw new AssociateRqError(`A-ASSOCIATE-RQ length ${end - 6} is too short or inconsistent`);
  const result: ParsedAssociateRq = {
    protocolVersion: pdu.readUInt16BE(6),
    calledAeTitle: text(pdu.subarray(10, 26)),
    callingAeTitle: text(pdu.subarray(26, 42)),
    applicationContextName: '',
    presentationContexts: [],
    maxPduLength: 0,
    asyncOpsProposed: false,
  };
  let sawApplicationContext = false;
  let offset = 74;
  while (offset < end) {
    const { type, value, next } = item(pdu, offset, end);
    offset = next;
    if (type === 0x10) {
      result.applicationContextName = text(value);
      sawApplicationContext = true;
    } else if (type === 0x20) {
      const context = presentationContext(value);
      // PS3.8 9.3.2.2: IDs are odd, 1 to 255, one per context. The DIMSE library renumbers an ID of 0
      // or one it already holds and then cannot find it when accepting, so those are malformed here.
      // Other even IDs are tolerated: they name their context unambiguously.
      if (context.id === 0) throw new AssociateRqError('presentation context ID 0 is not allowed (IDs are odd, 1 to 255)');
      if (result.presentationContexts.some((pc) => pc.id === context.id)) {
        throw new AssociateRqError(`presentation context ID ${context.id} is proposed twice`);
      }
      result.presentationContexts.push(context);
    } else if (type === 0x50) {
      userInformation(value, result);
    } else {
      throw new AssociateRqError(`unexpected item type 0x${type.toString(16)} in A-ASSOCIATE-RQ`);
    }
  }
  if (!sawApplicationContext) throw new AssociateRqError('A-ASSOCIATE-RQ has no application context item');
  return result;
}

function item(buf: Buffer, offset: number, end: number): { type: number; value: Buffer; next: number } {
  if (offset + 4 > end) throw new AssociateRqError(`item header at offset ${offset} runs past the PDU end`);
  const type = buf[offset]!;
  const length = buf.readUInt16BE(offset + 2);
  const next = offset + 4 + length;
  if (next > end) throw new AssociateRqError(`item 0x${type.toString(16)} at offset ${offset} of length ${length} runs past its container`);
  return { type, value: buf.subarray(offset + 4, next), next };
}

function presentationContext(value: Buffer): ProposedContext {
  if (value.length < 4) throw new AssociateRqError('presentation context item too short');
  const ctx: ProposedContext = { id: value[0]!, abstractSyntax: '', transferSyntaxes: [] };
  let offset = 4;
  while (offset < value.length) {
    const sub = item(value, offset, value.length);
    offset = sub.next;
    if (sub.type === 0x30) ctx.abstractSyntax = text(sub.value);
    else if (sub.type === 0x40) ctx.transferSyntaxes.push(text(sub.value));
    else throw new AssociateRqError(`unexpected sub-item 0x${sub.type.toString(16)} in presentation context ${ctx.id}`);
  }
  return ctx;
}

function userInformation(value: Buffer, into: ParsedAssociateRq): void {
  let offset = 0;
  while (offset < value.length) {
    const sub = item(value, offset, value.length);
    offset = sub.next;
    if (sub.type === 0x51 && sub.value.length === 4) into.maxPduLength = sub.value.readUInt32BE(0);
    else if (sub.type === 0x52) into.implementationClassUid = text(sub.value);
    else if (sub.type === 0x55) into.implementationVersionName = text(sub.value);
    else if (sub.type === 0x53) into.asyncOpsProposed = true;
    // Role selection (0x54), extended negotiation (0x56/0x57) and user identity (0x58) are not
    // negotiated by us: PS3.7 D.3.3 lets the acceptor ignore them by not answering.
  }
}
