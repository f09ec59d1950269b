// The `process report`: on SIGUSR2 the server forces a garbage collection (when node runs with
// --expose-gc) and logs one info line with its memory, open file descriptors and open associations.
// Load and soak tests read that line to tell a leak from garbage not yet collected; it carries no
// patient data, only counts. It also tells how late the event loop ran since the last report.
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Logger } from 'pino';

export interface ProcessReport {
  rss: number;
  heapUsed: number;
  external: number;
  /** Entries of /proc/self/fd; null where there is no /proc (not Linux). */
  openFds: number | null;
  openAssociations: number;
  /** Whether a garbage collection ran first (node --expose-gc). */
  gc: boolean;
  /** How late the event loop ran since the last report (ms): what every peer waited on top of its work. */
  eventLoopDelayMs?: { p50: number; p99: number; max: number };
}

export function openFileDescriptors(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

export function processReport(openAssociations: () => number, delay?: IntervalHistogram): ProcessReport {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  const memory = process.memoryUsage();
  return {
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    external: memory.external,
    openFds: openFileDescriptors(),
    openAssociations: openAssociations(),
    gc: gc !== undefined,
    ...(delay ? { eventLoopDelayMs: eventLoopDelay(delay) } : {}),
  };
}

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

/** The histogram's figures in ms, then reset: each report covers the time since the last one. */
function eventLoopDelay(delay: IntervalHistogram): { p50: number; p99: number; max: number } {
  const figures = { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) };
  delay.reset();
  return figures;
}

/** Logs a process report on every SIGUSR2; returns a function that removes the handler. */
export function installProcessReport(logger: Logger, openAssociations: () => number): () => void {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const onSignal = () => logger.info(processReport(openAssociations, delay), 'process report');
  process.on('SIGUSR2', onSignal);
  return () => {
    process.off('SIGUSR2', onSignal);
    delay.disable();
  };
}
