// The PTBurn hot-folder adapter against a fake PTBurn (the test writing files into a temp folder):
// the SDK manual's literal status samples read into the machine's reading; the JRQ of a disc and
// the ABORT / IGNORE_INKLOW commands written atomically and parsed back; the job's file states
// followed; an unreachable share, a torn status file and a frozen tick count reported as such.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assign, createActor, setup, type AnyActorRef } from 'xstate';
import { hotFolderLogic } from '../../../adapters/robot/ptburn/hot-folder.ts';
import { hotFolderConfig, serverPath, type HotFolderConfig } from '../../../adapters/robot/ptburn/options.ts';
import type { HotFolderCommand, HotFolderEvent } from '../../../machines/ptburn-robot.machine.ts';
import type { DiscRequest } from '../../../machines/robot-port.ts';
import { jobRequest, parseJobRequest } from '../../../src/robot/ptburn/jrq.ts';
import { parsePtm } from '../../../src/robot/ptburn/ptm.ts';
import { FakePtburn, jobSection, SAMPLE_ROBOT } from './status-writer.ts';

const WAIT = { timeout: 15_000, interval: 20 };

function discRequest(fields: Partial<DiscRequest> = {}): DiscRequest {
  return {
    discId: 'J000012/1.2', jobId: 'J000012', copy: 1, attempt: 2, imagePath: '/var/spool/discrobot/J000012.iso', imageBytes: 1_000_000,
    media: 'cd', labelPath: '/var/spool/discrobot/J000012.jpg', replyTo: 'job:J000012', ...fields,
  };
}

/** A parent that only records what the hot folder sends back. */
function startHotFolder(config: HotFolderConfig) {
  const events: HotFolderEvent[] = [];
  const parent = setup({
    types: { events: {} as HotFolderEvent },
    actors: { hotFolder: hotFolderLogic(() => config) },
  }).createMachine({
    invoke: { id: 'hotFolder', src: 'hotFolder', input: { robot: 'ptb-1' } },
    on: { '*': { actions: assign(({ event }) => (events.push(event), {})) } },
  });
  const actor = createActor(parent).start();
  const send = (command: HotFolderCommand) => (actor.getSnapshot().children.hotFolder as AnyActorRef).send(command);
  return { events, send, stop: () => actor.stop() };
}

const reads = (events: HotFolderEvent[]) => events.filter((e): e is Extract<HotFolderEvent, { type: 'status.read' }> => e.type === 'status.read');

let folder: string;
let ptburn: FakePtburn;
let stopHotFolder: (() => void) | undefined;

beforeEach(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'ptburn-hot-folder-'));
  ptburn = new FakePtburn(folder);
});
afterEach(async () => {
  stopHotFolder?.();
  stopHotFolder = undefined;
  await fs.rm(folder, { recursive: true, force: true });
});

function start(fields: Partial<HotFolderConfig> = {}) {
  const h = startHotFolder(hotFolderConfig({ folder, statusFrequencyMs: 50, minStallMs: 60_000, initialBackoffMs: 20, maxBackoffMs: 100, ...fields }));
  stopHotFolder = h.stop;
  return h;
}

describe('PTBurn hot folder: status files', () => {
  it('reads the SDK manual samples into the machine reading', async () => {
    await ptburn.writeSamples();
    const h = start();
    // The sample's running job, followed as if it were ours.
    h.send({ type: 'folder.submit', jobName: 'DataJob_Test1', request: discRequest() });
    await vi.waitFor(() => expect(reads(h.events).some((r) => r.job)).toBe(true), WAIT);
    const reading = reads(h.events).find((r) => r.job)!;
    expect(reading).toEqual({
      type: 'status.read',
      partial: false,
      system: { tickCount: 1749, stalled: false, sysErrorNumber: 0, sysErrorString: 'No Errors' },
      robot: {
        name: SAMPLE_ROBOT, sysErrorNumber: 0, sysErrorString: 'No Errors', systemStatus: 'System OK', discsInLeftBin: 6, discsInRightBin: 4,
        cartridges: [{ index: 0, type: 2, fill: 96 }, { index: 1, type: 1, fill: 95 }],
        drives: [
          { index: 0, location: 'Bottom Recorder', state: 0, percent: 0, job: 'None' },
          { index: 1, location: 'Top Recorder', state: 0, percent: 0, job: 'None' },
        ],
      },
      job: {
        name: 'DataJob_Test1', jobState: 1, currentStatusState: 4, currentStatus: 'Loading Disc 0', jobsAhead: 0,
        jobErrorNumber: null, jobErrorString: null, discErrors: [], percent: null, drive: -1,
      },
    });
  });

  it('reads a completed job, a disc error and the drive progress of the job followed', async () => {
    await ptburn.write({ job: jobSection('J000012-1-2', { jobState: 1, currentStatusState: 0 }), drivePercent: 42 });
    const h = start();
    h.send({ type: 'folder.submit', jobName: 'J000012-1-2', request: discRequest() });
    await vi.waitFor(() => expect(reads(h.events).at(-1)?.job).toMatchObject({ currentStatusState: 0, percent: 42, drive: 1 }), WAIT);
    await ptburn.write({
      job: jobSection('J000012-1-2', { jobState: 3, jobErrorNumber: 0, discErrors: [{ slot: 0, disc: 1, number: 19, string: 'Error verifying the disc' }] }),
    });
    await vi.waitFor(() => expect(reads(h.events).at(-1)?.job).toMatchObject({ jobState: 3, discErrors: [{ number: 19, string: 'Error verifying the disc' }], drive: -1 }), WAIT);
  });

  it('a torn status file repeats the last good reading, flagged partial, and reads again', async () => {
    await ptburn.write({ tick: 100, sysError: 0 });
    const h = start();
    await vi.waitFor(() => expect(reads(h.events).length).toBeGreaterThan(0), WAIT);
    const good = reads(h.events)[0]!;
    // PTBurn caught mid-write: the robot file names a job whose section is not there yet.
    await ptburn.writeRaw((await fs.readFile(path.join(folder, 'Status', 'SystemStatus.txt'), 'utf8')).replace('ServerTickCount=100', 'ServerTickCount=101'), '[System]\r\nSysErrorNumber=15\r\n[JobList]\r\nJob0=Other\r\n');
    await vi.waitFor(() => expect(reads(h.events).some((r) => r.partial)).toBe(true), WAIT);
    const all = reads(h.events);
    const at = all.findIndex((r) => r.partial);
    // The last good reading before it (the poll may have caught the new SystemStatus.txt beside the old robot file).
    const lastGood = all.slice(0, at).filter((r) => !r.partial).at(-1)!;
    // The error in the torn file is not believed: the last good values stand.
    expect(all[at]).toEqual({ ...lastGood, partial: true });
    expect(lastGood.robot).toEqual(good.robot);
    await ptburn.write({ tick: 102, sysError: 15 });
    await vi.waitFor(() => expect(reads(h.events).at(-1)).toMatchObject({ partial: false, robot: { sysErrorNumber: 15 }, system: { tickCount: 102 } }), WAIT);
  });

  it('a tick count frozen for 3 periods and the minimum stall time reads stalled, and clears when it moves', async () => {
    let now = 1_000_000;
    await ptburn.write({ tick: 500 });
    const h = start({ minStallMs: 10_000, now: () => now });
    await vi.waitFor(() => expect(reads(h.events).length).toBeGreaterThan(1), WAIT);
    expect(reads(h.events).every((r) => !r.system.stalled)).toBe(true);
    now += 10_000;
    await vi.waitFor(() => expect(reads(h.events).at(-1)?.system).toEqual({ tickCount: 500, stalled: true, sysErrorNumber: 0, sysErrorString: 'No Errors' }), WAIT);
    await ptburn.write({ tick: 510 });
    await vi.waitFor(() => expect(reads(h.events).at(-1)?.system).toMatchObject({ tickCount: 510, stalled: false }), WAIT);
  });

  it('an unreachable share is reported again and again, and reading resumes when it is back', async () => {
    const missing = path.join(folder, 'share');
    const h = start({ folder: missing });
    await vi.waitFor(() => expect(h.events.filter((e) => e.type === 'folder.unreachable').length).toBeGreaterThanOrEqual(3), WAIT);
    expect(h.events.find((e) => e.type === 'folder.unreachable')).toMatchObject({ error: expect.stringContaining('ENOENT') });
    expect(reads(h.events)).toEqual([]);
    await new FakePtburn(missing).writeSamples();
    await vi.waitFor(() => expect(reads(h.events).length).toBeGreaterThan(0), WAIT);
  });
});

describe('PTBurn hot folder: job files and commands', () => {
  it('writes the disc\'s JRQ atomically; parsed back it is the request of the contract', async () => {
    await ptburn.writeSamples();
    const h = start({ pathMap: [{ from: '/var/spool/discrobot', to: '\\\\discrobot\\spool' }] });
    h.send({ type: 'folder.submit', jobName: 'J000012-1-2', request: discRequest() });
    await vi.waitFor(() => expect(h.events).toContainEqual({ type: 'job.fileState', name: 'J000012-1-2', state: 'submitted' }), WAIT);
    const files = await fs.readdir(folder);
    expect(files.filter((f) => f !== 'Status')).toEqual(['J000012-1-2.JRQ']);
    const text = await fs.readFile(path.join(folder, 'J000012-1-2.JRQ'), 'utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    const parsed = parseJobRequest(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.request).toEqual(jobRequest({
      jobId: 'J000012-1-2', clientId: 'discrobot', images: [{ path: '\\\\discrobot\\spool\\J000012.iso' }], closeDisc: true, copies: 1,
      printLabel: '\\\\discrobot\\spool\\J000012.jpg', volumeName: 'J000012', verifyDisc: true, rejectIfNotBlank: true,
    }));
  });

  it('without a label nothing is printed; a configured PTBurn robot is named', async () => {
    await ptburn.writeSamples();
    const h = start({ robotName: SAMPLE_ROBOT });
    h.send({ type: 'folder.submit', jobName: 'J000013-2-1', request: discRequest({ jobId: 'J000013', copy: 2, attempt: 1, labelPath: null, imagePath: '/data/J13.iso' }) });
    await vi.waitFor(() => expect(h.events).toContainEqual({ type: 'job.fileState', name: 'J000013-2-1', state: 'submitted' }), WAIT);
    const parsed = parseJobRequest(await fs.readFile(path.join(folder, 'J000013-2-1.JRQ'), 'utf8'));
    expect(parsed.request).toEqual(jobRequest({
      jobId: 'J000013-2-1', clientId: 'discrobot', images: [{ path: '/data/J13.iso' }], closeDisc: true, copies: 1,
      volumeName: 'J000013', verifyDisc: true, rejectIfNotBlank: true, robotName: SAMPLE_ROBOT,
    }));
  });

  it('a request PTBurn would refuse is failed without a file, with the reason', async () => {
    await ptburn.writeSamples();
    const h = start();
    h.send({ type: 'folder.submit', jobName: 'J000014-1-1', request: discRequest({ labelPath: '/spool/label.png' }) });
    await vi.waitFor(() => expect(h.events.find((e) => e.type === 'job.fileState')).toMatchObject({ name: 'J000014-1-1', state: 'failed', reason: expect.stringContaining('PrintLabel') }), WAIT);
    expect((await fs.readdir(folder)).filter((f) => f !== 'Status')).toEqual([]);
  });

  it('follows the job through PTBurn\'s renames', async () => {
    await ptburn.writeSamples();
    const h = start();
    h.send({ type: 'folder.submit', jobName: 'J000012-1-2', request: discRequest() });
    const states = () => h.events.filter((e) => e.type === 'job.fileState').map((e) => (e as { state: string }).state);
    await vi.waitFor(() => expect(states()).toEqual(['submitted']), WAIT);
    for (const [from, to, state] of [['JRQ', 'QRJ', 'queued'], ['QRJ', 'INP', 'in-process'], ['INP', 'DON', 'done']] as const) {
      await ptburn.moveJob('J000012-1-2', from, to);
      await vi.waitFor(() => expect(states().at(-1)).toBe(state), WAIT);
    }
    expect(states()).toEqual(['submitted', 'queued', 'in-process', 'done']);
  });

  it('writes ABORT in the job\'s own .PTM with ClientID discrobot, and IGNORE_INKLOW as a system command', async () => {
    await ptburn.writeSamples();
    const h = start();
    h.send({ type: 'folder.command', ptm: { message: 'ABORT', clientId: 'discrobot' }, jobName: 'J000012-1-2' });
    h.send({ type: 'folder.command', ptm: { message: 'IGNORE_INKLOW' }, jobName: null });
    const ptms = async () => (await fs.readdir(folder)).filter((f) => f.endsWith('.PTM')).sort();
    await vi.waitFor(async () => expect((await ptms()).length).toBe(2), WAIT);
    const [abortFile, inkFile] = [...(await ptms())].sort((a, b) => (a.startsWith('J000012') ? -1 : b.startsWith('J000012') ? 1 : 0));
    expect(abortFile).toBe('J000012-1-2.PTM');
    expect(parsePtm(await fs.readFile(path.join(folder, abortFile!), 'utf8'))).toEqual({ ok: true, command: { message: 'ABORT', clientId: 'discrobot' }, clientId: 'discrobot' });
    expect(inkFile).toMatch(/^discrobot-IGNORE_INKLOW-\d+-\d+\.PTM$/);
    expect(parsePtm(await fs.readFile(path.join(folder, inkFile!), 'utf8'))).toEqual({ ok: true, command: { message: 'IGNORE_INKLOW' }, clientId: 'Administrator' });
    expect((await fs.readdir(folder)).some((f) => f.endsWith('.tmp'))).toBe(false);
  });
});

describe('PTBurn hot folder: server paths', () => {
  it('maps local prefixes to the server\'s, Windows separators included, and leaves others alone', () => {
    const map = [{ from: '/srv/spool', to: '\\\\host\\share' }, { from: '/mnt/a', to: '/export/a/' }];
    expect(serverPath('/srv/spool/J1/disc.iso', map)).toBe('\\\\host\\share\\J1\\disc.iso');
    expect(serverPath('/srv/spoolish/x.iso', map)).toBe('/srv/spoolish/x.iso');
    expect(serverPath('/mnt/a/b.iso', map)).toBe('/export/a/b.iso');
    expect(serverPath('/other/x.iso', [])).toBe('/other/x.iso');
  });
});
