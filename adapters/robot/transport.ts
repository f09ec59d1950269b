// The byte link to a DPRP device as a stream of lines: a serial port (a real tty or one end of a
// socat pty pair) or an in-process Duplex stream. RxJS stops here: the lines come out as an
// Observable, writes are promises, and the end of the link is one `closed$` notification.

import type { Duplex } from 'node:stream';
import { Observable, ReplaySubject, Subject } from 'rxjs';
import { SerialPort } from 'serialport';
import { LineSplitter } from './line-stream.ts';

export interface TransportClosed {
  /** Who or what ended the link, for a person to read. */
  reason: string;
  error?: Error;
}

export interface LineTransport {
  /** `serial:/dev/ttyUSB0`, `stream:…`: what this link is, for logs. */
  readonly description: string;
  /** Every line received, without its `\n` (and `\r`); an overlong run of bytes comes as one bad line. Completes when the link ends. */
  readonly lines$: Observable<string>;
  /** One notification when the link ends, whoever ended it; replayed to late subscribers. */
  readonly closed$: Observable<TransportClosed>;
  readonly isClosed: boolean;
  /** Writes `line` and its `\n`; rejects when the link is closed or the write fails. */
  write(line: string): Promise<void>;
  /** Ends the link (idempotent); resolves when the port or stream is released. */
  close(): Promise<void>;
}

export interface SerialTransportOptions {
  baudRate?: number;
  /** Exclusive lock on the tty; default true. */
  lock?: boolean;
}

/**
 * Opens a tty or pty path at 115200 8N1 without flow control (docs/robot-protocol.md §1).
 * When the far end of a pty goes away, serialport notices at once only if a read is waiting on its
 * poller; otherwise its reads return 0 bytes until the next write fails. The client's liveness PING
 * is that write, so a hang-up is noticed within its silence timeout at the latest.
 */
export async function openSerialTransport(path: string, options: SerialTransportOptions = {}): Promise<LineTransport> {
  const port = new SerialPort({ path, baudRate: options.baudRate ?? 115200, autoOpen: false, lock: options.lock ?? true });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(new Error(`cannot open ${path}: ${err.message}`)) : resolve())));
  return new StreamLineTransport(port, `serial:${path}`, () => closeSerialPort(port));
}

/** A transport over an already connected Duplex (one side of createDuplexPair(), a socket…). */
export function streamTransport(stream: Duplex, description = 'stream:in-process'): LineTransport {
  return new StreamLineTransport(stream, description, async () => {
    stream.destroy();
  });
}

function closeSerialPort(port: SerialPort): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve) => port.close(() => resolve()));
}

class StreamLineTransport implements LineTransport {
  private readonly lines = new Subject<string>();
  private readonly closedSubject = new ReplaySubject<TransportClosed>(1);
  private readonly splitter = new LineSplitter();
  private reading = false;
  private closed = false;
  private released: Promise<void> | null = null;

  readonly lines$: Observable<string>;
  readonly closed$: Observable<TransportClosed>;

  constructor(
    private readonly stream: Duplex,
    readonly description: string,
    private readonly release: () => Promise<void>,
  ) {
    // Reading starts with the first subscriber: until then the stream stays paused and keeps what
    // arrives (the device's E0 HELLO may come before anyone listens).
    this.lines$ = new Observable<string>((subscriber) => {
      const subscription = this.lines.subscribe(subscriber);
      this.startReading();
      return subscription;
    });
    this.closed$ = this.closedSubject.asObservable();
    stream.on('end', this.onEnd);
    stream.on('close', this.onClose);
    stream.on('error', this.onError);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(line: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.description} is closed`));
    return new Promise((resolve, reject) => {
      this.stream.write(`${line}\n`, (err) => (err ? reject(new Error(`write to ${this.description} failed: ${err.message}`)) : resolve()));
    });
  }

  close(): Promise<void> {
    this.finish({ reason: 'closed by the host' });
    return this.released ?? Promise.resolve();
  }

  private startReading(): void {
    if (this.reading || this.closed) return;
    this.reading = true;
    this.stream.on('data', this.onData);
  }

  private readonly onData = (chunk: Buffer | string): void => {
    for (const line of this.splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) this.lines.next(line);
  };

  private readonly onEnd = (): void => this.finish({ reason: 'the device end closed the link' });

  private readonly onClose = (err?: Error | null): void =>
    this.finish(err ? { reason: `link lost: ${err.message}`, error: err } : { reason: 'the link was closed' });

  private readonly onError = (err: Error): void => this.finish({ reason: `link error: ${err.message}`, error: err });

  private finish(closed: TransportClosed): void {
    if (this.closed) return;
    this.closed = true;
    // Listeners go before the port closes: a data listener left on a closing serial port keeps a
    // read pending and the port locked (serialport issues #2735, #2776).
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onClose);
    this.stream.off('error', this.onError);
    // A late error from a port being torn down must not become an uncaught exception.
    this.stream.on('error', () => {});
    this.lines.complete();
    this.closedSubject.next(closed);
    this.closedSubject.complete();
    this.released = this.release().catch(() => {});
  }
}
