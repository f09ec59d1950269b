// The device side of DPRP/1 (docs/robot-protocol.md): takes the host's lines, answers each with
// one R line (N for lines it cannot trust), keeps the replies of the last 10 s by sequence number,
// sends events (E0 HELLO on attach, STATE/BINS/OPDONE, COVER, DRIVE_*, HEARTBEAT every 2 s of wall
// time), and keeps the simulated unit (world, robot, recorders) behind them. Events caused by a
// request go out after its reply. The SIM_ verbs are in sim-verbs.ts.

import { encodeFrame, decodeFrame, nextSeq, type Frame } from '../src/robot/dprp/frame.ts';
import { resultName, SYSTEM_ACTIONS } from '../src/robot/codes.ts';
import { systemError } from '../src/robot/syserr.ts';
import { SimClock } from './clock.ts';
import { removeDiscFiles, syncDiscFiles } from './disc-files.ts';
import { ArmedFaults } from './fault-triggers.ts';
import { getModel, supportsAction, type ModelParams } from './models.ts';
import { systemAction, type StepEnv } from './operations.ts';
import type { WorldStore } from './persistence.ts';
import { mediaReadiness, VirtualRecorders } from './recorder.ts';
import { ReplyCache } from './reply-cache.ts';
import { Robot } from './robot.ts';
import { planRobotic, ROBOTIC_VERBS } from './robotic-verbs.ts';
import { seededRng, type Rng } from './rng.ts';
import { handleSimVerb } from './sim-verbs.ts';
import { driveFields, infoFields, mediaFields, statusFields } from './status.ts';
import { accountDiscs, newWorld, placeName, type Accounting, type Place, type World } from './world.ts';
import type { RemedyContext } from './fault-remedies.ts';

export const IMPLEMENTATION = 'sim';
export const IMPLEMENTATION_VERSION = '1';

export interface SimLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface DeviceOptions {
  /** Model of a new world (a saved world keeps its own). */
  model: ModelParams;
  simDir: string;
  store: WorldStore;
  /** The saved world, or null for a new one. */
  world: World | null;
  timeScale: number;
  /** HEARTBEAT period in wall-clock ms; 0 sends none. */
  heartbeatMs: number;
  seed: number;
  /** Spread motion times by the model's jitter (seeded). */
  jitter: boolean;
  logger?: SimLogger;
}

export type Fields = Record<string, string>;
/** What a handler answers: OK with fields, or an error code (603 names the argument). */
export type Answer = { ok: true; fields?: Fields } | { ok: false; code: number; arg?: string; syserr?: number };

export interface SimSnapshot {
  model: string;
  timeScale: number;
  powered: boolean;
  status: { state: number; syserr: number; phase: string; op: number };
  errors: Array<{ syserr: number; cause: string }>;
  /** The operation in hand and the step it is in (or paused in), null when idle. */
  pending: { op: number; verb: string; phase: string; drive: number | null; source: string | null; target: string | null } | null;
  /** Fills the placeholders of the faults' remedy lines for the step in hand (fault-remedies.ts). */
  remedyContext: RemedyContext;
  faults: ReturnType<ArmedFaults['list']>;
  world: World;
  accounting: Accounting;
  simDir: string;
}

type LinkFault = 'noise' | 'corrupt' | 'drop-reply';

export class SimDevice {
  model: ModelParams;
  world: World;
  robot!: Robot;
  recorders!: VirtualRecorders;
  readonly clock: SimClock;
  readonly faults: ArmedFaults;
  readonly rng: Rng;
  private readonly cache = new ReplyCache();
  private held: string[] | null = null;
  private afterReplyTasks: Array<() => void> = [];
  private linkFaults: LinkFault[] = [];
  private heartbeat: NodeJS.Timeout | null = null;
  private ticks = 0;
  private closed = false;

  constructor(
    private readonly options: DeviceOptions,
    private readonly write: (text: string) => void,
  ) {
    this.rng = seededRng(options.seed);
    this.model = options.world && options.world.model !== options.model.id ? getModel(options.world.model) : options.model;
    this.world = options.world ?? newWorld(this.model);
    this.clock = new SimClock(options.timeScale, options.jitter ? { fraction: this.model.timings.jitterFraction, rng: this.rng } : null);
    this.faults = new ArmedFaults(this.rng);
    this.recoverInterruptedWrites();
    this.build();
    this.commit();
    if (options.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.emit('HEARTBEAT', { t: String(this.clock.deviceMs()), tick: String(++this.ticks) }), options.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  get simDir(): string {
    return this.options.simDir;
  }

  get stepEnv(): StepEnv {
    return { world: this.world, model: this.model, clock: this.clock };
  }

  /** Robot and recorders over the current world (again after SIM_RESET). */
  private build(): void {
    this.robot = new Robot(this.world, this.model, this.clock, this.faults, {
      emit: (verb, args) => this.emit(verb, args),
      commit: () => this.commit(),
      linkFault: (what) => this.linkFaults.push(what),
    });
    this.recorders = new VirtualRecorders({
      world: this.world, model: this.model, simDir: this.simDir, clock: this.clock, faults: this.faults,
      emit: (verb, args) => this.emit(verb, args), commit: () => this.commit(), powered: () => this.robot.isPowered(), powerLosses: () => this.robot.powerLosses(),
      warn: (obj, msg) => this.options.logger?.warn(obj, msg),
    });
  }

  /**
   * A saved world comes from an earlier device life: its discs had time to spin up, and a write cut
   * short by the stop left an unusable disc.
   */
  private recoverInterruptedWrites(): void {
    for (const drive of this.world.drives) {
      drive.readyAt = 0;
      if (!drive.recording) continue;
      drive.recording = false;
      for (const disc of drive.discs) if (disc.file !== null && disc.state === 'blank') disc.state = 'corrupt';
    }
  }

  /** Saves the world and moves disc files after every change. */
  commit(): void {
    if (this.closed) return;
    syncDiscFiles(this.world, this.simDir);
    this.options.store.save(this.world);
  }

  /** SIM_RESET: a new world of a model; faults disarmed, counters from 1, the old discs' files gone. */
  reset(model: ModelParams): void {
    this.robot.dispose();
    this.model = model;
    this.world = newWorld(model);
    this.faults.clear();
    removeDiscFiles(this.simDir);
    this.build();
    this.commit();
  }

  // ---- output ----

  /** E0 HELLO, sent when the link opens. */
  hello(): void {
    this.send(encodeFrame({ kind: 'E', seq: 0, verb: 'HELLO', args: { proto: 'DPRP/1', impl: IMPLEMENTATION, ver: IMPLEMENTATION_VERSION, model: this.model.id, robots: '1' } }), 'E');
  }

  emit(verb: string, args: Fields): void {
    if (this.closed) return;
    this.world.counters.event = nextSeq(this.world.counters.event);
    const line = encodeFrame({ kind: 'E', seq: this.world.counters.event, verb, args });
    if (this.held) this.held.push(line);
    else this.send(line, 'E');
  }

  private send(line: string, kind: Frame['kind']): void {
    if (this.closed) return;
    const fault = this.linkFaults.shift();
    if (fault === 'drop-reply' && kind !== 'R') this.linkFaults.unshift(fault);
    else if (fault === 'drop-reply') return;
    else if (fault === 'noise') this.write(`${noise(this.rng)}\n`);
    else if (fault === 'corrupt') line = corrupt(line);
    this.write(`${line}\n`);
  }

  // ---- input ----

  receive(rawLine: string): void {
    if (this.closed) return;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') return;
    const decoded = decodeFrame(line);
    if (!decoded.ok) {
      this.options.logger?.debug({ line, detail: decoded.detail }, 'dprp: bad line');
      this.send(encodeFrame({ kind: 'N', seq: decoded.seq ?? 0, verb: decoded.error, args: {} }), 'N');
      return;
    }
    const { kind, seq, verb, args } = decoded.frame;
    if (kind !== 'Q') {
      this.send(encodeFrame({ kind: 'N', seq, verb: 'BADFRAME', args: {} }), 'N');
      return;
    }
    if (verb === 'HELLO') this.cache.clear();
    const cached = this.cache.lookup(seq, line);
    if (cached.kind === 'repeat') return this.send(cached.reply, 'R');
    if (cached.kind === 'conflict') return this.send(replyLine(seq, { ok: false, code: 607 }), 'R');

    this.held = [];
    let answer: Answer;
    try {
      answer = this.handle(verb, args);
    } catch (err) {
      this.options.logger?.warn({ err, verb }, 'dprp: handler failed');
      answer = { ok: false, code: 500 };
    }
    const reply = replyLine(seq, answer);
    this.cache.remember(seq, line, reply);
    const events = this.held;
    this.held = null;
    this.send(reply, 'R');
    for (const event of events) this.send(event, 'E');
    for (const task of this.afterReplyTasks.splice(0)) task();
  }

  /** Runs once the reply being built has gone out (a link fault armed `now` spares its own reply). */
  afterReply(task: () => void): void {
    if (this.held) this.afterReplyTasks.push(task);
    else task();
  }

  /** Runs a verb without a wire (the in-process handle's operator actions): its events go out as usual. */
  perform(verb: string, args: Fields = {}): Answer {
    this.held = [];
    const answer = this.handle(verb, args);
    const events = this.held;
    this.held = null;
    for (const event of events) this.send(event, 'E');
    for (const task of this.afterReplyTasks.splice(0)) task();
    return answer;
  }

  private handle(verb: string, args: Fields): Answer {
    if (verb.startsWith('SIM_')) return handleSimVerb(this, verb, args);
    if ((ROBOTIC_VERBS as readonly string[]).includes(verb)) return this.robotic(verb, args);
    switch (verb) {
      case 'HELLO':
        if (args.proto !== 'DPRP/1') return { ok: false, code: 603, arg: 'proto' };
        return { ok: true, fields: { proto: 'DPRP/1', impl: IMPLEMENTATION, trayControl: 'robot' } };
      case 'PING':
        return { ok: true, fields: { t: String(this.clock.deviceMs()) } };
      case 'GET_INFO':
        return { ok: true, fields: infoFields(this.model) };
      case 'ENUM_DRIVES':
        // The DRIVE events come before the reply (§5).
        for (let i = 0; i < this.model.drives.count; i++) this.sendNow('DRIVE', driveFields(this.model, i));
        return { ok: true, fields: { n: String(this.model.drives.count) } };
      case 'GET_STATUS':
        return { ok: true, fields: statusFields(this.robot, this.world) };
      case 'MEDIA_INFO': {
        if (!/^\d{1,3}$/.test(args.drive ?? '')) return { ok: false, code: 603, arg: 'drive' };
        const drive = Number(args.drive);
        if (drive >= this.model.drives.count) return { ok: false, code: 503 };
        const ready = mediaReadiness(this.world, this.clock, drive);
        return 'code' in ready ? { ok: false, code: ready.code } : { ok: true, fields: mediaFields(ready.disc) };
      }
      case 'ERROR_STRING': {
        if (!/^\d{1,3}$/.test(args.code ?? '')) return { ok: false, code: 603, arg: 'code' };
        const code = Number(args.code);
        return { ok: true, fields: { text: code >= 500 ? resultName(code) : code === 0 ? 'No error.' : systemError(code).hint } };
      }
      case 'KILL_ERROR': {
        const reset = args.resetPrinter ?? '0';
        if (reset !== '0' && reset !== '1') return { ok: false, code: 603, arg: 'resetPrinter' };
        this.robot.killError(reset === '1');
        return { ok: true };
      }
      case 'CANCEL': {
        const op = this.robot.cancel();
        return op === null ? { ok: false, code: 501 } : { ok: true, fields: { op: String(op) } };
      }
      case 'SYSTEM_ACTION':
        return this.systemAction(args);
      default:
        return { ok: false, code: 602 };
    }
  }

  /** An event sent at once, ahead of the reply being built (ENUM_DRIVES). */
  private sendNow(verb: string, args: Fields): void {
    this.world.counters.event = nextSeq(this.world.counters.event);
    this.send(encodeFrame({ kind: 'E', seq: this.world.counters.event, verb, args }), 'E');
  }

  private robotic(verb: string, args: Fields): Answer {
    const plan = planRobotic(this.stepEnv, verb, args);
    if (!plan.ok) return plan;
    const refusal = this.robot.refusal();
    if (refusal) return { ok: false, code: 528, ...(refusal.syserr !== null ? { syserr: refusal.syserr } : {}) };
    // A recorder writing holds its disc: the picker does not reach into that drive.
    if (plan.drives.some((d) => this.world.drives[d]!.recording)) return { ok: false, code: 528 };
    if (plan.steps.some((step) => this.faults.onEnter(step.context, ['command']))) return { ok: false, code: 506 };
    return { ok: true, fields: { op: String(this.robot.start(verb, plan.steps)) } };
  }

  private systemAction(args: Fields): Answer {
    const action = args.action;
    if (action === undefined) return { ok: false, code: 603, arg: 'action' };
    if (!(action in SYSTEM_ACTIONS)) return { ok: false, code: 519 };
    if (!supportsAction(this.model, action)) return { ok: false, code: 520 };
    if (action === 'IGNOREINKLOW') {
      this.robot.ignoreInkLow();
      return { ok: true };
    }
    if (action === 'CANCELCMD') return this.handle('CANCEL', {});
    if (this.robot.isMaintenanceRemedy(action)) {
      void this.robot.maintain(action);
      return { ok: true };
    }
    const steps = systemAction(this.stepEnv, action);
    if (!steps) return { ok: true };
    const refusal = this.robot.refusal();
    if (refusal) return { ok: false, code: 528, ...(refusal.syserr !== null ? { syserr: refusal.syserr } : {}) };
    return { ok: true, fields: { op: String(this.robot.start(`SYSTEM_ACTION ${action}`, steps)) } };
  }

  /** Records a link disturbance for the next line(s) the device writes. */
  linkFault(what: LinkFault): void {
    this.linkFaults.push(what);
  }

  snapshot(): SimSnapshot {
    const step = this.robot.currentStep;
    return {
      model: this.model.id,
      timeScale: this.clock.timeScale,
      powered: this.robot.isPowered(),
      status: this.robot.status(),
      errors: this.robot.errorList,
      pending: step ? { op: step.op, verb: step.verb, phase: step.context.phase, drive: step.context.drive ?? null, source: location(step.context.source), target: location(step.context.target) } : null,
      remedyContext: {
        ...(step?.context.drive !== undefined ? { drive: step.context.drive } : {}),
        ...(step?.context.source?.kind === 'bin' ? { bin: step.context.source.bin } : {}),
        ...(step?.context.target ? { target: location(step.context.target)! } : {}),
      },
      faults: this.faults.list(),
      world: structuredClone(this.world),
      accounting: accountDiscs(this.world, this.model),
      simDir: this.simDir,
    };
  }

  close(): void {
    if (this.closed) return;
    this.commit();
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.robot.dispose();
    this.clock.close();
  }
}

export function replyLine(seq: number, answer: Answer): string {
  if (answer.ok) return encodeFrame({ kind: 'R', seq, verb: 'OK', args: answer.fields ?? {} });
  const args: Fields = { code: String(answer.code), name: resultName(answer.code) };
  if (answer.arg !== undefined) args.arg = answer.arg;
  if (answer.syserr !== undefined) args.syserr = String(answer.syserr);
  return encodeFrame({ kind: 'R', seq, verb: 'ERR', args });
}

/** A place as the operator's `loc=` names it: a PTRobot number (1, 2, 100, 200) or drive:<i>, picker, output… */
function location(place: Place | undefined): string | null {
  if (!place) return null;
  switch (place.kind) {
    case 'bin': return String(place.bin);
    case 'printer': return '100';
    case 'reject': return '200';
    default: return placeName(place);
  }
}

function noise(rng: Rng): string {
  return Array.from({ length: 8 + Math.floor(rng() * 16) }, () => String.fromCharCode(33 + Math.floor(rng() * 90))).join('');
}

/** One character of the body changed: the checksum no longer matches. */
function corrupt(line: string): string {
  const at = Math.max(1, Math.floor(line.lastIndexOf(' *') / 2));
  const ch = line[at] === 'X' ? 'Y' : 'X';
  return line.slice(0, at) + ch + line.slice(at + 1);
}
