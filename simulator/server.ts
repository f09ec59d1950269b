// Starts a simulated robot on a link: an in-process Duplex stream (tests, a driver in the same
// process) or a serial port path (the simulator's end of a socat pty pair, or a real tty). The
// handle gives tests the world, snapshots, fault injection and the operator's hands, and closes.

import path from 'node:path';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import { SimDevice, type Answer, type SimLogger, type SimSnapshot } from './device.ts';
import { LineReader } from './line-reader.ts';
import { getModel, type ModelParams } from './models.ts';
import { WorldStore } from './persistence.ts';
import type { World } from './world.ts';

export interface StartSimulatorOptions {
  /** Model id (DP-XRP, …), or a variant of a model's parameters (e.g. without printer); a saved world in the data folder must be of the same model. */
  model: string | ModelParams;
  /** The data folder; the simulator keeps its world and disc files in <dataDir>/sim. */
  dataDir: string;
  /** Simulated seconds per wall-clock second; 0 completes every motion at once. */
  timeScale: number;
  /** A serial port path (a pty end) or an in-process stream. */
  link: string | Duplex;
  /** HEARTBEAT period (wall ms), default 2000; 0 sends none. */
  heartbeatMs?: number;
  /** Seed of probabilistic faults and jitter, default 1. */
  seed?: number;
  /** Spread motion times by the model's jitter. */
  jitter?: boolean;
  baudRate?: number;
  logger?: SimLogger;
}

export interface FaultSpec {
  code: string;
  /** now (default), next:<PHASE>, nth:<k>:<PHASE>, prob:<p>:<PHASE>. */
  trigger?: string;
  count?: number;
  /** write-error: the percentage where writing stops. */
  at?: number;
}

/** The operator's hands, as the SIM_ verbs offer them; each throws SimulatorRefused when refused. */
export interface OperatorActions {
  fillBin(bin: number, count: number, media?: string): void;
  cover(open: boolean): void;
  button(kind?: 'left' | 'power'): void;
  ink(slot: number, pct: number): void;
  cartridge(slot: number, type: string): void;
  /** Returns the disc placed. */
  place(loc: string, media?: string): string;
  /** Returns the disc removed; it is set down at `to` (default 200, the reject bin). */
  remove(loc: string, to?: string): string;
  power(on: boolean): void;
}

export interface SimulatorHandle {
  readonly device: SimDevice;
  readonly model: ModelParams;
  /** The live world (read it; change it only through the operator's hands). */
  readonly world: World;
  /** <dataDir>/sim: world.sqlite, discs/, bins/<location>/. */
  readonly simDir: string;
  snapshot(): SimSnapshot;
  /** Arms a fault: `code`, `code@trigger`, or a FaultSpec. */
  inject(spec: string | FaultSpec): void;
  operator: OperatorActions;
  setTimeScale(scale: number): void;
  /** Runs any DPRP verb as if received, without a reply line (its events go out). */
  perform(verb: string, args?: Record<string, string>): Answer;
  close(): Promise<void>;
}

export class SimulatorRefused extends Error {
  constructor(readonly verb: string, readonly answer: Extract<Answer, { ok: false }>) {
    super(`${verb} refused: code ${answer.code}${answer.arg ? ` (argument ${answer.arg})` : ''}`);
    this.name = 'SimulatorRefused';
  }
}

export class SimulatorStartError extends Error {
  override name = 'SimulatorStartError';
}

interface Link {
  write(text: string): void;
  close(): Promise<void>;
}

export async function startSimulator(options: StartSimulatorOptions): Promise<SimulatorHandle> {
  const model = typeof options.model === 'string' ? getModel(options.model) : options.model;
  const simDir = path.join(path.resolve(options.dataDir), 'sim');
  const store = new WorldStore(simDir);
  let device: SimDevice;
  try {
    const saved = store.load();
    if (saved && saved.model !== model.id) {
      throw new SimulatorStartError(`${simDir} holds a ${saved.model} world, not ${model.id}: start that model or use another data folder`);
    }
    let link: Link | null = null;
    device = new SimDevice({
      model, simDir, store, world: saved, timeScale: options.timeScale, heartbeatMs: options.heartbeatMs ?? 2000,
      seed: options.seed ?? 1, jitter: options.jitter ?? false, logger: options.logger,
    }, (text) => link?.write(text));
    const reader = new LineReader((line) => device.receive(line));
    link = typeof options.link === 'string'
      ? await openSerial(options.link, options.baudRate ?? 115200, reader, options.logger)
      : attachStream(options.link, reader);
    device.hello();
    return makeHandle(device, store, link);
  } catch (err) {
    store.close();
    throw err;
  }
}

function attachStream(stream: Duplex, reader: LineReader): Link {
  const onData = (chunk: Buffer | string) => reader.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  stream.on('data', onData);
  return {
    write: (text) => {
      if (!stream.destroyed && stream.writable) stream.write(text);
    },
    close: async () => {
      stream.off('data', onData);
    },
  };
}

async function openSerial(portPath: string, baudRate: number, reader: LineReader, logger?: SimLogger): Promise<Link> {
  const port = new SerialPort({ path: portPath, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('data', (chunk: Buffer) => reader.push(chunk));
  port.on('error', (err) => logger?.warn({ err }, 'simulator serial port error'));
  return {
    write: (text) => {
      if (port.isOpen) port.write(text);
    },
    close: () => new Promise<void>((resolve) => {
      port.removeAllListeners('data');
      if (!port.isOpen) return resolve();
      port.close(() => resolve());
    }),
  };
}

function parseSpec(spec: string | FaultSpec): Record<string, string> {
  if (typeof spec !== 'string') {
    return {
      code: spec.code, trigger: spec.trigger ?? 'now',
      ...(spec.count !== undefined ? { count: String(spec.count) } : {}), ...(spec.at !== undefined ? { at: String(spec.at) } : {}),
    };
  }
  const at = spec.indexOf('@');
  return at < 0 ? { code: spec, trigger: 'now' } : { code: spec.slice(0, at), trigger: spec.slice(at + 1) };
}

function makeHandle(device: SimDevice, store: WorldStore, link: Link): SimulatorHandle {
  const run = (verb: string, args: Record<string, string> = {}): Answer => {
    const answer = device.perform(verb, args);
    if (!answer.ok) throw new SimulatorRefused(verb, answer);
    return answer;
  };
  let closed = false;
  return {
    device,
    get model() {
      return device.model;
    },
    get world() {
      return device.world;
    },
    simDir: device.simDir,
    snapshot: () => device.snapshot(),
    inject: (spec) => void run('SIM_FAULT', parseSpec(spec)),
    operator: {
      fillBin: (bin, count, media) => void run('SIM_BIN', { bin: String(bin), count: String(count), ...(media ? { media } : {}) }),
      cover: (open) => void run('SIM_COVER', { open: open ? '1' : '0' }),
      button: (kind = 'left') => void run('SIM_BUTTON', { button: kind }),
      ink: (slot, pct) => void run('SIM_INK', { slot: String(slot), pct: String(pct) }),
      cartridge: (slot, type) => void run('SIM_CART', { slot: String(slot), type }),
      place: (loc, media) => (run('SIM_PLACE', { loc, ...(media ? { media } : {}) }) as { fields: Record<string, string> }).fields.disc!,
      remove: (loc, to) => (run('SIM_REMOVE', { loc, ...(to ? { to } : {}) }) as { fields: Record<string, string> }).fields.disc!,
      power: (on) => void run('SIM_POWER', { state: on ? 'on' : 'off' }),
    },
    setTimeScale: (scale) => void run('SIM_CLOCK', { scale: String(scale) }),
    perform: (verb, args = {}) => device.perform(verb, args),
    async close() {
      if (closed) return;
      closed = true;
      device.close();
      await link.close();
      store.close();
    },
  };
}
