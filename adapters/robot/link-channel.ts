// A DeviceChannel that outlives reconnects: requests go to the client of the link that is up now,
// events of every successive client come out of one events$. For the parts beside the robot actor
// that talk to the same device (the simulator's recorders, the CLI) while the link reconnects.

import { Subject, type Observable, type Subscription } from 'rxjs';
import type { ChannelReply, DeviceChannel, DeviceEvent } from './channel.ts';
import type { DprpClient } from './dprp-client.ts';
import { DprpLinkError } from './dprp-errors.ts';

export class LinkChannel implements DeviceChannel {
  private client: DprpClient | null = null;
  private subscription: Subscription | null = null;
  private readonly events = new Subject<DeviceEvent>();

  /** Events of whichever client is attached; never completes. */
  readonly events$: Observable<DeviceEvent> = this.events.asObservable();

  get isUp(): boolean {
    return this.client !== null;
  }

  request(verb: string, args?: Record<string, string>, options?: { timeoutMs?: number }): Promise<ChannelReply> {
    if (!this.client) return Promise.reject(new DprpLinkError(`cannot send ${verb}: the DPRP link is down`));
    return this.client.request(verb, args, options);
  }

  attach(client: DprpClient): void {
    this.detach();
    this.client = client;
    this.subscription = client.events$.subscribe((event) => this.events.next(event));
  }

  detach(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.client = null;
  }
}
