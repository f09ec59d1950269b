// The world survives a restart: it is saved in SQLite under <data>/sim after every change, and a
// simulator started again on the same data folder finds every disc where it was.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorStartError, startSimulator } from '../../simulator/server.ts';
import { createDuplexPair } from '../../adapters/robot/stream-pair.ts';
import { startRig, tempDir, type Rig } from './harness.ts';

let files: string;
let image: string;
const rigs: Rig[] = [];
const dataDirs: string[] = [];

function dataFolder(): string {
  const dir = tempDir();
  dataDirs.push(dir);
  return dir;
}

beforeAll(() => {
  files = tempDir('discrobot-sim-files-');
  image = path.join(files, 'disc.iso');
  fs.writeFileSync(image, Buffer.from(Array.from({ length: 64_000 }, (_, i) => i % 256)));
});
afterAll(() => {
  for (const dir of [files, ...dataDirs]) fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});

async function rigOn(dataDir: string, model = 'DP-XRP'): Promise<Rig> {
  const rig = await startRig({ dataDir, model });
  rigs.push(rig);
  return rig;
}

describe('persistence', () => {
  it('a restarted simulator finds the discs where they were, the one left in a drive included', async () => {
    const dataDir = dataFolder();
    const first = await rigOn(dataDir);
    await first.host.operation('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
    await first.host.ok('SIM_DRIVE_WRITE', { drive: '0', image, close: '1' });
    await first.host.takeUntil((f) => f.verb === 'DRIVE_DONE');
    await first.host.operation('LOAD_PRINTER', { from: '1' });
    await first.host.operation('LOAD_DRIVE', { drive: '1', from: '1', clear: '0' });
    const last = await first.host.operation('UNLOAD_DRIVE', { drive: '1', to: '0' });
    const before = first.sim.snapshot().accounting;
    await first.close();

    const db = new Database(path.join(dataDir, 'sim/world.sqlite'), { readonly: true });
    const row = db.prepare('SELECT schema, revision, doc FROM world').get() as { schema: number; revision: number; doc: string };
    db.close();
    expect(row.schema).toBe(1);
    expect(row.revision).toBeGreaterThan(1);
    expect(JSON.parse(row.doc).drives[0].discs[0].id).toBe('SIM-000001');

    const second = await rigOn(dataDir);
    expect(second.sim.snapshot().accounting).toEqual(before);
    expect(before).toMatchObject({ drives: ['SIM-000001'], printer: ['SIM-000002'], output: ['SIM-000003'], blanksInBins: 22 });
    expect((await second.host.request('GET_STATUS')).reply.args).toMatchObject({ state: '0', tray: 'D', bins: '1,22', picks: '4' });
    expect((await second.host.request('MEDIA_INFO', { drive: '0' })).reply.args).toEqual({ type: 'DVD-R', id: 'SIM-000001', blank: '0' });

    const unload = await second.host.operation('UNLOAD_DRIVE', { drive: '0', to: '0' });
    expect(Number(unload.op)).toBe(Number(last.op) + 1);
    const delivered = path.join(dataDir, 'sim/bins/bin2/SIM-000001.img');
    expect(fs.readFileSync(delivered).equals(fs.readFileSync(image))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'sim/discs/SIM-000001.img'))).toBe(false);
    await second.host.operation('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
    expect((await second.host.request('MEDIA_INFO', { drive: '0' })).reply.args.id).toBe('SIM-000004');
  });

  it('a unit saved with its cover open comes back in error 15, cleared by closing the cover', async () => {
    const dataDir = dataFolder();
    const first = await rigOn(dataDir);
    await first.host.ok('SIM_COVER', { open: '1' });
    await first.close();
    const second = await rigOn(dataDir);
    expect((await second.host.request('GET_STATUS')).reply.args).toMatchObject({ state: '2', syserr: '15', cover: '1', bins: '255,255' });
    await second.host.ok('SIM_COVER', { open: '0' });
    expect((await second.host.request('GET_STATUS')).reply.args).toMatchObject({ state: '0', syserr: '0', cover: '0' });
  });

  it('will not start another model on a data folder that holds a world', async () => {
    const dataDir = dataFolder();
    await (await rigOn(dataDir)).close();
    rigs.pop();
    await expect(startSimulator({ model: 'DP-SE', dataDir, timeScale: 0, heartbeatMs: 0, link: createDuplexPair()[1] })).rejects.toThrow(SimulatorStartError);
  });

  it('SIM_RESET makes a new world: discs from SIM-000001 again, ops from 1, old disc files gone', async () => {
    const dataDir = dataFolder();
    const rig = await rigOn(dataDir);
    await rig.host.operation('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
    await rig.host.ok('SIM_DRIVE_WRITE', { drive: '0', image, close: '1' });
    await rig.host.takeUntil((f) => f.verb === 'DRIVE_DONE');
    await rig.host.operation('UNLOAD_DRIVE', { drive: '0', to: '200' });
    expect(fs.readdirSync(path.join(dataDir, 'sim/bins/reject'))).toEqual(['SIM-000001.img']);
    await rig.host.ok('SIM_RESET', { model: 'DP-XRP' });
    expect(fs.existsSync(path.join(dataDir, 'sim/bins'))).toBe(false);
    const { op, events } = await rig.host.operation('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' });
    expect(op).toBe('1');
    expect(events[0]!.seq).toBe(1);
    expect((await rig.host.request('MEDIA_INFO', { drive: '0' })).reply.args.id).toBe('SIM-000001');
  });
});
