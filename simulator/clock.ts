// Simulated time. The time scale is simulated seconds per wall-clock second: 1 runs in real time,
// 1000 runs a 12 s pick in 12 ms, 0 completes every motion at once (but still asynchronously, on
// a later turn of the event loop, in the order the motions were started). Durations may spread
// by a seeded jitter; with scale 0 that does not matter.

import type { Rng } from './rng.ts';

export class SimClock {
  private readonly timers = new Set<NodeJS.Timeout | NodeJS.Immediate>();
  private readonly started = Date.now();
  private closed = false;
  /** Simulated ms up to `markWall`, when the scale last changed. */
  private simAtMark = 0;
  private markWall = Date.now();

  constructor(
    private scale: number,
    private readonly jitter: { fraction: number; rng: Rng } | null = null,
  ) {
    SimClock.check(scale);
  }

  static check(scale: number): void {
    if (!Number.isFinite(scale) || scale < 0) throw new Error(`time scale ${scale} must be a number >= 0`);
  }

  get timeScale(): number {
    return this.scale;
  }

  setScale(scale: number): void {
    SimClock.check(scale);
    this.simAtMark = this.simNowMs();
    this.markWall = Date.now();
    this.scale = scale;
  }

  /** Simulated ms elapsed in this device life (it stands still at scale 0). */
  simNowMs(): number {
    return this.simAtMark + (Date.now() - this.markWall) * this.scale;
  }

  /**
   * Whether a process that became due at simulated `dueMs` (a disc spinning up) is over: always at
   * scale 0, where everything completes at once.
   */
  isDue(dueMs: number): boolean {
    return this.scale === 0 || this.simNowMs() >= dueMs;
  }

  /** Milliseconds since the device started (DPRP `t=`), wall clock. */
  deviceMs(): number {
    return Date.now() - this.started;
  }

  /** A motion's simulated duration with jitter applied (when on). */
  duration(simSeconds: number): number {
    if (!this.jitter || simSeconds <= 0) return simSeconds;
    return simSeconds * (1 + (this.jitter.rng() * 2 - 1) * this.jitter.fraction);
  }

  /** Wall-clock milliseconds a simulated span takes now. */
  wallMs(simSeconds: number): number {
    return this.scale === 0 ? 0 : (simSeconds * 1000) / this.scale;
  }

  /** Resolves once `simSeconds` of simulated time have passed; never resolves after close(). */
  sleep(simSeconds: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return;
      const done = () => {
        this.timers.delete(handle);
        resolve();
      };
      const ms = this.wallMs(simSeconds);
      const handle = ms === 0 ? setImmediate(done) : setTimeout(done, ms);
      this.timers.add(handle);
    });
  }

  close(): void {
    this.closed = true;
    for (const handle of this.timers) {
      clearTimeout(handle as NodeJS.Timeout);
      clearImmediate(handle as NodeJS.Immediate);
    }
    this.timers.clear();
  }
}
