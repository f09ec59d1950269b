// Recordable media the simulator's drives take: the names DPRP's MEDIA_INFO reports, capacities,
// and the numbers the burn-time formula of primera-robot.md §6.2 needs (1× rate, overhead,
// finalize time, spin-up time after the tray closes).

export const MEDIA_NAMES = ['CD-R', 'DVD-R', 'DVD+R-DL', 'BD-R', 'BD-R-DL'] as const;
export type MediaName = (typeof MEDIA_NAMES)[number];

export interface MediaSpec {
  name: MediaName;
  family: 'cd' | 'dvd' | 'bd';
  /** User-data bytes of a blank disc (2048-byte sectors, as src/media/media-choice.ts plans them). */
  capacityBytes: number;
  /** Bytes per second at 1× (primera-robot.md §6.1). */
  rate1x: number;
  /** Spin-up, OPC and lead-in before data flows (§6.2). */
  overheadS: number;
  /** Closing the disc (§6.2 "finalize"). */
  finalizeS: number;
  /** From tray closed to MEDIA_INFO answering (§6.2 "media ready after tray close"). */
  readyS: number;
  /** Highest speed written at constant linear velocity: at or below it the average factor is 1. */
  clvMaxSpeed: number;
  /** Average over a zoned/CAV burn at higher speeds (§6.2). */
  avgFactor: number;
}

const SECTOR = 2048;

const SPECS: Record<MediaName, MediaSpec> = {
  'CD-R': { name: 'CD-R', family: 'cd', capacityBytes: 360_000 * SECTOR, rate1x: 153_600, overheadS: 15, finalizeS: 10, readyS: 8, clvMaxSpeed: 0, avgFactor: 0.85 },
  'DVD-R': { name: 'DVD-R', family: 'dvd', capacityBytes: 2_295_104 * SECTOR, rate1x: 1_385_000, overheadS: 60, finalizeS: 30, readyS: 12, clvMaxSpeed: 4, avgFactor: 0.75 },
  'DVD+R-DL': { name: 'DVD+R-DL', family: 'dvd', capacityBytes: 4_171_712 * SECTOR, rate1x: 1_385_000, overheadS: 60, finalizeS: 30, readyS: 12, clvMaxSpeed: 4, avgFactor: 0.75 },
  'BD-R': { name: 'BD-R', family: 'bd', capacityBytes: 12_219_392 * SECTOR, rate1x: 4_500_000, overheadS: 60, finalizeS: 30, readyS: 20, clvMaxSpeed: 2, avgFactor: 0.55 },
  'BD-R-DL': { name: 'BD-R-DL', family: 'bd', capacityBytes: 24_438_784 * SECTOR, rate1x: 4_500_000, overheadS: 60, finalizeS: 30, readyS: 20, clvMaxSpeed: 2, avgFactor: 0.55 },
};

export function isMediaName(text: string): text is MediaName {
  return (MEDIA_NAMES as readonly string[]).includes(text);
}

export function mediaSpec(name: MediaName): MediaSpec {
  return SPECS[name];
}

/** Simulated seconds to record `bytes` at `speed`× (§6.2: overhead + bytes / (rate1x × speed × avgFactor)). */
export function recordSeconds(name: MediaName, bytes: number, speed: number): number {
  const spec = SPECS[name];
  const factor = speed <= spec.clvMaxSpeed ? 1 : spec.avgFactor;
  return spec.overheadS + bytes / (spec.rate1x * speed * factor);
}
