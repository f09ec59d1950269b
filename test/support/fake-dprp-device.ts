// A tiny scripted DPRP device for driver tests (not the simulator): it reads the host's lines from
// its end of a link, records them, and answers as told: literally from a golden transcript's turns,
// by verb from the golden replies, or through a test's own responder. It moves nothing.

import type { Duplex } from 'node:stream';
import { decodeFrame, encodeFrame, nextSeq, type Frame } from '../../src/robot/dprp/frame.ts';
import { LineSplitter } from '../../adapters/robot/line-stream.ts';
import { turns, type GoldenTranscript } from './golden-transcripts.ts';

/** Lines to send back for one host line (as written), or nothing. */
export type Responder = (line: string, request: Frame | null, device: FakeDprpDevice) => string[] | void;

export class FakeDprpDevice {
  /** Every line the host sent, in order. */
  readonly received: string[] = [];
  private readonly unread: string[] = [];
  private readonly waiters: Array<(line: string) => void> = [];
  private readonly splitter = new LineSplitter();
  private responder: Responder | null = null;
  private eventSeq = 0;
  /** Resolves when the host's end goes away (or this device closes). */
  readonly ended: Promise<void>;

  constructor(readonly stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      for (const line of this.splitter.push(chunk)) this.hostLine(line);
    });
    this.ended = new Promise((resolve) => {
      stream.once('end', () => resolve());
      stream.once('close', () => resolve());
    });
    // The host closing its end is part of several tests, not a failure of the device.
    stream.on('error', () => {});
  }

  respondWith(responder: Responder | null): this {
    this.responder = responder;
    return this;
  }

  /** Writes raw lines (each gets its `\n`) in one write, so they may arrive in one chunk. */
  send(...lines: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.write(lines.map((line) => `${line}\n`).join(''), (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Raw bytes, for noise. */
  sendBytes(bytes: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => this.stream.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** `E<n> verb args` with this device's next event number. */
  event(verb: string, args: Record<string, string> = {}): string {
    this.eventSeq = nextSeq(this.eventSeq);
    return encodeFrame({ kind: 'E', seq: this.eventSeq, verb, args });
  }

  /** A golden device line renumbered for this exchange: R/N take the request's seq, E the next event number (E0 stays). */
  renumber(line: string, requestSeq: number): string {
    const decoded = decodeFrame(line);
    if (!decoded.ok) throw new Error(`fake device: golden line does not decode: ${line}`);
    const frame = decoded.frame;
    if (frame.kind === 'E') return frame.seq === 0 ? line : this.event(frame.verb, frame.args);
    return encodeFrame({ ...frame, seq: requestSeq });
  }

  /** The next host line not yet handed out by nextLine(). */
  nextLine(): Promise<string> {
    const line = this.unread.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.stream.destroy();
  }

  private hostLine(line: string): void {
    this.received.push(line);
    const waiter = this.waiters.shift();
    if (waiter) waiter(line);
    else this.unread.push(line);
    if (!this.responder) return;
    const decoded = decodeFrame(line);
    const answer = this.responder(line, decoded.ok ? decoded.frame : null, this);
    if (answer && answer.length > 0) void this.send(...answer).catch(() => {});
  }
}

/**
 * Plays the device side of a golden transcript literally: the device lines before the first host
 * line at once, then after the k-th host line received the device lines that follow the k-th `>`
 * line, whatever the host actually sent (the test compares what it sent afterwards).
 */
export function playTranscript(device: FakeDprpDevice, transcript: GoldenTranscript): Promise<void> {
  const script = turns(transcript);
  const opening = script[0]?.host === null ? script.shift()!.device : [];
  let next = 0;
  device.respondWith(() => script[next++]?.device ?? []);
  return opening.length > 0 ? device.send(...opening) : Promise.resolve();
}

/** The E0 HELLO of the golden session-open transcript. */
export function goldenHello(transcripts: GoldenTranscript[]): string {
  const session = transcripts.find((t) => t.name === 'session-open');
  const hello = session?.lines.find((line) => line.dir === 'device' && line.text.startsWith('E0 HELLO '));
  if (!hello) throw new Error('golden session-open has no E0 HELLO');
  return hello.text;
}

/**
 * Answers each verb with the device lines the golden transcripts give after its first `>` line,
 * renumbered for this exchange; PING gets `R OK t=`; a verb the transcripts never answer gets ERR 602.
 */
export function replayByVerb(transcripts: GoldenTranscript[]): Responder {
  const answers = new Map<string, string[]>();
  for (const transcript of transcripts) {
    for (const turn of turns(transcript)) {
      const decoded = turn.host === null ? null : decodeFrame(turn.host);
      if (decoded?.ok && !answers.has(decoded.frame.verb)) answers.set(decoded.frame.verb, turn.device);
    }
  }
  return (_line, request, device) => {
    if (!request) return [];
    if (request.verb === 'PING') return [encodeFrame({ kind: 'R', seq: request.seq, verb: 'OK', args: { t: String(Date.now()) } })];
    const golden = answers.get(request.verb);
    if (!golden) return [encodeFrame({ kind: 'R', seq: request.seq, verb: 'ERR', args: { code: '602', name: 'DPRP_UNKNOWN_VERB' } })];
    return golden.map((line) => device.renumber(line, request.seq));
  };
}
