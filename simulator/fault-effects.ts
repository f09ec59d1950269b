// What a robot-level fault does when it fires in a step: the physical consequence in the world
// (a disc dropped into the chassis, an extra disc at the target, ink run low, the cover open…)
// and the robot error it raises, whose `fixed` check is the operator's remedy.

import type { FaultDef } from './faults.ts';
import { slotsOf } from './ink.ts';
import type { OpState, Step, StepEnv } from './operations.ts';
import { pickUp } from './operations.ts';
import {
  binSensorError, buttonError, coverError, discOutOfPlaceError, multipleError, offlineError, printerError, type RobotError,
} from './robot-error.ts';
import { moveDisc, newDisc, put, type Disc, type Place, type World } from './world.ts';
import type { ModelParams } from './models.ts';

/** What the device lends an effect that reaches beyond the world. */
export interface EffectHooks {
  coverOpened(): void;
  goOffline(): void;
  powerFail(): void;
}

export type FaultOutcome = { error: RobotError } | { powerFailed: true };

/** A blank from `prefer` (a bin) or the model's input bin or any bin, numbered; null when there is none. */
function takeExtraBlank(world: World, model: ModelParams, prefer?: Place): Disc | null {
  const order = [prefer?.kind === 'bin' ? prefer.bin : undefined, model.bins.input, ...world.bins.map((_, i) => i + 1)];
  for (const bin of order) {
    const state = bin === undefined ? undefined : world.bins[bin - 1];
    if (state && state.blanks > 0) {
      state.blanks--;
      return newDisc(world, state.media, 'bin');
    }
  }
  return null;
}

function isDisc(value: Disc | RobotError): value is Disc {
  return !('syserr' in value);
}

/** Fires a robot-level fault in `step` (or, with no step, while idle or between steps). */
export function fireRobotFault(env: StepEnv, hooks: EffectHooks, def: FaultDef, step: Step | null, op: OpState | null): FaultOutcome {
  const { world, model } = env;
  const syserr = def.syserr!;
  const cause = def.id;
  const source = step?.context.source;
  const target = step?.context.target;
  const effect = def.effect;
  switch (effect.kind) {
    case 'input-empty': {
      const bin = source?.kind === 'bin' ? source.bin : model.bins.input;
      return { error: binSensorError(bin, cause) };
    }
    case 'extra-in-picker': {
      if (!step || !op || !source) return { error: buttonError(syserr, cause) };
      const natural = step.run(op);
      if (natural) return { error: natural };
      const extra = takeExtraBlank(world, model, source);
      if (extra) put(world, extra, { kind: 'picker' });
      return { error: multipleError({ kind: 'picker' }, cause) };
    }
    case 'extra-at-target': {
      if (!step || !op || !target) return { error: buttonError(syserr, cause) };
      const extra = takeExtraBlank(world, model, source);
      if (extra) put(world, extra, target);
      // The step itself finds the target taken: that multiple-disc error is this fault's (its cause
      // names the fault, so the operator knows to remove the extra disc).
      const natural = step.run(op);
      if (natural) return { error: natural.syserr === syserr ? { ...natural, cause } : natural };
      return { error: { ...multipleError(target, cause), syserr } };
    }
    case 'extra-in-bin': {
      const bin = effect.side === 'right' ? 1 : model.bins.count;
      const place: Place = { kind: 'bin', bin };
      const extra = takeExtraBlank(world, model, place);
      if (!extra) return { error: buttonError(syserr, cause) };
      put(world, extra, place);
      return { error: discOutOfPlaceError(syserr, cause, extra.id, place) };
    }
    case 'drop':
    case 'drop-fatal': {
      if (!op || !source) return { error: buttonError(syserr, cause) };
      const disc = pickUp(env, source, op);
      if (!isDisc(disc)) return { error: disc };
      moveDisc(world, disc.id, { kind: 'chassis' });
      const error = discOutOfPlaceError(syserr, cause, disc.id, { kind: 'chassis' });
      if (effect.kind === 'drop') return { error };
      return { error: { ...error, failsOp: true, fixed: (check) => error.fixed(check) && check.resetPrinter } };
    }
    case 'printer-slip': {
      const disc = world.printer.discs[world.printer.discs.length - 1];
      if (disc) moveDisc(world, disc.id, { kind: 'chassis' });
      return { error: { syserr, cause, fixed: ({ world: w }) => w.printer.discs.length > 0 } };
    }
    case 'already-printed': {
      const disc = world.printer.discs[world.printer.discs.length - 1];
      if (disc) disc.printed = true;
      return { error: buttonError(syserr, cause) };
    }
    case 'cover-open':
      hooks.coverOpened();
      return { error: coverError(cause) };
    case 'ink': {
      for (const slot of slotsOf(model, effect.group)) {
        const cartridge = world.cartridges[slot];
        if (cartridge) cartridge.pct = effect.level === 'empty' ? 0 : Math.min(cartridge.pct, model.printer.lowInkPct - 2);
      }
      if (effect.level === 'low') world.inkLowAcknowledged = false;
      return { error: printerError(syserr, cause, model) };
    }
    case 'cartridge': {
      const carts = world.cartridges;
      const black = slotsOf(model, 'black')[0];
      const colour = slotsOf(model, 'colour')[0];
      const set = (slot: number | undefined, content: World['cartridges'][number]['content']) => {
        if (slot !== undefined && carts[slot]) carts[slot]!.content = content;
      };
      switch (effect.change) {
        case 'invalid': for (const slot of effect.group === 'both' ? slotsOf(model, 'both') : [effect.group === 'black' ? black : colour]) set(slot, 'invalid'); break;
        case 'missing': for (const slot of slotsOf(model, 'both')) set(slot, 'none'); break;
        case 'black-in-colour': set(colour, 'black'); break;
        case 'colour-in-black': set(black, 'colour'); break;
        case 'swapped': set(colour, 'black'); set(black, 'colour'); break;
        case 'pigment': set(black, 'pigment'); break;
      }
      return { error: printerError(syserr, cause, model) };
    }
    case 'align-needed':
    case 'align-failed':
      world.printer.needsAlign = true;
      return { error: printerError(syserr, cause, model) };
    case 'purge':
      world.printer.needsPurge = true;
      return { error: printerError(syserr, cause, model) };
    case 'offline':
      hooks.goOffline();
      return { error: offlineError(cause) };
    case 'power-cycle':
      hooks.powerFail();
      return { powerFailed: true };
    default:
      return { error: buttonError(syserr, cause) };
  }
}
