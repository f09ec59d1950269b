// System errors of the physical model as PTBurn reports them (errors.ts's PTRobot → PTBurn table),
// in SystemStatus.txt and <Robot>.txt, and how they clear: the cover closed, IGNORE_INKLOW, a bin
// filled and the operator's left button.
import { afterEach, describe, expect, it } from 'vitest';
import { command, delivered, discRequest, jobFileState, readRobotStatus, startBench, submit, sysError, waitFor, type Bench } from './support.ts';

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

describe('PTBurn emulator system errors', () => {
  it('shows an open cover as SysErrorNumber 15 and 0 again once it is closed; a job waits for it', async () => {
    bench = await startBench();
    const b = bench;
    await waitFor('no error at start', () => sysError(b) === 0);
    b.emulator.operator.cover(true);
    await waitFor('SysErrorNumber 15', () => sysError(b) === 15);
    expect(readRobotStatus(b.folder, b.emulator.robotName)?.system.sysErrorNumber).toBe(15);
    submit(b, 'J000010-1-1', discRequest(b));
    await waitFor('the job queued', () => jobFileState(b.folder, 'J000010-1-1') === 'queued' || jobFileState(b.folder, 'J000010-1-1') === 'in-process');
    expect(b.emulator.world.counters.picks).toBe(0);
    b.emulator.operator.cover(false);
    await waitFor('SysErrorNumber 0', () => sysError(b) === 0);
    await waitFor('.DON', () => jobFileState(b.folder, 'J000010-1-1') === 'done');
  });

  it('stops printing on low colour ink (5) until IGNORE_INKLOW, then finishes the job', async () => {
    bench = await startBench();
    const b = bench;
    b.emulator.operator.ink(1, 5); // DP-XRP slot 1 is the colour cartridge
    submit(b, 'J000011-1-1', discRequest(b, { printLabel: b.label }));
    await waitFor('SysErrorNumber 5', () => sysError(b) === 5);
    expect(jobFileState(b.folder, 'J000011-1-1')).toBe('in-process');
    command(b.folder, 'inkack', { message: 'IGNORE_INKLOW' });
    await waitFor('.DON', () => jobFileState(b.folder, 'J000011-1-1') === 'done');
    await waitFor('SysErrorNumber 0', () => sysError(b) === 0);
    expect(delivered(b).output[0]).toMatchObject({ printed: true });
  });

  it('reports both inks low as 7', async () => {
    bench = await startBench();
    const b = bench;
    b.emulator.operator.ink(1, 5);
    b.emulator.operator.ink(2, 5);
    submit(b, 'J000012-1-1', discRequest(b, { printLabel: b.label }));
    await waitFor('SysErrorNumber 7', () => sysError(b) === 7);
    command(b.folder, 'inkack', { message: 'IGNORE_INKLOW' });
    await waitFor('.DON', () => jobFileState(b.folder, 'J000012-1-1') === 'done');
  });

  it('shows an empty input bin as 3 until the bin is filled and the button pressed', async () => {
    bench = await startBench();
    const b = bench;
    b.emulator.operator.fillBin(1, 0);
    submit(b, 'J000013-1-1', discRequest(b));
    await waitFor('SysErrorNumber 3', () => sysError(b) === 3);
    b.emulator.operator.fillBin(1, 5);
    b.emulator.pressButton();
    await waitFor('.DON', () => jobFileState(b.folder, 'J000013-1-1') === 'done');
    await waitFor('SysErrorNumber 0', () => sysError(b) === 0);
  });
});
