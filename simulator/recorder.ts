// The simulator's virtual recorders (SIM_DRIVE_WRITE): copy an image into the backing file of the
// disc in a drive (<sim>/discs/<disc-id>.img) at the model's write speed, time-scaled, reporting
// E DRIVE_PROGRESS (RECORDING 25/50/75/100, then FINALIZING 100 when closing) and E DRIVE_DONE.
// Faults: write-error stops at the armed percentage and leaves a partial file on an unusable disc;
// verify-error reports OK but flips one byte of the written data (the host's read-back must find it).

import fs from 'node:fs';
import path from 'node:path';
import type { SimClock } from './clock.ts';
import { newDiscFile } from './disc-files.ts';
import type { ArmedFaults } from './fault-triggers.ts';
import { RECORDING_PHASE } from './faults.ts';
import { mediaSpec, recordSeconds } from './media.ts';
import type { ModelParams } from './models.ts';
import type { Disc, World } from './world.ts';

export interface RecorderContext {
  world: World;
  model: ModelParams;
  simDir: string;
  clock: SimClock;
  faults: ArmedFaults;
  emit(verb: string, args: Record<string, string>): void;
  commit(): void;
  powered(): boolean;
  /** Times the unit lost power since it was built: a burn that saw one is ruined, however short. */
  powerLosses(): number;
  warn(obj: object, msg: string): void;
}

export type WriteRefusal = { code: number; arg?: string };

const CHUNK = 4 * 1024 * 1024;
const QUARTERS = [25, 50, 75, 100];

/** Why a drive cannot write now (the MEDIA_INFO answers), or its disc. */
export function mediaReadiness(world: World, clock: SimClock, drive: number): { code: number } | { disc: Disc } {
  const state = world.drives[drive]!;
  const disc = state.discs[state.discs.length - 1];
  if (!disc || disc.flaw === 'unreadable') return { code: 525 };
  if (disc.flaw === 'never-ready' || !clock.isDue(state.readyAt)) return { code: 523 };
  if (disc.flaw === 'flipped') return { code: 524 };
  return { disc };
}

export class VirtualRecorders {
  constructor(private readonly ctx: RecorderContext) {}

  /** Checks a SIM_DRIVE_WRITE and starts it; returns the refusal, or null when it runs. */
  start(args: Record<string, string>): WriteRefusal | null {
    const { world, model } = this.ctx;
    if (!/^\d+$/.test(args.drive ?? '')) return { code: 603, arg: 'drive' };
    const drive = Number(args.drive);
    if (drive >= model.drives.count) return { code: 503 };
    const image = args.image;
    if (!image || !path.isAbsolute(image) || !fs.statSync(image, { throwIfNoEntry: false })?.isFile()) return { code: 603, arg: 'image' };
    const close = args.close ?? '1';
    if (close !== '0' && close !== '1') return { code: 603, arg: 'close' };
    if (world.drives[drive]!.recording) return { code: 528 };
    const ready = mediaReadiness(world, this.ctx.clock, drive);
    if ('code' in ready) return ready;
    world.drives[drive]!.recording = true;
    this.ctx.commit();
    void this.write(drive, ready.disc, image, close === '1').catch((err: unknown) => {
      // A file system error (disk full…) is a failed write, as a real drive's would be.
      this.ctx.warn({ err, drive }, 'simulated recorder: write failed');
      this.done(drive, ready.disc, 'WRITE_ERROR');
    });
    return null;
  }

  private async write(drive: number, disc: Disc, image: string, close: boolean): Promise<void> {
    const { model, clock, faults, simDir } = this.ctx;
    const armed = faults.onEnter({ phase: RECORDING_PHASE, drive }, ['recorder']);
    const size = fs.statSync(image).size;
    const spec = mediaSpec(disc.media);
    if (disc.state !== 'blank' || size > spec.capacityBytes) {
      await clock.sleep(spec.overheadS);
      this.done(drive, disc, 'WRITE_ERROR');
      return;
    }
    const stopAt = armed?.def.effect.kind === 'write-error' ? armed.atPct : null;
    const totalS = recordSeconds(disc.media, size, model.drives.speeds[disc.media] ?? 1);
    disc.file = newDiscFile(disc);
    // Saved before the first byte: a simulator that dies mid-write comes back with a half-burned
    // (unusable) disc that owns its file, never a blank. The state is set right when writing ends.
    disc.state = 'corrupt';
    this.ctx.commit();
    const target = path.join(simDir, disc.file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const lossesAtStart = this.ctx.powerLosses();
    const input = await fs.promises.open(image, 'r');
    const output = await fs.promises.open(target, 'w+');
    try {
      let copied = 0;
      for (const pct of QUARTERS) {
        const last = stopAt !== null && stopAt <= pct;
        const upTo = Math.floor((size * (last ? stopAt : pct)) / 100);
        await clock.sleep(totalS * ((last ? stopAt : pct) - (pct - 25)) / 100);
        copied = await copyRange(input, output, copied, upTo);
        // Power off at any moment of the write ruins it, also when it is back by the next look.
        if (!this.ctx.powered() || this.ctx.powerLosses() !== lossesAtStart) return this.done(drive, disc, 'WRITE_ERROR');
        if (last) {
          disc.state = 'corrupt';
          return this.done(drive, disc, 'WRITE_ERROR');
        }
        this.ctx.emit('DRIVE_PROGRESS', { drive: String(drive), phase: 'RECORDING', pct: String(pct) });
      }
      if (armed?.def.effect.kind === 'verify-error' && size > 0) await flipOneByte(output, size);
    } finally {
      await input.close();
      await output.close();
    }
    if (close) {
      await clock.sleep(spec.finalizeS);
      this.ctx.emit('DRIVE_PROGRESS', { drive: String(drive), phase: 'FINALIZING', pct: '100' });
    }
    disc.state = close ? 'closed' : 'written';
    this.done(drive, disc, 'OK');
  }

  private done(drive: number, disc: Disc, result: 'OK' | 'WRITE_ERROR'): void {
    const state = this.ctx.world.drives[drive];
    if (state) state.recording = false;
    if (result === 'WRITE_ERROR' && disc.state === 'blank' && disc.file !== null) disc.state = 'corrupt';
    this.ctx.commit();
    const file = disc.file === null ? '' : path.join(this.ctx.simDir, disc.file);
    this.ctx.emit('DRIVE_DONE', { drive: String(drive), result, file });
  }
}

async function copyRange(input: fs.promises.FileHandle, output: fs.promises.FileHandle, from: number, to: number): Promise<number> {
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, to - from)));
  let at = from;
  while (at < to) {
    const { bytesRead } = await input.read(buffer, 0, Math.min(buffer.length, to - at), at);
    if (bytesRead === 0) break;
    await output.write(buffer, 0, bytesRead, at);
    at += bytesRead;
  }
  return at;
}

/** Flips a byte in the data part of the image (past the system area, before xorriso's 300 KiB padding when there is room). */
async function flipOneByte(output: fs.promises.FileHandle, size: number): Promise<void> {
  const padding = 300 * 1024;
  const end = size > padding + 64 * 1024 ? size - padding : size;
  const offset = Math.min(size - 1, Math.floor((Math.min(32 * 1024, end - 1) + end) / 2));
  const byte = Buffer.alloc(1);
  await output.read(byte, 0, 1, offset);
  byte[0] = byte[0]! ^ 0xff;
  await output.write(byte, 0, 1, offset);
}
