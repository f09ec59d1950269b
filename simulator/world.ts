// The simulator's one physical model, the single source of truth for where every disc is: bins,
// drives, printer tray, picker, reject slide, front output tray, the chassis (dropped discs), and
// what the operator took away. Also cover, cartridges and counters. Plain JSON (it is saved as
// one document, see persistence.ts); the functions here move discs and count them.
//
// Bin numbering: `bins[i]` is PTRobot bin i + 1, and bin 1 is the right-most (PTRobot's call
// numbering); reports list bins left to right (dwNumDiscsInBins order): see binCountsLeftToRight.

import type { MediaName } from './media.ts';
import type { CartridgeKind, ModelId, ModelParams } from './models.ts';

export type DiscState = 'blank' | 'written' | 'closed' | 'corrupt';
/** Injected media faults: `unreadable` (no media seen), `flipped` (invalid), `never-ready` (never spins up). */
export type DiscFlaw = 'unreadable' | 'flipped' | 'never-ready';

export interface Disc {
  /** SIM-000001, … in the order discs are first picked (or placed by the operator). */
  id: string;
  media: MediaName;
  state: DiscState;
  /** Backing file relative to the simulator's folder (<data>/sim), or null while nothing was written. */
  file: string | null;
  printed: boolean;
  flaw: DiscFlaw | null;
  origin: 'bin' | 'operator';
}

export interface Bin {
  /** Unnumbered blank discs at the bottom of the stack. */
  blanks: number;
  media: MediaName;
  /** Numbered discs on top of the blanks, last = top. */
  discs: Disc[];
}

export interface Drive {
  /** More than one only after a fault (MULTIPLEDISCS_IN_RECORDER). */
  discs: Disc[];
  /** Simulated ms (SimClock.simNowMs, this device life) from which the loaded disc answers MEDIA_INFO. */
  readyAt: number;
  recording: boolean;
}

export type SlotContent = CartridgeKind | 'none' | 'invalid' | 'pigment';

export interface Cartridge {
  content: SlotContent;
  /** Ink left, percent (fractions kept; reports round). */
  pct: number;
}

export interface World {
  schema: 1;
  model: ModelId;
  bins: Bin[];
  /** Front output tray (1-bin models). */
  output: Disc[];
  /** Reject slide. */
  reject: Disc[];
  /** Discs the operator took out of the unit (emptying a bin that held finished discs). */
  collected: Disc[];
  drives: Drive[];
  printer: { trayOut: boolean; discs: Disc[]; needsAlign: boolean; needsPurge: boolean };
  picker: Disc[];
  /** Dropped discs lying inside the unit. */
  chassis: Disc[];
  cover: { open: boolean; openedFlag: boolean };
  /** False after the cover was opened or the unit initialised, until CHECKDISCS (bins report 255). */
  binsKnown: boolean;
  cartridges: Cartridge[];
  inkLowAcknowledged: boolean;
  counters: { prints: number; picks: number; nextDisc: number; op: number; event: number };
  /** Discs the operator brought in (loaded blanks, placed discs) and took back (emptied blanks). */
  ledger: { loaded: number; unloaded: number };
}

export type Place =
  | { kind: 'bin'; bin: number }
  | { kind: 'output' }
  | { kind: 'reject' }
  | { kind: 'drive'; drive: number }
  | { kind: 'printer' }
  | { kind: 'picker' }
  | { kind: 'chassis' }
  | { kind: 'collected' };

/** A new world (docs/robot-protocol.md §7): bin 1 holds 25 blanks (or its capacity if smaller). */
export function newWorld(model: ModelParams): World {
  const media = model.drives.media[0]!;
  const initial = Math.min(25, model.bins.maxPerBin);
  return {
    schema: 1,
    model: model.id,
    bins: Array.from({ length: model.bins.count }, (_, i) => ({ blanks: i === 0 ? initial : 0, media, discs: [] })),
    output: [],
    reject: [],
    collected: [],
    drives: Array.from({ length: model.drives.count }, () => ({ discs: [], readyAt: 0, recording: false })),
    printer: { trayOut: false, discs: [], needsAlign: false, needsPurge: false },
    picker: [],
    chassis: [],
    cover: { open: false, openedFlag: false },
    binsKnown: true,
    cartridges: model.printer.present ? model.printer.cartridges.map((content) => ({ content, pct: 100 })) : [],
    inkLowAcknowledged: false,
    counters: { prints: 0, picks: 0, nextDisc: 1, op: 0, event: 0 },
    ledger: { loaded: initial, unloaded: 0 },
  };
}

export function placeName(place: Place): string {
  switch (place.kind) {
    case 'bin': return `bin${place.bin}`;
    case 'drive': return `drive:${place.drive}`;
    default: return place.kind;
  }
}

export function samePlace(a: Place, b: Place): boolean {
  return placeName(a) === placeName(b);
}

/** The live array of numbered discs at a place (a bin's blanks are not in it). */
export function discsAt(world: World, place: Place): Disc[] {
  switch (place.kind) {
    case 'bin': return world.bins[place.bin - 1]!.discs;
    case 'drive': return world.drives[place.drive]!.discs;
    case 'printer': return world.printer.discs;
    case 'output': return world.output;
    case 'reject': return world.reject;
    case 'picker': return world.picker;
    case 'chassis': return world.chassis;
    case 'collected': return world.collected;
  }
}

/** Discs at a place, a bin's blanks included. */
export function countAt(world: World, place: Place): number {
  return discsAt(world, place).length + (place.kind === 'bin' ? world.bins[place.bin - 1]!.blanks : 0);
}

export function newDisc(world: World, media: MediaName, origin: Disc['origin']): Disc {
  const id = `SIM-${String(world.counters.nextDisc++).padStart(6, '0')}`;
  return { id, media, state: 'blank', file: null, printed: false, flaw: null, origin };
}

/** Takes the top disc of a place (numbering a blank taken from a bin), or null when it is empty. */
export function takeTop(world: World, place: Place): Disc | null {
  const discs = discsAt(world, place);
  if (discs.length > 0) return discs.pop()!;
  if (place.kind !== 'bin') return null;
  const bin = world.bins[place.bin - 1]!;
  if (bin.blanks === 0) return null;
  bin.blanks--;
  return newDisc(world, bin.media, 'bin');
}

export function put(world: World, disc: Disc, place: Place): void {
  discsAt(world, place).push(disc);
}

function allPlaces(world: World): Place[] {
  return [
    ...world.bins.map((_, i): Place => ({ kind: 'bin', bin: i + 1 })),
    { kind: 'output' }, { kind: 'reject' }, { kind: 'collected' },
    ...world.drives.map((_, i): Place => ({ kind: 'drive', drive: i })),
    { kind: 'printer' }, { kind: 'picker' }, { kind: 'chassis' },
  ];
}

export function locate(world: World, discId: string): Place | null {
  return allPlaces(world).find((place) => discsAt(world, place).some((d) => d.id === discId)) ?? null;
}

export function findDisc(world: World, discId: string): Disc | null {
  for (const place of allPlaces(world)) {
    const disc = discsAt(world, place).find((d) => d.id === discId);
    if (disc) return disc;
  }
  return null;
}

/** Moves a numbered disc to a place (on top); returns false when the disc is nowhere. */
export function moveDisc(world: World, discId: string, to: Place): boolean {
  const from = locate(world, discId);
  if (!from) return false;
  const discs = discsAt(world, from);
  const [disc] = discs.splice(discs.findIndex((d) => d.id === discId), 1);
  put(world, disc!, to);
  return true;
}

export function isAt(world: World, discId: string, place: Place): boolean {
  return discsAt(world, place).some((d) => d.id === discId);
}

/** Every numbered disc with its place (a bin's unnumbered blanks are counted, not listed). */
export function allDiscs(world: World): Array<{ disc: Disc; place: Place }> {
  return allPlaces(world).flatMap((place) => discsAt(world, place).map((disc) => ({ disc, place })));
}

/** Actual counts, left-most bin first (PTRobot dwNumDiscsInBins order). */
export function binCountsLeftToRight(world: World): number[] {
  return world.bins.map((_, i) => countAt(world, { kind: 'bin', bin: i + 1 })).reverse();
}

export interface Accounting {
  /** Every disc in the unit or taken out by the operator, blanks included. */
  total: number;
  /** What the operator brought in less what they took back as blanks: must equal total. */
  expected: number;
  blanksInBins: number;
  /** Numbered discs by where they are: output (output bins and front tray), reject, input bins,… */
  output: string[];
  reject: string[];
  input: string[];
  drives: string[];
  printer: string[];
  picker: string[];
  chassis: string[];
  collected: string[];
  discs: Array<{ id: string; place: string; state: DiscState; printed: boolean; file: string | null }>;
}

/** Lists every disc and where it is, so that tests can check none is lost or counted twice. */
export function accountDiscs(world: World, model: ModelParams): Accounting {
  const acc: Accounting = {
    total: 0, expected: world.ledger.loaded - world.ledger.unloaded, blanksInBins: 0,
    output: [], reject: [], input: [], drives: [], printer: [], picker: [], chassis: [], collected: [], discs: [],
  };
  world.bins.forEach((bin) => (acc.blanksInBins += bin.blanks));
  for (const { disc, place } of allDiscs(world)) {
    acc.discs.push({ id: disc.id, place: placeName(place), state: disc.state, printed: disc.printed, file: disc.file });
    const group: keyof Pick<Accounting, 'output' | 'reject' | 'input' | 'drives' | 'printer' | 'picker' | 'chassis' | 'collected'> =
      place.kind === 'bin' ? (place.bin === model.bins.input ? 'input' : 'output')
        : place.kind === 'drive' ? 'drives'
          : place.kind;
    acc[group].push(disc.id);
  }
  acc.total = acc.blanksInBins + acc.discs.length;
  return acc;
}
