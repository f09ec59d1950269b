// The printer's consumables: which slots hold which cartridge, ink levels, and the SYSERR a print
// meets when they are wrong (cartridge 2, 37–44; ink empty 49–51; ink low 5–7, which the host may
// acknowledge with IGNOREINKLOW). Slots count from 0 here, from 1 on the wire (SIM_INK, SIM_CART).

import { CARTRIDGE_CODES, type ModelParams } from './models.ts';
import type { InkGroup } from './faults.ts';
import type { SlotContent, World } from './world.ts';

const COLOURS = new Set(['colour', 'cyan', 'magenta', 'yellow']);

/** Slots of a group: colour (colour cartridge or C/M/Y tanks), black, or both (all). */
export function slotsOf(model: ModelParams, group: InkGroup): number[] {
  return model.printer.cartridges
    .map((kind, slot) => ({ kind, slot }))
    .filter(({ kind }) => group === 'both' || (group === 'colour' ? COLOURS.has(kind) : kind === 'black'))
    .map(({ slot }) => slot);
}

export function cartridgesMatch(world: World, model: ModelParams): boolean {
  return model.printer.cartridges.every((kind, slot) => world.cartridges[slot]?.content === kind);
}

function groupOf(model: ModelParams, slot: number): 'colour' | 'black' {
  return model.printer.cartridges[slot] === 'black' ? 'black' : 'colour';
}

/** Three-way SYSERR by which groups are affected: colour only, black only, both. */
function byGroup(colour: boolean, black: boolean, codes: [number, number, number]): number | null {
  if (colour && black) return codes[2];
  if (colour) return codes[0];
  if (black) return codes[1];
  return null;
}

/** What is wrong with the installed cartridges, as a SYSERR, or null. */
export function cartridgeProblem(world: World, model: ModelParams): number | null {
  if (cartridgesMatch(world, model)) return null;
  const slots = world.cartridges;
  if (slots.every((c) => c.content === 'none')) return 40;
  const invalid = (group: 'colour' | 'black') => slots.some((c, i) => c.content === 'invalid' && groupOf(model, i) === group);
  const invalidCode = byGroup(invalid('colour'), invalid('black'), [37, 38, 39]);
  if (invalidCode !== null) return invalidCode;
  if (!model.printer.pigmentAllowed && slots.some((c) => c.content === 'pigment')) return 44;
  const blackInColour = slots.some((c, i) => c.content === 'black' && groupOf(model, i) === 'colour');
  const colourInBlack = slots.some((c, i) => COLOURS.has(c.content) && groupOf(model, i) === 'black');
  if (blackInColour && colourInBlack) return 43;
  if (blackInColour) return 41;
  if (colourInBlack) return 42;
  return 2;
}

/** Ink that stops a print: empty (49–51), or low and not acknowledged (5–7). */
export function inkProblem(world: World, model: ModelParams): number | null {
  const below = (group: 'colour' | 'black', limit: number) => slotsOf(model, group).some((slot) => (world.cartridges[slot]?.pct ?? 0) < limit);
  const empty = byGroup(below('colour', 0.5), below('black', 0.5), [49, 50, 51]);
  if (empty !== null) return empty;
  if (world.inkLowAcknowledged) return null;
  return byGroup(below('colour', model.printer.lowInkPct), below('black', model.printer.lowInkPct), [5, 6, 7]);
}

/** One label's worth of ink from every cartridge. */
export function consumeInk(world: World, model: ModelParams): void {
  for (const cartridge of world.cartridges) cartridge.pct = Math.max(0, cartridge.pct - model.printer.inkPerPrintPct);
}

/** GET_STATUS `carts=`: PTRobot cartridge codes left to right (0: none or not readable). */
export function cartridgeCodes(world: World): string {
  return world.cartridges.map((c) => (c.content in CARTRIDGE_CODES ? CARTRIDGE_CODES[c.content as keyof typeof CARTRIDGE_CODES] : c.content === 'pigment' ? CARTRIDGE_CODES.black : 0)).join(',');
}

export function inkLevels(world: World): string {
  return world.cartridges.map((c) => Math.round(c.pct)).join(',');
}

export function isSlotContent(text: string): text is SlotContent {
  return ['colour', 'black', 'yellow', 'cyan', 'magenta', 'none', 'invalid', 'pigment'].includes(text);
}
