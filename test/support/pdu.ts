// Hand-built DICOM Upper Layer PDUs (PS3.8 9.3) and a raw TCP connection that reads whole PDUs, so
// tests can send what no well-behaved toolkit would (bad lengths, unknown types, odd orders) and
// inspect every byte of the answer.
import net from 'node:net';
import { APPLICATION_CONTEXT_DICOM } from '../../src/dicom/uid.ts';

export const PDU = { AssociateRq: 0x01, AssociateAc: 0x02, AssociateRj: 0x03, PData: 0x04, ReleaseRq: 0x05, ReleaseRp: 0x06, Abort: 0x07 } as const;

export interface ProposedContext {
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

export interface AssociateRqOptions {
  calledAeTitle?: string;
  callingAeTitle?: string;
  applicationContextName?: string;
  contexts: ProposedContext[];
  /** Our Maximum Length Received; 0 is "unlimited". Omitted: 16384. */
  maxPduLength?: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  /** Adds an Asynchronous Operations Window sub-item (invoked, performed). */
  asyncOpsWindow?: [number, number];
}

function item(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header[0] = type;
  header.writeUInt16BE(value.length, 2);
  return Buffer.concat([header, value]);
}

const ascii = (text: string) => Buffer.from(text, 'latin1');

function aeField(title: string): Buffer {
  return ascii(title.padEnd(16, ' ').slice(0, 16));
}

export function pdu(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(6);
  header[0] = type;
  header.writeUInt32BE(body.length, 2);
  return Buffer.concat([header, body]);
}

export function associateRq(options: AssociateRqOptions): Buffer {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(1, 0); // protocol version
  aeField(options.calledAeTitle ?? 'DISCROBOT').copy(fixed, 4);
  aeField(options.callingAeTitle ?? 'RAWSCU').copy(fixed, 20);
  const contexts = options.contexts.map((pc) =>
    item(0x20, Buffer.concat([
      Buffer.from([pc.id, 0, 0, 0]),
      item(0x30, ascii(pc.abstractSyntax)),
      ...pc.transferSyntaxes.map((ts) => item(0x40, ascii(ts))),
    ])),
  );
  const maxLength = Buffer.alloc(4);
  maxLength.writeUInt32BE(options.maxPduLength ?? 16384);
  const userItems = [
    item(0x51, maxLength),
    item(0x52, ascii(options.implementationClassUid ?? '1.2.826.0.1.3680043.9.7433.1.1')),
    ...(options.asyncOpsWindow ? [item(0x53, Buffer.from([0, options.asyncOpsWindow[0], 0, options.asyncOpsWindow[1]]))] : []),
    item(0x55, ascii(options.implementationVersionName ?? 'RAWSCU_TEST')),
  ];
  return pdu(PDU.AssociateRq, Buffer.concat([
    fixed,
    item(0x10, ascii(options.applicationContextName ?? APPLICATION_CONTEXT_DICOM)),
    ...contexts,
    item(0x50, Buffer.concat(userItems)),
  ]));
}

export interface Pdv {
  contextId: number;
  command: boolean;
  last: boolean;
  data: Buffer;
}

/** One P-DATA-TF carrying the given PDVs. */
export function pData(...pdvs: Pdv[]): Buffer {
  return pdu(PDU.PData, Buffer.concat(pdvs.map((v) => {
    const header = Buffer.alloc(6);
    header.writeUInt32BE(v.data.length + 2, 0);
    header[4] = v.contextId;
    header[5] = (v.command ? 1 : 0) | (v.last ? 2 : 0);
    return Buffer.concat([header, v.data]);
  })));
}

export const releaseRq = () => pdu(PDU.ReleaseRq, Buffer.alloc(4));
export const abortPdu = () => pdu(PDU.Abort, Buffer.alloc(4));

// ---- reading answers ------------------------------------------------------------------------

export interface AcceptedContext {
  id: number;
  result: number;
  transferSyntax?: string;
}

export interface ParsedAssociateAc {
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContextName?: string;
  contexts: AcceptedContext[];
  maxPduLength?: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  /** Type codes of every user information sub-item, in order. */
  userItemTypes: number[];
}

const text = (b: Buffer) => b.toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '');

function* items(buf: Buffer, from: number, to: number): Generator<{ type: number; value: Buffer }> {
  let offset = from;
  while (offset < to) {
    const length = buf.readUInt16BE(offset + 2);
    if (offset + 4 + length > to) throw new Error(`item at ${offset} runs past its container`);
    yield { type: buf[offset]!, value: buf.subarray(offset + 4, offset + 4 + length) };
    offset += 4 + length;
  }
}

export function parseAssociateAc(pduBytes: Buffer): ParsedAssociateAc {
  if (pduBytes[0] !== PDU.AssociateAc) throw new Error(`expected A-ASSOCIATE-AC, got PDU type 0x${pduBytes[0]?.toString(16)}`);
  const end = 6 + pduBytes.readUInt32BE(2);
  const ac: ParsedAssociateAc = {
    calledAeTitle: text(pduBytes.subarray(10, 26)),
    callingAeTitle: text(pduBytes.subarray(26, 42)),
    contexts: [],
    userItemTypes: [],
  };
  for (const { type, value } of items(pduBytes, 74, end)) {
    if (type === 0x10) ac.applicationContextName = text(value);
    else if (type === 0x21) {
      const ctx: AcceptedContext = { id: value[0]!, result: value[2]! };
      for (const sub of items(value, 4, value.length)) if (sub.type === 0x40) ctx.transferSyntax = text(sub.value);
      ac.contexts.push(ctx);
    } else if (type === 0x50) {
      for (const sub of items(value, 0, value.length)) {
        ac.userItemTypes.push(sub.type);
        if (sub.type === 0x51) ac.maxPduLength = sub.value.readUInt32BE(0);
        else if (sub.type === 0x52) ac.implementationClassUid = text(sub.value);
        else if (sub.type === 0x55) ac.implementationVersionName = text(sub.value);
      }
    }
  }
  return ac;
}

/** The PDVs of a P-DATA-TF. */
export function parsePData(pduBytes: Buffer): Pdv[] {
  const end = 6 + pduBytes.readUInt32BE(2);
  const out: Pdv[] = [];
  let offset = 6;
  while (offset < end) {
    const length = pduBytes.readUInt32BE(offset);
    const control = pduBytes[offset + 5]!;
    out.push({ contextId: pduBytes[offset + 4]!, command: (control & 1) === 1, last: (control & 2) === 2, data: pduBytes.subarray(offset + 6, offset + 4 + length) });
    offset += 4 + length;
  }
  return out;
}

/** result, source, reason of an A-ASSOCIATE-RJ; source, reason of an A-ABORT. */
export function rejectFields(pduBytes: Buffer): { result: number; source: number; reason: number } {
  return { result: pduBytes[7]!, source: pduBytes[8]!, reason: pduBytes[9]! };
}

// ---- the connection -------------------------------------------------------------------------

export interface ReceivedPdu {
  type: number;
  bytes: Buffer;
  /** performance.now() when the PDU was complete. */
  at: number;
}

/** A TCP connection that splits what it receives into PDUs and lets a test wait for each one. */
export class RawConnection {
  readonly received: ReceivedPdu[] = [];
  /** Resolves with performance.now() when the server closed (or reset) the connection. */
  readonly closed: Promise<number>;
  private buffer = Buffer.alloc(0);
  private waiters: { resolve: (p: ReceivedPdu) => void; reject: (e: Error) => void }[] = [];
  private next = 0;
  private isClosed = false;
  /** Called synchronously for each PDU as it completes (before any waiter resumes). */
  onPdu: ((p: ReceivedPdu) => void) | undefined;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.data(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.isClosed = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error('connection closed before the expected PDU'));
      resolve(performance.now());
    }));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, noDelay: true });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next PDU not yet returned, waiting at most timeoutMs. */
  nextPdu(timeoutMs = 5000): Promise<ReceivedPdu> {
    const ready = this.received[this.next];
    if (ready) {
      this.next += 1;
      return Promise.resolve(ready);
    }
    if (this.isClosed) return Promise.reject(new Error('connection closed before the expected PDU'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no PDU within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (p: ReceivedPdu) => {
        clearTimeout(timer);
        resolve(p);
      };
      this.waiters.push({ resolve: done, reject: (e) => { clearTimeout(timer); reject(e); } });
    });
  }

  /** Resolves true if the server closed the connection within timeoutMs. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const result = await Promise.race([this.closed.then(() => true as const), timeout]);
    clearTimeout(timer);
    return result;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private data(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 6) {
      const length = this.buffer.readUInt32BE(2);
      if (this.buffer.length < 6 + length) break;
      const bytes = this.buffer.subarray(0, 6 + length);
      this.buffer = this.buffer.subarray(6 + length);
      const received = { type: bytes[0]!, bytes, at: performance.now() };
      this.received.push(received);
      this.onPdu?.(received);
      const waiter = this.waiters.shift();
      if (waiter) {
        this.next += 1;
        waiter.resolve(received);
      }
    }
  }
}

/** Connects and negotiates; throws unless the answer is an A-ASSOCIATE-AC. */
export async function associate(port: number, options: AssociateRqOptions, host = '127.0.0.1'): Promise<{ connection: RawConnection; ac: ParsedAssociateAc }> {
  const connection = await RawConnection.connect(port, host);
  connection.send(associateRq(options));
  const answer = await connection.nextPdu();
  return { connection, ac: parseAssociateAc(answer.bytes) };
}
