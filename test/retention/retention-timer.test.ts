// The retention timer: a pass when the publisher starts, then one per interval, none after stop; and
// none at all when retention is off. Timer ticks are driven by vitest's fake timers (only the timer
// functions are faked, so the pass itself runs as it does in the publisher).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PurgeSummary } from '../../src/retention/purge.ts';
import { startRetention, type RetentionHandle } from '../../src/retention/retention-timer.ts';
import { exists, RetentionFixture } from './retention-fixture.ts';

const ROOT = '1.2.826.0.1.3680043.8.498.56';
const HOUR_MS = 3_600_000;

describe('startRetention', () => {
  let f: RetentionFixture;
  let handle: RetentionHandle | undefined;
  let passes: PurgeSummary[];
  let waiting: { count: number; resolve: () => void } | undefined;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    f = new RetentionFixture();
    passes = [];
    waiting = undefined;
  });
  afterEach(async () => {
    await handle?.stop();
    handle = undefined;
    vi.useRealTimers();
    f.cleanup();
  });

  function start(retainDays: number | null): void {
    handle = startRetention({
      db: f.db, dataDir: f.dataDir, retainDays, now: f.clock.now, logger: f.logger,
      onPass: (summary) => {
        passes.push(summary);
        if (waiting && passes.length >= waiting.count) waiting.resolve();
      },
    }, HOUR_MS);
  }

  /** Moves the fake clock by ms and waits until count passes have ended. */
  async function passesAfter(ms: number, count: number): Promise<void> {
    const done = new Promise<void>((resolve) => (waiting = { count, resolve }));
    await vi.advanceTimersByTimeAsync(ms);
    await done;
  }

  it('runs a pass at start and then every interval', async () => {
    const first = f.expiredStudy(`${ROOT}.1`, 2);
    start(30);
    await passesAfter(0, 1);
    expect(passes).toEqual([{ studies: 1, instances: 2, bytes: first.bytes }]);
    expect(exists(first.files[0]!)).toBe(false);

    const second = f.expiredStudy(`${ROOT}.2`, 1);
    await passesAfter(HOUR_MS, 2);
    expect(passes[1]).toEqual({ studies: 1, instances: 1, bytes: second.bytes });
    expect(exists(second.files[0]!)).toBe(false);
    expect(f.logLines).toContainEqual(expect.objectContaining({ level: 30, studies: 1, instances: 1, msg: 'retention pass purged stored files' }));
  });

  it('runs no pass after stop', async () => {
    start(30);
    await passesAfter(0, 1);
    await handle!.stop();
    const later = f.expiredStudy(`${ROOT}.3`, 1);
    await vi.advanceTimersByTimeAsync(5 * HOUR_MS);
    expect(passes).toHaveLength(1);
    expect(exists(later.files[0]!)).toBe(true);
  });

  it('starts nothing when retention is off', async () => {
    const study = f.expiredStudy(`${ROOT}.4`, 1, 10_000);
    start(null);
    await vi.advanceTimersByTimeAsync(5 * HOUR_MS);
    expect(passes).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    expect(exists(study.files[0]!)).toBe(true);
    expect(f.logLines).toContainEqual(expect.objectContaining({ level: 30, msg: expect.stringMatching(/retention is off/) }));
  });
});
