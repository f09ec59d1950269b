// A publisher on a test bench: real study and disc job actors under it, stub robots the test
// drives, and the study's quiet period and the job's mastering as promises the test settles. Time
// is XState's SimulatedClock (the failover delay); the composition root's hooks (recordJobOrder,
// recordJobWithdrawn) are recorded. Stimuli go in the way production sends them: a robot's
// availability from the robot actor to its parent, a disc's outcome from the robot to the job
// that asked for it, operator commands to the publisher.

import {
  createActor,
  fromCallback,
  fromPromise,
  SimulatedClock,
  waitFor,
  type Actor,
  type AnyActorRef,
  type AnyEventObject,
  type InspectionEvent,
} from 'xstate';
import { discJobMachine, type DiscImage, type MasteredImage, type MasterInput } from '../../machines/disc-job.machine.ts';
import {
  publisherMachine,
  robotSystemId,
  type JobOrder,
  type PublisherEvent,
  type PublisherRoute,
} from '../../machines/publisher.machine.ts';
import type { RobotInput, robotMachine } from '../../machines/robot.machine.ts';
import type { DiscRequest, MediaKind, RejectCause, RobotPortCommand, RobotPortEvent } from '../../machines/robot-port.ts';
import { studyMachine, studySystemId, type DeadlineInput } from '../../machines/study.machine.ts';
import { restorable } from '../../src/publisher/restorable.ts';
import type { ModelCoverage } from './model-coverage.ts';

export type PublisherActor = Actor<typeof publisherMachine>;
export type StudyActor = Actor<typeof studyMachine>;
export type JobActor = Actor<typeof discJobMachine>;
type InstanceStored = Extract<PublisherEvent, { type: 'instance.stored' }>;

/** Generous: a guard against a hang, never a timing assertion. */
const WAIT = { timeout: 10_000 };

export interface RigOptions {
  routes?: PublisherRoute[];
  nextJobNumber?: number;
  failoverAfterMs?: number;
  /** 'instant': every mastering succeeds at once; 'manual': each waits for the test (rig.masterings). */
  mastering?: 'instant' | 'manual';
}

/** A study's quiet-period timer ('deadline' actor) as the test sees it. */
export interface DeadlineCall {
  study: string;
  at: number;
  signal: AbortSignal;
  settled: boolean;
  resolve(): void;
}

/** One run of a job's 'master' actor. */
export interface MasterCall {
  input: MasterInput;
  signal: AbortSignal;
  resolve(image: MasteredImage): void;
  reject(error: Error): void;
}

export function imageOf(jobId: string, media: MediaKind = 'cd'): MasteredImage {
  return { imagePath: `/images/${jobId}.iso`, imageBytes: 650_000, media, labelPath: `/images/${jobId}.png` };
}

export function readyImage(jobId: string, media: MediaKind = 'cd'): DiscImage {
  return { path: `/images/${jobId}.iso`, bytes: 650_000, media, labelPath: null };
}

/** A route: any AE title, any robot, automatic media, one copy with a label, follow-up discs. */
export function route(name: string, overrides: Partial<PublisherRoute> = {}): PublisherRoute {
  return {
    name,
    match: { calledAe: null, callingAe: null },
    media: 'auto',
    copies: 1,
    robots: [],
    quietPeriodMs: 30_000,
    followUp: 'followUpDisc',
    print: true,
    ...overrides,
  };
}

/** An order as the API or a restart hands it over (job.ordered, job.restored). */
export function order(jobId: string, overrides: Partial<JobOrder> = {}): JobOrder {
  return {
    jobId,
    kind: 'reburn',
    studyUid: null,
    copies: 1,
    print: false,
    robots: [],
    media: 'auto',
    source: { jobId },
    resume: false,
    avoid: [],
    ...overrides,
  };
}

let messageId = 0;

/** An instance.stored as an association sends it. */
export function stored(
  studyInstanceUid: string,
  sopInstanceUid: string,
  more: Partial<Omit<InstanceStored, 'type' | 'studyInstanceUid' | 'sopInstanceUid'>> = {},
): InstanceStored {
  messageId++;
  return {
    type: 'instance.stored',
    associationId: 'a1',
    messageId,
    status: 0,
    bytes: 1024,
    sopInstanceUid,
    instanceId: messageId,
    studyInstanceUid,
    patientId: 'PID-1',
    patientName: 'DOE^JANE',
    patientBirthDate: '19700101',
    callingAeTitle: 'MODALITY',
    calledAeTitle: 'DISCROBOT',
    receivedAtMs: 1_700_000_000_000 + messageId * 1_000,
    ...more,
  };
}

export class PublisherRig {
  readonly clock = new SimulatedClock();
  /** Every recordJobOrder call, in order. */
  readonly recordedOrders: JobOrder[] = [];
  /** Every recordJobWithdrawn call, in order. */
  readonly withdrawn: Array<string | null> = [];
  /** Events delivered to actors, by the receiving actor's id (job:<id>, study:<uid>, robot:<name>, publisher). */
  readonly received: Array<{ to: string; event: AnyEventObject }> = [];
  readonly deadlines: DeadlineCall[] = [];
  readonly masterings: MasterCall[] = [];
  readonly publisher: PublisherActor;
  private readonly robotSendBack = new Map<string, (event: AnyEventObject) => void>();

  constructor(coverage: ModelCoverage, options: RigOptions = {}) {
    const { deadlines, masterings, robotSendBack } = this;
    const deadline = fromPromise<void, DeadlineInput>(
      ({ input, self, signal }) =>
        new Promise<void>((resolve) => {
          const call: DeadlineCall = { study: self._parent?.id ?? '', at: input.at, signal, settled: false, resolve: () => ((call.settled = true), resolve()) };
          deadlines.push(call);
        }),
    );
    const master =
      options.mastering === 'manual'
        ? fromPromise<MasteredImage, MasterInput>(({ input, signal }) => new Promise((resolve, reject) => masterings.push({ input, signal, resolve, reject })))
        : fromPromise<MasteredImage, MasterInput>(async ({ input, signal }) => {
            masterings.push({ input, signal, resolve: () => undefined, reject: () => undefined });
            return imageOf(input.jobId);
          });
    // A robot that records what it is told (the inspection log) and speaks when the test says so.
    const robot = fromCallback<AnyEventObject, RobotInput>(({ input, sendBack }) => {
      robotSendBack.set(input.name, sendBack);
    });
    const machine = publisherMachine.provide({
      actors: {
        // The stub stands where the robot machine stands: only its systemId and its messages matter here.
        robot: robot as unknown as typeof robotMachine,
        study: restorable(studyMachine.provide({ actors: { deadline } })),
        discJob: restorable(discJobMachine.provide({ actors: { master } })),
      },
      actions: {
        recordJobOrder: (_, { order: recorded }) => void this.recordedOrders.push(recorded),
        recordJobWithdrawn: (_, { jobId }) => void this.withdrawn.push(jobId),
      },
    });
    const inspect = (event: InspectionEvent) => {
      coverage.inspect(event);
      // By systemId: the root's id is a session id, its children's ids are their systemIds.
      const { systemId, id } = event.actorRef as { systemId?: string; id?: string };
      if (event.type === '@xstate.event') this.received.push({ to: systemId ?? id ?? '', event: event.event });
    };
    this.publisher = createActor(machine, {
      systemId: 'publisher',
      clock: this.clock,
      inspect,
      input: { routes: options.routes ?? [route('any')], nextJobNumber: options.nextJobNumber, failoverAfterMs: options.failoverAfterMs },
    }).start();
  }

  send(event: PublisherEvent): void {
    this.publisher.send(event);
  }

  /** What an actor was sent, XState's own events left out. */
  to(id: string): AnyEventObject[] {
    return this.received.filter((r) => r.to === id && !r.event.type.startsWith('xstate.')).map((r) => r.event);
  }

  /** The events of one type an actor was sent. */
  sentTo(id: string, type: string): AnyEventObject[] {
    return this.to(id).filter((event) => event.type === type);
  }

  configureRobot(name: string, media?: MediaKind[]): void {
    this.send({ type: 'robot.configured', input: { name }, ...(media ? { media } : {}) });
  }

  /** The robot actor tells its parent it can take work (entering idle or busy). */
  available(name: string): void {
    this.robotSendBack.get(name)!({ type: 'robot.available', robot: name });
  }

  /** The robot actor tells its parent it cannot (entering offline or error). */
  unavailable(name: string, why: 'offline' | 'error' = 'error'): void {
    this.robotSendBack.get(name)!({ type: 'robot.unavailable', robot: name, why });
  }

  /** Discs a robot was asked to make. */
  requests(name: string): DiscRequest[] {
    return this.portCommands(name).flatMap((command) => (command.type === 'disc.make' ? [command.request] : []));
  }

  /** Discs a robot was told to cancel. */
  cancels(name: string): string[] {
    return this.portCommands(name).flatMap((command) => (command.type === 'disc.cancel' ? [command.discId] : []));
  }

  /** What jobs asked of a robot over the robot port. */
  private portCommands(name: string): RobotPortCommand[] {
    const port = new Set(['disc.make', 'disc.cancel']);
    return this.to(robotSystemId(name)).filter((event) => port.has(event.type)) as RobotPortCommand[];
  }

  study(uid: string): StudyActor | undefined {
    return this.publisher.system.get(studySystemId(uid)) as StudyActor | undefined;
  }

  job(jobId: string): JobActor | undefined {
    return this.publisher.system.get(`job:${jobId}`) as JobActor | undefined;
  }

  /** The robot name a job's current disc was asked of, when the job is at a robot. */
  robotOf(jobId: string): string | undefined {
    const snapshot = this.job(jobId)?.getSnapshot();
    if (!snapshot || !(snapshot.matches('disc') || snapshot.matches('paused') || snapshot.matches('mastering'))) return undefined;
    return snapshot.context.robot.replace(/^robot:/, '');
  }

  /** The study's quiet period ends: its running timer resolves. */
  async endQuietPeriod(uid: string): Promise<void> {
    const running = this.deadlines.filter((d) => d.study === studySystemId(uid) && !d.settled && !d.signal.aborted);
    if (running.length !== 1) throw new Error(`study ${uid} has ${running.length} quiet-period timers running, not 1`);
    running[0]!.resolve();
    await waitFor(this.study(uid)!, (s) => !s.matches('settling'), WAIT);
  }

  /** Waits until the job has finished mastering (its disc asked of a robot) or failed. */
  async mastered(jobId: string): Promise<JobActor> {
    const job = this.job(jobId);
    if (!job) throw new Error(`no job actor ${jobId}`);
    await waitFor(job, (s) => !s.matches('queued') && !s.matches('mastering'), WAIT);
    return job;
  }

  /** The robot holding the job's current disc reports an event about it. */
  fromRobot(jobId: string, report: (discId: string) => RobotPortEvent): void {
    const job = this.job(jobId);
    const discId = job?.getSnapshot().context.discId;
    if (!job || !discId) throw new Error(`job ${jobId} has no disc at a robot`);
    (job as AnyActorRef).send(report(discId));
  }

  deliver(jobId: string): void {
    this.fromRobot(jobId, (discId) => ({ type: 'disc.delivered', discId, verified: true, location: 'output bin', drive: 0 }));
  }

  reject(jobId: string, cause: RejectCause, reason = 'the drive gave it up'): void {
    this.fromRobot(jobId, (discId) => ({ type: 'disc.rejected', discId, cause, reason, drive: 0 }));
  }

  stop(): void {
    this.publisher.stop();
  }
}
