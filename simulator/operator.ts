// The operator's hands on the simulated unit: refill or empty a bin, place a disc (the dropped one,
// or a new one), remove a disc (the extra one), change ink or a cartridge. The cover, the button
// and the power switch go through the robot (they change its state). Each action returns an
// argument name when it cannot be done, for the SIM_ verb's ERR 603.

import { isSlotContent } from './ink.ts';
import type { SimClock } from './clock.ts';
import { isMediaName, mediaSpec, type MediaName } from './media.ts';
import type { ModelParams } from './models.ts';
import type { Robot } from './robot.ts';
import { discsAt, moveDisc, newDisc, put, takeTop, type Disc, type Place, type SlotContent, type World } from './world.ts';

export interface OperatorContext {
  world: World;
  model: ModelParams;
  robot: Robot;
  clock: SimClock;
  commit(): void;
}

export type OperatorResult = { ok: true; disc?: string } | { ok: false; arg: string };

/** SIM_BIN: the bin then holds `count` blanks; finished discs that were in it are taken out (collected). */
export function fillBin(ctx: OperatorContext, bin: number, count: number, media?: string): OperatorResult {
  const { world, model } = ctx;
  if (!Number.isInteger(bin) || bin < 1 || bin > model.bins.count) return { ok: false, arg: 'bin' };
  if (!Number.isInteger(count) || count < 0 || count > model.bins.maxPerBin) return { ok: false, arg: 'count' };
  if (media !== undefined && !isMediaName(media)) return { ok: false, arg: 'media' };
  const state = world.bins[bin - 1]!;
  for (const disc of state.discs.splice(0)) put(world, disc, { kind: 'collected' });
  world.ledger.unloaded += state.blanks;
  world.ledger.loaded += count;
  state.blanks = count;
  if (media !== undefined) state.media = media as MediaName;
  ctx.robot.operatorDid(`bin:${bin}`);
  ctx.commit();
  ctx.robot.reportBins();
  return { ok: true };
}

/** SIM_PLACE: puts the last dropped disc (or, when none lies in the chassis, a new one) at a place. */
export function placeDisc(ctx: OperatorContext, place: Place, media?: string): OperatorResult {
  const { world, model } = ctx;
  if (place.kind === 'chassis' || place.kind === 'collected') return { ok: false, arg: 'loc' };
  if (media !== undefined && !isMediaName(media)) return { ok: false, arg: 'media' };
  let disc: Disc | null = world.chassis.pop() ?? null;
  if (!disc) {
    disc = newDisc(world, (media as MediaName | undefined) ?? model.drives.media[0]!, 'operator');
    world.ledger.loaded++;
  }
  put(world, disc, place);
  // Placed by hand into an open tray: it spins up as if loaded by the robot.
  if (place.kind === 'drive') world.drives[place.drive]!.readyAt = ctx.clock.simNowMs() + mediaSpec(disc.media).readyS * 1000;
  ctx.commit();
  ctx.robot.reportBins();
  return { ok: true, disc: disc.id };
}

/**
 * SIM_REMOVE: takes a disc away from a place and sets it down at `to` (default the reject bin).
 * Where two lie, the operator takes the extra one, not the one the operation in hand carries.
 */
export function removeDisc(ctx: OperatorContext, place: Place, to: Place, discId?: string): OperatorResult {
  const { world } = ctx;
  const discs = discsAt(world, place);
  let id = discId;
  if (id === undefined) {
    const carried = ctx.robot.carriedDisc;
    const extra = [...discs].reverse().find((d) => d.id !== carried);
    id = extra?.id ?? discs[discs.length - 1]?.id;
  }
  if (id === undefined) {
    // A bin with only blanks: the operator takes a blank out (it gets its number now).
    const blank = place.kind === 'bin' ? takeTop(world, place) : null;
    if (!blank) return { ok: false, arg: 'loc' };
    put(world, blank, to);
    id = blank.id;
  } else if (!discs.some((d) => d.id === id) || !moveDisc(world, id, to)) {
    return { ok: false, arg: 'disc' };
  }
  ctx.commit();
  ctx.robot.reportBins();
  return { ok: true, disc: id };
}

/** SIM_INK: sets a slot's ink level (slots from 1, left to right). */
export function setInk(ctx: OperatorContext, slot: number, pct: number): OperatorResult {
  const cartridge = ctx.world.cartridges[slot - 1];
  if (!cartridge) return { ok: false, arg: 'slot' };
  if (!Number.isFinite(pct) || pct < 0 || pct > 100) return { ok: false, arg: 'pct' };
  cartridge.pct = pct;
  ctx.world.inkLowAcknowledged = false;
  ctx.commit();
  return { ok: true };
}

/** SIM_CART: a new cartridge (full) or none, or an invalid one, in a slot. */
export function setCartridge(ctx: OperatorContext, slot: number, content: string): OperatorResult {
  const cartridge = ctx.world.cartridges[slot - 1];
  if (!cartridge) return { ok: false, arg: 'slot' };
  if (!isSlotContent(content)) return { ok: false, arg: 'type' };
  cartridge.content = content as SlotContent;
  cartridge.pct = content === 'none' ? 0 : 100;
  ctx.world.inkLowAcknowledged = false;
  ctx.commit();
  return { ok: true };
}

