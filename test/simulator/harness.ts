// Test side of an in-process simulator: a connected pair of streams, a host end that writes raw
// lines and collects what the device writes, and waits driven by the lines themselves (no sleeps).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { decodeFrame, encodeFrame, type Frame } from '../../src/robot/dprp/frame.ts';
import { createDuplexPair } from '../../adapters/robot/stream-pair.ts';
import { startSimulator, type SimulatorHandle, type StartSimulatorOptions } from '../../simulator/server.ts';

export class HostEnd {
  readonly lines: string[] = [];
  private read = 0;
  private buffer = '';
  private waiters: Array<() => void> = [];
  private seq = 0;

  constructor(private readonly stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (!/^E\d+ HEARTBEAT /.test(line)) this.lines.push(line);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** The next request numbers follow `seq` (after raw lines that used their own numbers). */
  setSeq(seq: number): void {
    this.seq = seq;
  }

  writeRaw(line: string): void {
    this.stream.write(`${line}\n`);
  }

  /** The next `n` device lines not yet taken. */
  async take(n: number, timeoutMs = 10_000): Promise<string[]> {
    await this.until(() => this.lines.length - this.read >= n, timeoutMs, `${n} more lines`);
    const out = this.lines.slice(this.read, this.read + n);
    this.read += n;
    return out;
  }

  /** Device lines not taken yet (without waiting). */
  untaken(): string[] {
    return this.lines.slice(this.read);
  }

  /** Takes lines until one matches; returns all taken. */
  async takeUntil(match: (frame: Frame) => boolean, timeoutMs = 20_000): Promise<Frame[]> {
    const taken: Frame[] = [];
    for (;;) {
      const [line] = await this.take(1, timeoutMs);
      const decoded = decodeFrame(line!);
      if (!decoded.ok) throw new Error(`device sent a bad line: ${line}`);
      taken.push(decoded.frame);
      if (match(decoded.frame)) return taken;
    }
  }

  /** Sends a request and returns its reply frame, collecting events sent before it. */
  async request(verb: string, args: Record<string, string> = {}): Promise<{ reply: Frame; events: Frame[] }> {
    const seq = ++this.seq;
    this.writeRaw(encodeFrame({ kind: 'Q', seq, verb, args }));
    const frames = await this.takeUntil((f) => f.kind === 'R' && f.seq === seq);
    return { reply: frames[frames.length - 1]!, events: frames.slice(0, -1) };
  }

  /** Sends a request that must answer OK. */
  async ok(verb: string, args: Record<string, string> = {}): Promise<Frame> {
    const { reply } = await this.request(verb, args);
    if (reply.verb !== 'OK') throw new Error(`${verb} ${JSON.stringify(args)} answered ${reply.verb} ${JSON.stringify(reply.args)}`);
    return reply;
  }

  /** Runs a robotic verb to its OPDONE; returns the events in between. */
  async operation(verb: string, args: Record<string, string> = {}): Promise<{ op: string; events: Frame[] }> {
    const reply = await this.ok(verb, args);
    const op = reply.args.op!;
    const events = await this.takeUntil((f) => f.verb === 'OPDONE' && f.args.op === op);
    return { op, events };
  }

  private until(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; device lines so far:\n${this.lines.join('\n')}`)), timeoutMs);
      const check = () => {
        if (ready()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }
}

export interface Rig {
  sim: SimulatorHandle;
  host: HostEnd;
  dataDir: string;
  close(): Promise<void>;
}

export function tempDir(prefix = 'discrobot-sim-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A folder with a disc image of the given bytes and a minimal JPG label, as SIM_DRIVE_WRITE and PRINT want them. */
export function discFiles(imageBytes: Buffer): { dir: string; image: string; label: string } {
  const dir = tempDir('discrobot-sim-files-');
  const image = path.join(dir, 'disc.iso');
  fs.writeFileSync(image, imageBytes);
  const label = path.join(dir, 'label.jpg');
  fs.writeFileSync(label, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  return { dir, image, label };
}

/** A simulator at scale 0 without heartbeats on an in-process link, E0 HELLO already read. */
export async function startRig(options: Partial<Omit<StartSimulatorOptions, 'link'>> & { keepHello?: boolean } = {}): Promise<Rig> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? tempDir();
  const [hostSide, deviceSide] = createDuplexPair();
  const host = new HostEnd(hostSide);
  const sim = await startSimulator({ model: options.model ?? 'DP-XRP', dataDir, timeScale: options.timeScale ?? 0, heartbeatMs: 0, ...options, link: deviceSide });
  if (!options.keepHello) {
    const [hello] = await host.take(1);
    if (!hello?.startsWith('E0 HELLO ')) throw new Error(`expected E0 HELLO, got ${hello}`);
  }
  return {
    sim, host, dataDir,
    async close() {
      await sim.close();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
