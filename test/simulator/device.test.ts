// The simulated device beyond the golden transcripts: whole disc sequences with every disc
// accounted for, the error model (pause, refuse, resume, cancel), cover, ink, readiness, the reply
// cache and the verbs a model lacks.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/robot/dprp/frame.ts';
import { discFiles, startRig, type Rig } from './harness.ts';

let files: string;
let image: string;
let label: string;
let rig: Rig | null = null;

beforeAll(() => {
  ({ dir: files, image, label } = discFiles(Buffer.alloc(150_000, 0x5a)));
});
afterAll(() => fs.rmSync(files, { recursive: true, force: true }));
afterEach(async () => {
  await rig?.close();
  rig = null;
});

/** Load, write, print and deliver one disc; or reject it after writing. */
async function oneDisc(r: Rig, drive: number, reject = false): Promise<void> {
  const { host } = r;
  await host.operation('LOAD_DRIVE', { drive: String(drive), from: '0', clear: '1' });
  await host.ok('SIM_DRIVE_WRITE', { drive: String(drive), image, close: '1' });
  const done = await host.takeUntil((f) => f.verb === 'DRIVE_DONE');
  expect(done[done.length - 1]!.args.result).toBe('OK');
  if (reject) return void (await host.operation('UNLOAD_DRIVE', { drive: String(drive), to: '200' }));
  await host.operation('LOAD_PRINTER_FROM_DRIVE', { drive: String(drive) });
  await host.operation('PRINT', { file: label });
  await host.operation('UNLOAD_PRINTER', { to: '0' });
}

describe('disc sequences', () => {
  it('five discs over two drives: four delivered printed to the left bin, one rejected; all accounted for', async () => {
    rig = await startRig();
    for (let i = 0; i < 5; i++) await oneDisc(rig, i % 2, i === 2);
    const { accounting } = rig.sim.snapshot();
    expect(accounting.total).toBe(accounting.expected);
    expect(accounting.output).toEqual(['SIM-000001', 'SIM-000002', 'SIM-000004', 'SIM-000005']);
    expect(accounting.reject).toEqual(['SIM-000003']);
    expect(accounting.blanksInBins).toBe(20);
    expect([...accounting.drives, ...accounting.printer, ...accounting.picker, ...accounting.chassis]).toEqual([]);
    for (const disc of accounting.discs) {
      expect(disc.state).toBe('closed');
      expect(disc.printed).toBe(disc.place === 'bin2');
      expect(fs.readFileSync(path.join(rig.sim.simDir, disc.file!)).equals(fs.readFileSync(image))).toBe(true);
    }
    expect(fs.readdirSync(path.join(rig.sim.simDir, 'bins/bin2')).sort()).toEqual(['SIM-000001.img', 'SIM-000002.img', 'SIM-000004.img', 'SIM-000005.img']);
    const status = await rig.host.request('GET_STATUS');
    expect(status.reply.args).toMatchObject({ bins: '4,20', tray: 'I', picker: 'X', prints: '4', picks: String(5 + 9) });
  });

  it('clear=1 with a disc in the drive clears it to the reject slide first', async () => {
    rig = await startRig();
    await rig.host.operation('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
    const { events } = await rig.host.operation('LOAD_DRIVE', { drive: '0', from: '1', clear: '1' });
    expect(events.filter((f) => f.verb === 'STATE' && f.args.state === '1').map((f) => f.args.phase)).toEqual(['CLEARING_DRIVE', 'PICKING', 'LOADING_DRIVE']);
    const { accounting } = rig.sim.snapshot();
    expect(accounting.reject).toEqual(['SIM-000001']);
    expect(accounting.drives).toEqual(['SIM-000002']);
  });

  it('loading a drive that holds a disc, without clear, puts two discs on the tray (SYSERR 19) until one is removed', async () => {
    rig = await startRig();
    await rig.host.operation('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
    await rig.host.ok('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
    const frames = await rig.host.takeUntil((f) => f.verb === 'STATE' && f.args.state === '2');
    expect(frames[frames.length - 1]!.args.syserr).toBe('19');
    expect((await rig.host.ok('SIM_REMOVE', { loc: 'drive:0' })).args.disc).toBe('SIM-000001');
    await rig.host.ok('SIM_BUTTON');
    await rig.host.takeUntil((f) => f.verb === 'OPDONE');
    expect(rig.sim.snapshot().accounting).toMatchObject({ drives: ['SIM-000002'], reject: ['SIM-000001'] });
  });

  it('a single-bin model (SE) delivers to=0 to its front output tray', async () => {
    rig = await startRig({ model: 'DP-SE' });
    const status = await rig.host.request('GET_STATUS');
    expect(status.reply.args).toMatchObject({ bins: '20', carts: '1', ink: '100' });
    await oneDisc(rig, 0);
    const { accounting } = rig.sim.snapshot();
    expect(accounting.output).toEqual(['SIM-000001']);
    expect(accounting.discs[0]!.place).toBe('output');
    expect(fs.existsSync(path.join(rig.sim.simDir, 'bins/output/SIM-000001.img'))).toBe(true);
  });
});

describe('error model', () => {
  it('KILL_ERROR with the cause still there leaves the error standing; refilling fixes it', async () => {
    rig = await startRig();
    await rig.host.ok('SIM_BIN', { bin: '1', count: '0' });
    await rig.host.ok('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
    const frames = await rig.host.takeUntil((f) => f.verb === 'STATE' && f.args.state === '2');
    expect(frames[frames.length - 1]!.args).toMatchObject({ syserr: '3', phase: 'PICKING', op: '1' });
    await rig.host.ok('KILL_ERROR', { resetPrinter: '0' });
    const [again] = await rig.host.take(1);
    expect(again).toMatch(/^E\d+ STATE state=2 syserr=3 phase=PICKING op=1 /);
    await rig.host.ok('SIM_BIN', { bin: '1', count: '5' });
    await rig.host.ok('SIM_BUTTON');
    const rest = await rig.host.takeUntil((f) => f.verb === 'OPDONE');
    expect(rest.map((f) => f.verb)).toEqual(['STATE', 'STATE', 'STATE', 'BINS', 'OPDONE']);
    expect(rest[3]!.args.counts).toBe('0,4');
  });

  it('CANCEL of a paused operation sends the disc in hand to the reject slide', async () => {
    rig = await startRig();
    await rig.host.ok('SIM_FAULT', { code: 'carriage-move', trigger: 'next:LOADING_DRIVE' });
    await rig.host.ok('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
    await rig.host.takeUntil((f) => f.verb === 'STATE' && f.args.state === '2');
    const cancel = await rig.host.ok('CANCEL');
    expect(cancel.args.op).toBe('1');
    const rest = await rig.host.takeUntil((f) => f.verb === 'OPDONE');
    expect(rest.map((f) => `${f.verb} ${f.args.phase ?? f.args.result ?? f.args.counts}`)).toEqual(['STATE CANCELLING', 'STATE IDLE', 'BINS 0,24', 'OPDONE CANCELLED']);
    expect(rig.sim.snapshot().accounting).toMatchObject({ reject: ['SIM-000001'], picker: [] });
    expect((await rig.host.request('CANCEL')).reply.args.code).toBe('501');
  });

  it('an open cover while idle is an error (528 with SYSERR 15); closing clears it and CHECKDISCS makes the bins known again', async () => {
    rig = await startRig();
    await rig.host.ok('SIM_COVER', { open: '1' });
    const opened = await rig.host.take(3);
    expect(opened[0]).toMatch(/ COVER open=1 /);
    expect(opened[1]).toMatch(/ STATE state=2 syserr=15 phase=IDLE op=0 /);
    expect(opened[2]).toMatch(/ BINS counts=255,255 /);
    expect((await rig.host.request('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' })).reply.args).toMatchObject({ code: '528', syserr: '15' });
    await rig.host.ok('SIM_COVER', { open: '0' });
    const closed = await rig.host.take(2);
    expect(closed[0]).toMatch(/ COVER open=0 /);
    expect(closed[1]).toMatch(/ STATE state=0 syserr=0 phase=IDLE op=0 /);
    expect((await rig.host.request('GET_STATUS')).reply.args).toMatchObject({ bins: '255,255', coverOpened: '1' });
    const { events } = await rig.host.operation('SYSTEM_ACTION', { action: 'CHECKDISCS' });
    expect(events.find((f) => f.verb === 'BINS')?.args.counts).toBe('0,25');
    expect((await rig.host.request('GET_STATUS')).reply.args).toMatchObject({ bins: '0,25', coverOpened: '0' });
  });

  it('low ink stops a print until IGNOREINKLOW; the next prints go on', async () => {
    rig = await startRig();
    await rig.host.ok('SIM_INK', { slot: '1', pct: '5' });
    await rig.host.operation('LOAD_PRINTER', { from: '1' });
    await rig.host.ok('PRINT', { file: label });
    const frames = await rig.host.takeUntil((f) => f.verb === 'STATE' && f.args.state === '2');
    expect(frames[frames.length - 1]!.args).toMatchObject({ syserr: '5', phase: 'PRINTING' });
    expect((await rig.host.request('SYSTEM_ACTION', { action: 'IGNOREINKLOW' })).reply.verb).toBe('OK');
    const rest = await rig.host.takeUntil((f) => f.verb === 'OPDONE');
    expect(rest[rest.length - 1]!.args.result).toBe('OK');
    const { events } = await rig.host.operation('PRINT', { file: label });
    expect(events.some((f) => f.args.state === '2')).toBe(false);
  });

  it('refuses verbs the model lacks (520), unknown actions (519), missing print files (511), and busy (528)', async () => {
    rig = await startRig({ model: 'DP-II' });
    expect((await rig.host.request('SYSTEM_ACTION', { action: 'ALIGNPRINTER' })).reply.args).toMatchObject({ code: '520', name: 'PTROBOT_FEATURE_NOT_IMPLEMENTED' });
    expect((await rig.host.request('SYSTEM_ACTION', { action: 'FLY' })).reply.args).toMatchObject({ code: '519' });
    expect((await rig.host.request('PRINT', { file: path.join(files, 'none.jpg') })).reply.args).toMatchObject({ code: '511' });
    expect((await rig.host.request('PRINT', { file: image })).reply.args).toMatchObject({ code: '509' });
    expect((await rig.host.request('UNLOAD_PRINTER', { to: '9' })).reply.args).toMatchObject({ code: '515' });
    expect((await rig.host.request('LOAD_DRIVE', { drive: '0' })).reply.args).toMatchObject({ code: '603', arg: 'from' });
    rig.sim.setTimeScale(0.001);
    await rig.host.ok('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
    expect((await rig.host.request('LOAD_PRINTER', { from: '1' })).reply.args).toEqual({ code: '528', name: 'PTROBOT_BUSY' });
  });

  it('MEDIA_INFO answers DRIVE_NOT_READY until the disc has spun up in simulated time', async () => {
    rig = await startRig();
    await rig.host.operation('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
    await rig.host.ok('SIM_CLOCK', { scale: '1' });
    // The load finished at scale 0, when no simulated time passed: 12 s of spin-up are still to come.
    expect((await rig.host.request('MEDIA_INFO', { drive: '0' })).reply.args).toMatchObject({ code: '523', name: 'PTROBOT_DRIVE_NOT_READY' });
    await rig.host.ok('SIM_CLOCK', { scale: '0' });
    expect((await rig.host.request('MEDIA_INFO', { drive: '0' })).reply.args).toEqual({ type: 'DVD-R', id: 'SIM-000001', blank: '1' });
  });

  it('answers a repeated line from its reply cache without moving again, and 607 for another line with the same seq', async () => {
    rig = await startRig();
    const line = encodeFrame({ kind: 'Q', seq: 7, verb: 'LOAD_DRIVE', args: { drive: '0', from: '1', clear: '0' } });
    rig.host.writeRaw(line);
    const [first] = await rig.host.take(1);
    await rig.host.takeUntil((f) => f.verb === 'OPDONE');
    rig.host.writeRaw(line);
    expect(await rig.host.take(1)).toEqual([first]);
    rig.host.writeRaw(encodeFrame({ kind: 'Q', seq: 7, verb: 'PING', args: {} }));
    expect((await rig.host.take(1))[0]).toMatch(/^R7 ERR code=607 name=DPRP_DUPLICATE_SEQ_CONFLICT /);
    rig.host.setSeq(20);
    expect((await rig.host.request('GET_STATUS')).reply.args).toMatchObject({ op: '0', picks: '1', bins: '0,24' });
  });

  it('a power failure keeps the discs where they are; power-on homes, drops the picker disc on the reject slide and fails the operation', async () => {
    rig = await startRig();
    await rig.host.ok('SIM_FAULT', { code: 'power-cycle', trigger: 'next:LOADING_DRIVE' });
    await rig.host.ok('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
    await rig.host.takeUntil((f) => f.verb === 'STATE' && f.args.state === '2' && f.args.syserr === '14');
    expect((await rig.host.request('GET_STATUS')).reply.args).toMatchObject({ state: '2', syserr: '14', picker: 'O' });
    await rig.host.ok('SIM_POWER', { state: 'on' });
    const rest = await rig.host.takeUntil((f) => f.verb === 'OPDONE');
    expect(rest.map((f) => `${f.verb} ${f.args.phase ?? f.args.result ?? f.args.counts}`)).toEqual(['STATE INITIALIZING', 'STATE IDLE', 'BINS 255,255', 'OPDONE FAILED']);
    expect(rig.sim.snapshot().accounting).toMatchObject({ reject: ['SIM-000001'], picker: [] });
  });
});
