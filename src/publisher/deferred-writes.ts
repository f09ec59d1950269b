// Database writes made inside the publisher's actions (a job order's row, a withdrawn order) must
// never throw into the actor system: a throw there stops the publisher actor, and with it every
// association and job. When the database is busy (another process holds its lock) or full, the
// write waits here and is tried again, in order, until it lands; anything else is logged. The
// rows' readers cope with the wait: mastering waits for its job's row (study-master.ts).
import type { Logger } from 'pino';
import { isDatabaseBusy, isDatabaseFull } from '../../adapters/db/database.ts';

const RETRY_MS = 500;

interface PendingWrite {
  what: string;
  write: () => void;
}

export class DeferredWrites {
  private readonly pending: PendingWrite[] = [];
  private timer: NodeJS.Timeout | null = null;
  private failing = false;

  constructor(private readonly logger: Logger) {}

  /** Writes now, or (database busy or full) later; never throws. `what` names it in the log (no patient data). */
  run(what: string, write: () => void): void {
    if (this.pending.length > 0) {
      // Keep the order: a withdrawal must not land before the order it withdraws.
      this.pending.push({ what, write });
      return;
    }
    if (!this.attempt({ what, write })) {
      this.pending.push({ what, write });
      this.schedule();
    }
  }

  /** Writes still waiting for the database. */
  get waiting(): number {
    return this.pending.length;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length > 0) this.logger.warn({ waiting: this.pending.map((p) => p.what) }, 'stopping with database writes still waiting: the restart restores from the snapshots');
  }

  /** True when done (written, or failed for good and logged); false to try again. */
  private attempt(entry: PendingWrite): boolean {
    try {
      entry.write();
      if (this.failing && this.pending.length <= 1) {
        this.failing = false;
        this.logger.info({ what: entry.what }, 'the database accepts writes again: waiting writes done');
      }
      return true;
    } catch (err) {
      if (!isDatabaseBusy(err) && !isDatabaseFull(err)) {
        this.logger.error({ err, what: entry.what }, 'a database write failed and is not tried again');
        return true;
      }
      if (!this.failing) {
        this.failing = true;
        this.logger.warn({ what: entry.what, code: (err as { code?: string }).code }, 'the database is busy or full: the write waits and is tried again');
      }
      return false;
    }
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      while (this.pending.length > 0 && this.attempt(this.pending[0]!)) this.pending.shift();
      if (this.pending.length > 0) this.schedule();
    }, RETRY_MS);
  }
}
