// The 'deadline' actor a settling study invokes: it resolves once the clock reaches an absolute time
// (epoch ms). XState does not restore `after:` timers (xstate-serialport.md §1.4), but it re-runs
// invoked actors on restore, so a study restored while settling waits again, only for what is left
// of its quiet period, or not at all when that is already over. The composition root provides it
// with its own clock (real, scaled or manual time).

import { fromPromise } from 'xstate';

export interface DeadlineInput {
  /** Epoch ms. */
  at: number;
}

/** The clock the timer reads and waits on. */
export interface TimerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** setTimeout holds at most 2^31 - 1 ms; a longer wait goes in steps. */
const LONGEST_TIMEOUT_MS = 2_147_483_647;

export function createDeadlineTimer(clock: TimerClock) {
  return fromPromise<void, DeadlineInput>(
    ({ input, signal }) =>
      new Promise<void>((resolve) => {
        let handle: unknown;
        // Looks at the clock again on every wake-up: a timer may fire early, a clock may be scaled.
        const wait = () => {
          if (signal.aborted) return;
          const remainder = input.at - clock.now();
          if (remainder <= 0) resolve();
          else handle = clock.setTimeout(wait, Math.min(remainder, LONGEST_TIMEOUT_MS));
        };
        // A new instance moves the deadline: the study stops this timer and starts another.
        signal.addEventListener('abort', () => clock.clearTimeout(handle), { once: true });
        wait();
      }),
  );
}

/** Real time, for a study actor nobody provided a clock to. */
export const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
