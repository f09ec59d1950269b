// Every fault of the catalogue (primera-robot.md §8.3), one test each: armed to fire in one of its
// phases, it fires there with its documented SYSERR (or result), the catalogue's own remedy lines
// clear it, and the operation finishes; afterwards every disc is accounted for.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { crc16Hex } from '../../src/robot/dprp/crc16.ts';
import { decodeFrame, type Frame } from '../../src/robot/dprp/frame.ts';
import { appliesTo, getFault, listFaults, type FaultInfo } from '../../simulator/faults.ts';
import { remedyRequests, type RemedyContext } from '../../simulator/fault-remedies.ts';
import { listModels, type ModelParams } from '../../simulator/models.ts';
import { discFiles, startRig, type Rig } from './harness.ts';

type Req = { verb: string; args: Record<string, string> };
const req = (line: string): Req => {
  const [verb = '', ...pairs] = line.split(' ');
  return { verb, args: Object.fromEntries(pairs.map((p) => p.split('=') as [string, string])) };
};

const PREFERENCE = ['PICKING', 'LOADING_DRIVE', 'PRINTING', 'LOADING_PRINTER', 'UNLOADING_PRINTER', 'UNLOADING_DRIVE', 'MOVING', 'CLEARING_DRIVE', 'ALIGNING', 'INITIALIZING', 'RECORDING'];
/** Faults after whose remedy the device gives the operation up. */
const FAILS_OP = new Set(['dropped-printer-fatal', 'power-cycle']);

let files: string;
let label: string;
let image: string;
let rig: Rig | null = null;

beforeAll(() => {
  ({ dir: files, image, label } = discFiles(Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251))));
});
afterAll(() => fs.rmSync(files, { recursive: true, force: true }));
afterEach(async () => {
  await rig?.close();
  rig = null;
});

function modelFor(fault: FaultInfo): ModelParams | null {
  const models = listModels();
  const def = getFault(fault.id)!;
  return models.find((m) => m.id === 'DP-XRP' && appliesTo(def, m)) ?? models.find((m) => appliesTo(def, m)) ?? null;
}

/** The operation that goes through `phase`, what must happen first, and the remedy's context. */
function scenario(fault: FaultInfo, phase: string, model: ModelParams): { prepare: Req[]; verb: Req; ctx: RemedyContext } {
  const bin = /^dropped-bin(\d)$/.exec(fault.id)?.[1];
  const dest = bin ?? (fault.id === 'dropped-reject' ? '200' : '0');
  const load = req('LOAD_DRIVE drive=0 from=1 clear=0');
  const ctx: RemedyContext = { drive: 0, bin: 1, target: dest };
  switch (phase) {
    case 'PICKING':
    case 'LOADING_DRIVE': return { prepare: [], verb: load, ctx: { ...ctx, target: 'drive:0' } };
    case 'CLEARING_DRIVE': return { prepare: [load], verb: req('LOAD_DRIVE drive=0 from=1 clear=1'), ctx };
    case 'PRINTING': return { prepare: [req('LOAD_PRINTER from=1')], verb: req(`PRINT file=${label}`), ctx: { ...ctx, target: '100' } };
    case 'LOADING_PRINTER': return { prepare: [], verb: req('LOAD_PRINTER from=1'), ctx: { ...ctx, target: '100' } };
    case 'UNLOADING_PRINTER': return { prepare: [req('LOAD_PRINTER from=1')], verb: req(`UNLOAD_PRINTER to=${dest}`), ctx };
    case 'UNLOADING_DRIVE': return { prepare: [load], verb: req(`UNLOAD_DRIVE drive=0 to=${dest}`), ctx };
    case 'MOVING': return { prepare: [], verb: req(`MOVE from=1 to=${dest === '0' ? String(model.bins.count) : dest}`), ctx };
    case 'ALIGNING': return { prepare: [], verb: req('SYSTEM_ACTION action=ALIGNPRINTER'), ctx };
    case 'INITIALIZING': return { prepare: [], verb: req('SYSTEM_ACTION action=RESETSYSTEM'), ctx };
    default: throw new Error(`no scenario for ${phase}`);
  }
}

async function expectAccounted(): Promise<void> {
  const { accounting } = rig!.sim.snapshot();
  expect(accounting.total).toBe(accounting.expected);
  expect(accounting.chassis).toEqual([]);
  expect(accounting.picker).toEqual([]);
}

async function runRemedy(fault: FaultInfo, model: ModelParams, ctx: RemedyContext): Promise<void> {
  for (const step of remedyRequests(fault.id, model, ctx)) await rig!.host.ok(step.verb, step.args);
}

const faults = listFaults();

describe('fault catalogue', () => {
  it('holds every fault of primera-robot.md §8.3 the brief names, pick among them', () => {
    const ids = faults.map((f) => f.id);
    for (const id of ['input-empty', 'pick', 'multiple-pick', 'dropped-recorder', 'dropped-printer-fatal', 'cover-open', 'ink-low-both',
      'ink-empty-black', 'cart-swapped', 'align-needed', 'waiting-for-printer', 'offline', 'power-cycle', 'drive-never-ready',
      'media-not-blank', 'write-error', 'verify-error', 'link-noise', 'open-close-fail']) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const f of faults) {
      expect(f.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(f.phases.length).toBeGreaterThan(0);
      if (f.level === 'robot') expect(f.syserrName).toMatch(/^SYSERR_/);
    }
  });
});

describe('each fault fires in its phase and its remedy lets the operation finish', () => {
  for (const fault of faults) {
    it(`${fault.id} (${fault.level}${fault.syserr !== null ? `, SYSERR ${fault.syserr}` : fault.result !== null ? `, ${fault.result}` : ''})`, async () => {
      const model = modelFor(fault);
      if (!model) {
        // dropped-bin3..5: no listed model has that many bins; every model refuses to arm it.
        for (const m of listModels()) {
          rig = await startRig({ model: m.id });
          const { reply } = await rig.host.request('SIM_FAULT', { code: fault.id, trigger: `next:${fault.phases[0]}` });
          expect(reply.args).toMatchObject({ code: '520' });
          await rig.close();
          rig = null;
        }
        return;
      }
      rig = await startRig({ model: model.id });
      const host = rig.host;
      if (fault.level === 'link') return linkFault(fault);
      if (fault.level === 'recorder') return recorderFault(fault, model);
      const phase = PREFERENCE.find((p) => fault.phases.includes(p))!;
      const { prepare, verb, ctx } = scenario(fault, phase, model);
      for (const step of prepare) await host.operation(step.verb, step.args);
      await host.ok('SIM_FAULT', { code: fault.id, trigger: `next:${phase}` });

      if (fault.level === 'command') {
        const { reply } = await host.request(verb.verb, verb.args);
        expect(reply.args).toMatchObject({ code: String(fault.result), name: fault.resultName });
        await host.operation(verb.verb, verb.args);
        return expectAccounted();
      }
      if (fault.level === 'media') {
        await host.operation(verb.verb, verb.args);
        const { reply } = await host.request('MEDIA_INFO', { drive: '0' });
        if (fault.result !== null) expect(reply.args).toMatchObject({ code: String(fault.result) });
        else if (fault.id === 'media-not-blank') expect(reply.args).toMatchObject({ blank: '0' });
        else expect(reply.args.type).not.toBe(model.drives.media[0]);
        for (const step of remedyRequests(fault.id, model, ctx)) await host.operation(step.verb, step.args);
        expect(rig.sim.snapshot().accounting.reject).toHaveLength(1);
        return expectAccounted();
      }

      const reply = await host.ok(verb.verb, verb.args);
      const op = reply.args.op!;
      const toError = await host.takeUntil((f) => f.verb === 'STATE' && f.args.state === '2');
      const error = toError[toError.length - 1]!;
      expect(error.args).toMatchObject({ syserr: String(fault.syserr), phase, op });
      expect(toError.some((f) => f.verb === 'OPDONE')).toBe(false);
      // While paused, a robotic verb is refused with the cause.
      const refused = await host.request('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
      expect(refused.reply.args).toMatchObject({ code: '528', syserr: String(fault.syserr) });

      // The operator script fills the remedy's placeholders from the snapshot, as an end-to-end table would.
      const paused = rig.sim.snapshot();
      expect(paused.pending).toMatchObject({ op: Number(op), phase });
      expect(paused.errors.map((e) => e.syserr)).toContain(fault.syserr);
      await runRemedy(fault, model, paused.remedyContext);
      const rest: Frame[] = await host.takeUntil((f) => f.verb === 'OPDONE' && f.args.op === op);
      expect(rest[rest.length - 1]!.args.result).toBe(FAILS_OP.has(fault.id) ? 'FAILED' : 'OK');
      expect(rest.filter((f) => f.verb === 'STATE' && f.args.state === '2')).toEqual([]);
      const status = await host.request('GET_STATUS');
      expect(status.reply.args).toMatchObject({ state: '0', syserr: '0', op: '0' });
      await expectAccounted();
    });
  }
});

async function linkFault(fault: FaultInfo): Promise<void> {
  const host = rig!.host;
  await host.ok('SIM_FAULT', { code: fault.id, trigger: 'now' });
  host.setSeq(100);
  host.writeRaw('Q101 PING *' + crc16Hex('Q101 PING'));
  if (fault.id === 'link-noise') {
    const [garbage, reply] = await host.take(2);
    expect(garbage).not.toMatch(/^[QREN]\d+ /);
    expect(reply).toMatch(/^R101 OK t=\d+ \*[0-9A-F]{4}$/);
  } else if (fault.id === 'link-corrupt') {
    const [line] = await host.take(1);
    expect(decodeFrame(line!).ok).toBe(false);
  } else {
    // The reply was dropped; the host's repeat of the same line gets it from the reply cache.
    host.setSeq(101);
    const { reply } = await host.request('GET_STATUS');
    expect(reply.seq).toBe(102);
    expect(host.untaken()).toEqual([]);
    host.writeRaw('Q101 PING *' + crc16Hex('Q101 PING'));
    const [again] = await host.take(1);
    expect(again).toMatch(/^R101 OK t=\d+ /);
  }
}

async function recorderFault(fault: FaultInfo, model: ModelParams): Promise<void> {
  const host = rig!.host;
  await host.operation('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
  await host.ok('SIM_FAULT', { code: fault.id, trigger: 'next:RECORDING', ...(fault.id === 'write-error' ? { at: '37' } : {}) });
  await host.ok('SIM_DRIVE_WRITE', { drive: '0', image, close: '1' });
  const events = await host.takeUntil((f) => f.verb === 'DRIVE_DONE');
  const done = events[events.length - 1]!;
  const written = fs.readFileSync(done.args.file!);
  const original = fs.readFileSync(image);
  if (fault.id === 'write-error') {
    expect(done.args.result).toBe('WRITE_ERROR');
    expect(written.length).toBe(Math.floor(original.length * 0.37));
    expect(events.filter((f) => f.verb === 'DRIVE_PROGRESS').map((f) => f.args.pct)).toEqual(['25']);
  } else {
    expect(done.args.result).toBe('OK');
    expect(written.length).toBe(original.length);
    const differing = [...written.keys()].filter((i) => written[i] !== original[i]);
    expect(differing).toHaveLength(1);
  }
  for (const step of remedyRequests(fault.id, model, { drive: 0 })) await host.operation(step.verb, step.args);
  const snapshot = rig!.sim.snapshot();
  expect(snapshot.accounting.reject).toHaveLength(1);
  expect(fs.existsSync(path.join(rig!.sim.simDir, 'bins/reject', `${snapshot.accounting.reject[0]}.img`))).toBe(true);
  await expectAccounted();
}
