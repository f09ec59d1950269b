// One whole publish run, as `discrobot publish` does it: master the inputs (or take ready images),
// bring up a robot (the in-process simulator, a DPRP device on a serial line, or a PTBurn hot folder) as an actor under
// the publisher root, submit one disc job per image, and wait until every job has ended. The
// summary says, disc by disc, what happened; only verified discs count as delivered.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createActor, fromPromise, waitFor, type AnyActorRef } from 'xstate';
import { publisherMachine, robotSystemId } from '../../machines/publisher.machine.ts';
import { discJobMachine, discJobSystemId, type DiscJobInput, type DiscJobContext, type MasteredImage, type MasterInput } from '../../machines/disc-job.machine.ts';
import type { RobotOptions } from '../../machines/robot.machine.ts';
import { scaledWaits } from '../publisher/robot-waits.ts';
import { RobotFleet } from '../../adapters/robot/robot-fleet.ts';
import { PtburnFleet } from '../../adapters/robot/ptburn/ptburn-fleet.ts';
import { createDuplexPair } from '../../adapters/robot/stream-pair.ts';
import { openSerialTransport, streamTransport } from '../../adapters/robot/transport.ts';
import { startPtyPair, type PtyPair } from '../../adapters/robot/socat-pty.ts';
import { master, APPLICATION_NAME, APPLICATION_VERSION } from '../../adapters/media/master.ts';
import { SimulatorStartError, startSimulator, type SimulatorHandle } from '../../simulator/server.ts';
import { folderFor } from '../../simulator/locations.ts';
import type { ModelParams } from '../../simulator/models.ts';
import type { Accounting } from '../../simulator/world.ts';
import { capacityBytes, MEDIA_KINDS, type MediaKind } from '../media/media-choice.ts';
import { parseInjection, type RobotSpec } from './robot-spec.ts';
import { startSimOperator, type OperatorAction } from './sim-operator.ts';

export interface PublishOptions {
  inputs: string[];
  robot: RobotSpec;
  copies: number;
  /** Simulated seconds per wall second for a simulator (in-process, or over the link with SIM_CLOCK). */
  timeScale?: number;
  /** Faults for the simulator, FAULT@TRIGGER. */
  inject: string[];
  /** Data folder: the simulator's world and disc files, mastered images. */
  dataDir: string;
  /** A variant of the simulated model's parameters (e.g. a unit without printer), instead of the table's. */
  simModel?: ModelParams;
  /** How the in-process simulator is linked: an in-process stream, or a socat pty pair (the real tty path). */
  simLink?: 'stream' | 'pty';
  /** Let a simulated operator fix what the injected faults break (in-process simulator only). */
  autoOperator: boolean;
  /** How long the robot has to open its session (default 30 s). */
  connectTimeoutMs?: number;
  /** Progress lines for a person (stderr); never patient data. */
  report?: (line: string) => void;
}

export interface PublishedDisc {
  discId: string;
  copy: number;
  attempt: number;
  outcome: string;
  cause?: string;
  location?: string;
  /** The robot's drive index that held the disc; -1 when it never reached one (machines/robot-port.ts). */
  drive?: number;
}

/** A time the job stood still for the robot, and why (what the operator saw). */
export interface PublishedPause {
  discId: string;
  kind: string;
  code: number;
  name: string;
  hint: string;
}

export interface PublishSummary {
  status: 'delivered' | 'failed';
  robot: string;
  jobs: Array<{ jobId: string; image: string; media: MediaKind; state: string; copies: number; copiesDone: number; reason: string | null; discs: PublishedDisc[]; pauses: PublishedPause[] }>;
  operatorActions: OperatorAction[];
  /** Simulator only: where delivered discs lie, and every disc accounted for. */
  simulator?: { model: string; outputFolder: string; accounting: Accounting };
  elapsedMs: number;
  error?: string;
}

interface ImageToBurn {
  path: string;
  bytes: number;
  media: MediaKind;
  labelPath: string | null;
  name: string;
}

const ROBOT_NAME = 'robot1';
const CLIENT_NAME = `${APPLICATION_NAME}/${APPLICATION_VERSION}`;
const FINISHED = new Set(['done', 'cancelled', 'failed']);
/** A robot that has not opened its session by then is not there (wrong path, no bridge running). */
const CONNECT_TIMEOUT_MS = 30_000;

export async function runPublish(options: PublishOptions): Promise<PublishSummary> {
  const started = Date.now();
  const report = options.report ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  const runId = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const injections = options.inject.map(parseInjection);

  const fleet = new RobotFleet();
  let sim: SimulatorHandle | null = null;
  let pty: PtyPair | null = null;
  let linkDir: string | null = null;
  if (options.robot.kind === 'sim') {
    const description = `sim:${options.robot.model}`;
    const simModel = options.simModel ?? options.robot.model;
    if (options.simLink === 'pty') {
      linkDir = await fs.mkdtemp(path.join(os.tmpdir(), 'discrobot-pty-'));
      pty = await startPtyPair(path.join(linkDir, 'host'), path.join(linkDir, 'device'));
      sim = await startSimulator({ model: simModel, dataDir, timeScale: options.timeScale ?? 1, link: pty.devicePath }).catch(async (err: unknown) => {
        await pty?.close();
        await fs.rm(linkDir!, { recursive: true, force: true });
        throw simulatorStartProblem(err);
      });
      const hostPath = pty.hostPath;
      fleet.add(ROBOT_NAME, { clientName: CLIENT_NAME, open: () => openSerialTransport(hostPath) });
    } else {
      const [hostEnd, deviceEnd] = createDuplexPair();
      sim = await startSimulator({ model: simModel, dataDir, timeScale: options.timeScale ?? 1, link: deviceEnd }).catch((err: unknown) => {
        throw simulatorStartProblem(err);
      });
      let opened = false;
      fleet.add(ROBOT_NAME, {
        clientName: CLIENT_NAME,
        // The in-process pair cannot be reopened: a second open means the link broke for good.
        open: async () => {
          if (opened) throw new Error('the in-process simulator link was closed');
          opened = true;
          return streamTransport(hostEnd, description);
        },
      });
    }
  } else if (options.robot.kind === 'serial') {
    const devicePath = options.robot.path;
    fleet.add(ROBOT_NAME, { clientName: CLIENT_NAME, open: () => openSerialTransport(devicePath) });
  }
  // A PTBurn robot: its hot folder, read and written by the robot actor itself.
  const ptburnFleet = new PtburnFleet();
  if (options.robot.kind === 'ptburn') ptburnFleet.add(ROBOT_NAME, { folder: path.resolve(options.robot.folder) });

  const masterNotUsed = fromPromise<MasteredImage, MasterInput>(async () => {
    throw new Error('publish masters before it submits jobs');
  });
  const publisher = createActor(publisherMachine.provide({
    actors: { robot: fleet.machine(), ptburnRobot: ptburnFleet.machine(), discJob: discJobMachine.provide({ actors: { master: masterNotUsed } }) },
  }), { systemId: 'publisher', input: {} }).start();

  const operatorActions: OperatorAction[] = [];
  let stopOperator = () => undefined as void;
  try {
    // The robot prints a disc whose request has a label; images without one are not printed.
    const robotOptions: Partial<RobotOptions> = { print: true, ...scaledWaitsFor(options) };
    publisher.send(options.robot.kind === 'ptburn'
      ? { type: 'robot.configured', kind: 'ptburn', input: { name: ROBOT_NAME, options: { print: true } } }
      : { type: 'robot.configured', input: { name: ROBOT_NAME, options: robotOptions } });
    const robot = publisher.system.get(robotSystemId(ROBOT_NAME)) as AnyActorRef;
    report(`robot ${describeRobot(options.robot)}: connecting`);
    await untilConnected(robot, options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
    await untilIdle(robot);
    report('robot ready');
    const images = await imagesFor(options.inputs, path.join(dataDir, 'jobs', runId), report);

    // SIM_ verbs go over a DPRP link; a PTBurn folder has none (the emulator takes its faults itself).
    const channel = options.robot.kind === 'ptburn' ? null : fleet.channel(ROBOT_NAME);
    if (channel && options.robot.kind === 'serial' && options.timeScale !== undefined) await simOnly(channel.request('SIM_CLOCK', { scale: String(options.timeScale) }), 'SIM_CLOCK');
    for (const { code, trigger } of injections) {
      if (!channel) throw new PublishInputError(`--inject ${code}@${trigger}: a PTBurn robot takes no faults from here (arm them in the emulator: discrobot simulate --ptburn FOLDER --inject)`);
      await simOnly(channel.request('SIM_FAULT', { code, trigger }), `SIM_FAULT ${code}@${trigger}`);
    }
    if (sim && channel && options.autoOperator) {
      stopOperator = startSimOperator(robot, {
        sim, publisher, robotName: ROBOT_NAME, channel,
        onAction: (action) => {
          operatorActions.push(action);
          report(`operator: ${action.fault} (SYSERR ${action.syserr}): ${action.did.join('; ')}`);
        },
      });
    }

    const jobIds = images.map((image, i) => {
      const jobId = `${runId}-${i + 1}`;
      const input: DiscJobInput = {
        jobId, robot: robotSystemId(ROBOT_NAME), copies: options.copies, print: image.labelPath !== null, source: { image: image.name },
        image: { path: image.path, bytes: image.bytes, media: image.media, labelPath: image.labelPath },
        maxAttemptsPerCopy: 3,
      };
      publisher.send({ type: 'job.submitted', input });
      return jobId;
    });
    const jobs = jobIds.map((jobId) => watchJob(publisher.system.get(discJobSystemId(jobId)) as AnyActorRef, report));
    const ended = await Promise.all(jobs);

    const jobSummaries = ended.map((context, i) => ({
      jobId: context.jobId, image: images[i]!.path, media: images[i]!.media, state: context.state, copies: context.copies, copiesDone: context.copiesDone,
      reason: context.reason, discs: context.history, pauses: context.pauses,
    }));
    const delivered = jobSummaries.every((job) => job.state === 'done' && job.copiesDone === job.copies);
    return {
      status: delivered ? 'delivered' : 'failed',
      robot: `${options.robot.kind}:${options.robot.kind === 'sim' ? options.robot.model : options.robot.kind === 'serial' ? options.robot.path : options.robot.folder}`,
      jobs: jobSummaries,
      operatorActions,
      simulator: sim ? simulatorSummary(sim) : undefined,
      elapsedMs: Date.now() - started,
    };
  } finally {
    stopOperator();
    publisher.stop();
    await sim?.close();
    await pty?.close();
    if (linkDir) await fs.rm(linkDir, { recursive: true, force: true });
  }
}

function describeRobot(robot: RobotSpec): string {
  if (robot.kind === 'sim') return `simulator ${robot.model}`;
  return robot.kind === 'serial' ? robot.path : `PTBurn folder ${robot.folder}`;
}

/** A simulator's time scale is known here; a serial robot's only when --time-scale says it is one. */
function scaledWaitsFor(options: PublishOptions): Partial<RobotOptions> {
  return options.robot.kind === 'sim' || options.timeScale !== undefined ? scaledWaits(options.timeScale ?? 1) : {};
}

/**
 * Ready images (.iso) are burned as they are, with the label `master` wrote beside them (same name,
 * .jpg) when there is one; anything else is mastered into <data>/jobs/<run>/.
 */
async function imagesFor(inputs: string[], outDir: string, report: (line: string) => void): Promise<ImageToBurn[]> {
  if (inputs.length > 0 && inputs.every((input) => input.toLowerCase().endsWith('.iso'))) {
    return Promise.all(inputs.map(async (input) => {
      const stat = await fs.stat(input);
      const label = input.replace(/\.iso$/i, '.jpg');
      const labelPath = await fs.access(label).then(() => path.resolve(label), () => null);
      return { path: path.resolve(input), bytes: stat.size, media: mediaFor(stat.size), labelPath, name: path.basename(input) } satisfies ImageToBurn;
    }));
  }
  report('mastering');
  const summary = await master(inputs, { outDir });
  if (summary.status === 'failed') throw new PublishInputError(summary.error ?? 'mastering failed');
  report(`mastered ${summary.discs.length} disc image(s)`);
  return summary.discs.map((disc) => ({ path: disc.image, bytes: disc.bytes, media: disc.media, labelPath: disc.label, name: disc.fileSetId }));
}

/** The smallest medium an image fits on (nominal capacities; master chose it already for its own images). */
function mediaFor(bytes: number): MediaKind {
  const fits = MEDIA_KINDS.filter((kind) => bytes <= capacityBytes(kind));
  return fits.sort((a, b) => capacityBytes(a) - capacityBytes(b))[0] ?? 'bd-dl';
}

export class PublishInputError extends Error {
  override name = 'PublishInputError';
}

/** A data folder holding another model's world is the user's to sort out, not a crash. */
function simulatorStartProblem(err: unknown): unknown {
  return err instanceof SimulatorStartError ? new PublishInputError(err.message) : err;
}

async function simOnly(reply: Promise<{ ok: boolean; code?: number; name?: string }>, what: string): Promise<void> {
  const answer = await reply;
  if (!answer.ok) throw new PublishInputError(`${what} refused by the robot: ${answer.name ?? ''} (${answer.code ?? '?'})${answer.code === 606 ? ': not a simulator' : ''}`);
}

interface JobEnd {
  jobId: string;
  state: string;
  copies: number;
  copiesDone: number;
  reason: string | null;
  history: PublishedDisc[];
  pauses: PublishedPause[];
}

function watchJob(job: AnyActorRef, report: (line: string) => void): Promise<JobEnd> {
  return new Promise((resolve) => {
    let last = '';
    const pauses: PublishedPause[] = [];
    const check = (snapshot: { value: unknown; status: string; context: DiscJobContext }) => {
      const state = typeof snapshot.value === 'string' ? snapshot.value : Object.entries(snapshot.value as Record<string, string>).map(([k, v]) => `${k}.${v}`).join();
      const context = snapshot.context;
      if (state !== last) {
        last = state;
        const pause = state === 'paused' && context.pause ? `: ${context.pause.hint}` : '';
        if (state === 'paused' && context.pause && context.discId) {
          const { kind, code, name, hint } = context.pause;
          pauses.push({ discId: context.discId, kind, code, name, hint });
        }
        report(`job ${context.jobId} copy ${context.copy}/${context.copies} attempt ${context.attempt}: ${state}${pause}`);
      }
      if (FINISHED.has(state)) {
        subscription.unsubscribe();
        resolve({ jobId: context.jobId, state, copies: context.copies, copiesDone: context.copiesDone, reason: context.reason, history: context.history as PublishedDisc[], pauses });
      }
    };
    const subscription = job.subscribe(check);
    check(job.getSnapshot());
  });
}

type RobotSnapshot = { matches(state: string): boolean; value: unknown };

async function untilConnected(robot: AnyActorRef, timeoutMs: number): Promise<void> {
  try {
    await waitFor(robot, (s: RobotSnapshot) => !s.matches('offline') && !s.matches('connecting'), { timeout: timeoutMs });
  } catch {
    const state = JSON.stringify((robot.getSnapshot() as RobotSnapshot).value);
    throw new PublishInputError(`the robot did not answer on its link within ${timeoutMs / 1000} s (robot state: ${state})`);
  }
}

/** Start-up (clearing a disc left behind, counting bins) may wait for the operator; no bound. */
const untilIdle = (robot: AnyActorRef) => waitFor(robot, (s: RobotSnapshot) => s.matches('idle'), { timeout: Infinity });

function simulatorSummary(sim: SimulatorHandle): PublishSummary['simulator'] {
  const snapshot = sim.snapshot();
  const output = sim.model.bins.output;
  const outputFolder = path.join(sim.simDir, folderFor(output === 'front' ? { kind: 'output' } : { kind: 'bin', bin: output }));
  return { model: sim.model.id, outputFolder, accounting: snapshot.accounting };
}
