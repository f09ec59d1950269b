// Keeps a DPRP link up for a robot actor: connects (session and all), reports link.up, forwards
// link.send to the client and its reply back, turns device events into device.state/device.opDone,
// and when the link dies reports link.down and reconnects with backoff. XState-free; dprp-link.ts
// wraps it in the actor the robot machine invokes.

import type { Subscription } from 'rxjs';
import type { DeviceStatus, LinkCommand, LinkEvent } from '../../machines/robot-link.ts';
import { resultName } from '../../src/robot/codes.ts';
import type { DeviceEvent } from './channel.ts';
import type { DprpClient, DprpClientOptions } from './dprp-client.ts';
import { connectDprp, type ConnectDprpOptions, type DprpConnection } from './dprp-connect.ts';
import { DprpLinkError, DprpTimeoutError } from './dprp-errors.ts';
import { parseBinCounts, parseCover, parseOpDone, parseStatePatch, parseStatus } from './dprp-fields.ts';
import { silentLogger, type DprpLogger } from './dprp-logger.ts';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import type { LinkChannel } from './link-channel.ts';

export interface DprpLinkOptions extends Omit<ConnectDprpOptions, 'client' | 'onClient'> {
  /** Client timeouts (lastSeq is the supervisor's: it carries the numbering across reconnects). */
  client?: Omit<DprpClientOptions, 'lastSeq' | 'logger'>;
  logger?: DprpLogger;
  /** Reconnect delays (default 500 ms doubling to 10 s). */
  backoff?: BackoffOptions;
  /** Kept attached to the current client, for other users of the same device. */
  channel?: LinkChannel;
}

const TIMEOUT = 605;
const BADFRAME = 600;

export class DprpLinkSupervisor {
  private readonly log: DprpLogger;
  private stopped = false;
  private attempt = 0;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private connection: DprpConnection | null = null;
  /** The client of an attempt under way, so that stop() can end it. */
  private connecting: DprpClient | null = null;
  private subscriptions: Subscription[] = [];
  private status: DeviceStatus | null = null;
  private lastSeq = 0;

  constructor(
    private readonly options: DprpLinkOptions,
    private readonly emit: (event: LinkEvent) => void,
  ) {
    this.log = options.logger ?? silentLogger;
  }

  start(): void {
    this.schedule(0);
  }

  handle(command: LinkCommand): void {
    if (command.type !== 'link.send') return;
    const connection = this.connection;
    if (!connection) {
      this.emit({ type: 'link.reply', ref: command.ref, ok: false, code: TIMEOUT, name: resultName(TIMEOUT), fields: { detail: 'the DPRP link is down' } });
      return;
    }
    // submit(), not request(): the reply must reach the machine before the events behind it on the wire.
    connection.client.submit(command.verb, command.args, ({ reply, error }) => {
      if (this.stopped) return;
      if (error) {
        const lost = error instanceof DprpTimeoutError || error instanceof DprpLinkError;
        const code = lost ? TIMEOUT : BADFRAME;
        this.emit({ type: 'link.reply', ref: command.ref, ok: false, code, name: resultName(code), fields: { detail: error.message } });
      } else if (reply.ok) {
        if (command.verb === 'GET_STATUS' && connection === this.connection) this.noteStatus(reply.fields);
        this.emit({ type: 'link.reply', ref: command.ref, ok: true, fields: reply.fields });
      } else {
        this.emit({ type: 'link.reply', ref: command.ref, ok: false, code: reply.code, name: reply.name, fields: reply.fields });
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const connection = this.connection;
    this.detach();
    await Promise.all([connection?.close(), this.connecting?.close()]);
  }

  private schedule(delayMs: number): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delayMs);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.attempt += 1;
    this.emit({ type: 'link.connecting', attempt: this.attempt });
    let connection: DprpConnection;
    try {
      connection = await connectDprp({
        ...this.options,
        client: { ...this.options.client, logger: this.log, lastSeq: this.lastSeq },
        onClient: (client) => {
          this.connecting = client;
          if (this.stopped) void client.close();
        },
      });
    } catch (err) {
      this.noteSeq(this.connecting);
      this.connecting = null;
      if (this.stopped) return;
      this.failures += 1;
      const delay = backoffDelay(this.failures, this.options.backoff);
      const reason = `connection attempt ${this.attempt} failed: ${(err as Error).message}`;
      this.log.warn({ retryInMs: delay }, reason);
      this.emit({ type: 'link.down', reason });
      this.schedule(delay);
      return;
    }
    this.connecting = null;
    if (this.stopped) {
      await connection.close();
      return;
    }
    this.up(connection);
  }

  private up(connection: DprpConnection): void {
    const { client, session } = connection;
    this.connection = connection;
    this.status = session.status;
    this.attempt = 0;
    this.failures = 0;
    this.subscriptions = [
      client.events$.subscribe((event) => this.deviceEvent(event)),
      client.resync$.subscribe((status) => {
        this.status = status;
        this.emit({ type: 'device.state', status });
      }),
      client.dead$.subscribe((death) => this.down(death.reason)),
    ];
    this.options.channel?.attach(client);
    this.log.info({ model: session.info.model, impl: session.info.impl, link: client.transport.description }, 'DPRP link up');
    this.emit({ type: 'link.up', info: session.info, drives: session.drives, status: session.status });
  }

  private down(reason: string): void {
    const connection = this.connection;
    if (!connection || this.stopped) return;
    this.noteSeq(connection.client);
    this.detach();
    void connection.close();
    this.failures = 1;
    const delay = backoffDelay(this.failures, this.options.backoff);
    this.log.warn({ reason, retryInMs: delay }, 'DPRP link down');
    this.emit({ type: 'link.down', reason });
    this.schedule(delay);
  }

  private detach(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
    this.options.channel?.detach();
    this.connection = null;
  }

  private noteSeq(client: DprpClient | null): void {
    if (client) this.lastSeq = client.lastSeq;
  }

  private noteStatus(fields: Record<string, string>): void {
    try {
      this.status = parseStatus(fields);
    } catch (err) {
      this.log.warn({ err }, 'GET_STATUS reply unreadable; last known status kept');
    }
  }

  /** STATE, BINS and COVER update the last known status; OPDONE is passed on; a new HELLO means the device restarted. */
  private deviceEvent(event: DeviceEvent): void {
    try {
      const status = this.status;
      if (event.verb === 'OPDONE') this.emit({ type: 'device.opDone', ...parseOpDone(event.args) });
      else if (event.verb === 'HELLO') this.down('the device sent HELLO again (it restarted); opening a new session');
      else if (!status) return;
      else if (event.verb === 'STATE') this.changed({ ...status, ...parseStatePatch(event.args) });
      else if (event.verb === 'BINS') this.changed({ ...status, bins: parseBinCounts(event.args) });
      else if (event.verb === 'COVER') this.changed({ ...status, cover: parseCover(event.args) });
    } catch (err) {
      this.log.warn({ err, event }, 'device event unreadable; ignored');
    }
  }

  private changed(status: DeviceStatus): void {
    this.status = status;
    this.emit({ type: 'device.state', status });
  }
}
