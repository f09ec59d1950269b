// The model table: every value has a source or is marked an assumption; every listed model
// reports its own parameters on the wire and runs a disc through its own drives, bins and printer;
// a unit without printer is supported; a job at a high time scale finishes.
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getModel, listModels, MODEL_IDS, modelSources, type ModelParams } from '../../simulator/models.ts';
import { discFiles, startRig, type Rig } from './harness.ts';

let files: string;
let image: string;
let label: string;
let rig: Rig | null = null;

beforeAll(() => {
  ({ dir: files, image, label } = discFiles(Buffer.alloc(100_000, 0x33)));
});
afterAll(() => fs.rmSync(files, { recursive: true, force: true }));
afterEach(async () => {
  await rig?.close();
  rig = null;
});

function leaves(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, v]) => leaves(v, prefix ? `${prefix}.${key}` : key));
}

/** Waits, polling, until the loaded disc answers MEDIA_INFO (it spins up in simulated time). */
async function mediaReady(r: Rig, drive: number): Promise<Record<string, string>> {
  for (;;) {
    const { reply } = await r.host.request('MEDIA_INFO', { drive: String(drive) });
    if (reply.verb === 'OK') return reply.args;
    expect(reply.args.code).toBe('523');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function happyDisc(r: Rig, model: ModelParams): Promise<void> {
  const drive = model.drives.count - 1;
  await r.host.operation('LOAD_DRIVE', { drive: String(drive), from: '0', clear: '1' });
  expect(await mediaReady(r, drive)).toMatchObject({ type: model.drives.media[0], blank: '1' });
  await r.host.ok('SIM_DRIVE_WRITE', { drive: String(drive), image, close: '1' });
  const written = await r.host.takeUntil((f) => f.verb === 'DRIVE_DONE');
  expect(written.map((f) => `${f.args.phase ?? f.args.result}:${f.args.pct ?? ''}`)).toEqual(['RECORDING:25', 'RECORDING:50', 'RECORDING:75', 'RECORDING:100', 'FINALIZING:100', 'OK:']);
  if (model.printer.present) {
    await r.host.operation('LOAD_PRINTER_FROM_DRIVE', { drive: String(drive) });
    await r.host.operation('PRINT', { file: label });
    await r.host.operation('UNLOAD_PRINTER', { to: '0' });
  } else {
    await r.host.operation('UNLOAD_DRIVE', { drive: String(drive), to: '0' });
  }
}

describe('model table', () => {
  it('lists the nine models of the conformance statement', () => {
    expect(listModels().map((m) => m.id)).toEqual([...MODEL_IDS]);
    expect(MODEL_IDS).toHaveLength(9);
  });

  for (const id of MODEL_IDS) {
    it(`${id}: every value has a source or is marked an assumption`, () => {
      const sources = modelSources(id);
      const paths = leaves(getModel(id));
      expect(Object.keys(sources).sort()).toEqual([...paths].sort());
      for (const p of paths) expect(sources[p], p).toMatch(/^assumption\b|primera-robot\.md|docs\/robot-protocol\.md/);
    });
  }
});

describe('each model on the wire', () => {
  for (const model of listModels()) {
    it(`${model.id}: reports its parameters and delivers a printed disc to its output`, async () => {
      rig = await startRig({ model: model.id });
      const info = await rig.host.ok('GET_INFO');
      expect(info.args).toMatchObject({
        type: String(model.robotType), model: model.id, drives: String(model.drives.count), printers: '1', bins: String(model.bins.count),
        kiosk: model.bins.kiosk ? '1' : '0', acts: `0x${model.acts.toString(16).toUpperCase()}`, maxPerBin: String(model.bins.maxPerBin),
      });
      const drives = await rig.host.request('ENUM_DRIVES');
      expect(drives.reply.args.n).toBe(String(model.drives.count));
      expect(drives.events.map((f) => `${f.args.col}/${f.args.row}`)).toHaveLength(model.drives.count);
      await happyDisc(rig, model);
      const { accounting } = rig.sim.snapshot();
      expect(accounting.output).toEqual(['SIM-000001']);
      expect(accounting.discs[0]).toMatchObject({ place: model.bins.output === 'front' ? 'output' : `bin${model.bins.output}`, printed: true, state: 'closed' });
      expect(accounting.total).toBe(accounting.expected);
    });
  }

  it('a unit without printer reports printers=0, refuses printer verbs (508) and still delivers discs', async () => {
    const base = getModel('DP-XRP');
    const model: ModelParams = { ...base, printer: { ...base.printer, present: false, cartridges: [] } };
    rig = await startRig({ model });
    expect((await rig.host.ok('GET_INFO')).args.printers).toBe('0');
    expect((await rig.host.ok('GET_STATUS')).args).toMatchObject({ carts: '', ink: '', tray: 'I' });
    expect((await rig.host.request('LOAD_PRINTER', { from: '1' })).reply.args).toMatchObject({ code: '508', name: 'PTROBOT_NO_PRINTER' });
    await happyDisc(rig, model);
    expect(rig.sim.snapshot().accounting.discs[0]).toMatchObject({ place: 'bin2', printed: false });
  });

  it('a disc at time scale 1000 goes through every timed motion and finishes', async () => {
    rig = await startRig({ model: 'DP-4100', timeScale: 1000 });
    await happyDisc(rig, getModel('DP-4100'));
    expect(rig.sim.snapshot()).toMatchObject({ timeScale: 1000, accounting: { output: ['SIM-000001'] } });
  });
});
