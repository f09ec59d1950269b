// Sends RFC 5424 messages to one syslog server over UDP (RFC 5426), TCP (RFC 6587 octet counting)
// or TLS (RFC 5425). Sending never blocks or throws into the caller: messages wait in a bounded
// buffer while the server is away and are sent, oldest first, when a retry (with backoff) reaches it.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net, { isIPv6 } from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { backoffDelay } from '../../adapters/robot/backoff.ts';
import { OutageBuffer } from './outage.ts';
import { octetCounted } from './syslog-format.ts';

export interface SyslogDestination {
  host: string;
  port: number;
  protocol: 'udp' | 'tcp' | 'tls';
  /** PEM file of the CA that signed the server's certificate (TLS); absent: the system's CAs. */
  ca?: string | null;
}

export interface SyslogSenderOptions {
  destination: SyslogDestination;
  logger: Logger;
  /** Messages kept while the server is away; beyond it the oldest are dropped (and counted). */
  maxBuffered?: number;
  backoff?: { initialMs: number; maxMs: number };
}

export interface SyslogSender {
  send(message: string): void;
  /** Tries briefly to send what waits, then closes. */
  close(): Promise<void>;
}

export const SYSLOG_BUFFER_DEFAULT = 10_000;
const BACKOFF = { initialMs: 500, maxMs: 5_000 };
const CLOSE_GRACE_MS = 2_000;

export function createSyslogSender(options: SyslogSenderOptions): SyslogSender {
  return options.destination.protocol === 'udp' ? new DatagramSender(options) : new StreamSender(options);
}

function describe(d: SyslogDestination): string {
  return `${d.protocol}://${isIPv6(d.host) ? `[${d.host}]` : d.host}:${d.port}`;
}

/** TCP or TLS: one connection kept open, reconnected with backoff whenever it breaks. */
class StreamSender implements SyslogSender {
  private readonly buffer: OutageBuffer<string>;
  private socket: net.Socket | null = null;
  private connected = false;
  private failures = 0;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly ca: Buffer | undefined;

  constructor(private readonly options: SyslogSenderOptions) {
    const { destination, logger } = options;
    this.buffer = new OutageBuffer(options.maxBuffered ?? SYSLOG_BUFFER_DEFAULT, logger, describe(destination));
    this.ca = destination.protocol === 'tls' && destination.ca ? readFileSync(destination.ca) : undefined;
    this.connect();
  }

  send(message: string): void {
    if (this.closed) return;
    this.buffer.push(message);
    this.flush();
  }

  private connect(): void {
    const { host, port, protocol } = this.options.destination;
    const socket =
      protocol === 'tls'
        ? tls.connect({ host, port, ca: this.ca, servername: net.isIP(host) ? undefined : host, minVersion: 'TLSv1.2' })
        : net.connect({ host, port });
    this.socket = socket;
    socket.setKeepAlive(true);
    socket.on(protocol === 'tls' ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.failures = 0;
      this.buffer.reachable();
      this.flush();
    });
    // A server talks back only to close; what it says is not read.
    socket.resume();
    socket.on('error', (err) => this.buffer.failed(err));
    socket.on('close', () => {
      this.connected = false;
      this.socket = null;
      if (!this.closed) this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    this.failures += 1;
    const delay = backoffDelay(this.failures, this.options.backoff ?? BACKOFF);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.closed) this.connect();
    }, delay);
    this.retry.unref();
  }

  private flush(): void {
    const socket = this.socket;
    if (!socket || !this.connected) return;
    for (let message = this.buffer.shift(); message !== undefined; message = this.buffer.shift()) socket.write(octetCounted(message));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const socket = this.socket;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      const cut = setTimeout(() => {
        socket.destroy();
        resolve();
      }, CLOSE_GRACE_MS);
      cut.unref();
      socket.end(() => {
        clearTimeout(cut);
        resolve();
      });
    });
  }
}

/**
 * UDP: a connected datagram socket, so that a port nobody listens on comes back as ECONNREFUSED
 * (ICMP) on a later send. UDP cannot confirm delivery: the datagram that met a closed port is lost.
 */
class DatagramSender implements SyslogSender {
  private readonly buffer: OutageBuffer<string>;
  private readonly socket: dgram.Socket;
  private ready = false;
  private sending = false;
  private failures = 0;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: SyslogSenderOptions) {
    const { destination, logger } = options;
    this.buffer = new OutageBuffer(options.maxBuffered ?? SYSLOG_BUFFER_DEFAULT, logger, describe(destination));
    this.socket = dgram.createSocket(isIPv6(destination.host) ? 'udp6' : 'udp4');
    this.socket.on('error', (err) => this.buffer.failed(err));
    this.socket.unref();
    this.socket.connect(destination.port, destination.host, () => {
      this.ready = true;
      this.flush();
    });
  }

  send(message: string): void {
    if (this.closed) return;
    this.buffer.push(message);
    this.flush();
  }

  private flush(): void {
    if (!this.ready || this.sending || this.retry || this.closed) return;
    const message = this.buffer.shift();
    if (message === undefined) return;
    this.sending = true;
    this.socket.send(Buffer.from(message, 'utf8'), (err) => {
      this.sending = false;
      if (err && (err as NodeJS.ErrnoException).code === 'EMSGSIZE') {
        this.options.logger.error({ bytes: Buffer.byteLength(message) }, 'audit record too large for a syslog datagram: not sent');
      } else if (err) {
        this.buffer.unshift(message);
        this.buffer.failed(err);
        this.failures += 1;
        this.retry = setTimeout(() => {
          this.retry = null;
          this.flush();
        }, backoffDelay(this.failures, this.options.backoff ?? BACKOFF));
        this.retry.unref();
        return;
      } else {
        this.failures = 0;
        this.buffer.reachable();
      }
      this.flush();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
