// Progress at the adapter boundary: xorriso and the simulator may report many times a second, the
// robot machine needs a few updates per second. Unlike rxjs throttleTime, a change of phase (or of
// any key) passes at once after flushing the value held back, and completion flushes without
// waiting, so the order of phases and the last value of each phase are never lost.
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';

export const PROGRESS_INTERVAL_MS = 250;

export function throttleProgress<T>(keyOf: (value: T) => string, intervalMs = PROGRESS_INTERVAL_MS): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let lastKey: string | undefined;
      let lastSentAt = 0;
      let held: { value: T } | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;

      const send = (value: T): void => {
        lastSentAt = Date.now();
        subscriber.next(value);
      };
      const flush = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        if (held) {
          const { value } = held;
          held = undefined;
          send(value);
        }
      };

      const subscription = source.subscribe({
        next(value) {
          const key = keyOf(value);
          if (key !== lastKey) {
            flush();
            lastKey = key;
            send(value);
            return;
          }
          const since = Date.now() - lastSentAt;
          if (since >= intervalMs && !held) {
            send(value);
            return;
          }
          held = { value };
          timer ??= setTimeout(flush, Math.max(0, intervalMs - since));
        },
        error(err: unknown) {
          flush();
          subscriber.error(err);
        },
        complete() {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        if (timer !== undefined) clearTimeout(timer);
        subscription.unsubscribe();
      };
    });
}
