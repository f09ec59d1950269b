// What the API shows of a PTBurn robot beyond its state and fault, read from its own actor's context
// (machines/ptburn-robot.machine.ts): PTBurn's words for what the unit does (its SystemStatus), the
// two bins, the cartridges and their fill, the recorders with the disc in hand, as PTBurn's status
// files last said. PTBurn reports neither the cover, the printer tray nor the picker: those are null.
import type { PtburnDisc, PtburnRobotContext, PtburnRobotReading } from '../../machines/ptburn-robot.machine.ts';
import { CARTRIDGE_CODES, type CartridgeKind } from '../../simulator/models.ts';
import type { DriveActivity, RobotBinView, RobotDiscView, RobotDriveView, RobotInkView } from '../api/publisher-api.ts';
import type { RobotDetail } from './robot-view.ts';

/** PTBurn's CartridgeTypeX codes are PTRobot's dwCartridgeType codes (0 none). */
const CARTRIDGE_OF_CODE = new Map<number, CartridgeKind>(
  (Object.entries(CARTRIDGE_CODES) as [CartridgeKind, number][]).map(([kind, code]) => [code, kind]),
);

/** PTBurn names two bins; like the DPRP robot's, they are numbered from the right (1 = right). */
function binsOf(robot: PtburnRobotReading): RobotBinView[] {
  return [
    { bin: 2, count: robot.discsInLeftBin },
    { bin: 1, count: robot.discsInRightBin },
  ];
}

function inkOf(robot: PtburnRobotReading): RobotInkView[] {
  return robot.cartridges.map((c, i) => ({
    slot: i + 1,
    pct: c.fill,
    cartridge: c.type === null || c.type === 0 ? 'none' : (CARTRIDGE_OF_CODE.get(c.type) ?? 'unknown'),
  }));
}

/** What the recorder holding the disc does, by the phase its job was last told. */
const ACTIVITY_OF_PHASE: Record<string, DriveActivity> = {
  loading: 'loading', burning: 'burning', finalizing: 'finalizing', verifying: 'verifying',
  printing: 'unloading', delivering: 'unloading', rejecting: 'unloading',
};

function drivesOf(context: PtburnRobotContext, robot: PtburnRobotReading): RobotDriveView[] {
  const disc = context.disc;
  return robot.drives.map((drive) => {
    const ours = disc !== null && drive.job !== null && drive.job.toLowerCase() === disc.jobName.toLowerCase();
    const activity: DriveActivity = ours ? (disc.pausedFor !== null ? 'holding' : (ACTIVITY_OF_PHASE[disc.phase ?? ''] ?? 'holding')) : 'idle';
    return { index: drive.index, name: drive.location ?? `Recorder ${drive.index}`, activity, holdsCurrentDisc: ours };
  });
}

function discOf(disc: PtburnDisc): RobotDiscView {
  const { request } = disc;
  const recording = disc.phase === 'burning' || disc.phase === 'verifying';
  return {
    discId: request.discId,
    jobId: request.jobId,
    copy: request.copy,
    attempt: request.attempt,
    step: disc.phase,
    // PTBurn does not say where the disc is; a recorder holds it from loading to printing.
    where: disc.phase === 'printing' ? 'printer' : disc.drive >= 0 ? 'drive' : 'bin',
    drive: disc.drive >= 0 ? disc.drive : null,
    progress: recording && disc.pct !== null ? { phase: disc.phase!, pct: disc.pct } : null,
    paused: disc.pausedFor !== null,
    cancelling: disc.cancelRequested,
  };
}

/** Everything but the state and the fault; a robot not yet heard from shows nothing it reported. */
export function ptburnRobotDetail(context: PtburnRobotContext | undefined): RobotDetail {
  const robot = context?.status?.robot ?? null;
  return {
    phase: robot?.systemStatus ?? null,
    bins: robot ? binsOf(robot) : [],
    cover: null,
    printerTray: null,
    picker: null,
    ink: robot ? inkOf(robot) : [],
    drives: context && robot ? drivesOf(context, robot) : [],
    disc: context?.disc ? discOf(context.disc) : null,
    info: null,
  };
}
