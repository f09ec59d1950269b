// SimRecorder against a small in-test stand-in for the simulator's side of the channel: on
// SIM_DRIVE_WRITE it copies the image into the disc's file and reports DRIVE_PROGRESS / DRIVE_DONE
// through an RxJS Subject, the way docs/robot-protocol.md §7 says. The verify is the real one
// (xorriso on stdio:<file>), so a byte the stand-in flips must come back as verifyError.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lastValueFrom, Subject, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecorderEvent } from '../../machines/robot-link.ts';
import type { ChannelReply, DeviceChannel, DeviceEvent } from '../../adapters/robot/channel.ts';
import { SimRecorder } from '../../adapters/recorder/recorder.ts';
import { drive, fileDataOffset, makeTestImage, progressProblems, recorderInput, type TestImage } from './recorder-fixtures.ts';

type DriveBehaviour = 'ok' | 'flip' | 'writeError' | 'noMedia' | 'eventsFirst' | 'linkLost';

/** The simulator as far as one drive write goes. */
class FakeSimChannel implements DeviceChannel {
  readonly events = new Subject<DeviceEvent>();
  readonly events$ = this.events.asObservable();
  readonly requests: { verb: string; args: Record<string, string> }[] = [];

  constructor(
    private readonly folder: string,
    private readonly behaviour: DriveBehaviour,
    private readonly flipAt = 0,
  ) {}

  async request(verb: string, args: Record<string, string> = {}): Promise<ChannelReply> {
    this.requests.push({ verb, args });
    if (verb !== 'SIM_DRIVE_WRITE') return { ok: false, code: 602, name: 'DPRP_UNKNOWN_VERB', fields: {} };
    if (this.behaviour === 'noMedia') return { ok: false, code: 525, name: 'PTROBOT_NO_MEDIA', fields: {} };
    if (this.behaviour === 'linkLost') throw new Error('link down');
    const write = this.write(args.drive ?? '', args.image ?? '');
    // As a simulator at time scale 0 may do: the drive is done before the reply is read.
    if (this.behaviour === 'eventsFirst') await write;
    else setImmediate(() => void write);
    return { ok: true, fields: {} };
  }

  private async write(driveIndex: string, image: string): Promise<void> {
    const send = (verb: string, args: Record<string, string>): void => this.events.next({ verb, args: { drive: driveIndex, ...args } });
    // Another drive's events and a heartbeat pass by, the recorder must ignore them.
    this.events.next({ verb: 'HEARTBEAT', args: {} });
    this.events.next({ verb: 'DRIVE_PROGRESS', args: { drive: '7', phase: 'RECORDING', pct: '90' } });
    for (const pct of ['0', '25', '50', '75', '100']) send('DRIVE_PROGRESS', { phase: 'RECORDING', pct });
    if (this.behaviour === 'writeError') {
      send('DRIVE_DONE', { result: 'WRITE_ERROR', sense: '3', asc: '0C', ascq: '00' });
      return;
    }
    const disc = path.join(this.folder, `SIM-000001-drive${driveIndex}.img`);
    await fs.copyFile(image, disc);
    if (this.behaviour === 'flip') {
      const handle = await fs.open(disc, 'r+');
      const one = Buffer.alloc(1);
      await handle.read(one, 0, 1, this.flipAt);
      one[0] = (one[0] ?? 0) ^ 0x01;
      await handle.write(one, 0, 1, this.flipAt);
      await handle.close();
    }
    for (const pct of ['0', '100']) send('DRIVE_PROGRESS', { phase: 'FINALIZING', pct });
    send('DRIVE_DONE', { result: 'OK', file: disc });
  }
}

describe('SimRecorder: the simulator writes, the host verifies', () => {
  let dir: string;
  let image: TestImage;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sim-recorder-'));
    image = await makeTestImage(dir);
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function recordWith(behaviour: DriveBehaviour, flipAt = 0): Promise<{ events: RecorderEvent[]; channel: FakeSimChannel }> {
    const folder = await fs.mkdtemp(path.join(dir, `${behaviour}-`));
    const channel = new FakeSimChannel(folder, behaviour, flipAt);
    const events = await lastValueFrom(new SimRecorder(channel).record(recorderInput(image, drive(1, 'sim:drive1'))).pipe(toArray()));
    return { events, channel };
  }

  it('asks the simulator to write and close, maps its phases, verifies the disc file: ok', async () => {
    const { events, channel } = await recordWith('ok');
    expect(channel.requests).toEqual([{ verb: 'SIM_DRIVE_WRITE', args: { drive: '1', image: image.path, close: '1' } }]);
    expect(events.at(-1)).toEqual({ type: 'recorder.finished', result: 'ok', md5: image.md5 });
    const phases = events.flatMap((e) => (e.type === 'recorder.progress' ? [e.phase] : []));
    expect([...new Set(phases)]).toEqual(['burning', 'finalizing', 'verifying']);
    expect(progressProblems(events)).toEqual([]);
    // Drive 7's 90 % is not ours.
    expect(events).not.toContainEqual({ type: 'recorder.progress', phase: 'burning', pct: 90 });
    expect(events).toContainEqual({ type: 'recorder.progress', phase: 'burning', pct: 100 });
  });

  it('does not miss a drive that finishes before the reply arrives', async () => {
    const { events } = await recordWith('eventsFirst');
    expect(events.at(-1)).toEqual({ type: 'recorder.finished', result: 'ok', md5: image.md5 });
  });

  it('reports verifyError when the simulator flipped a byte of the disc', async () => {
    const { events } = await recordWith('flip', (await fileDataOffset(image.path, '/A/F1')) + 777);
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'recorder.finished', result: 'verifyError' });
    expect(last && 'detail' in last ? last.detail : '').toMatch(/md5_mismatch/);
  });

  it('reports writeError when the drive says WRITE_ERROR, without verifying', async () => {
    const { events } = await recordWith('writeError');
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'recorder.finished', result: 'writeError' });
    expect(last && 'detail' in last ? last.detail : '').toContain('result=WRITE_ERROR');
    expect(events.some((e) => e.type === 'recorder.progress' && e.phase === 'verifying')).toBe(false);
  });

  it('reports mediaError when the simulator refuses the write (525 no media)', async () => {
    const { events } = await recordWith('noMedia');
    expect(events).toEqual([{ type: 'recorder.finished', result: 'mediaError', detail: 'SIM_DRIVE_WRITE drive=1: 525 PTROBOT_NO_MEDIA' }]);
  });

  it('reports writeError without asking the simulator when the image is missing', async () => {
    const channel = new FakeSimChannel(dir, 'ok');
    const input = { ...recorderInput(image, drive(1)), imagePath: path.join(dir, 'no-such.iso') };
    const events = await lastValueFrom(new SimRecorder(channel).record(input).pipe(toArray()));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'recorder.finished', result: 'writeError' });
    expect(channel.requests).toEqual([]);
  });

  it('reports writeError when the request gets no reply', async () => {
    const { events } = await recordWith('linkLost');
    expect(events.at(-1)).toMatchObject({ type: 'recorder.finished', result: 'writeError' });
  });
});
