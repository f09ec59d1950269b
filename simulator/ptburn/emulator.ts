// The PTBurn emulator: a process-side stand-in for Primera's PTBurn service on the same physical
// robot model as the DPRP simulator. Every status period it looks for new .JRQ files (renamed
// .QRJ once accepted, .ERR at once when invalid), acts on .PTM commands, starts the next job by
// Importance then arrival (.INP, then .DON or .ERR), and rewrites Status/SystemStatus.txt and
// Status/<Robot>.txt. pause() is a stopped service: nothing moves on and the tick stands still.

import type { SimLogger } from '../device.ts';
import type { ModelParams } from '../models.ts';
import type { FaultSpec, OperatorActions } from '../server.ts';
import type { World } from '../world.ts';
import { ptburnTime, type EmulatedJob } from './job.ts';
import { acceptJobRequest, handleCommand } from './intake.ts';
import { finishJob, processJob, type ProcessorEnv } from './job-processor.ts';
import * as folderOps from './hot-folder.ts';
import { SimBridge } from './sim-bridge.ts';
import { robotStatusText, systemStatusText, type DriveCounters, type DriveView } from './status-report.ts';

export interface StartPtburnEmulatorOptions {
  /** The hot folder (PTBurn's C:\PTBurnJobs share). */
  folder: string;
  model: string | ModelParams;
  /** The physical model keeps its world and disc files in <dataDir>/sim, as the DPRP simulator. */
  dataDir: string;
  /** Simulated seconds per wall-clock second; 0 completes every motion at once. */
  timeScale: number;
  /** The robot's name in [RobotList] and its status file; default the model's description. */
  robotName?: string;
  /** StatusFrequency in wall ms; default 2000 ms simulated (scaled), never below 50 ms. */
  statusFrequencyMs?: number;
  /** Status_Time: .DON/.ERR files and completed entries go after this many wall ms; default kept. */
  deleteFinishedAfterMs?: number;
  /** PTSETUP.INI Rejects_InARow, default 3. */
  rejectsInARow?: number;
  /** Maps a path in a JRQ (as the server sees it) to the local file; identity by default. */
  resolvePath?: (serverPath: string) => string;
  seed?: number;
  logger?: SimLogger;
}

/** PTBurn-level faults; a string (or a FaultSpec) is a physical fault of the simulator's catalogue. */
export type PtburnFault =
  | { kind: 'job-error'; error: number; job?: string }
  | { kind: 'service-stopped' }
  | { kind: 'partial-status'; file?: 'system' | 'robot' }
  | { kind: 'robot'; spec: string | FaultSpec };

export interface PtburnEmulator {
  readonly folder: string;
  readonly robotName: string;
  readonly model: ModelParams;
  /** The live physical world (read it; change it through `operator`). */
  readonly world: World;
  readonly simDir: string;
  readonly operator: OperatorActions;
  /** The operator's left (Cartridge) button: clears a system error whose cause is gone. */
  pressButton(): void;
  inject(fault: PtburnFault | string): void;
  /** The service stops (status files freeze, no job moves on) / starts again. */
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  /** The job as the emulator holds it, by .JRQ base name. */
  job(name: string): EmulatedJob | undefined;
  /** Rewrites the status files now (tests may wait for the periodic write instead). */
  writeStatus(): void;
  stop(): Promise<void>;
}

export function statusPeriodMs(timeScale: number, statusFrequencyMs?: number): number {
  const wanted = statusFrequencyMs ?? (timeScale > 0 ? 2000 / timeScale : 50);
  return Math.max(50, wanted);
}

export async function startPtburnEmulator(options: StartPtburnEmulatorOptions): Promise<PtburnEmulator> {
  const bridge = SimBridge.start({ model: options.model, dataDir: options.dataDir, timeScale: options.timeScale, seed: options.seed, logger: options.logger });
  const model = bridge.model;
  const robotName = options.robotName ?? model.description;
  const folder = options.folder;
  const periodMs = statusPeriodMs(options.timeScale, options.statusFrequencyMs);
  // 1 tick = 1 simulated second of service time, at least 1 a period so a reader sees it move.
  const tickStep = Math.max(1, Math.round((periodMs * options.timeScale) / 1000));

  const jobs = new Map<string, EmulatedJob>();
  const completed: EmulatedJob[] = [];
  const pendingJobErrors: Array<{ error: number; job?: string }> = [];
  const drives: DriveView[] = Array.from({ length: model.drives.count }, () => ({ state: 0, percent: 0, job: 'None', disc: 'None' }));
  const driveCounters: DriveCounters[] = drives.map(() => ({ good: 0, bad: 0, recordingErrors: 0, verifyingErrors: 0, driveNotReady: 0 }));
  const launch = { good: 0, bad: 0 };
  let running: EmulatedJob | null = null;
  let arrivals = 0;
  let tick = 0;
  let paused = false;
  let stopped = false;
  let partialOnce: 'system' | 'robot' | null = null;
  let checkBinsWanted = false;
  let resumeWaiters: Array<() => void> = [];

  const gate = (): Promise<void> => (paused && !stopped ? new Promise((resolve) => resumeWaiters.push(resolve)) : Promise.resolve());
  const env: ProcessorEnv = {
    bridge, rejectsInARow: options.rejectsInARow ?? 3, resolvePath: options.resolvePath ?? ((p) => p),
    drives, driveCounters, launch, gate, stopped: () => stopped, pollMs: Math.min(periodMs, 100),
  };

  const queue = () => [...jobs.values()].filter((j) => j.jobState === 0)
    .sort((a, b) => a.settings.importance - b.settings.importance || a.arrival - b.arrival);

  const complete = (job: EmulatedJob) => {
    jobs.delete(job.name.toLowerCase());
    completed.unshift(job);
  };

  const intakeEnv = {
    folder, jobs, pendingJobErrors, robotName,
    nextArrival: () => ++arrivals,
    complete,
    running: () => running,
    abortRunning: () => {
      if (bridge.device.robot.pendingOp !== 0) bridge.perform('CANCEL');
    },
    ignoreInkLow: () => void bridge.perform('SYSTEM_ACTION', { action: 'IGNOREINKLOW' }),
    checkBins: () => (checkBinsWanted = true),
    alignPrinter: () => void bridge.perform('SYSTEM_ACTION', { action: 'ALIGNPRINTER' }),
    shutdown: () => pause(),
  };

  const writeStatus = () => {
    const now = new Date();
    const input = {
      robotName, model, world: bridge.world, syserr: bridge.device.robot.status().syserr,
      running, queued: queue(), completed, drives, driveCounters, launch, life: launch, tick, now,
      driveSpaceMb: folderOps.freeMegabytes(folder),
    };
    const files = {
      system: [folderOps.statusPath(folder, 'SystemStatus.txt'), systemStatusText(input)] as const,
      robot: [folderOps.statusPath(folder, `${robotName}.txt`), robotStatusText(input)] as const,
    };
    for (const which of ['system', 'robot'] as const) {
      const [file, text] = files[which];
      if (partialOnce === which) folderOps.writeStatusFilePartially(file, text);
      else folderOps.writeStatusFile(file, text);
    }
    partialOnce = null;
  };

  const deleteExpired = () => {
    if (options.deleteFinishedAfterMs === undefined) return;
    const limit = Date.now() - options.deleteFinishedAfterMs;
    for (let i = completed.length - 1; i >= 0; i--) {
      const job = completed[i]!;
      if ((job.endedAt ?? Infinity) > limit) continue;
      folderOps.deleteJobFile(folder, job.name, job.jobState === 2 ? 'done' : 'failed');
      completed.splice(i, 1);
    }
  };

  const runNext = async () => {
    if (running || paused || stopped) return;
    if (checkBinsWanted) {
      checkBinsWanted = false;
      await bridge.runOp('SYSTEM_ACTION', { action: 'CHECKDISCS' });
    }
    const job = queue()[0];
    if (!job) return;
    running = job;
    folderOps.moveJobFile(folder, job.name, 'queued', 'in-process');
    let error: number | undefined;
    try {
      error = await processJob(env, job);
    } catch (err) {
      options.logger?.warn({ err, job: job.name }, 'ptburn emulator: job processor failed');
      error = 2;
    }
    if (stopped) return;
    await gate();
    finishJob(job, error);
    folderOps.moveJobFile(folder, job.name, 'in-process', error === undefined ? 'done' : 'failed');
    complete(job);
    running = null;
    options.logger?.info({ job: job.name, error: error ?? 0 }, 'ptburn emulator: job ended');
    writeStatus();
    void runNext();
  };

  const period = () => {
    if (paused || stopped) return;
    tick += tickStep;
    try {
      for (const name of folderOps.findJobRequests(folder)) acceptJobRequest(intakeEnv, name, new Date());
      for (const name of folderOps.findCommands(folder)) handleCommand(intakeEnv, name);
      deleteExpired();
      writeStatus();
    } catch (err) {
      // A share that hiccups (a file gone between listing and reading) is tried again next period.
      options.logger?.warn({ err }, 'ptburn emulator: hot folder pass failed');
    }
    void runNext();
  };

  function pause(): void {
    paused = true;
  }

  function resume(): void {
    if (!paused) return;
    paused = false;
    for (const wake of resumeWaiters.splice(0)) wake();
    period();
  }

  period();
  const timer = setInterval(period, periodMs);
  options.logger?.info({ folder, robot: robotName, model: model.id, periodMs, started: ptburnTime(new Date()) }, 'ptburn emulator ready');

  return {
    folder, robotName, model,
    get world() {
      return bridge.world;
    },
    simDir: bridge.device.simDir,
    operator: bridge.operator,
    pressButton: () => bridge.operator.button('left'),
    inject(fault) {
      if (typeof fault === 'string') return bridge.inject(fault);
      switch (fault.kind) {
        case 'robot': return bridge.inject(fault.spec);
        case 'service-stopped': return pause();
        case 'partial-status': partialOnce = fault.file ?? 'robot'; return;
        case 'job-error': pendingJobErrors.push(fault.job === undefined ? { error: fault.error } : { error: fault.error, job: fault.job });
      }
    },
    pause,
    resume,
    get paused() {
      return paused;
    },
    job: (name) => jobs.get(name.toLowerCase()) ?? completed.find((j) => j.name.toLowerCase() === name.toLowerCase()),
    writeStatus,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      resumeWaiters = [];
      bridge.close();
    },
  };
}
