// The PTBurn emulator's seam onto the physical robot model: the same SimDevice the DPRP simulator
// runs (world, robot, recorders, faults, timings), driven in-process without a wire. The emulator
// plays PTBurn's job processor on top: it runs robotic verbs and the virtual recorder through
// `perform`, and follows the device's own events (OPDONE, DRIVE_PROGRESS, DRIVE_DONE, STATE)
// decoded from the lines the device would have sent to a host.

import path from 'node:path';
import { decodeFrame } from '../../src/robot/dprp/frame.ts';
import { SimDevice, type Answer, type SimLogger } from '../device.ts';
import { getModel, type ModelParams } from '../models.ts';
import { WorldStore } from '../persistence.ts';
import { SimulatorRefused, SimulatorStartError, type FaultSpec, type OperatorActions } from '../server.ts';
import type { World } from '../world.ts';

export type OpOutcome = 'OK' | 'CANCELLED' | 'FAILED';
type Listener = (verb: string, args: Record<string, string>) => void;

export interface SimBridgeOptions {
  model: string | ModelParams;
  dataDir: string;
  timeScale: number;
  seed?: number;
  logger?: SimLogger;
}

export class SimBridge {
  readonly device: SimDevice;
  private readonly store: WorldStore;
  private readonly listeners = new Set<Listener>();
  private closed = false;

  private constructor(options: SimBridgeOptions) {
    const model = typeof options.model === 'string' ? getModel(options.model) : options.model;
    const simDir = path.join(path.resolve(options.dataDir), 'sim');
    this.store = new WorldStore(simDir);
    try {
      const saved = this.store.load();
      if (saved && saved.model !== model.id) {
        throw new SimulatorStartError(`${simDir} holds a ${saved.model} world, not ${model.id}: start that model or use another data folder`);
      }
      this.device = new SimDevice({
        model, simDir, store: this.store, world: saved, timeScale: options.timeScale, heartbeatMs: 0,
        seed: options.seed ?? 1, jitter: false, logger: options.logger,
      }, (text) => this.onLine(text));
    } catch (err) {
      this.store.close();
      throw err;
    }
  }

  static start(options: SimBridgeOptions): SimBridge {
    return new SimBridge(options);
  }

  get world(): World {
    return this.device.world;
  }

  get model(): ModelParams {
    return this.device.model;
  }

  /** Every device event, decoded (noise and corrupted lines are dropped, as a host would). */
  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private onLine(text: string): void {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const decoded = decodeFrame(line);
      if (!decoded.ok || decoded.frame.kind !== 'E') continue;
      for (const listener of [...this.listeners]) listener(decoded.frame.verb, decoded.frame.args);
    }
  }

  perform(verb: string, args: Record<string, string> = {}): Answer {
    return this.device.perform(verb, args);
  }

  /**
   * Starts a robotic verb and resolves with its OPDONE result; a refusal comes back as the answer.
   * The listener is in place before OPDONE can arrive: the device starts motions on a later turn.
   */
  async runOp(verb: string, args: Record<string, string>): Promise<OpOutcome | { refused: Extract<Answer, { ok: false }> }> {
    const answer = this.perform(verb, args);
    if (!answer.ok) return { refused: answer };
    const op = answer.fields?.op;
    if (op === undefined) return 'OK';
    return new Promise((resolve) => {
      const off = this.onEvent((event, fields) => {
        if (event === 'OPDONE' && fields.op === op) {
          off();
          resolve((fields.result ?? 'FAILED') as OpOutcome);
        }
      });
    });
  }

  /** Resolves with the DRIVE_DONE of a drive; progress percentages go to `progress`. */
  driveDone(drive: number, progress: (pct: number) => void): Promise<{ result: string; file: string }> {
    return new Promise((resolve) => {
      const off = this.onEvent((event, fields) => {
        if (fields.drive !== String(drive)) return;
        if (event === 'DRIVE_PROGRESS' && fields.phase === 'RECORDING') progress(Number(fields.pct));
        if (event === 'DRIVE_DONE') {
          off();
          resolve({ result: fields.result ?? 'WRITE_ERROR', file: fields.file ?? '' });
        }
      });
    });
  }

  private run(verb: string, args: Record<string, string> = {}): Answer {
    const answer = this.perform(verb, args);
    if (!answer.ok) throw new SimulatorRefused(verb, answer);
    return answer;
  }

  /** Arms a physical fault of the simulator's catalogue: `code`, `code@trigger`, or a FaultSpec. */
  inject(spec: string | FaultSpec): void {
    const fields: Record<string, string> = typeof spec === 'string'
      ? (spec.includes('@') ? { code: spec.slice(0, spec.indexOf('@')), trigger: spec.slice(spec.indexOf('@') + 1) } : { code: spec, trigger: 'now' })
      : {
          code: spec.code, trigger: spec.trigger ?? 'now',
          ...(spec.count !== undefined ? { count: String(spec.count) } : {}), ...(spec.at !== undefined ? { at: String(spec.at) } : {}),
        };
    this.run('SIM_FAULT', fields);
  }

  /** The operator's hands, as the DPRP simulator's handle offers them. */
  readonly operator: OperatorActions = {
    fillBin: (bin, count, media) => void this.run('SIM_BIN', { bin: String(bin), count: String(count), ...(media ? { media } : {}) }),
    cover: (open) => void this.run('SIM_COVER', { open: open ? '1' : '0' }),
    button: (kind = 'left') => void this.run('SIM_BUTTON', { button: kind }),
    ink: (slot, pct) => void this.run('SIM_INK', { slot: String(slot), pct: String(pct) }),
    cartridge: (slot, type) => void this.run('SIM_CART', { slot: String(slot), type }),
    place: (loc, media) => (this.run('SIM_PLACE', { loc, ...(media ? { media } : {}) }) as { fields: Record<string, string> }).fields.disc!,
    remove: (loc, to) => (this.run('SIM_REMOVE', { loc, ...(to ? { to } : {}) }) as { fields: Record<string, string> }).fields.disc!,
    power: (on) => void this.run('SIM_POWER', { state: on ? 'on' : 'off' }),
  };

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.device.close();
    this.store.close();
  }
}
