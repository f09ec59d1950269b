// POST /api/robots/:name/simulator against the real publisher (serve() in this process, its robot
// simulated in-process and a serial robot beside it): each kind of action reaches the simulator's
// world and lands in the audit trail; an unknown robot is a 404, a serial one a 409, and what the
// simulator refuses a 422 naming the field, with nothing recorded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditView, RobotView } from '../../src/api/publisher-api.ts';
import { embeddedDefaults, type Config } from '../../src/config/schema.ts';
import { serve, type RunningPublisher } from '../../src/serve.ts';
import type { SimulatorHandle } from '../../simulator/server.ts';

const OPERATOR = 'sim-tester';
const WAIT = { timeout: 30_000, interval: 20 };

let dataDir: string;
let running: RunningPublisher;
let sim: SimulatorHandle;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'discrobot-sim-actions-'));
  const defaults = embeddedDefaults();
  const config: Config = {
    ...defaults,
    dicom: { ...defaults.dicom, listeners: [{ host: '127.0.0.1', port: 0 }] },
    storage: { ...defaults.storage, data: dataDir, reserveBytes: 0 },
    http: { ...defaults.http, listen: '127.0.0.1:0' },
    robots: [
      { name: 'robot1', kind: 'sim', model: 'DP-4100', timeScale: 0 },
      // A tty that is not there: the robot stays offline, which is all this test needs of it.
      { name: 'bay', kind: 'serial', path: path.join(dataDir, 'no-such-tty') },
    ],
  };
  running = await serve(config, pino({ level: 'silent' }));
  sim = running.robots.find((robot) => robot.name === 'robot1')!.sim!;
});

afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function act(robot: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${running.http.url}/api/robots/${encodeURIComponent(robot)}/simulator`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Operator': OPERATOR },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function robotState(name: string): Promise<string> {
  const response = await fetch(`${running.http.url}/api/robots`);
  return ((await response.json()) as { robots: RobotView[] }).robots.find((robot) => robot.name === name)!.state;
}

async function simulatorAudit(): Promise<Pick<AuditView, 'actor' | 'action' | 'subject' | 'details'>[]> {
  const response = await fetch(`${running.http.url}/api/audit?subject=robot%3Arobot1`);
  const entries = ((await response.json()) as { audit: AuditView[] }).audit;
  return entries.filter((entry) => entry.action.startsWith('simulator.')).reverse().map(({ actor, action, subject, details }) => ({ actor, action, subject, details }));
}

const OK = { status: 200, body: { ok: true } };
const audited = (kind: string, details: Record<string, unknown>) => ({ actor: `operator:${OPERATOR}`, action: `simulator.${kind}`, subject: 'robot:robot1', details });

describe('refusals', () => {
  it('an unknown robot is a 404 and a serial robot a 409', async () => {
    expect(await act('robot9', { kind: 'cover', open: true })).toEqual({ status: 404, body: { error: 'no robot robot9' } });
    const serial = await act('bay', { kind: 'cover', open: true });
    expect(serial.status).toBe(409);
    expect((serial.body as { error: string }).error).toMatch(/^robot bay is not simulated/);
  });

  it.each([
    [{ kind: 'fault', code: 'jammed' }, /^code: no fault "jammed"/],
    [{ kind: 'fault', code: 'arm-move' }, /^code: the fault arm-move does not apply to the DP-4100/],
    [{ kind: 'fault', code: 'pick', trigger: 'next:PRINTING' }, /^trigger: pick fires in PICKING, not PRINTING/],
    [{ kind: 'fault', code: 'pick', trigger: 'sometimes' }, /^trigger: /],
    [{ kind: 'fillBin', bin: 3, count: 10 }, /^bin: the simulated DP-4100 refused 3/],
    [{ kind: 'fillBin', bin: 1, count: 5000 }, /^count: the simulated DP-4100 refused 5000/],
    [{ kind: 'cartridge', slot: 1, type: 'purple' }, /^type: the simulated DP-4100 refused "purple"/],
    [{ kind: 'ink', slot: 9, pct: 50 }, /^slot: the simulated DP-4100 refused 9/],
  ])('%j is a 422 naming the field, and is not recorded', async (body, message) => {
    const before = await simulatorAudit();
    const answer = await act('robot1', body);
    expect(answer.status).toBe(422);
    expect((answer.body as { error: string }).error).toMatch(message);
    expect(await simulatorAudit()).toEqual(before);
  });
});

describe('actions reach the simulator and the audit trail', () => {
  it('fills a bin, sets ink and a cartridge', async () => {
    const count = sim.model.bins.maxPerBin - 1;
    expect(await act('robot1', { kind: 'fillBin', bin: 1, count })).toEqual(OK);
    expect(sim.world.bins[0]!.blanks).toBe(count);
    expect(await act('robot1', { kind: 'ink', slot: 2, pct: 37 })).toEqual(OK);
    expect(sim.world.cartridges[1]!.pct).toBe(37);
    expect(await act('robot1', { kind: 'cartridge', slot: 1, type: 'black' })).toEqual(OK);
    expect(sim.world.cartridges[0]).toEqual({ content: 'black', pct: 100 });
    expect((await simulatorAudit()).slice(-3)).toEqual([
      audited('fillBin', { bin: 1, count }),
      audited('ink', { slot: 2, pct: 37 }),
      audited('cartridge', { slot: 1, type: 'black' }),
    ]);
  });

  it('opens and closes the cover: the robot goes into error and out of it', async () => {
    await vi.waitFor(async () => expect(await robotState('robot1')).toBe('idle'), WAIT);
    expect(await act('robot1', { kind: 'cover', open: true })).toEqual(OK);
    expect(sim.world.cover.open).toBe(true);
    await vi.waitFor(async () => expect(await robotState('robot1')).toMatch(/^error\./), WAIT);
    expect(await act('robot1', { kind: 'cover', open: false })).toEqual(OK);
    await vi.waitFor(async () => expect(await robotState('robot1')).toBe('idle'), WAIT);
    expect((await simulatorAudit()).slice(-2)).toEqual([audited('cover', { open: true }), audited('cover', { open: false })]);
  });

  it('arms a fault that stops the robot at once', async () => {
    await vi.waitFor(async () => expect(await robotState('robot1')).toBe('idle'), WAIT);
    expect(await act('robot1', { kind: 'fault', code: 'carriage-move' })).toEqual(OK);
    await vi.waitFor(async () => expect(await robotState('robot1')).toBe('error.mechanical'), WAIT);
    expect((await simulatorAudit()).at(-1)).toEqual(audited('fault', { code: 'carriage-move' }));
  });

  it('switches the power off and on', async () => {
    expect(await act('robot1', { kind: 'power', on: false })).toEqual(OK);
    expect(sim.snapshot().powered).toBe(false);
    expect(await act('robot1', { kind: 'power', on: true })).toEqual(OK);
    expect(sim.snapshot().powered).toBe(true);
    expect((await simulatorAudit()).slice(-2)).toEqual([audited('power', { on: false }), audited('power', { on: true })]);
  });
});
