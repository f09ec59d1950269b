// What GET /api/robots shows of a robot's context (src/publisher/robot-view.ts): bins numbered as
// the robot numbers them with unknown counts as null, cartridges named from PTRobot's codes, what
// each drive does at every step of the disc in hand, progress only while recording, and nothing
// printed for a unit without a printer.
import { describe, expect, it } from 'vitest';
import type { RobotContext } from '../../machines/robot/context.ts';
import { DEFAULT_ROBOT_OPTIONS } from '../../machines/robot/context.ts';
import type { DiscInHand, DiscStep, DiscWhere } from '../../machines/robot/disc.ts';
import type { DeviceStatus, DriveInfo, RobotInfo } from '../../machines/robot-link.ts';
import { robotDetail, type DiscProgressOf } from '../../src/publisher/robot-view.ts';

const INFO: RobotInfo = {
  impl: 'bridge-ptrobot', model: 'DP-4100', type: 8, description: 'Disc Publisher 4100', firmware: '1.07', drives: 2, printers: 1, bins: 2,
  actions: 0x3b3, kiosk: false, maxPerBin: 50, trayControl: 'robot',
};
const drive = (index: number): DriveInfo => ({ index, col: 0, row: index, name: `PIONEER BDR-${index}`, serial: `S${index}`, dev: `/dev/sr${index}` });
const STATUS: DeviceStatus = { state: 1, syserr: 0, phase: 'LOADING_DRIVE', op: 4, bins: [255, 37], tray: 'D', picker: 'O', cover: 0 };

function context(overrides: Partial<RobotContext> = {}): RobotContext {
  return {
    name: 'bay', options: DEFAULT_ROBOT_OPTIONS, nextRef: 1, pending: null, query: null, info: INFO, drives: [drive(0), drive(1)],
    status: STATUS, startup: [], queue: [], disc: null, nextDrive: 0, drivesCleared: [], fault: null, resume: null, recountBins: false,
    ...overrides,
  };
}

function disc(step: DiscStep | null, where: DiscWhere, extra: Partial<DiscInHand> = {}): DiscInHand {
  return {
    request: { discId: 'J7/2.1', jobId: 'J7', copy: 2, attempt: 1, imagePath: '/x.iso', imageBytes: 1, media: 'cd', labelPath: null, replyTo: 'job:J7' },
    drive: 1, clear: false, where, step, md5: null, cancelRequested: false, rejection: null, pausedFor: null, binsAtDelivery: null,
    ...extra,
  };
}

const PROGRESS = { phase: 'burning', pct: 42 };
const progressOf: DiscProgressOf = () => PROGRESS;

describe('the unit as it reported itself', () => {
  it('numbers bins from the right, shows unknown counts as null, and says where discs are in plain words', () => {
    const view = robotDetail(context(), progressOf);
    expect(view.bins).toEqual([{ bin: 2, count: null }, { bin: 1, count: 37 }]);
    expect([view.phase, view.cover, view.printerTray, view.picker]).toEqual(['LOADING_DRIVE', 'closed', 'holdingDisc', 'holdingDisc']);
    expect(robotDetail(context({ status: { ...STATUS, tray: 'O', picker: 'X', cover: 1 } }), progressOf)).toMatchObject({ printerTray: 'out', picker: 'empty', cover: 'open' });
    expect(robotDetail(context({ status: { ...STATUS, tray: 'I' } }), progressOf).printerTray).toBe('empty');
  });

  it('names each cartridge from its code, with its ink; an empty slot is none, a code nobody knows unknown', () => {
    const status: DeviceStatus = { ...STATUS, carts: [4, 5, 3, 2, 0, 9, 1], ink: [80, 70, 60, 50, 0, 10] };
    expect(robotDetail(context({ status }), progressOf).ink).toEqual([
      { slot: 1, pct: 80, cartridge: 'cyan' },
      { slot: 2, pct: 70, cartridge: 'magenta' },
      { slot: 3, pct: 60, cartridge: 'yellow' },
      { slot: 4, pct: 50, cartridge: 'black' },
      { slot: 5, pct: 0, cartridge: 'none' },
      { slot: 6, pct: 10, cartridge: 'unknown' },
      { slot: 7, pct: null, cartridge: 'colour' },
    ]);
  });

  it('shows no ink when the unit never said, and no printer tray or ink for a unit without a printer', () => {
    expect(robotDetail(context(), progressOf).ink).toEqual([]);
    const noPrinter = context({ info: { ...INFO, printers: 0 }, status: { ...STATUS, carts: [], ink: [] } });
    expect(robotDetail(noPrinter, progressOf)).toMatchObject({ printerTray: null, ink: [] });
  });

  it('tells what the unit said of itself when the link came up', () => {
    expect(robotDetail(context(), progressOf).info).toEqual({
      description: 'Disc Publisher 4100', firmware: '1.07', connection: 'bridge-ptrobot', drives: 2, printers: 1, bins: 2, maxPerBin: 50, kiosk: false,
    });
  });

  it('shows nothing reported for a robot that never ran or never heard from its unit', () => {
    const empty = { phase: null, bins: [], cover: null, printerTray: null, picker: null, ink: [], drives: [], disc: null, info: null };
    expect(robotDetail(undefined, progressOf)).toEqual(empty);
    expect(robotDetail(context({ info: null, drives: [], status: null }), progressOf)).toEqual(empty);
  });
});

describe('the disc in hand and its drive', () => {
  it.each<[DiscStep | null, DiscWhere, string]>([
    ['loading', 'bin', 'loading'],
    ['awaitingMedia', 'drive', 'preparing'],
    ['burning', 'drive', 'burning'],
    ['finalizing', 'drive', 'finalizing'],
    ['verifying', 'drive', 'verifying'],
    ['printing', 'drive', 'unloading'],
    ['delivering', 'drive', 'unloading'],
    ['rejecting', 'drive', 'unloading'],
    [null, 'drive', 'holding'],
    ['labelling', 'printer', 'idle'],
    ['delivering', 'printer', 'idle'],
    ['rejecting', 'bin', 'idle'],
  ])('step %s with the disc in the %s: its drive is %s', (step, where, activity) => {
    const view = robotDetail(context({ disc: disc(step, where) }), progressOf);
    expect(view.drives.map((d) => [d.index, d.activity, d.holdsCurrentDisc])).toEqual([[0, 'idle', false], [1, activity, activity !== 'idle']]);
  });

  it('names the disc, its job, copy and attempt, and its progress while recording only', () => {
    const burning = robotDetail(context({ disc: disc('burning', 'drive', { pausedFor: 15 }) }), progressOf).disc;
    expect(burning).toEqual({
      discId: 'J7/2.1', jobId: 'J7', copy: 2, attempt: 1, step: 'burning', where: 'drive', drive: 1, progress: PROGRESS, paused: true, cancelling: false,
    });
    const printing = robotDetail(context({ disc: disc('labelling', 'printer', { cancelRequested: true }) }), progressOf).disc;
    expect(printing).toMatchObject({ step: 'labelling', where: 'printer', drive: 1, progress: null, paused: false, cancelling: true });
  });

  it('has no drive for a disc that never reached one', () => {
    expect(robotDetail(context({ disc: disc('rejecting', 'bin') }), progressOf).disc?.drive).toBeNull();
    expect(robotDetail(context({ disc: disc('loading', 'bin') }), progressOf).disc?.drive).toBe(1);
  });

  it('asks for the progress of the disc in hand', () => {
    const asked: string[] = [];
    robotDetail(context({ disc: disc('verifying', 'drive') }), (d) => {
      asked.push(d.request.discId);
      return null;
    });
    expect(asked).toEqual(['J7/2.1']);
  });
});
