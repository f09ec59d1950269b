// Turns a fault's remedy lines (faults.ts) into the DPRP requests an operator script sends, with
// the placeholders filled from the scenario: which drive, bin and target were involved. The fault
// table tests run exactly these, so the catalogue's remedies are checked, not just written down.

import { getFault } from './faults.ts';
import { slotsOf } from './ink.ts';
import type { ModelParams } from './models.ts';

export interface RemedyContext {
  /** The drive the operation used (default 0). */
  drive?: number;
  /** The bin the operation picked from (default the model's input bin). */
  bin?: number;
  /** Where the disc was going: a PTRobot location (1, 2, 100, 200) or drive:<i>. */
  target?: string;
  /** Blanks to load when refilling (default 10). */
  blanks?: number;
}

export interface RemedyRequest {
  verb: string;
  args: Record<string, string>;
}

export function remedyRequests(faultId: string, model: ModelParams, ctx: RemedyContext = {}): RemedyRequest[] {
  const def = getFault(faultId);
  if (!def) throw new Error(`no fault "${faultId}"`);
  const group = def.effect.kind === 'ink' || def.effect.kind === 'cartridge' ? def.effect.group : 'both';
  const drive = ctx.drive ?? 0;
  const fill = (line: string) => line
    .replaceAll('<i>', String(drive))
    .replaceAll('<bin>', String(ctx.bin ?? model.bins.input))
    .replaceAll('<n>', String(ctx.blanks ?? 10))
    .replaceAll('<target>', ctx.target ?? `drive:${drive}`)
    .replaceAll('<left>', String(model.bins.count));
  const lines = def.remedy.flatMap((line) => line.includes('<slot>')
    ? slotsOf(model, group).map((slot) => fill(line.replaceAll('<slot>', String(slot + 1)).replaceAll('<kind>', model.printer.cartridges[slot]!)))
    : [fill(line)]);
  return lines.map((line) => {
    const [verb = '', ...pairs] = line.split(' ');
    return { verb, args: Object.fromEntries(pairs.map((pair) => pair.split('=') as [string, string])) };
  });
}
