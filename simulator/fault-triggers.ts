// When an armed fault fires: `now`, `next:<PHASE>`, `nth:<k>:<PHASE>` (the k-th entry into that
// phase after arming) or `prob:<p>:<PHASE>` (each entry with probability p, seeded), `count`
// times (0: without end). An entry counts only for faults whose phase list holds the phase and
// whose context matches (dropped-bin2 counts deliveries to bin 2 only). A resumed phase after an
// error is not a new entry.

import { getFault, type FaultDef, type FaultLevel, type StepContext } from './faults.ts';
import type { Rng } from './rng.ts';

export type Trigger = { kind: 'now' } | { kind: 'nth'; k: number; phase: string } | { kind: 'prob'; p: number; phase: string };

export interface ArmedFault {
  def: FaultDef;
  trigger: Trigger;
  /** Fires left; Infinity for count=0. */
  remaining: number;
  /** Matching phase entries seen since arming. */
  seen: number;
  /** write-error: the percentage where the write stops. */
  atPct: number;
}

export type ArmResult = { ok: true; armed: ArmedFault } | { ok: false; arg: 'code' | 'trigger' | 'count' | 'at'; detail: string };

export function parseTrigger(text: string): Trigger | null {
  if (text === 'now') return { kind: 'now' };
  let m = /^next:([A-Z_]+)$/.exec(text);
  if (m) return { kind: 'nth', k: 1, phase: m[1]! };
  m = /^nth:(\d+):([A-Z_]+)$/.exec(text);
  if (m && Number(m[1]) >= 1) return { kind: 'nth', k: Number(m[1]), phase: m[2]! };
  m = /^prob:((?:0|1)(?:\.\d+)?|\.\d+):([A-Z_]+)$/.exec(text);
  if (m && Number(m[1]) <= 1) return { kind: 'prob', p: Number(m[1]), phase: m[2]! };
  return null;
}

/** Checks a SIM_FAULT request (code, trigger, count, at) against the catalogue. */
export function prepareFault(args: { code?: string; trigger?: string; count?: string; at?: string }): ArmResult {
  const def = args.code === undefined ? undefined : getFault(args.code);
  if (!def) return { ok: false, arg: 'code', detail: `no fault "${args.code ?? ''}" (discrobot simulate --list-faults)` };
  const trigger = parseTrigger(args.trigger ?? 'now');
  if (!trigger) return { ok: false, arg: 'trigger', detail: `trigger "${args.trigger}" is not now, next:<PHASE>, nth:<k>:<PHASE> or prob:<p>:<PHASE>` };
  if (trigger.kind !== 'now' && !def.phases.includes(trigger.phase)) {
    return { ok: false, arg: 'trigger', detail: `${def.id} fires in ${def.phases.join(', ')}, not ${trigger.phase}` };
  }
  const count = args.count === undefined ? 1 : /^\d{1,6}$/.test(args.count) ? Number(args.count) : NaN;
  if (Number.isNaN(count)) return { ok: false, arg: 'count', detail: `count "${args.count}" is not a whole number` };
  const at = args.at === undefined ? 50 : /^\d{1,2}$/.test(args.at) ? Number(args.at) : NaN;
  if (Number.isNaN(at) || at < 1 || at > 99) return { ok: false, arg: 'at', detail: `at "${args.at}" is not a percentage 1–99` };
  return { ok: true, armed: { def, trigger, remaining: count === 0 ? Infinity : count, seen: 0, atPct: at } };
}

export class ArmedFaults {
  private armed: ArmedFault[] = [];

  constructor(private readonly rng: Rng) {}

  arm(fault: ArmedFault): void {
    this.armed.push(fault);
  }

  clear(): void {
    this.armed = [];
  }

  list(): Array<{ id: string; trigger: Trigger; remaining: number; seen: number }> {
    return this.armed.map((a) => ({ id: a.def.id, trigger: a.trigger, remaining: a.remaining, seen: a.seen }));
  }

  /** A step enters its phase: the first armed fault of these levels that fires, or null. */
  onEnter(step: StepContext, levels: readonly FaultLevel[]): ArmedFault | null {
    let fired: ArmedFault | null = null;
    for (const armed of this.armed) {
      const { def, trigger } = armed;
      // A stored `now` (command, media and recorder faults) takes the next entry into any of its phases.
      const phaseMatches = trigger.kind === 'now' ? def.phases.includes(step.phase) : trigger.phase === step.phase;
      if (!levels.includes(def.level) || !phaseMatches) continue;
      if (def.matches && !def.matches(step)) continue;
      armed.seen++;
      if (fired) continue;
      const fires = trigger.kind === 'now' || (trigger.kind === 'nth' ? armed.seen >= trigger.k : this.rng() < trigger.p);
      if (fires) fired = armed;
    }
    if (fired && --fired.remaining <= 0) this.armed = this.armed.filter((a) => a !== fired);
    return fired;
  }
}
