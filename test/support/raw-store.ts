// A C-STORE whose data set bytes go on the wire exactly as given (DCMTK re-encodes what it sends, so
// it never sends an undefined-length sequence): one association, one object, then release.
import { associate, pData, parsePData, releaseRq, PDU } from './pdu.ts';

export interface RawStoreRequest {
  calledAeTitle: string;
  callingAeTitle: string;
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** The data set, as a C-STORE carries it (no preamble, no group 0002). */
  dataset: Buffer;
  /** Bytes of data set per P-DATA-TF; keeps each PDU inside the server's limit. */
  fragmentBytes?: number;
}

export interface RawStoreResult {
  /** Status (0000,0900) of the C-STORE-RSP. */
  status: number;
  /** Result of the one proposed presentation context in the A-ASSOCIATE-AC. */
  contextResult: number;
}

/** One element of a command set: Implicit VR Little Endian, value padded to even length. */
function element(group: number, elem: number, value: Buffer): Buffer {
  const padded = value.length % 2 ? Buffer.concat([value, Buffer.from([0])]) : value;
  const header = Buffer.alloc(8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(elem, 2);
  header.writeUInt32LE(padded.length, 4);
  return Buffer.concat([header, padded]);
}

const us = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};

/** C-STORE-RQ command set (PS3.7 9.3.1.1), with its group length. */
export function cStoreCommand(sopClassUid: string, sopInstanceUid: string, messageId: number): Buffer {
  const body = Buffer.concat([
    element(0x0000, 0x0002, Buffer.from(sopClassUid, 'latin1')),
    element(0x0000, 0x0100, us(0x0001)),
    element(0x0000, 0x0110, us(messageId)),
    element(0x0000, 0x0700, us(0)),
    element(0x0000, 0x0800, us(0x0000)),
    element(0x0000, 0x1000, Buffer.from(sopInstanceUid, 'latin1')),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([element(0x0000, 0x0000, length), body]);
}

/** Status (0000,0900) of a command set. */
function commandStatus(command: Buffer): number {
  for (let offset = 0; offset + 8 <= command.length;) {
    const group = command.readUInt16LE(offset);
    const elem = command.readUInt16LE(offset + 2);
    const length = command.readUInt32LE(offset + 4);
    if (group === 0 && elem === 0x0900) return command.readUInt16LE(offset + 8);
    offset += 8 + length;
  }
  throw new Error('C-STORE-RSP without a status');
}

export async function rawStore(port: number, request: RawStoreRequest): Promise<RawStoreResult> {
  const { connection, ac } = await associate(port, {
    calledAeTitle: request.calledAeTitle,
    callingAeTitle: request.callingAeTitle,
    contexts: [{ id: 1, abstractSyntax: request.sopClassUid, transferSyntaxes: [request.transferSyntaxUid] }],
  });
  try {
    const contextResult = ac.contexts[0]?.result ?? -1;
    if (contextResult !== 0) return { status: -1, contextResult };
    connection.send(pData({ contextId: 1, command: true, last: true, data: cStoreCommand(request.sopClassUid, request.sopInstanceUid, 1) }));
    const step = request.fragmentBytes ?? 8000;
    for (let offset = 0; offset < request.dataset.length; offset += step) {
      const data = request.dataset.subarray(offset, offset + step);
      connection.send(pData({ contextId: 1, command: false, last: offset + step >= request.dataset.length, data }));
    }
    const response = await connection.nextPdu(30_000);
    if (response.type !== PDU.PData) throw new Error(`expected the C-STORE-RSP, got PDU type ${response.type}`);
    const pdvs = parsePData(response.bytes);
    const status = commandStatus(Buffer.concat(pdvs.filter((p) => p.command).map((p) => p.data)));
    connection.send(releaseRq());
    const released = await connection.nextPdu();
    if (released.type !== PDU.ReleaseRp) throw new Error(`expected A-RELEASE-RP, got PDU type ${released.type}`);
    return { status, contextResult };
  } finally {
    connection.destroy();
  }
}
