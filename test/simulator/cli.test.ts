// `discrobot simulate` as a real process: the lists, usage errors naming the flag, and a simulator
// on one end of a socat pty pair answering a serialport client on the other end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { startPtyPair, type PtyPair } from '../../adapters/robot/socat-pty.ts';
import fs from 'node:fs';
import path from 'node:path';
import { ReadlineParser, SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, decodeFrame } from '../../src/robot/dprp/frame.ts';
import { listFaults } from '../../simulator/faults.ts';
import { MODEL_IDS } from '../../simulator/models.ts';
import { tempDir } from './harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/discrobot.js');
const children: ChildProcess[] = [];
const ptys: PtyPair[] = [];
let port: SerialPort | null = null;

afterEach(async () => {
  if (port?.isOpen) await new Promise<void>((resolve) => port!.close(() => resolve()));
  port = null;
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pty of ptys.splice(0)) await pty.close();
});

function runCli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
}

/** Resolves once `check` holds, polling (used for files socat creates and log lines). */
async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('discrobot simulate (process)', () => {
  it('--list-models prints the model ids one per line', () => {
    const result = runCli(['simulate', '--list-models']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([...MODEL_IDS]);
  });

  it('--list-faults prints the fault ids one per line', () => {
    const result = runCli(['simulate', '--list-faults']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(listFaults().map((f) => f.id));
  });

  it('an unknown model or fault is a usage error naming the flag (exit 2)', () => {
    const model = runCli(['simulate', '--model', 'DP-9000', '--link', '/dev/null']);
    expect(model.status).toBe(2);
    expect(model.stderr).toMatch(/--model "DP-9000"/);
    const fault = runCli(['simulate', '--model', 'DP-XRP', '--link', '/dev/null', '--inject', 'gremlins@next:PICKING']);
    expect(fault.status).toBe(2);
    expect(fault.stderr).toMatch(/--inject "gremlins@next:PICKING"/);
    const scale = runCli(['simulate', '--model', 'DP-XRP', '--link', '/dev/null', '--time-scale', 'fast']);
    expect(scale.status).toBe(2);
    expect(scale.stderr).toMatch(/--time-scale/);
  });

  it('serves DPRP on one end of a socat pty pair to a serialport client on the other', async () => {
    const dir = tempDir('discrobot-sim-pty-');
    const hostEnd = path.join(dir, 'host');
    const simEnd = path.join(dir, 'sim');
    ptys.push(await startPtyPair(hostEnd, simEnd));

    const sim = spawn(process.execPath, [BIN, 'simulate', '--model', 'DP-XRP', '--link', simEnd, '--time-scale', '0', '--data', path.join(dir, 'data'), '--heartbeat-ms', '100'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(sim);
    let stdout = '';
    let stderr = '';
    sim.stdout!.on('data', (d) => (stdout += d));
    sim.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => sim.on('exit', (code) => resolve(code)));
    await until(() => stdout.includes('"msg":"simulator ready"') || sim.exitCode !== null, 'the simulator to be ready');
    expect(stderr).toBe('');

    port = new SerialPort({ path: hostEnd, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port!.open((err) => (err ? reject(err) : resolve())));
    const lines: string[] = [];
    port.pipe(new ReadlineParser({ delimiter: '\n' })).on('data', (line: string) => lines.push(line));
    port.write(`${encodeFrame({ kind: 'Q', seq: 1, verb: 'HELLO', args: { proto: 'DPRP/1', client: 'test/1' } })}\n`);
    port.write(`${encodeFrame({ kind: 'Q', seq: 2, verb: 'GET_INFO', args: {} })}\n`);
    await until(() => lines.some((l) => l.startsWith('R2 ')) && lines.some((l) => / HEARTBEAT /.test(l)), 'the replies and a heartbeat');
    expect(lines.find((l) => l.startsWith('R1 '))).toBe('R1 OK proto=DPRP/1 impl=sim trayControl=robot *6A62');
    expect(lines.find((l) => l.startsWith('R2 '))).toBe(
      'R2 OK type=5 model=DP-XRP desc=Disc%20Publisher%20XRP fw=SIM-1 drives=2 printers=1 bins=2 kiosk=1 acts=0x3B3 maxPerBin=50 trayControl=robot serial=SIM-DP-XRP *9B9E');
    for (const line of lines) expect(decodeFrame(line).ok, line).toBe(true);

    sim.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(fs.existsSync(path.join(dir, 'data/sim/world.sqlite'))).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
