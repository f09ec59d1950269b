// A robot error that pauses the operation in hand (STATE state=2): its SYSERR, and how the device
// knows its cause is gone. Operator actions that fix a cause without changing anything the world
// can show (refilling a bin the sensor misread) satisfy the error's `awaits` token.

import { cartridgeProblem, cartridgesMatch, inkProblem, slotsOf } from './ink.ts';
import type { ModelParams } from './models.ts';
import { countAt, discsAt, type Place, type World } from './world.ts';

export interface FixCheck {
  world: World;
  /** KILL_ERROR resetPrinter=1, or the power button. */
  resetPrinter: boolean;
  /** The robot's USB link to its printer is up (not `offline`). */
  online: boolean;
}

export interface RobotError {
  syserr: number;
  /** The fault id, or `natural` when the world itself caused it. */
  cause: string;
  fixed(check: FixCheck): boolean;
  /** Clears without a button once fixed (cover closed, back on line). */
  clearsItself?: boolean;
  /** The system action that fixes it, run inside the paused operation. */
  maintenance?: 'ALIGNPRINTER' | 'CLEANCARTRIDGES';
  /** Once fixed the device gives the operation up (OPDONE result=FAILED). */
  failsOp?: boolean;
  /** An operator action token (e.g. `bin:1`) that must happen before it is fixed. */
  awaits?: string;
  satisfied?: boolean;
}

export function buttonError(syserr: number, cause: string): RobotError {
  return { syserr, cause, fixed: () => true };
}

/** The source of a pick held nothing: INPUT_EMPTY from a bin, NO_DISC_IN_PRINTER, PICK from a drive. */
export function emptySourceError(source: Place, cause = 'natural'): RobotError {
  const syserr = source.kind === 'bin' ? 3 : source.kind === 'printer' ? 53 : 8;
  return { syserr, cause, fixed: ({ world }) => countAt(world, source) > 0 };
}

/** Injected INPUT_EMPTY: the bin sensor misread; the operator must attend the bin (SIM_BIN). */
export function binSensorError(bin: number, cause: string): RobotError {
  const error: RobotError = {
    syserr: 3, cause, awaits: `bin:${bin}`,
    fixed: ({ world }) => error.satisfied === true && countAt(world, { kind: 'bin', bin }) > 0,
  };
  return error;
}

/** Two discs where one belongs (drive 19, printer 18, picker 17). */
export function multipleError(place: Place, cause = 'natural'): RobotError {
  const syserr = place.kind === 'drive' ? 19 : place.kind === 'printer' ? 18 : 17;
  return { syserr, cause, fixed: ({ world }) => discsAt(world, place).length <= 1 };
}

/** A disc lies somewhere it must not (dropped into the chassis, an extra on a bin). */
export function discOutOfPlaceError(syserr: number, cause: string, discId: string, wrongPlace: Place): RobotError {
  return { syserr, cause, fixed: ({ world }) => !discsAt(world, wrongPlace).some((d) => d.id === discId) };
}

export function coverError(cause: string): RobotError {
  return { syserr: 15, cause, clearsItself: true, fixed: ({ world }) => !world.cover.open };
}

export function offlineError(cause: string): RobotError {
  return { syserr: 14, cause, clearsItself: true, fixed: ({ online }) => online };
}

/** A printer consumable error (cartridges, ink, alignment, purge) whose fix the world shows. */
export function printerError(syserr: number, cause: string, model: ModelParams): RobotError {
  if (syserr === 2 || (syserr >= 37 && syserr <= 44)) return { syserr, cause, fixed: ({ world }) => cartridgesMatch(world, model) };
  if (syserr >= 49 && syserr <= 51) {
    const group = syserr === 49 ? 'colour' : syserr === 50 ? 'black' : 'both';
    return { syserr, cause, fixed: ({ world }) => slotsOf(model, group).every((slot) => (world.cartridges[slot]?.pct ?? 0) >= 0.5) };
  }
  if (syserr >= 5 && syserr <= 7) return { syserr, cause, fixed: ({ world }) => inkProblem(world, model) === null || world.inkLowAcknowledged };
  if (syserr === 36 || syserr === 45) return { syserr, cause, maintenance: 'ALIGNPRINTER', fixed: ({ world }) => !world.printer.needsAlign };
  if (syserr === 55) return { syserr, cause, maintenance: 'CLEANCARTRIDGES', fixed: ({ world }) => !world.printer.needsPurge };
  return buttonError(syserr, cause);
}

/** What stops a print now (cartridges, then ink, then alignment and purge), or null. */
export function printerProblem(world: World, model: ModelParams): RobotError | null {
  const syserr = cartridgeProblem(world, model) ?? inkProblem(world, model) ?? (world.printer.needsAlign ? 36 : world.printer.needsPurge ? 55 : null);
  return syserr === null ? null : printerError(syserr, 'natural', model);
}
