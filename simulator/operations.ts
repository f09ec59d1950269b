// The robotic operations as lists of steps, one per phase the device reports. A step knows its
// duration, where its disc comes from and goes (for fault matching), whether its goal is already
// reached (after an operator remedy: a dropped disc placed in the drive by hand), and what the
// motion does to the world, or the robot error that stops it.

import type { StepContext } from './faults.ts';
import { consumeInk } from './ink.ts';
import { mediaSpec } from './media.ts';
import type { ModelParams } from './models.ts';
import type { SimClock } from './clock.ts';
import { emptySourceError, multipleError, printerProblem, type RobotError } from './robot-error.ts';
import { discsAt, findDisc, isAt, moveDisc, put, takeTop, type Disc, type Place, type World } from './world.ts';

/** What an operation remembers across its steps and across a pause. */
export interface OpState {
  id: number;
  verb: string;
  /** The disc this operation carries, once picked. */
  discId: string | null;
  printed: boolean;
}

export interface Step {
  phase: string;
  seconds: number;
  context: StepContext;
  done?(op: OpState): boolean;
  run(op: OpState): RobotError | null;
}

export interface StepEnv {
  world: World;
  model: ModelParams;
  clock: SimClock;
}

const PICKER: Place = { kind: 'picker' };

/**
 * Makes sure the operation's disc is in the picker: picks it from `source` the first time, or again
 * if it is back there. Returns the disc, or the error that stops the pick.
 */
export function pickUp(env: StepEnv, source: Place, op: OpState): Disc | RobotError {
  const { world } = env;
  if (op.discId === null) {
    // A disc still in the picker (left by a power failure's homing or an odd remedy) is the one carried.
    const disc = world.picker.length > 0 ? world.picker[world.picker.length - 1]! : takeTop(world, source);
    if (!disc) return emptySourceError(source);
    if (!world.picker.includes(disc)) {
      put(world, disc, PICKER);
      world.counters.picks++;
    }
    op.discId = disc.id;
    return disc;
  }
  if (!isAt(world, op.discId, PICKER)) {
    if (!isAt(world, op.discId, source)) return lostDisc(op.discId);
    moveDisc(world, op.discId, PICKER);
    world.counters.picks++;
  }
  return findDisc(world, op.discId)!;
}

/** The carried disc is neither in the picker nor where it came from: DROPPED_DISC_UNKNOWN until found. */
function lostDisc(discId: string): RobotError {
  return { syserr: 35, cause: 'natural', fixed: ({ world }) => findDisc(world, discId) !== null && !world.chassis.some((d) => d.id === discId) };
}

function isError(value: Disc | RobotError): value is RobotError {
  return 'syserr' in value;
}

/** One motion: take the operation's disc from `source` (if not yet in hand) and put it at `target`. */
function carry(env: StepEnv, phase: string, seconds: number, source: Place, target: Place, arrive?: (disc: Disc) => void): Step {
  const context: StepContext = { phase, source, target, ...(target.kind === 'drive' ? { drive: target.drive } : source.kind === 'drive' ? { drive: source.drive } : {}) };
  return {
    phase, seconds, context,
    done: (op) => op.discId !== null && isAt(env.world, op.discId, target),
    run(op) {
      const disc = pickUp(env, source, op);
      if (isError(disc)) return disc;
      if (target.kind === 'picker') return null;
      const occupied = (target.kind === 'drive' || target.kind === 'printer') && discsAt(env.world, target).length > 0;
      moveDisc(env.world, disc.id, target);
      arrive?.(disc);
      return occupied ? multipleError(target) : null;
    },
  };
}

function onDriveTray(env: StepEnv, drive: number): (disc: Disc) => void {
  return (disc) => {
    env.world.drives[drive]!.readyAt = env.clock.simNowMs() + mediaSpec(disc.media).readyS * 1000;
  };
}

function clearDrive(env: StepEnv, drive: number): Step {
  const place: Place = { kind: 'drive', drive };
  const reject: Place = { kind: 'reject' };
  return {
    phase: 'CLEARING_DRIVE', seconds: env.model.timings.unloadDriveS, context: { phase: 'CLEARING_DRIVE', source: place, target: reject, drive },
    done: () => discsAt(env.world, place).length === 0,
    run() {
      for (const disc of [...discsAt(env.world, place)]) moveDisc(env.world, disc.id, reject);
      return null;
    },
  };
}

export function loadDrive(env: StepEnv, drive: number, source: Place, clear: boolean): Step[] {
  const t = env.model.timings;
  const place: Place = { kind: 'drive', drive };
  const holdsDisc = discsAt(env.world, place).length > 0;
  return [
    ...(clear && holdsDisc ? [clearDrive(env, drive)] : []),
    carry(env, 'PICKING', t.pickS + (clear && !holdsDisc ? t.clearProbeS : 0), source, PICKER),
    carry(env, 'LOADING_DRIVE', t.loadDriveS, source, place, onDriveTray(env, drive)),
  ];
}

export function loadPrinter(env: StepEnv, source: Place): Step[] {
  const t = env.model.timings;
  return [
    carry(env, 'PICKING', t.pickS, source, PICKER),
    carry(env, 'LOADING_PRINTER', t.loadPrinterS, source, { kind: 'printer' }),
  ];
}

export function loadPrinterFromDrive(env: StepEnv, drive: number): Step[] {
  return [carry(env, 'LOADING_PRINTER', env.model.timings.driveToPrinterS, { kind: 'drive', drive }, { kind: 'printer' })];
}

export function unloadDrive(env: StepEnv, drive: number, target: Place): Step[] {
  return [carry(env, 'UNLOADING_DRIVE', env.model.timings.unloadDriveS, { kind: 'drive', drive }, target)];
}

export function unloadPrinter(env: StepEnv, target: Place): Step[] {
  return [carry(env, 'UNLOADING_PRINTER', env.model.timings.unloadPrinterS, { kind: 'printer' }, target)];
}

export function move(env: StepEnv, source: Place, target: Place): Step[] {
  const t = env.model.timings;
  const arrive = target.kind === 'drive' ? onDriveTray(env, target.drive) : undefined;
  return [carry(env, 'PICKING', t.pickS, source, PICKER), carry(env, 'MOVING', t.moveS, source, target, arrive)];
}

export function print(env: StepEnv): Step[] {
  const { world, model } = env;
  const printer: Place = { kind: 'printer' };
  return [{
    phase: 'PRINTING', seconds: model.timings.printS, context: { phase: 'PRINTING', source: printer, target: printer },
    done: (op) => op.printed,
    run(op) {
      const disc = world.printer.discs[world.printer.discs.length - 1];
      if (!disc) return emptySourceError(printer);
      const problem = printerProblem(world, model);
      if (problem) return problem;
      disc.printed = true;
      world.counters.prints++;
      consumeInk(world, model);
      op.printed = true;
      return null;
    },
  }];
}

/** A step with no disc: the phase, its time, and what it changes. */
function still(phase: string, seconds: number, effect: () => void = () => {}): Step {
  return { phase, seconds, context: { phase }, run: () => (effect(), null) };
}

/** Robotic system actions (docs/robot-protocol.md §5) and power-on homing. */
export function systemAction(env: StepEnv, action: string): Step[] | null {
  const { world, model } = env;
  const t = model.timings;
  switch (action) {
    case 'ALIGNPRINTER': return [still('ALIGNING', t.alignS, () => (world.printer.needsAlign = false))];
    case 'CHECKDISCS': return [still('CHECKING_BINS', t.checkDiscsPerBinS * model.bins.count, () => {
      world.binsKnown = true;
      world.cover.openedFlag = false;
    })];
    case 'CLEANCARTRIDGES': return [still('CLEANING', t.cleanS, () => (world.printer.needsPurge = false))];
    case 'IDENTIFY': return [still('IDENTIFYING', t.identifyS)];
    case 'CHANGE_CARTRIDGE': return [still('CARTRIDGE_CHANGE', t.cartridgeChangeS)];
    case 'RESETSYSTEM': return [initialise(env)];
    default: return null;
  }
}

/** Homing after power-on or RESETSYSTEM: a disc left in the picker is released onto the reject slide; bin counts are unknown. */
export function initialise(env: StepEnv): Step {
  const { world } = env;
  return still('INITIALIZING', env.model.timings.initS, () => {
    for (const disc of [...world.picker]) moveDisc(world, disc.id, { kind: 'reject' });
    world.printer.trayOut = false;
    world.binsKnown = false;
  });
}

/** CANCEL: the disc in hand goes to the reject slide. */
export function cancelling(env: StepEnv): Step {
  const { world } = env;
  return still('CANCELLING', env.model.timings.cancelS, () => {
    for (const disc of [...world.picker]) moveDisc(world, disc.id, { kind: 'reject' });
  });
}
