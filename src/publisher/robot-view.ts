// What the API shows of a robot beyond its state and fault: the unit as it last reported itself
// (phase, bins, cover, printer tray, picker, cartridges), its drives, the disc in hand and what it
// said of itself when the link came up. Read from the robot actor's context; plain words, no codes.
import type { RobotContext } from '../../machines/robot.machine.ts';
import type { DeviceStatus, RobotInfo } from '../../machines/robot-link.ts';
import type { DiscInHand } from '../../machines/robot/disc.ts';
import { UNKNOWN_BIN_COUNT } from '../../machines/robot/device.ts';
import { CARTRIDGE_CODES, type CartridgeKind } from '../../simulator/models.ts';
import type {
  DriveActivity, RobotBinView, RobotDiscView, RobotDriveView, RobotInfoView, RobotInkView, RobotView,
} from '../api/publisher-api.ts';

/** The part of a RobotView read from the robot's context. */
export type RobotDetail = Pick<RobotView, 'phase' | 'bins' | 'cover' | 'printerTray' | 'picker' | 'ink' | 'drives' | 'disc' | 'info'>;

/** Burn and verify progress of a disc, as its job last heard it (the robot does not keep it). */
export type DiscProgressOf = (disc: DiscInHand) => { phase: string; pct: number } | null;

/** PTRobot's dwCartridgeType codes, back to the kinds (the simulator's table is the one source). */
const CARTRIDGE_OF_CODE = new Map<number, CartridgeKind>(
  (Object.entries(CARTRIDGE_CODES) as [CartridgeKind, number][]).map(([kind, code]) => [code, kind]),
);

const TRAY: Record<DeviceStatus['tray'], NonNullable<RobotView['printerTray']>> = { I: 'empty', D: 'holdingDisc', O: 'out' };

/** The robot counts bins left to right in its status, and numbers them from the right (1 = right-most). */
function binsOf(status: DeviceStatus): RobotBinView[] {
  return status.bins.map((count, i) => ({ bin: status.bins.length - i, count: count === UNKNOWN_BIN_COUNT ? null : count }));
}

function cartridgeOf(code: number | undefined): RobotInkView['cartridge'] {
  if (code === undefined || code === 0) return 'none';
  return CARTRIDGE_OF_CODE.get(code) ?? 'unknown';
}

function inkOf(status: DeviceStatus): RobotInkView[] {
  const carts = status.carts ?? [];
  const ink = status.ink ?? [];
  return Array.from({ length: Math.max(carts.length, ink.length) }, (_, i) => ({ slot: i + 1, pct: ink[i] ?? null, cartridge: cartridgeOf(carts[i]) }));
}

const RECORDING: ReadonlySet<string> = new Set(['burning', 'finalizing', 'verifying']);

/** What the drive holding (or about to hold) the disc in hand is doing, by the disc's step. */
function activityOf(disc: DiscInHand): DriveActivity {
  const step = disc.step;
  if (step === 'loading' && disc.where === 'bin') return 'loading';
  if (disc.where !== 'drive') return 'idle';
  if (step === 'awaitingMedia') return 'preparing';
  if (step !== null && RECORDING.has(step)) return step as DriveActivity;
  if (step === 'printing' || step === 'delivering' || step === 'rejecting') return 'unloading';
  return 'holding';
}

function drivesOf(context: RobotContext): RobotDriveView[] {
  const disc = context.disc;
  return context.drives.map((drive) => {
    const activity = disc && disc.drive === drive.index ? activityOf(disc) : 'idle';
    return { index: drive.index, name: drive.name, activity, holdsCurrentDisc: activity !== 'idle' };
  });
}

function discOf(disc: DiscInHand, progressOf: DiscProgressOf): RobotDiscView {
  const { request } = disc;
  const recording = disc.step !== null && RECORDING.has(disc.step);
  return {
    discId: request.discId,
    jobId: request.jobId,
    copy: request.copy,
    attempt: request.attempt,
    step: disc.step,
    where: disc.where,
    // The drive is chosen when the disc is taken in hand; until it is in it, "none yet".
    drive: disc.where === 'bin' && disc.step !== 'loading' ? null : disc.drive,
    progress: recording ? progressOf(disc) : null,
    paused: disc.pausedFor !== null,
    cancelling: disc.cancelRequested,
  };
}

function infoOf(info: RobotInfo): RobotInfoView {
  return {
    description: info.description,
    firmware: info.firmware,
    connection: info.impl,
    drives: info.drives,
    printers: info.printers,
    bins: info.bins,
    maxPerBin: info.maxPerBin,
    kiosk: info.kiosk,
  };
}

/** Everything but the state and the fault; a robot not (yet) running shows nothing it reported. */
export function robotDetail(context: RobotContext | undefined, progressOf: DiscProgressOf): RobotDetail {
  const status = context?.status ?? null;
  const hasPrinter = context?.info ? context.info.printers > 0 : true;
  return {
    phase: status?.phase ?? null,
    bins: status ? binsOf(status) : [],
    cover: status ? (status.cover === 1 ? 'open' : 'closed') : null,
    printerTray: status && hasPrinter ? TRAY[status.tray] : null,
    picker: status ? (status.picker === 'O' ? 'holdingDisc' : 'empty') : null,
    ink: status && hasPrinter ? inkOf(status) : [],
    drives: context ? drivesOf(context) : [],
    disc: context?.disc ? discOf(context.disc, progressOf) : null,
    info: context?.info ? infoOf(context.info) : null,
  };
}
