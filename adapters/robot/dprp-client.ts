// The host end of a DPRP/1 link (docs/robot-protocol.md §2–4): numbers requests, frames them,
// matches `R`/`N` lines to them by seq, repeats a line once when its reply is lost, resends on
// `N BADCRC`, resynchronises with PING + GET_STATUS when a repeat is lost too, and watches the
// line for silence (PING after 6 s, dead 2 s later). Device events come out on events$.

import { firstValueFrom, filter, of, ReplaySubject, Subject, timeout, type Observable, type Subscription } from 'rxjs';
import { decodeFrame, encodeFrame, nextSeq, type Frame } from '../../src/robot/dprp/frame.ts';
import { resultName } from '../../src/robot/codes.ts';
import type { DeviceStatus } from '../../machines/robot-link.ts';
import type { ChannelReply, DeviceChannel, DeviceEvent } from './channel.ts';
import type { LineTransport } from './transport.ts';
import { lineForLog, silentLogger, type DprpLogger } from './dprp-logger.ts';
import { DprpLinkError, DprpTimeoutError } from './dprp-errors.ts';
import { parseStatus } from './dprp-fields.ts';
import { openSession, type DprpSession, type OpenSessionOptions } from './dprp-session.ts';

export { DprpLinkError, DprpTimeoutError };

/** Verbs that start a motion: their reply (acceptance, not completion) may take longer than a query's. */
export const ROBOTIC_VERBS: ReadonlySet<string> = new Set([
  'LOAD_DRIVE', 'LOAD_PRINTER', 'LOAD_PRINTER_FROM_DRIVE', 'UNLOAD_DRIVE', 'UNLOAD_PRINTER', 'MOVE', 'PRINT',
  'SYSTEM_ACTION', 'CANCEL',
]);

export const DPRP_CLIENT_DEFAULTS = {
  queryTimeoutMs: 2000,
  acceptTimeoutMs: 5000,
  silenceMs: 6000,
  pingTimeoutMs: 2000,
  maxCrcResends: 3,
} as const;

export interface DprpClientOptions {
  logger?: DprpLogger;
  /** Wait for the reply to a query or any other non-robotic verb (default 2000 ms). */
  queryTimeoutMs?: number;
  /** Wait for the acceptance of a robotic verb (default 5000 ms). */
  acceptTimeoutMs?: number;
  /** Silence on the line before a PING (default 6000 ms); 0 or Infinity turns the liveness check off. */
  silenceMs?: number;
  /** Wait for the answer to that PING, or to the PING of a resync, before the link counts as dead (default 2000 ms). */
  pingTimeoutMs?: number;
  /** Resends of one line answered with `N BADCRC` before it counts as failed (default 3). */
  maxCrcResends?: number;
  /** Sequence number before the first request (default 0, so the first is Q1); a reconnect carries it on. */
  lastSeq?: number;
}

/** How a submit()ted request ended: the device's reply, or the link's failure. */
export type RequestOutcome = { reply: ChannelReply; error?: undefined } | { reply?: undefined; error: Error };

export interface LinkDeath {
  reason: string;
}

/** ordinary: repeats once, then resyncs; ping: no repeat, a timeout is the caller's business; resync: repeats, no new resync. */
type RequestMode = 'ordinary' | 'ping' | 'resync';

interface Pending {
  seq: number;
  verb: string;
  line: string;
  mode: RequestMode;
  timeoutMs: number;
  repeated: boolean;
  crcResends: number;
  timer: NodeJS.Timeout | null;
  resolve(reply: ChannelReply): void;
  reject(err: Error): void;
}

export class DprpClient implements DeviceChannel {
  private readonly options: Required<Omit<DprpClientOptions, 'logger' | 'lastSeq'>>;
  private readonly log: DprpLogger;
  private readonly pending = new Map<number, Pending>();
  private readonly events = new Subject<DeviceEvent>();
  private readonly resyncs = new Subject<DeviceStatus>();
  private readonly death = new ReplaySubject<LinkDeath>(1);
  private readonly subscriptions: Subscription[] = [];
  private seq: number;
  private ended = false;
  private silenceTimer: NodeJS.Timeout | null = null;
  private pingInFlight: Promise<ChannelReply> | null = null;
  private resyncing = false;
  private hello: DeviceEvent | null = null;

  /** Every `E` line, HEARTBEAT included; completes when the client ends. */
  readonly events$: Observable<DeviceEvent> = this.events.asObservable();
  /** The status read by GET_STATUS after a resync: the truth after a lost reply. */
  readonly resync$: Observable<DeviceStatus> = this.resyncs.asObservable();
  /** One notification when the link is declared dead (silence, unanswered PING, the transport ended); replayed. Completes without one when the host closes the client. */
  readonly dead$: Observable<LinkDeath> = this.death.asObservable();

  constructor(
    readonly transport: LineTransport,
    options: DprpClientOptions = {},
  ) {
    this.options = {
      queryTimeoutMs: options.queryTimeoutMs ?? DPRP_CLIENT_DEFAULTS.queryTimeoutMs,
      acceptTimeoutMs: options.acceptTimeoutMs ?? DPRP_CLIENT_DEFAULTS.acceptTimeoutMs,
      silenceMs: options.silenceMs ?? DPRP_CLIENT_DEFAULTS.silenceMs,
      pingTimeoutMs: options.pingTimeoutMs ?? DPRP_CLIENT_DEFAULTS.pingTimeoutMs,
      maxCrcResends: options.maxCrcResends ?? DPRP_CLIENT_DEFAULTS.maxCrcResends,
    };
    this.log = options.logger ?? silentLogger;
    this.seq = options.lastSeq ?? 0;
    this.subscriptions.push(
      transport.lines$.subscribe((line) => this.received(line)),
      transport.closed$.subscribe((closed) => this.die(`transport ended: ${closed.reason}`)),
    );
    this.armSilenceTimer();
  }

  /** The last sequence number used; a new client after a reconnect goes on from here. */
  get lastSeq(): number {
    return this.seq;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  request(verb: string, args: Record<string, string> = {}, options: { timeoutMs?: number } = {}): Promise<ChannelReply> {
    return this.send(verb, args, 'ordinary', options.timeoutMs ?? this.timeoutFor(verb));
  }

  /**
   * As request(), but `done` runs synchronously when the reply line is read, before the events
   * that follow it on the wire reach events$: for a caller that must keep the device's order
   * (the robot actor hears `R OK op=1` before that operation's STATE events).
   */
  submit(verb: string, args: Record<string, string>, done: (outcome: RequestOutcome) => void, options: { timeoutMs?: number } = {}): void {
    this.start(verb, args, 'ordinary', options.timeoutMs ?? this.timeoutFor(verb), {
      resolve: (reply) => done({ reply }),
      reject: (error) => done({ error }),
    });
  }

  /** Opens the session (docs §3): HELLO, GET_INFO, ENUM_DRIVES, GET_STATUS. */
  openSession(clientName: string, options?: OpenSessionOptions): Promise<DprpSession> {
    return openSession(this, clientName, options);
  }

  /** The device's HELLO event: the one already seen, or the next within `waitMs`, or null. */
  waitForHello(waitMs: number): Promise<DeviceEvent | null> {
    if (this.hello) return Promise.resolve(this.hello);
    return firstValueFrom(
      this.events$.pipe(
        filter((event) => event.verb === 'HELLO'),
        timeout({ first: waitMs, with: () => of(null) }),
      ),
      { defaultValue: null },
    );
  }

  /** Ends the client and closes the transport; requests in flight reject. dead$ completes without a death. */
  async close(): Promise<void> {
    this.end(new DprpLinkError('the host closed the DPRP link'));
    this.death.complete();
    await this.transport.close();
  }

  private timeoutFor(verb: string): number {
    return ROBOTIC_VERBS.has(verb) ? this.options.acceptTimeoutMs : this.options.queryTimeoutMs;
  }

  private send(verb: string, args: Record<string, string>, mode: RequestMode, timeoutMs: number): Promise<ChannelReply> {
    return new Promise<ChannelReply>((resolve, reject) => this.start(verb, args, mode, timeoutMs, { resolve, reject }));
  }

  private start(verb: string, args: Record<string, string>, mode: RequestMode, timeoutMs: number, settle: Pick<Pending, 'resolve' | 'reject'>): void {
    if (this.ended) {
      settle.reject(new DprpLinkError(`cannot send ${verb}: the DPRP link is closed`));
      return;
    }
    let line: string;
    const seq = this.allocateSeq();
    try {
      line = encodeFrame({ kind: 'Q', seq, verb, args });
    } catch (err) {
      settle.reject(err as Error);
      return;
    }
    const request: Pending = { seq, verb, line, mode, timeoutMs, repeated: false, crcResends: 0, timer: null, ...settle };
    this.pending.set(seq, request);
    this.transmit(request);
  }

  /** 1..65535, skipping a number still in flight (only possible after a full wrap). */
  private allocateSeq(): number {
    do this.seq = nextSeq(this.seq);
    while (this.pending.has(this.seq));
    return this.seq;
  }

  private transmit(request: Pending): void {
    if (request.timer) clearTimeout(request.timer);
    request.timer = setTimeout(() => this.timedOut(request), request.timeoutMs);
    this.log.debug({ line: request.line }, 'DPRP >');
    this.transport.write(request.line).catch((err: Error) => {
      if (this.pending.get(request.seq) !== request) return;
      this.settle(request);
      request.reject(new DprpLinkError(`could not send ${request.verb} (Q${request.seq}): ${err.message}`));
    });
  }

  private timedOut(request: Pending): void {
    if (this.pending.get(request.seq) !== request) return;
    request.timer = null;
    if (request.mode !== 'ping' && !request.repeated) {
      request.repeated = true;
      this.log.info({ verb: request.verb, seq: request.seq, waitedMs: request.timeoutMs }, 'no DPRP reply; repeating the line');
      this.transmit(request);
      return;
    }
    this.settle(request);
    const detail = request.mode === 'ping' ? `within ${request.timeoutMs} ms` : `within ${request.timeoutMs} ms, sent twice`;
    this.log.warn({ verb: request.verb, seq: request.seq }, `no DPRP reply ${detail}`);
    // The caller hears of the failure now; the status the resync reads comes on resync$.
    request.reject(new DprpTimeoutError(request.verb, request.seq, detail));
    if (request.mode === 'ordinary') void this.resync();
  }

  private settle(request: Pending): void {
    if (request.timer) clearTimeout(request.timer);
    request.timer = null;
    this.pending.delete(request.seq);
  }

  /** After a lost repeat: PING (answered, or the link is dead), then GET_STATUS as the truth. */
  private async resync(): Promise<void> {
    if (this.resyncing || this.ended) return;
    this.resyncing = true;
    try {
      try {
        await this.ping();
      } catch (err) {
        this.die(`resync failed: ${(err as Error).message}`);
        return;
      }
      const reply = await this.send('GET_STATUS', {}, 'resync', this.options.queryTimeoutMs);
      if (!reply.ok) {
        this.log.warn({ code: reply.code, name: reply.name }, 'GET_STATUS refused during a resync');
        return;
      }
      this.resyncs.next(parseStatus(reply.fields));
    } catch (err) {
      if (!this.ended) this.log.warn({ err }, 'DPRP resync did not complete');
    } finally {
      this.resyncing = false;
    }
  }

  /** One PING at a time, shared by the liveness check and the resync. */
  private ping(): Promise<ChannelReply> {
    this.pingInFlight ??= this.send('PING', {}, 'ping', this.options.pingTimeoutMs).finally(() => {
      this.pingInFlight = null;
    });
    return this.pingInFlight;
  }

  private armSilenceTimer(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = null;
    const { silenceMs } = this.options;
    if (this.ended || !(silenceMs > 0 && Number.isFinite(silenceMs))) return;
    this.silenceTimer = setTimeout(() => this.silent(), silenceMs);
    // The open port keeps the process alive, not this watchdog.
    this.silenceTimer.unref();
  }

  private silent(): void {
    this.silenceTimer = null;
    this.log.info({ silenceMs: this.options.silenceMs }, 'DPRP line silent; sending PING');
    this.ping().catch((err: Error) => this.die(`line silent for ${this.options.silenceMs} ms and ${err.message}`));
  }

  private received(line: string): void {
    this.armSilenceTimer();
    if (line === '') return;
    const decoded = decodeFrame(line);
    if (!decoded.ok) {
      this.log.warn({ line: lineForLog(line), error: decoded.error, detail: decoded.detail }, 'dropped a DPRP line that cannot be trusted');
      return;
    }
    this.log.debug({ line }, 'DPRP <');
    const frame = decoded.frame;
    if (frame.kind === 'R') this.replied(frame, line);
    else if (frame.kind === 'N') this.refused(frame, line);
    else if (frame.kind === 'E') this.announced(frame);
    else this.log.warn({ line: lineForLog(line) }, 'device sent a Q line; ignored');
  }

  private replied(frame: Frame, line: string): void {
    const request = this.pending.get(frame.seq);
    if (!request) {
      this.log.warn({ line: lineForLog(line) }, 'DPRP reply matches no request in flight; ignored');
      return;
    }
    if (frame.verb === 'OK') {
      this.settle(request);
      request.resolve({ ok: true, fields: frame.args });
    } else if (frame.verb === 'ERR') {
      this.settle(request);
      request.resolve(errorReply(frame.args));
    } else {
      this.log.warn({ line: lineForLog(line) }, 'DPRP reply is neither OK nor ERR; ignored');
    }
  }

  private refused(frame: Frame, line: string): void {
    const request = this.pending.get(frame.seq);
    if (!request) {
      this.log.warn({ line: lineForLog(line) }, 'device could not read a line of ours');
      return;
    }
    if (frame.verb === 'BADCRC' && request.crcResends < this.options.maxCrcResends) {
      request.crcResends += 1;
      this.log.info({ verb: request.verb, seq: request.seq, resend: request.crcResends }, 'device saw a bad checksum; sending the line again');
      this.transmit(request);
      return;
    }
    this.settle(request);
    const code = frame.verb === 'BADCRC' ? 601 : 600;
    this.log.warn({ line: lineForLog(line), request: request.line }, 'device refused a line of ours');
    request.resolve({ ok: false, code, name: resultName(code), fields: {} });
  }

  private announced(frame: Frame): void {
    const event: DeviceEvent = { verb: frame.verb, args: frame.args };
    if (frame.verb === 'HELLO') this.hello = event;
    this.events.next(event);
  }

  /** The link is gone: everyone waiting hears it, the transport closes. */
  private die(reason: string): void {
    if (this.ended) return;
    this.log.warn({ reason }, 'DPRP link dead');
    this.end(new DprpLinkError(`DPRP link lost: ${reason}`));
    this.death.next({ reason });
    this.death.complete();
    void this.transport.close();
  }

  private end(cause: DprpLinkError): void {
    if (this.ended) return;
    this.ended = true;
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = null;
    for (const request of [...this.pending.values()]) {
      this.settle(request);
      request.reject(new DprpLinkError(`${cause.message} (waiting for the reply to ${request.verb}, Q${request.seq})`));
    }
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.events.complete();
    this.resyncs.complete();
  }
}

/** `R ERR code= name= …`: the code and name, and the other fields (syserr, arg…) as they came. */
function errorReply(args: Record<string, string>): ChannelReply {
  const { code: codeText, name, ...fields } = args;
  if (codeText === undefined || !/^\d+$/.test(codeText)) {
    return { ok: false, code: 600, name: resultName(600), fields: { ...fields, detail: 'ERR reply without a numeric code' } };
  }
  const code = Number(codeText);
  return { ok: false, code, name: name ?? resultName(code), fields };
}
