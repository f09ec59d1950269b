// The `process report` the server logs on SIGUSR2 (load and soak tests read it): one info line with
// memory, open file descriptors, open associations and event-loop delay, after a garbage collection
// when node exposes one, and nothing once the handler is removed.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { installProcessReport, openFileDescriptors } from '../../src/diagnostics/process-report.ts';

describe('process report', () => {
  let remove: (() => void) | undefined;
  afterEach(() => remove?.());

  function capture() {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    return { lines, logger };
  }

  it('logs one info line per SIGUSR2 with rss, heapUsed, external, open fds and open associations', () => {
    const { lines, logger } = capture();
    let associations = 3;
    remove = installProcessReport(logger, () => associations);
    process.emit('SIGUSR2', 'SIGUSR2');
    associations = 0;
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(lines.map((l) => [l['msg'], l['level'], l['openAssociations']])).toEqual([['process report', 30, 3], ['process report', 30, 0]]);
    const [first] = lines;
    for (const key of ['rss', 'heapUsed', 'external']) expect(first![key], key).toBeGreaterThan(0);
    if (openFileDescriptors() === null) expect(first!['openFds']).toBeNull();
    else expect(first!['openFds']).toBeGreaterThan(2);
    expect(first!['eventLoopDelayMs']).toEqual({ p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) });
    // vitest does not run with --expose-gc: the report says no collection ran.
    expect(first!['gc']).toBe(typeof (globalThis as { gc?: unknown }).gc === 'function');
  });

  it('runs global.gc() first when node exposes it', () => {
    const { lines, logger } = capture();
    let collected = 0;
    const global = globalThis as { gc?: () => void };
    const original = global.gc;
    global.gc = () => void (collected += 1);
    try {
      remove = installProcessReport(logger, () => 0);
      process.emit('SIGUSR2', 'SIGUSR2');
    } finally {
      if (original) global.gc = original;
      else delete global.gc;
    }
    expect(collected).toBe(1);
    expect(lines[0]!['gc']).toBe(true);
  });

  it('logs nothing once removed', () => {
    const { lines, logger } = capture();
    installProcessReport(logger, () => 0)();
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(lines).toEqual([]);
  });
});
