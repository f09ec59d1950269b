// DIMSE command sets (PS3.7 9.3, E.1) that the SCP sends, encoded directly: always Implicit VR
// Little Endian with a group length first. dcmjs-dimse builds them through dcmjs's dictionary and
// writer, which cost milliseconds per response, longer than storing a small object.

export const CommandField = {
  CStoreRq: 0x0001,
  CStoreRsp: 0x8001,
  CEchoRq: 0x0030,
  CEchoRsp: 0x8030,
} as const;

/** (0000,0800) Command Data Set Type: 0x0101 means no data set follows. */
const NO_DATA_SET = 0x0101;

interface Element {
  tag: number;
  value: Buffer;
}

const us = (tag: number, n: number): Element => {
  const value = Buffer.alloc(2);
  value.writeUInt16LE(n);
  return { tag, value };
};

/** UI values are padded with NUL, other strings with a space, to an even length (PS3.5 6.2). */
const text = (tag: number, s: string, pad: string): Element => {
  const bytes = Buffer.from(s, 'latin1');
  return { tag, value: bytes.length % 2 ? Buffer.concat([bytes, Buffer.from(pad)]) : bytes };
};

function encode(elements: Element[]): Buffer {
  const bodyLength = elements.reduce((n, e) => n + 8 + e.value.length, 0);
  const out = Buffer.alloc(12 + bodyLength);
  out.writeUInt32LE(0x00000000, 0); // (0000,0000) group length
  out.writeUInt32LE(4, 4);
  out.writeUInt32LE(bodyLength, 8);
  let offset = 12;
  for (const e of elements) {
    out.writeUInt16LE(e.tag >>> 16, offset);
    out.writeUInt16LE(e.tag & 0xffff, offset + 2);
    out.writeUInt32LE(e.value.length, offset + 4);
    e.value.copy(out, offset + 8);
    offset += 8 + e.value.length;
  }
  return out;
}

export interface ResponseFields {
  affectedSopClassUid: string;
  messageIdBeingRespondedTo: number;
  status: number;
  affectedSopInstanceUid?: string;
  /** (0000,0902) Error Comment, at most 64 characters; only on failures. */
  errorComment?: string;
}

function response(commandField: number, f: ResponseFields): Buffer {
  const elements: Element[] = [
    text(0x00000002, f.affectedSopClassUid, '\0'),
    us(0x00000100, commandField),
    us(0x00000120, f.messageIdBeingRespondedTo),
    us(0x00000800, NO_DATA_SET),
    us(0x00000900, f.status),
  ];
  if (f.errorComment) elements.push(text(0x00000902, f.errorComment.replace(/[\\\r\n]/g, ' ').slice(0, 64), ' '));
  if (f.affectedSopInstanceUid) elements.push(text(0x00001000, f.affectedSopInstanceUid, '\0'));
  return encode(elements.sort((a, b) => a.tag - b.tag));
}

export const encodeCStoreResponse = (f: ResponseFields): Buffer => response(CommandField.CStoreRsp, f);
export const encodeCEchoResponse = (f: Omit<ResponseFields, 'affectedSopInstanceUid' | 'errorComment'>): Buffer =>
  response(CommandField.CEchoRsp, f);

/** A P-DATA-TF PDU with one PDV carrying a whole command set (PS3.8 9.3.5, E.2). */
export function pDataCommandPdu(presentationContextId: number, command: Buffer): Buffer {
  const pdu = Buffer.alloc(6 + 4 + 2 + command.length);
  pdu[0] = 0x04;
  pdu.writeUInt32BE(4 + 2 + command.length, 2);
  pdu.writeUInt32BE(2 + command.length, 6);
  pdu[10] = presentationContextId;
  pdu[11] = 0x03; // command, last fragment
  command.copy(pdu, 12);
  return pdu;
}
