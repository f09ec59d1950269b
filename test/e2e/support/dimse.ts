// DIMSE messages built by hand (PS3.7 9.3, command sets in Implicit VR LE) and sent over a
// RawConnection: lets a test make the command and the data set disagree, cut a data set short, or
// watch the exact moment a response arrives.
import { implicitLe, type Element } from './dataset.ts';
import { PDU, pData, parsePData, type RawConnection, type ReceivedPdu } from '../../support/pdu.ts';

const NO_DATA_SET = 0x0101;
const DATA_SET_PRESENT = 0x0000;

function commandSet(elements: Element[]): Buffer {
  const body = implicitLe(elements);
  return Buffer.concat([implicitLe([{ tag: 0x00000000, vr: 'UL', value: body.length }]), body]);
}

export function cEchoRq(messageId: number): Buffer {
  return commandSet([
    { tag: 0x00000002, vr: 'UI', value: '1.2.840.10008.1.1' },
    { tag: 0x00000100, vr: 'US', value: 0x0030 },
    { tag: 0x00000110, vr: 'US', value: messageId },
    { tag: 0x00000800, vr: 'US', value: NO_DATA_SET },
  ]);
}

export function cStoreRq(messageId: number, sopClassUid: string, sopInstanceUid: string): Buffer {
  return commandSet([
    { tag: 0x00000002, vr: 'UI', value: sopClassUid },
    { tag: 0x00000100, vr: 'US', value: 0x0001 },
    { tag: 0x00000110, vr: 'US', value: messageId },
    { tag: 0x00000700, vr: 'US', value: 0 },
    { tag: 0x00000800, vr: 'US', value: DATA_SET_PRESENT },
    { tag: 0x00001000, vr: 'UI', value: sopInstanceUid },
  ]);
}

/** The P-DATA-TF PDUs of one message: the command in one PDV, the data set in fragments of at most `fragment` bytes. */
export function messagePdus(contextId: number, command: Buffer, dataset?: Buffer, fragment = 16384 - 12): Buffer[] {
  const out = [pData({ contextId, command: true, last: true, data: command })];
  if (dataset) {
    for (let offset = 0; offset < dataset.length || offset === 0; offset += fragment) {
      const data = dataset.subarray(offset, offset + fragment);
      out.push(pData({ contextId, command: false, last: offset + fragment >= dataset.length, data }));
      if (dataset.length === 0) break;
    }
  }
  return out;
}

export interface DimseResponse {
  /** Tag → raw value bytes of the response command set. */
  fields: Map<number, Buffer>;
  status: number;
  messageIdBeingRespondedTo: number;
  commandField: number;
  errorComment?: string;
  pdu: ReceivedPdu;
}

function parseCommand(bytes: Buffer): Map<number, Buffer> {
  const fields = new Map<number, Buffer>();
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    const tag = ((bytes.readUInt16LE(offset) << 16) | bytes.readUInt16LE(offset + 2)) >>> 0;
    const length = bytes.readUInt32LE(offset + 4);
    fields.set(tag, bytes.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return fields;
}

/** Reads P-DATA until one complete command set arrived; fails on any other PDU. */
export async function readResponse(connection: RawConnection, timeoutMs = 10_000): Promise<DimseResponse> {
  const parts: Buffer[] = [];
  for (;;) {
    const received = await connection.nextPdu(timeoutMs);
    if (received.type !== PDU.PData) throw new Error(`expected P-DATA-TF with a response, got PDU type 0x${received.type.toString(16)}`);
    for (const pdv of parsePData(received.bytes)) {
      if (!pdv.command) throw new Error('unexpected data set PDV in a response');
      parts.push(pdv.data);
      if (pdv.last) {
        const fields = parseCommand(Buffer.concat(parts));
        const comment = fields.get(0x00000902);
        return {
          fields,
          status: fields.get(0x00000900)?.readUInt16LE(0) ?? -1,
          messageIdBeingRespondedTo: fields.get(0x00000120)?.readUInt16LE(0) ?? -1,
          commandField: fields.get(0x00000100)?.readUInt16LE(0) ?? -1,
          errorComment: comment?.toString('latin1').trim(),
          pdu: received,
        };
      }
    }
  }
}

/** Sends a C-STORE (command + data set) and waits for its response. */
export async function cStore(connection: RawConnection, contextId: number, messageId: number, sopClassUid: string, sopInstanceUid: string, dataset: Buffer): Promise<DimseResponse> {
  for (const p of messagePdus(contextId, cStoreRq(messageId, sopClassUid, sopInstanceUid), dataset)) connection.send(p);
  return readResponse(connection);
}

export async function cEcho(connection: RawConnection, contextId: number, messageId: number): Promise<DimseResponse> {
  for (const p of messagePdus(contextId, cEchoRq(messageId))) connection.send(p);
  return readResponse(connection);
}
