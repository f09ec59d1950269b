// The robot's behaviour in time: runs one operation at a time step by step (a STATE event per
// phase), lets armed faults fire as phases begin, pauses on a robot error without abandoning the
// operation, resumes when the cause is gone (KILL_ERROR, the button, the cover closing,
// IGNOREINKLOW, a maintenance action), cancels, and goes through power failures. It ends every
// operation with STATE idle, BINS if a count changed, then OPDONE (docs/robot-protocol.md §4).

import type { SimClock } from './clock.ts';
import { fireRobotFault, type EffectHooks } from './fault-effects.ts';
import type { ArmedFaults } from './fault-triggers.ts';
import type { FaultDef, StepContext } from './faults.ts';
import { cancelling, initialise, systemAction, type OpState, type Step, type StepEnv } from './operations.ts';
import { coverError, type RobotError } from './robot-error.ts';
import { binCountsLeftToRight, type Disc, type World } from './world.ts';
import type { ModelParams } from './models.ts';

export type OpResult = 'OK' | 'CANCELLED' | 'FAILED';

interface Operation {
  state: OpState;
  steps: Step[];
  index: number;
  phase: string;
  cancelRequested: boolean;
  ending: OpResult | null;
  wake: (() => void) | null;
}

export interface RobotOutput {
  emit(verb: string, args: Record<string, string>): void;
  /** Saves the world (and moves disc files) after a change. */
  commit(): void;
  linkFault(what: 'noise' | 'corrupt' | 'drop-reply'): void;
}

export interface RobotStatus {
  state: 0 | 1 | 2;
  syserr: number;
  phase: string;
  op: number;
}

const UNKNOWN_COUNT = 255;

export class Robot {
  private errors: RobotError[] = [];
  private op: Operation | null = null;
  /** A motion of the device's own (power-on homing, a maintenance action inside a paused operation). */
  private internal: { phase: string; op: number } | null = null;
  private powered = true;
  private powerLossCount = 0;
  private online = true;
  private lastBins: string;
  private disposed = false;
  private readonly env: StepEnv;

  constructor(
    readonly world: World,
    readonly model: ModelParams,
    private readonly clock: SimClock,
    private readonly faults: ArmedFaults,
    private readonly out: RobotOutput,
  ) {
    this.env = { world, model, clock };
    this.lastBins = this.reportedBins().join(',');
    // A unit that comes up with its cover open (a saved world) is in error at once.
    if (world.cover.open) this.errors.push(coverError('cover'));
  }

  // ---- status ----

  status(): RobotStatus {
    if (!this.powered) return { state: 2, syserr: 14, phase: this.op?.phase ?? 'IDLE', op: this.op?.state.id ?? 0 };
    if (this.internal) return { state: 1, syserr: 0, phase: this.internal.phase, op: this.internal.op };
    const top = this.errors[this.errors.length - 1];
    if (top) return { state: 2, syserr: top.syserr, phase: this.op?.phase ?? 'IDLE', op: this.op?.state.id ?? 0 };
    if (this.op) return { state: 1, syserr: 0, phase: this.op.phase, op: this.op.state.id };
    return { state: 0, syserr: 0, phase: 'IDLE', op: 0 };
  }

  /** Bin counts as reported (left to right; 255 while unknown). */
  reportedBins(): number[] {
    const counts = binCountsLeftToRight(this.world);
    return this.world.binsKnown ? counts : counts.map(() => UNKNOWN_COUNT);
  }

  get pendingOp(): number {
    return this.op?.state.id ?? 0;
  }

  /** The disc the operation in hand carries (an operator removing "the extra disc" leaves it). */
  get carriedDisc(): string | null {
    return this.op?.state.discId ?? null;
  }

  /** The step the operation in hand is in (or paused in): its phase and where its disc comes from and goes. */
  get currentStep(): { op: number; verb: string; context: StepContext } | null {
    const op = this.op;
    const step = op ? op.steps[Math.min(op.index, op.steps.length - 1)] : undefined;
    return op && step ? { op: op.state.id, verb: op.state.verb, context: step.context } : null;
  }

  get errorList(): Array<{ syserr: number; cause: string }> {
    const off = this.powered ? [] : [{ syserr: 14, cause: 'power-off' }];
    return [...off, ...this.errors.map((e) => ({ syserr: e.syserr, cause: e.cause }))];
  }

  /** Times power was lost since this robot was built (the virtual drives share its power). */
  powerLosses(): number {
    return this.powerLossCount;
  }

  isPowered(): boolean {
    return this.powered;
  }

  private emitState(): void {
    const s = this.status();
    this.out.emit('STATE', { state: String(s.state), syserr: String(s.syserr), phase: s.phase, op: String(s.op) });
  }

  /** Sends BINS when the reported counts changed since last sent. */
  reportBins(): void {
    const counts = this.reportedBins().join(',');
    if (counts === this.lastBins) return;
    this.lastBins = counts;
    this.out.emit('BINS', { counts });
  }

  // ---- operations ----

  /** Starts an accepted robotic operation; returns its id. The caller has checked the robot is idle. */
  start(verb: string, steps: Step[]): number {
    const id = ++this.world.counters.op;
    const op: Operation = { state: { id, verb, discId: null, printed: false }, steps, index: 0, phase: steps[0]?.phase ?? 'IDLE', cancelRequested: false, ending: null, wake: null };
    this.op = op;
    this.out.commit();
    // The reply (R OK op=) goes out before the first STATE: start the motions after this turn.
    queueMicrotask(() => void this.run(op));
    return id;
  }

  /** Why a robotic verb cannot start now: busy (528), or in error (528 with the SYSERR). */
  refusal(): { syserr: number | null } | null {
    const s = this.status();
    if (s.state === 2) return { syserr: s.syserr };
    if (s.state === 1) return { syserr: null };
    return null;
  }

  private async run(op: Operation): Promise<void> {
    for (; op.index < op.steps.length && !op.ending; op.index++) {
      const step = op.steps[op.index]!;
      op.phase = step.phase;
      this.emitState();
      let entryFault = this.faultAtEntry(step);
      const mediaFault = step.phase === 'LOADING_DRIVE' ? this.faults.onEnter(step.context, ['media']) : null;
      for (;;) {
        if (op.ending || step.done?.(op.state)) break;
        await this.clock.sleep(this.clock.duration(step.seconds));
        if (this.disposed) return;
        if (op.ending) break;
        if (this.blocked()) {
          await this.waitRunnable(op);
          if (this.disposed) return;
          continue;
        }
        let error: RobotError | null;
        if (entryFault) {
          const outcome = fireRobotFault(this.env, this.hooks, entryFault, step, op.state);
          entryFault = null;
          error = 'error' in outcome ? outcome.error : null;
        } else {
          error = step.run(op.state);
        }
        if (!error && mediaFault && op.state.discId) this.applyMediaFlaw(op.state.discId, mediaFault.def);
        this.out.commit();
        if (!error && !this.blocked()) break;
        if (error) this.raise(error);
        await this.waitRunnable(op);
        if (this.disposed) return;
      }
      if (op.cancelRequested && !op.ending) op.ending = 'CANCELLED';
    }
    await this.finish(op);
  }

  private async finish(op: Operation): Promise<void> {
    if (op.ending === 'CANCELLED') {
      const step = cancelling(this.env);
      op.phase = step.phase;
      this.emitState();
      await this.clock.sleep(this.clock.duration(step.seconds));
      if (this.disposed) return;
      step.run(op.state);
    }
    this.op = null;
    // A cancel cleared every error; an open cover still stands once the motion is over.
    if (this.world.cover.open && this.powered && !this.errors.some((e) => e.syserr === 15)) this.errors.push(coverError('cover'));
    this.out.commit();
    this.emitState();
    this.reportBins();
    this.out.emit('OPDONE', { op: String(op.state.id), result: op.ending ?? 'OK' });
  }

  private faultAtEntry(step: Step): FaultDef | null {
    const armed = this.faults.onEnter(step.context, ['robot', 'link']);
    if (!armed) return null;
    if (armed.def.effect.kind === 'link') {
      this.out.linkFault(armed.def.effect.what);
      return null;
    }
    return armed.def;
  }

  private applyMediaFlaw(discId: string, def: FaultDef): void {
    const disc = this.world.drives.flatMap((d) => d.discs).find((d) => d.id === discId);
    if (!disc || def.effect.kind !== 'media') return;
    const flaw = def.effect.flaw;
    if (flaw === 'not-blank') disc.state = 'written';
    else if (flaw === 'wrong-type') disc.media = otherMedia(disc, this.model);
    else disc.flaw = flaw;
  }

  private readonly hooks: EffectHooks = {
    coverOpened: () => this.coverMoved(true, false),
    goOffline: () => {
      this.online = false;
    },
    powerFail: () => this.powerOff(),
  };

  private blocked(): boolean {
    return !this.powered || this.errors.length > 0 || this.internal !== null;
  }

  private waitRunnable(op: Operation): Promise<void> {
    if (!this.blocked() || op.ending) return Promise.resolve();
    return new Promise((resolve) => (op.wake = resolve));
  }

  private wake(): void {
    const op = this.op;
    if (op?.wake && (!this.blocked() || op.ending)) {
      const wake = op.wake;
      op.wake = null;
      wake();
    }
  }

  private raise(error: RobotError): void {
    this.errors.push(error);
    this.out.commit();
    this.emitState();
  }

  /** After errors were removed: still in error (STATE 2 again), or go on (STATE 1), or idle. */
  private afterErrorsChanged(failOp: boolean): void {
    if (this.errors.length > 0) {
      this.emitState();
      return;
    }
    if (this.op && failOp) this.op.ending = 'FAILED';
    else this.emitState();
    if (!this.op) this.reportBins();
    this.wake();
  }

  private check(resetPrinter: boolean) {
    return { world: this.world, resetPrinter, online: this.online };
  }

  // ---- host and operator actions ----

  /** KILL_ERROR or the unit's button: clears the errors whose cause is gone. */
  killError(resetPrinter: boolean): void {
    if (!this.powered || this.errors.length === 0 || this.internal) return;
    const check = this.check(resetPrinter);
    const fails = this.errors.some((e) => e.failsOp && e.fixed(check));
    this.errors = this.errors.filter((e) => !e.fixed(check));
    this.out.commit();
    this.afterErrorsChanged(fails);
  }

  /** Errors that clear by themselves once fixed (cover closed, back on line). */
  private recheckSelfClearing(): void {
    const check = this.check(false);
    const before = this.errors.length;
    this.errors = this.errors.filter((e) => !(e.clearsItself && e.fixed(check)));
    if (this.errors.length !== before) this.afterErrorsChanged(false);
  }

  /** IGNOREINKLOW: acknowledges low ink; a paused print goes on. */
  ignoreInkLow(): void {
    this.world.inkLowAcknowledged = true;
    this.out.commit();
    const before = this.errors.length;
    this.errors = this.errors.filter((e) => e.syserr < 5 || e.syserr > 7);
    if (this.errors.length !== before) this.afterErrorsChanged(false);
  }

  /** The operator did something an error may be waiting for (e.g. `bin:1`). */
  operatorDid(token: string): void {
    for (const error of this.errors) if (error.awaits === token) error.satisfied = true;
  }

  /** Whether a system action is the remedy of a standing error (it then runs inside the paused operation). */
  isMaintenanceRemedy(action: string): boolean {
    return this.powered && !this.internal && this.errors.some((e) => e.maintenance === action);
  }

  /** Runs a maintenance action (ALIGNPRINTER, CLEANCARTRIDGES) while in error, as the remedy. */
  async maintain(action: string): Promise<void> {
    const step = systemAction(this.env, action)?.[0];
    if (!step) return;
    this.internal = { phase: step.phase, op: this.pendingOp };
    this.emitState();
    const armed = this.faultAtEntry(step);
    await this.clock.sleep(this.clock.duration(step.seconds));
    if (this.disposed) return;
    this.internal = null;
    if (armed) {
      const outcome = fireRobotFault(this.env, this.hooks, armed, step, null);
      if ('error' in outcome) {
        this.errors = this.errors.filter((e) => e.syserr !== outcome.error.syserr);
        this.raise(outcome.error);
      }
      return;
    }
    step.run({ id: 0, verb: action, discId: null, printed: false });
    const check = this.check(false);
    this.errors = this.errors.filter((e) => !e.fixed(check));
    this.out.commit();
    this.afterErrorsChanged(false);
  }

  /** CANCEL: the pending operation ends (CANCELLED) once the current motion is over; null when none. */
  cancel(): number | null {
    const op = this.op;
    if (!op || op.ending) return null;
    if (this.errors.length > 0 && this.powered) {
      this.errors = [];
      op.ending = 'CANCELLED';
      this.wake();
    } else {
      op.cancelRequested = true;
    }
    return op.state.id;
  }

  /** A robot-level fault with trigger `now`: fires in the step in hand, or while idle. */
  fireNow(def: FaultDef): void {
    if (def.effect.kind === 'link') {
      this.out.linkFault(def.effect.what);
      return;
    }
    const op = this.op;
    const step = op ? op.steps[Math.min(op.index, op.steps.length - 1)] ?? null : null;
    const outcome = fireRobotFault(this.env, this.hooks, def, step, op?.state ?? null);
    this.out.commit();
    if ('error' in outcome) this.raise(outcome.error);
  }

  /** The cover opens or closes (operator, or the cover-open fault, which raises its own error). */
  coverMoved(open: boolean, raiseError = true): void {
    if (this.world.cover.open === open) return;
    this.world.cover.open = open;
    if (open) {
      this.world.cover.openedFlag = true;
      this.world.binsKnown = false;
    }
    this.out.commit();
    this.out.emit('COVER', { open: open ? '1' : '0' });
    if (open) {
      // Changing a cartridge is done with the cover open: no error then.
      if (raiseError && this.status().phase !== 'CARTRIDGE_CHANGE' && this.powered && !this.errors.some((e) => e.syserr === 15)) {
        this.errors.push(coverError('cover'));
        this.emitState();
      }
      this.reportBins();
    } else {
      this.recheckSelfClearing();
    }
  }

  powerOff(): void {
    if (!this.powered) return;
    this.powered = false;
    this.powerLossCount += 1;
    this.errors = [];
    this.online = true;
    this.internal = null;
    this.out.commit();
    this.emitState();
  }

  /** Power returns (or, when on, the unit comes back on line): homing, then the interrupted operation ends FAILED. */
  async powerOn(): Promise<void> {
    if (this.powered) {
      if (!this.online) {
        this.online = true;
        this.recheckSelfClearing();
      }
      return;
    }
    this.powered = true;
    if (this.op) this.op.ending = 'FAILED';
    const step = initialise(this.env);
    this.internal = { phase: step.phase, op: 0 };
    this.emitState();
    await this.clock.sleep(this.clock.duration(step.seconds));
    if (this.disposed) return;
    step.run({ id: 0, verb: 'INIT', discId: null, printed: false });
    this.internal = null;
    if (this.world.cover.open && !this.op) this.errors.push(coverError('cover'));
    this.out.commit();
    if (this.op) this.wake();
    else {
      this.emitState();
      this.reportBins();
    }
  }

  /** Stops every runner of this robot (SIM_RESET, close). */
  dispose(): void {
    this.disposed = true;
    const wake = this.op?.wake;
    if (wake) wake();
  }
}

function otherMedia(disc: Disc, model: ModelParams): Disc['media'] {
  return model.drives.media.find((m) => m !== disc.media) ?? (disc.media === 'CD-R' ? 'DVD-R' : 'CD-R');
}
