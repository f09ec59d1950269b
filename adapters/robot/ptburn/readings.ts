// PTBurn's two status files, parsed (src/robot/ptburn/status-files.ts), turned into the reading the
// PTBurn robot machine takes: the server's liveness and error, the robot's state, and the section
// of the job it follows with that job's drive progress. Also the tick watch that tells a PTBurn
// service that stopped (ServerTickCount frozen) from one that is merely slow.

import type { PtburnJobReading, PtburnRobotReading, PtburnServerReading } from '../../../machines/ptburn-robot.machine.ts';
import type { BinCount, RobotStatus, SystemStatus } from '../../../src/robot/ptburn/status-files.ts';

const binOf = (bin: BinCount | undefined) => (bin === undefined || bin === 'unknown' ? null : bin);

/** The robot this adapter drives: the one configured, else the first PTBurn lists. */
export function robotNameIn(system: SystemStatus, configured: string | null): string | null {
  if (configured) return system.robots.find((r) => r.name.toLowerCase() === configured.toLowerCase())?.name ?? null;
  return system.robots[0]?.name ?? null;
}

/** The status file of a robot: its StatusFile value, else `<RobotName>.txt`. */
export function robotStatusFileName(system: SystemStatus, robotName: string): string {
  return system.robots.find((r) => r.name === robotName)?.statusFile ?? `${robotName}.txt`;
}

export function serverReading(system: SystemStatus, stalled: boolean): PtburnServerReading {
  return {
    tickCount: system.system.serverTickCount ?? null,
    stalled,
    sysErrorNumber: system.system.sysErrorNumber ?? 0,
    sysErrorString: system.system.sysErrorString ?? null,
  };
}

export function robotReading(system: SystemStatus, robot: RobotStatus, robotName: string): PtburnRobotReading {
  const summary = system.robots.find((r) => r.name === robotName);
  const s = robot.system;
  return {
    name: robotName,
    // The robot's own file is the fresher of the two; the summary stands in for a missing value.
    sysErrorNumber: s.sysErrorNumber ?? summary?.sysErrorNumber ?? 0,
    sysErrorString: s.sysErrorString ?? summary?.sysErrorString ?? null,
    systemStatus: s.systemStatus ?? summary?.status ?? null,
    discsInLeftBin: binOf(s.discsInLeftBin ?? summary?.discsInLeftBin),
    discsInRightBin: binOf(s.discsInRightBin ?? summary?.discsInRightBin),
    cartridges: (s.cartridges.length > 0 ? s.cartridges : (summary?.cartridges ?? [])).map((c) => ({ index: c.index, type: c.type ?? null, fill: c.fill ?? null })),
    drives: s.drives.map((d) => ({ index: d.index, location: d.location ?? null, state: d.state ?? null, percent: d.percent ?? null, job: d.job ?? null })),
  };
}

/** The section of job `jobName` (matched without case, by section name or JobID), with its drive. */
export function jobReading(robot: RobotStatus, jobName: string): PtburnJobReading | undefined {
  const name = jobName.toLowerCase();
  const job = robot.jobs.find((j) => j.name.toLowerCase() === name || j.jobId?.toLowerCase() === name);
  if (!job) return undefined;
  const drive = robot.system.drives.find((d) => d.job !== undefined && (d.job.toLowerCase() === name || d.job.toLowerCase() === job.name.toLowerCase()));
  return {
    name: jobName,
    jobState: job.jobState ?? null,
    currentStatusState: job.currentStatusState ?? null,
    currentStatus: job.currentStatus ?? null,
    jobsAhead: job.jobsAhead ?? null,
    jobErrorNumber: job.jobErrorNumber ?? null,
    jobErrorString: job.jobErrorString ?? null,
    discErrors: job.discErrors.filter((e) => e.number !== undefined).map((e) => ({ number: e.number!, string: e.string ?? null })),
    percent: drive?.percent ?? null,
    drive: drive?.index ?? -1,
  };
}

/**
 * Watches ServerTickCount: stalled once it has not moved for 3 status periods and at least
 * `minStallMs` of real time (both, so a fast emulator and a slow share are judged alike).
 */
export class TickWatch {
  private lastTick: number | null = null;
  private movedAt = 0;

  constructor(private readonly options: { statusFrequencyMs: number; minStallMs: number; now: () => number }) {}

  /** Records a reading's tick and says whether the service looks stopped. */
  observe(tick: number | null): boolean {
    const now = this.options.now();
    if (this.lastTick === null || tick !== this.lastTick) {
      this.lastTick = tick;
      this.movedAt = now;
      return false;
    }
    const frozenFor = now - this.movedAt;
    return frozenFor >= 3 * this.options.statusFrequencyMs && frozenFor >= this.options.minStallMs;
  }
}
