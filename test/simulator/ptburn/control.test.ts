// Controlling the PTBurn emulator: ABORT of a running job (the disc in the drive rejected, .ERR
// with 16), a stopped service (pause: the tick and the job stand still; resume: both go on), and
// one status file caught half-written, which the next period writes whole again.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseIni } from '../../../src/robot/ptburn/ini.ts';
import { command, delivered, discRequest, jobFileState, jobSection, readRobotStatus, readSystemStatus, startBench, submit, waitFor, type Bench } from './support.ts';

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

/** Slow enough that a DVD burn spans many status periods (60 s lead-in = 1.5 s wall). */
const SLOW = { timeScale: 40, statusFrequencyMs: 50 };

describe('PTBurn emulator control', () => {
  it('aborts a running job on ABORT with its ClientID: the disc in the drive is rejected, .ERR with 16', async () => {
    bench = await startBench(SLOW);
    const b = bench;
    submit(b, 'J000020-1-1', discRequest(b));
    await waitFor('recording (DriveState0 1)', () => readRobotStatus(b.folder, b.emulator.robotName)?.system.drives[0]?.state === 1, 60_000);
    expect(jobFileState(b.folder, 'J000020-1-1')).toBe('in-process');
    command(b.folder, 'J000020-1-1', { message: 'ABORT', clientId: 'someone-else' });
    await waitFor('the PTM consumed', () => !fs.existsSync(path.join(b.folder, 'J000020-1-1.PTM')));
    expect(b.emulator.job('J000020-1-1')?.abortRequested).toBe(false);
    command(b.folder, 'J000020-1-1', { message: 'ABORT', clientId: 'discrobot' });
    await waitFor('.ERR', () => jobFileState(b.folder, 'J000020-1-1') === 'failed', 60_000);
    const section = await waitFor('the failed section', () => jobSection(b, 'J000020-1-1')?.jobState === 3 && jobSection(b, 'J000020-1-1'));
    expect(section).toMatchObject({ jobErrorNumber: 16, currentStatusState: 13, goodDiscs: 0 });
    expect(delivered(b).reject).toHaveLength(1);
    expect(delivered(b).output).toEqual([]);
    expect(b.emulator.world.drives[0]!.discs).toEqual([]);
  });

  it('aborts a queued job at once', async () => {
    bench = await startBench();
    const b = bench;
    b.emulator.operator.cover(true); // holds the first job before its first pick
    submit(b, 'J000021-1-1', discRequest(b));
    submit(b, 'J000021-2-1', discRequest(b));
    await waitFor('queued', () => jobFileState(b.folder, 'J000021-2-1') === 'queued');
    command(b.folder, 'J000021-2-1', { message: 'ABORT', clientId: 'discrobot' });
    await waitFor('.ERR', () => jobFileState(b.folder, 'J000021-2-1') === 'failed');
    expect(jobSection(b, 'J000021-2-1') ?? (await waitFor('section', () => jobSection(b, 'J000021-2-1')))).toMatchObject({ jobErrorNumber: 16 });
    b.emulator.operator.cover(false);
    await waitFor('the other job done', () => jobFileState(b.folder, 'J000021-1-1') === 'done');
  });

  it('pause() freezes the tick and the job; resume() lets both go on', async () => {
    bench = await startBench(SLOW);
    const b = bench;
    submit(b, 'J000022-1-1', discRequest(b));
    await waitFor('.INP', () => jobFileState(b.folder, 'J000022-1-1') === 'in-process', 60_000);
    const tick = () => readSystemStatus(b.folder)?.system.serverTickCount;
    const before = tick()!;
    await waitFor('the tick moving', () => tick()! > before);
    b.emulator.pause();
    const frozen = { tick: tick(), text: fs.readFileSync(path.join(b.folder, 'Status', 'SystemStatus.txt'), 'latin1') };
    // A whole burn at this scale takes about 3 s of wall time: stopped for longer, it must not end.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(tick()).toBe(frozen.tick);
    expect(fs.readFileSync(path.join(b.folder, 'Status', 'SystemStatus.txt'), 'latin1')).toBe(frozen.text);
    expect(jobFileState(b.folder, 'J000022-1-1')).toBe('in-process');
    expect(delivered(b).output).toEqual([]);
    b.emulator.resume();
    await waitFor('the tick moving again', () => tick()! > frozen.tick!);
    await waitFor('.DON', () => jobFileState(b.folder, 'J000022-1-1') === 'done', 60_000);
  });

  it('writes a status file partially once when injected, and whole at the next period', async () => {
    bench = await startBench({ statusFrequencyMs: 60_000 });
    const b = bench;
    const file = path.join(b.folder, 'Status', `${b.emulator.robotName}.txt`);
    b.emulator.inject({ kind: 'partial-status' });
    b.emulator.writeStatus();
    const cut = fs.readFileSync(file, 'latin1');
    expect(parseIni(cut).partial).toBe(true);
    expect(readRobotStatus(b.folder, b.emulator.robotName)?.partial).toBe(true);
    b.emulator.writeStatus();
    expect(readRobotStatus(b.folder, b.emulator.robotName)?.partial).toBe(false);
    expect(readSystemStatus(b.folder)?.partial).toBe(false);
  });

  it('CHECK_DISCSINBIN makes unknown bin counts known again', async () => {
    bench = await startBench();
    const b = bench;
    b.emulator.operator.cover(true);
    b.emulator.operator.cover(false);
    await waitFor('bins unknown (-1)', () => readSystemStatus(b.folder)?.robots[0]?.discsInRightBin === 'unknown');
    command(b.folder, 'recount', { message: 'CHECK_DISCSINBIN' });
    await waitFor('bins counted', () => readSystemStatus(b.folder)?.robots[0]?.discsInRightBin === 25);
  });
});
