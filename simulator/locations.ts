// PTRobot location numbers (0 auto, 1..N bins with 1 = right-most, 100 printer, 200 reject slide)
// and the simulator's own operator locations (drive:<i>, picker, chassis, output) turned into
// world places; and the folder a delivered disc's file lives in. One module for the numbering, as
// primera-robot.md §3.6 asks.

import { LOCATION } from '../src/robot/codes.ts';
import type { ModelParams } from './models.ts';
import type { Place } from './world.ts';

export type Resolved = { ok: true; place: Place } | { ok: false };

function parseNumber(text: string | undefined): number | null {
  return text !== undefined && /^\d{1,5}$/.test(text) ? Number(text) : null;
}

/** Where `from=` takes a disc: 0 is the model's input bin (kiosk off), then bins and the printer. */
export function resolveSource(text: string | undefined, model: ModelParams): Resolved {
  const n = parseNumber(text);
  if (n === LOCATION.auto) return { ok: true, place: { kind: 'bin', bin: model.bins.input } };
  if (n !== null && n >= 1 && n <= model.bins.count) return { ok: true, place: { kind: 'bin', bin: n } };
  if (n === LOCATION.printer && model.printer.present) return { ok: true, place: { kind: 'printer' } };
  return { ok: false };
}

/** Where `to=` delivers: 0 is the model's output (left bin, or the front tray), bins, printer, reject. */
export function resolveDestination(text: string | undefined, model: ModelParams): Resolved {
  const n = parseNumber(text);
  if (n === LOCATION.auto) {
    const output = model.bins.output;
    return { ok: true, place: output === 'front' ? { kind: 'output' } : { kind: 'bin', bin: output } };
  }
  if (n !== null && n >= 1 && n <= model.bins.count) return { ok: true, place: { kind: 'bin', bin: n } };
  if (n === LOCATION.printer && model.printer.present) return { ok: true, place: { kind: 'printer' } };
  if (n === LOCATION.reject) return { ok: true, place: { kind: 'reject' } };
  return { ok: false };
}

/** The operator's `loc=`: a PTRobot number, or drive:<i>, picker, chassis, output. */
export function resolveOperatorPlace(text: string | undefined, model: ModelParams): Resolved {
  if (text === undefined) return { ok: false };
  const drive = /^drive:(\d+)$/.exec(text);
  if (drive) {
    const index = Number(drive[1]);
    return index < model.drives.count ? { ok: true, place: { kind: 'drive', drive: index } } : { ok: false };
  }
  if (text === 'picker' || text === 'chassis' || text === 'output') return { ok: true, place: { kind: text } };
  const n = parseNumber(text);
  if (n === LOCATION.auto) return { ok: false };
  return resolveDestination(text, model);
}

/** Folder (under <data>/sim) of a disc's file: delivered discs by location, the others together. */
export function folderFor(place: Place): string {
  switch (place.kind) {
    case 'bin': return `bins/bin${place.bin}`;
    case 'reject': return 'bins/reject';
    case 'output': return 'bins/output';
    case 'collected': return 'bins/collected';
    default: return 'discs';
  }
}
