// What the emulator's status files say, built from the physical world and the job list:
// Status/SystemStatus.txt (robots, bins, cartridges, system error, server tick) and
// Status/<Robot>.txt (drives, per-drive statistics, [JobList], [CompletedJobs], job sections).
// The text comes from status-files.ts's writers, so the adapter's parser reads exactly this.

import { writeRobotStatus, writeSystemStatus, type BinCount, type Cartridge, type JobStatus } from '../../src/robot/ptburn/status-files.ts';
import { CARTRIDGE_CODES, type ModelParams } from '../models.ts';
import { countAt, type World } from '../world.ts';
import { jobStatus, ptburnTime, type EmulatedJob } from './job.ts';
import { ptburnSystemErrorFor } from './system-error.ts';

/** A drive as [System] DriveStateX … shows it. */
export interface DriveView {
  state: number;
  percent: number;
  job: string;
  disc: string;
}

export interface DriveCounters {
  good: number;
  bad: number;
  recordingErrors: number;
  verifyingErrors: number;
  driveNotReady: number;
}

export interface ReportInput {
  robotName: string;
  model: ModelParams;
  world: World;
  /** The PTRobot SYSERR the unit stands in (0: none). */
  syserr: number;
  /** Job0 of [JobList] when one runs, then the queue in processing order. */
  running: EmulatedJob | null;
  queued: EmulatedJob[];
  /** Most recent first. */
  completed: EmulatedJob[];
  drives: DriveView[];
  driveCounters: DriveCounters[];
  launch: { good: number; bad: number };
  life: { good: number; bad: number };
  tick: number;
  now: Date;
  driveSpaceMb: number;
}

/** The component versions a PTBurn server lists (the manual's sample keys); the emulator marks its own. */
const VERSIONS = {
  PtburnSWVer: '3.0.0.0-emulator', JobProcSWVer: '3.0.9', PTRobotVer: '1.3.5.0', PxsdkSWVer: 'emulated', PxengSWVer: 'emulated',
  PxDrvSWVer: 'emulated', PxMasSWVer: 'emulated', PxWaveSWVer: 'emulated', PxHelp20SWVer: 'emulated',
};

export function driveLetter(index: number): string {
  return String.fromCharCode('F'.charCodeAt(0) + index);
}

export function driveLocation(model: ModelParams, index: number): string {
  if (model.drives.count === 1) return 'Recorder';
  if (model.drives.count === 2) return index === 0 ? 'Top Recorder' : 'Bottom Recorder';
  return `Recorder ${index + 1}`;
}

/** PTBurn counts bins as right (bin 1, PTRobot's right-most) and left (bin 2); −1 while unknown. */
function bins(world: World): { left: BinCount; right: BinCount } {
  if (!world.binsKnown) return { left: 'unknown', right: 'unknown' };
  const right = countAt(world, { kind: 'bin', bin: 1 });
  const left = world.bins.length >= 2 ? countAt(world, { kind: 'bin', bin: 2 }) : 0;
  return { left, right };
}

/**
 * CartridgeTypeX/FillX: black first, then colour, as the manual's XRP sample; 4-tank robots write
 * K, "colour" = the lowest of C, M, Y, then Y, C, M (§3.1.3.8).
 */
function cartridges(world: World, model: ModelParams): Cartridge[] {
  if (!model.printer.present) return [];
  const fill = (kind: string) => {
    const slot = model.printer.cartridges.findIndex((k) => k === kind);
    return slot < 0 ? undefined : Math.round(world.cartridges[slot]?.pct ?? 0);
  };
  const type = (kind: string) => {
    const slot = model.printer.cartridges.findIndex((k) => k === kind);
    const content = slot < 0 ? 'none' : world.cartridges[slot]?.content ?? 'none';
    return content in CARTRIDGE_CODES ? CARTRIDGE_CODES[content as keyof typeof CARTRIDGE_CODES] : 0;
  };
  const out: Cartridge[] = [];
  const add = (t: number, f: number | undefined) => out.push({ index: out.length, type: t, fill: f ?? 0 });
  const kinds = model.printer.cartridges;
  if (kinds.includes('black')) add(type('black'), fill('black'));
  if (kinds.includes('colour')) add(type('colour'), fill('colour'));
  if (kinds.includes('cyan')) {
    add(CARTRIDGE_CODES.colour, Math.min(fill('cyan') ?? 0, fill('magenta') ?? 0, fill('yellow') ?? 0));
    add(type('yellow'), fill('yellow'));
    add(type('cyan'), fill('cyan'));
    add(type('magenta'), fill('magenta'));
  }
  return out;
}

function statusText(syserr: number, message: string, busy: boolean): string {
  if (syserr === 0) return busy ? 'Busy' : 'System OK';
  return message;
}

export function systemStatusText(input: ReportInput): string {
  const error = input.syserr === 0 ? { number: 0, message: 'No Errors' } : ptburnSystemErrorFor(input.syserr);
  const { left, right } = bins(input.world);
  const jobs = (input.running ? 1 : 0) + input.queued.length;
  return writeSystemStatus({
    robots: [{
      name: input.robotName,
      sysErrorString: error.message,
      sysErrorNumber: error.number,
      systemDrives: input.model.drives.count,
      robotType: input.model.ptburnType,
      numJobs: jobs,
      status: statusText(error.number, error.message, input.running !== null),
      discsInLeftBin: left,
      discsInRightBin: right,
      statusFile: `${input.robotName}.txt`,
      kioskModeEnabled: false,
      cartridges: cartridges(input.world, input.model),
    }],
    system: {
      // The server itself is fine; the robot's error is in its own section.
      sysErrorString: 'No Errors',
      sysErrorNumber: 0,
      versions: VERSIONS,
      serverTime: ptburnTime(input.now),
      serverTickCount: input.tick,
      driveSpace: input.driveSpaceMb,
    },
  });
}

export function robotStatusText(input: ReportInput): string {
  const { model } = input;
  const error = input.syserr === 0 ? { number: 0, message: 'No Errors' } : ptburnSystemErrorFor(input.syserr);
  const { left, right } = bins(input.world);
  const active = [...(input.running ? [input.running] : []), ...input.queued];
  let discsAhead = 0;
  const jobs: JobStatus[] = active.map((job, i) => {
    const status = jobStatus(job, { jobs: i, discs: discsAhead }, driveLetter(0));
    discsAhead += Math.max(0, job.settings.copies - job.good);
    return status;
  });
  jobs.push(...input.completed.map((job) => jobStatus(job, { jobs: 0, discs: 0 }, driveLetter(0))));
  return writeRobotStatus({
    system: {
      systemStatus: statusText(error.number, error.message, input.running !== null),
      roboFwVer: model.firmware,
      serialNum: `SIM-${model.id}`,
      dateManf: '1/1/2020',
      systemDesc: model.description,
      systemDrives: model.drives.count,
      goodDiscsLaunch: input.launch.good,
      badDiscsLaunch: input.launch.bad,
      goodDiscsLife: input.life.good,
      badDiscsLife: input.life.bad,
      sysErrorString: error.message,
      sysErrorNumber: error.number,
      drives: input.drives.map((d, index) => ({
        index, desc: `SIM ${model.drives.media[0]} drive`, letter: driveLetter(index), location: driveLocation(model, index),
        state: d.state, percent: d.percent, job: d.job, disc: d.disc,
      })),
      discsInLeftBin: left,
      discsInRightBin: right,
      cartridges: cartridges(input.world, model),
    },
    driveStats: input.driveCounters.map((c, index) => ({
      location: driveLocation(model, index),
      goodDiscs: c.good, badDiscs: c.bad, readingErrors: 0, readingErrorsMedia: 0,
      recordingErrors: c.recordingErrors, recordingErrorsMedia: 0, verifyingErrors: c.verifyingErrors,
      verifyingErrorsMedia: 0, driveNotReady: c.driveNotReady,
    })),
    jobList: active.map((job) => job.name),
    completedJobs: input.completed.map((job) => job.name),
    jobs,
  });
}
