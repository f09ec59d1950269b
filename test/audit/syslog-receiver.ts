// Real syslog receivers for the tests: a UDP one (one RFC 5426 message per datagram) and a TCP one
// (RFC 6587 octet counting), each collecting parsed RFC 5424 messages; and the parser, which checks
// the header field by field and reads the JSON record after the BOM.
import dgram from 'node:dgram';
import net from 'node:net';
import type { AuditRecord } from '../../src/audit/audit-record.ts';

export interface SyslogMessage {
  pri: number;
  facility: number;
  severity: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: string;
  record: AuditRecord;
}

const HEADER = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?\]) \uFEFF(.*)$/s;

/** Parses one RFC 5424 message whose MSG is a BOM and a JSON record; throws when it is not one. */
export function parseSyslog(text: string): SyslogMessage {
  const m = HEADER.exec(text);
  if (!m) throw new Error(`not an RFC 5424 message with a BOM-prefixed MSG: ${JSON.stringify(text.slice(0, 200))}`);
  const pri = Number(m[1]);
  return {
    pri, facility: Math.floor(pri / 8), severity: pri % 8, version: Number(m[2]), timestamp: m[3]!, hostname: m[4]!, appName: m[5]!,
    procId: m[6]!, msgId: m[7]!, structuredData: m[8]!, record: JSON.parse(m[9]!) as AuditRecord,
  };
}

/** Splits an octet-counted TCP stream into messages; keeps an incomplete tail for the next chunk. */
export function octetCountedSplitter(onMessage: (message: string) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const space = pending.indexOf(0x20);
      if (space < 0) return;
      const length = Number(pending.subarray(0, space).toString('ascii'));
      if (!Number.isInteger(length) || length <= 0) throw new Error(`bad octet count: ${pending.subarray(0, space).toString('latin1')}`);
      if (pending.length < space + 1 + length) return;
      onMessage(pending.subarray(space + 1, space + 1 + length).toString('utf8'));
      pending = pending.subarray(space + 1 + length);
    }
  };
}

export interface Receiver {
  port: number;
  messages: SyslogMessage[];
  close(): Promise<void>;
}

export async function udpReceiver(port = 0): Promise<Receiver> {
  const socket = dgram.createSocket('udp4');
  const messages: SyslogMessage[] = [];
  socket.on('message', (data) => messages.push(parseSyslog(data.toString('utf8'))));
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return { port: socket.address().port, messages, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

export async function tcpReceiver(port = 0): Promise<Receiver> {
  const messages: SyslogMessage[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', octetCountedSplitter((text) => messages.push(parseSyslog(text))));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    messages,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Polls until `probe` answers something, or fails naming what was awaited. */
export async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = probe();
    if (answer !== undefined && answer !== false) return answer;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
