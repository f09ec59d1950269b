// Reconnect delays: 0.5 s after the first failure, doubling, at most 10 s (docs/robot-protocol.md §3).

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export const BACKOFF_DEFAULTS = { initialMs: 500, maxMs: 10_000 } as const;

/** The wait before the next attempt after `failures` (≥ 1) failures in a row. */
export function backoffDelay(failures: number, options: BackoffOptions = {}): number {
  const initialMs = options.initialMs ?? BACKOFF_DEFAULTS.initialMs;
  const maxMs = options.maxMs ?? BACKOFF_DEFAULTS.maxMs;
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
}
