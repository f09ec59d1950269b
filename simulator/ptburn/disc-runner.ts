// One disc of a PTBurn job on the physical robot model, as PTBurn's job processor does it: pick a
// blank from the input bin into a recorder, wait for the medium, refuse a disc that is not blank,
// write the image with the virtual recorder, read it back against the image (VerifyDisc), print
// the label, deliver to the output bin. A failure names PTBurn's disc error (10, 11, 12, 14, 18,
// 19) and leaves the disc where it is for the job processor to reject.

import fs from 'node:fs';
import { mediaSpec, recordSeconds, type MediaName } from '../media.ts';
import type { OpOutcome, SimBridge } from './sim-bridge.ts';
import { STATUS } from './job.ts';
import type { DriveView } from './status-report.ts';

export type DiscOutcome =
  | { kind: 'good' }
  | { kind: 'disc-error'; error: number }
  | { kind: 'job-error'; error: number }
  | { kind: 'aborted' };

/** DriveStateX (§3.2.5.14). */
export const DRIVE_STATE = { idle: 0, recording: 1, verifying: 3, loaded: 4, verifyFailed: 5, verifyComplete: 6, recordFailed: 7, recordComplete: 8 } as const;

export interface DiscContext {
  bridge: SimBridge;
  drive: number;
  /** The job's section name, for DriveJobX. */
  jobName: string;
  /** 1-based disc number within the job. */
  discNumber: number;
  image: string;
  label: string | undefined;
  verify: boolean;
  rejectIfNotBlank: boolean;
  closeDisc: boolean;
  view: DriveView;
  setStatus(state: number, text: string): void;
  /** Waits while the service is stopped (pause()). */
  gate(): Promise<void>;
  aborted(): boolean;
  /** Runs a robotic verb, waiting out a robot that is busy or in error; CANCELLED when aborted. */
  op(verb: string, args: Record<string, string>): Promise<OpOutcome>;
}

function opFailure(outcome: OpOutcome): DiscOutcome | null {
  if (outcome === 'OK') return null;
  if (outcome === 'CANCELLED') return { kind: 'aborted' };
  // The robot gave the motion up (after a fatal drop, a power cycle): PTBurn's robotics error.
  return { kind: 'job-error', error: 3 };
}

export async function burnOneDisc(ctx: DiscContext): Promise<DiscOutcome> {
  const { bridge, drive, discNumber } = ctx;
  const d = String(drive);
  await ctx.gate();
  ctx.setStatus(STATUS.loading, `Loading Disc ${discNumber}`);
  const loaded = opFailure(await ctx.op('LOAD_DRIVE', { drive: d, from: '0', clear: '1' }));
  if (loaded) return loaded;
  const discId = bridge.world.drives[drive]?.discs.at(-1)?.id ?? 'None';
  Object.assign(ctx.view, { state: DRIVE_STATE.loaded, percent: 0, job: ctx.jobName, disc: discId });
  if (ctx.aborted()) return { kind: 'aborted' };

  const media = await waitForMedium(bridge, drive);
  if ('error' in media) return { kind: 'disc-error', error: media.error };
  if (media.blank !== '1' && ctx.rejectIfNotBlank) return { kind: 'disc-error', error: 12 };
  const size = fs.statSync(ctx.image).size;
  if (size > mediaSpec(media.type).capacityBytes) return { kind: 'disc-error', error: 11 };

  await ctx.gate();
  if (ctx.aborted()) return { kind: 'aborted' };
  ctx.setStatus(STATUS.recording, `Recording Disc ${discNumber}`);
  ctx.view.state = DRIVE_STATE.recording;
  const done = bridge.driveDone(drive, (pct) => (ctx.view.percent = pct));
  const started = bridge.perform('SIM_DRIVE_WRITE', { drive: d, image: ctx.image, close: ctx.closeDisc ? '1' : '0' });
  if (!started.ok) {
    ctx.view.state = DRIVE_STATE.recordFailed;
    return { kind: 'disc-error', error: 18 };
  }
  const written = await done;
  if (written.result !== 'OK') {
    ctx.view.state = DRIVE_STATE.recordFailed;
    return { kind: 'disc-error', error: 18 };
  }
  ctx.view.state = DRIVE_STATE.recordComplete;
  ctx.view.percent = 100;

  if (ctx.verify) {
    await ctx.gate();
    ctx.setStatus(STATUS.verifying, `Verifying Disc ${discNumber}`);
    ctx.view.state = DRIVE_STATE.verifying;
    const model = bridge.model;
    // Reading back takes about as long as writing the data did, without the lead-in.
    await bridge.device.clock.sleep(Math.max(0, recordSeconds(media.type, size, model.drives.speeds[media.type] ?? 1) - mediaSpec(media.type).overheadS));
    if (!(await sameContent(written.file, ctx.image))) {
      ctx.view.state = DRIVE_STATE.verifyFailed;
      return { kind: 'disc-error', error: 19 };
    }
    ctx.view.state = DRIVE_STATE.verifyComplete;
  }
  if (ctx.aborted()) return { kind: 'aborted' };

  await ctx.gate();
  if (ctx.label !== undefined && bridge.model.printer.present) {
    ctx.setStatus(STATUS.printing, `Printing Disc ${discNumber}`);
    const toPrinter = opFailure(await ctx.op('LOAD_PRINTER_FROM_DRIVE', { drive: d }));
    if (toPrinter) return toPrinter;
    Object.assign(ctx.view, { state: DRIVE_STATE.idle, percent: 0, job: 'None', disc: 'None' });
    await ctx.gate();
    const printed = opFailure(await ctx.op('PRINT', { file: ctx.label }));
    if (printed) return printed;
    await ctx.gate();
    ctx.setStatus(STATUS.unloading, `Unloading Disc ${discNumber}`);
    const out = opFailure(await ctx.op('UNLOAD_PRINTER', { to: '0' }));
    if (out) return out;
  } else {
    ctx.setStatus(STATUS.unloading, `Unloading Disc ${discNumber}`);
    const out = opFailure(await ctx.op('UNLOAD_DRIVE', { drive: d, to: '0' }));
    if (out) return out;
  }
  Object.assign(ctx.view, { state: DRIVE_STATE.idle, percent: 0, job: 'None', disc: 'None' });
  return { kind: 'good' };
}

/**
 * MEDIA_INFO until the disc has spun up: no medium seen or an invalid one is disc error 10, one
 * that never becomes ready (after twice its spin-up time) is 14.
 */
async function waitForMedium(bridge: SimBridge, drive: number): Promise<{ type: MediaName; blank: string } | { error: number }> {
  const disc = bridge.world.drives[drive]?.discs.at(-1);
  const readyS = disc ? mediaSpec(disc.media).readyS : 10;
  for (let waitedS = 0; ; waitedS++) {
    const answer = bridge.perform('MEDIA_INFO', { drive: String(drive) });
    if (answer.ok) return { type: answer.fields!.type as MediaName, blank: answer.fields!.blank ?? '0' };
    if (answer.code !== 523) return { error: 10 };
    if (waitedS > readyS * 2) return { error: 14 };
    await bridge.device.clock.sleep(1);
  }
}

/** Reads the written disc back against the image, a chunk at a time (images can be gigabytes). */
export async function sameContent(a: string, b: string): Promise<boolean> {
  const [sa, sb] = [fs.statSync(a, { throwIfNoEntry: false }), fs.statSync(b, { throwIfNoEntry: false })];
  if (!sa || !sb || sa.size !== sb.size) return false;
  const [fa, fb] = await Promise.all([fs.promises.open(a, 'r'), fs.promises.open(b, 'r')]);
  try {
    const chunk = 1024 * 1024;
    const [ba, bb] = [Buffer.alloc(chunk), Buffer.alloc(chunk)];
    for (let at = 0; at < sa.size; at += chunk) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, chunk, at), fb.read(bb, 0, chunk, at)]);
      if (ra.bytesRead !== rb.bytesRead || !ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
    }
    return true;
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}
