// Runs the retention pass when the publisher starts and then every interval (an hour by default).
// A pass that is still running when the next one is due is not doubled: the due one is skipped.
import { exhaustMap, from, timer, type Subscription } from 'rxjs';
import { purgeExpired, type PurgeOptions, type PurgeSummary } from './purge.ts';

export const RETENTION_INTERVAL_MS = 3_600_000;

export interface RetentionOptions extends Omit<PurgeOptions, 'signal'> {
  /** Called after each pass with what it purged (tests wait on it; the publisher may show it). */
  onPass?: (summary: PurgeSummary) => void;
}

export interface RetentionHandle {
  /** No further pass starts; resolves when a pass under way has stopped (before the database closes). */
  stop(): Promise<void>;
}

export function startRetention(options: RetentionOptions, intervalMs = RETENTION_INTERVAL_MS): RetentionHandle {
  const { logger, onPass, ...purgeOptions } = options;
  if (options.retainDays === null) {
    logger.info('retention is off: stored files are kept until removed by hand');
    return { stop: async () => {} };
  }
  const abort = new AbortController();
  let running: Promise<unknown> = Promise.resolve();

  const pass = (): Promise<void> => {
    const run = purgeExpired({ ...purgeOptions, logger, signal: abort.signal })
      .then((summary) => {
        if (summary.studies > 0) logger.info(summary, 'retention pass purged stored files');
        onPass?.(summary);
      })
      // A failing pass (the database gone) is logged and never ends the timer; the next pass is tried at its time.
      .catch((err: unknown) => logger.error({ err }, 'retention pass failed'));
    running = run;
    return run;
  };

  const subscription: Subscription = timer(0, intervalMs).pipe(exhaustMap(() => from(pass()))).subscribe();
  return {
    async stop() {
      subscription.unsubscribe();
      abort.abort();
      await running;
    },
  };
}
