// The bounded buffer of a destination that may be down, and its one warning per outage: records wait
// here (the oldest dropped beyond the bound) while the destination is away; when it returns, the
// log says so once with the number of records that were dropped meanwhile.
import type { Logger } from 'pino';

export class OutageBuffer<T> {
  private readonly items: T[] = [];
  private dropped = 0;
  private down = false;

  constructor(
    private readonly bound: number,
    private readonly logger: Logger,
    private readonly destination: string,
  ) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.bound) {
      // The oldest goes: the newest records say most about what is happening now.
      this.items.shift();
      this.dropped += 1;
    }
  }

  /** Takes the oldest waiting item, or undefined. */
  shift(): T | undefined {
    return this.items.shift();
  }

  /** Puts an item back in front (a send that failed). */
  unshift(item: T): void {
    this.items.unshift(item);
  }

  /** The destination failed: a warning, once per outage. */
  failed(err: unknown): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn(
      { destination: this.destination, err: { message: (err as Error | undefined)?.message ?? String(err) }, bound: this.bound },
      'syslog destination unreachable: audit records are buffered and sent when it returns',
    );
  }

  /** The destination took a record again: reported once, with what the outage cost. */
  reachable(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.info({ destination: this.destination, dropped: this.dropped, waiting: this.items.length }, 'syslog destination reachable again');
    this.dropped = 0;
  }
}
