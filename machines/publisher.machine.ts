// The supervisor root (created with systemId 'publisher'). Its children, each known by a stable
// systemId: one association actor per DICOM connection (`association:<id>`), one study actor per
// Study Instance UID (`study:<uid>`), one disc job actor per job (`job:<id>`) and one robot actor per
// configured robot (`robot:<name>`).
//
// What it decides:
// - each stored instance goes to its study (created on the first, with the route its called and
//   calling AE titles choose);
// - a study's disc request becomes a job order (the composition root writes the job's row, which
//   claims the instances, through the provided 'recordJobOrder' action); orders wait in a queue until
//   a robot that may take them is available with no job of its own (machines/publisher/dispatch.ts);
// - a robot that stays unavailable for failoverAfterMs gives its job up: the job is interrupted (its
//   disc never counts, the robot is told to cancel it) and goes back to the queue for another robot;
// - operator commands go to the job, study or robot they name; a stale one is dropped.
// The orders and the robots' availability are plain data; the children are ActorRefs (as XState
// persists them). Nothing here does I/O.

import { assertEvent, assign, enqueueActions, setup, stopChild, type ActorRefFrom } from 'xstate';
import {
  associationMachine,
  type AssociationInput,
  type AssociationParentEvent,
  type SupervisorEvent,
} from './association.machine.ts';
import { discJobMachine, discJobSystemId, type DiscJobInput, type DiscJobOutcomeEvent } from './disc-job.machine.ts';
import { robotMachine, type RobotInput } from './robot.machine.ts';
import { ptburnRobotMachine, type PtburnRobotInput } from './ptburn-robot.machine.ts';
import type { MediaKind, RobotAvailabilityEvent } from './robot-port.ts';
import { studyMachine, studySystemId, type SplitResolution, type StudyInput, type StudyParentEvent } from './study.machine.ts';
import { assignJobs } from './publisher/dispatch.ts';
import { chooseRoute } from '../src/routing/choose-route.ts';
import type { JobKind, JobOrder, PublisherRoute, RobotSlot } from './publisher/types.ts';

export type * from './publisher/types.ts';

export const PUBLISHER_MACHINE_VERSION = '2';

/** A robot unavailable this long gives up its job to another robot (default 2 minutes). */
export const DEFAULT_FAILOVER_AFTER_MS = 120_000;

export interface PublisherInput {
  routes?: PublisherRoute[];
  /** The number the next job id gets (the composition root continues after the jobs in the database). */
  nextJobNumber?: number;
  failoverAfterMs?: number;
}

/** From the DICOM listener: a TCP connection was accepted. */
export type ConnectionOpenedEvent = { type: 'connection.opened'; associationId: string; input: AssociationInput };

/**
 * From the composition root: a robot of the configuration, and the media its bins hold (empty: not
 * stated). `kind` says which robot actor drives it: a DPRP/1 robot (the default) or a Primera robot
 * behind a PTBurn server's hot folder; both speak the same robot port to their jobs.
 */
export type RobotConfiguredEvent =
  | { type: 'robot.configured'; kind?: 'dprp'; input: RobotInput; media?: MediaKind[] }
  | { type: 'robot.configured'; kind: 'ptburn'; input: PtburnRobotInput; media?: MediaKind[] };

/** A robot actor of either kind. */
export type RobotActorRef = ActorRefFrom<typeof robotMachine> | ActorRefFrom<typeof ptburnRobotMachine>;
/** From the composition root (`discrobot publish`): make discs on the robot the input names, now. */
export type JobSubmittedEvent = { type: 'job.submitted'; input: DiscJobInput };
/** From the composition root: an order whose row it wrote (re-burn, reprint, an order found at restart). */
export type JobOrderedEvent = { type: 'job.ordered'; order: JobOrder };

/** From the composition root at restart: actors from their persisted snapshots (src/persistence). */
export type RestoreEvent =
  | { type: 'study.restored'; studyUid: string; route: string; snapshot: unknown }
  | {
      type: 'job.restored';
      order: JobOrder;
      snapshot: unknown;
      /** The robot name the job was at, or null. */
      robot: string | null;
      /**
       * What the restore policy decided: go on at that robot; be interrupted (its disc never counts)
       * and wait for a robot again; wait for a robot again (it was interrupted already); or wait
       * for a person (failed).
       */
      after: 'resume' | 'interrupt' | 'requeue' | 'keep';
    };

/** From an operator (API, dashboard). */
export type OperatorEvent =
  | { type: 'operator.cancelJob'; jobId: string }
  | { type: 'operator.retryJob'; jobId: string }
  | { type: 'operator.clearRobotError'; robot: string; resetPrinter?: boolean }
  | { type: 'operator.acknowledgeInkLow'; robot: string }
  | { type: 'operator.releaseStudyNow'; studyUid: string }
  | { type: 'operator.holdStudy'; studyUid: string }
  | { type: 'operator.releaseStudy'; studyUid: string }
  | { type: 'operator.splitStudy'; studyUid: string; resolution: SplitResolution };

/** Raised after failoverAfterMs for a robot that became unavailable. */
export type FailoverEvent = { type: 'publisher.failover'; robot: string };

export type PublisherEvent =
  | ConnectionOpenedEvent
  | AssociationParentEvent
  | SupervisorEvent
  | RobotConfiguredEvent
  | JobSubmittedEvent
  | JobOrderedEvent
  | RestoreEvent
  | OperatorEvent
  | StudyParentEvent
  | DiscJobOutcomeEvent
  | RobotAvailabilityEvent
  | FailoverEvent;

export interface PublisherContext {
  /** Live association actors by association id (persisted as references, revived on restore). */
  associations: Record<string, ActorRefFrom<typeof associationMachine>>;
  robots: Record<string, RobotActorRef>;
  jobs: Record<string, ActorRefFrom<typeof discJobMachine>>;
  studies: Record<string, ActorRefFrom<typeof studyMachine>>;
  routes: PublisherRoute[];
  /** The route name each study was created with. */
  studyRoutes: Record<string, string>;
  /** Every unfinished order by job id (waiting, at a robot, failed or interrupted). */
  orders: Record<string, JobOrder>;
  /** Job ids waiting for a robot, oldest first. */
  queue: string[];
  slots: Record<string, RobotSlot>;
  nextJobNumber: number;
  failoverAfterMs: number;
  instancesStored: number;
  /** Instances no route matched: stored, on no study (the API and logs show them). */
  unrouted: number;
}

/** The robot actor's child id and systemId, which a job names as its robot. */
export function robotSystemId(name: string): string {
  return `robot:${name}`;
}

/** The robot name of a robot systemId ('robot:r1' → 'r1'). */
export function robotNameOf(systemId: string): string {
  return systemId.startsWith('robot:') ? systemId.slice('robot:'.length) : systemId;
}

/** The association actor's child id and systemId: `system.get(associationSystemId(id))`. */
export function associationSystemId(associationId: string): string {
  return `association:${associationId}`;
}

/** Job ids the publisher gives out: J000001, J000002, ... */
export function jobIdOf(n: number): string {
  return `J${String(n).padStart(6, '0')}`;
}

/** n of a job id Jnnnnnn, or 0 for any other id. */
export function jobNumberOf(jobId: string): number {
  return /^J\d+$/.test(jobId) ? Number(jobId.slice(1)) : 0;
}

type DiscRequestEvent = Extract<StudyParentEvent, { type: 'study.completed' | 'study.followUp' }>;

function orderFor(context: PublisherContext, event: DiscRequestEvent): JobOrder {
  const route = context.routes.find((r) => r.name === context.studyRoutes[event.studyUid]);
  const jobId = jobIdOf(context.nextJobNumber);
  const kind: JobKind = event.type === 'study.completed' ? 'study' : 'followUp';
  return {
    jobId,
    kind,
    studyUid: event.studyUid,
    copies: route?.copies ?? 1,
    print: route?.print ?? true,
    robots: route?.robots ?? [],
    media: route?.media ?? 'auto',
    // the job's master actor (src/publisher/study-master.ts) reads it; a label of null: the default label
    source: { studyUid: event.studyUid, jobId, media: route?.media ?? 'auto', label: route?.label ?? null },
    resume: false,
    avoid: [],
  };
}

/** The unfinished job of a study, if any (a study has at most one at a time). */
function jobOfStudy(context: PublisherContext, studyUid: string): string | undefined {
  return Object.values(context.orders).find((order) => order.studyUid === studyUid && isStudyDisc(order))?.jobId;
}

/** A study's own disc (its first or a follow-up); an operator's re-burn or reprint is none of the study's business. */
function isStudyDisc(order: JobOrder): boolean {
  return order.kind === 'study' || order.kind === 'followUp';
}

/** The study actor an order reports to, if it is one of the study's own discs. */
function studyOfOrder(context: PublisherContext, order: JobOrder | undefined) {
  return order?.studyUid && isStudyDisc(order) ? context.studies[order.studyUid] : undefined;
}

/** The study's order still waiting for a robot (no job actor yet), if any. */
function waitingJobOfStudy(context: PublisherContext, studyUid: string): string | null {
  const jobId = jobOfStudy(context, studyUid);
  return jobId !== undefined && !(jobId in context.jobs) ? jobId : null;
}

function robotOfJob(context: PublisherContext, jobId: string): string | undefined {
  return Object.entries(context.slots).find(([, slot]) => slot.jobId === jobId)?.[0];
}

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _gone, ...rest } = record;
  return rest;
}

function freeSlotOf(slots: Record<string, RobotSlot>, jobId: string): Record<string, RobotSlot> {
  return Object.fromEntries(Object.entries(slots).map(([name, slot]) => [name, slot.jobId === jobId ? { ...slot, jobId: null } : slot]));
}

const failoverId = (robot: string) => `failover:${robot}`;

/** Why an order that no robot had taken yet was withdrawn (its job row's reason). */
const WITHDRAWN_FOR_HOLD = 'withdrawn before a robot took it: its study was held';
const CANCELLED_WAITING = 'cancelled by the operator before a robot took it';

export const publisherMachine = setup({
  types: {
    context: {} as PublisherContext,
    events: {} as PublisherEvent,
    input: {} as PublisherInput,
  },
  actors: {
    // Referenced by name so snapshots persist and the composition root can provide the adapters.
    association: associationMachine,
    robot: robotMachine,
    ptburnRobot: ptburnRobotMachine,
    discJob: discJobMachine,
    study: studyMachine,
  },
  guards: {
    isNewRobot: ({ context, event }) => {
      assertEvent(event, 'robot.configured');
      return !(event.input.name in context.robots);
    },
    isNewJob: ({ context, event }) => {
      assertEvent(event, ['job.submitted', 'job.ordered', 'job.restored']);
      const jobId = event.type === 'job.submitted' ? event.input.jobId : event.order.jobId;
      return !(jobId in context.jobs) && !(event.type !== 'job.restored' && jobId in context.orders);
    },
    isNewAssociation: ({ context, event }) => {
      assertEvent(event, 'connection.opened');
      return !(event.associationId in context.associations);
    },
    isNewStudy: ({ context, event }) => {
      assertEvent(event, 'study.restored');
      return !(event.studyUid in context.studies);
    },
    hasStudy: ({ event }) => {
      assertEvent(event, 'instance.stored');
      return typeof event.studyInstanceUid === 'string' && event.studyInstanceUid !== '';
    },
  },
  actions: {
    // The hooks through which the composition root keeps the database in step. Defaults do nothing.
    /** Write the job's row; it claims the study's instances that are on no unfinished job. */
    recordJobOrder: (_, _params: { order: JobOrder }) => undefined,
    /** An order withdrawn before any robot took it (its study was held, or an operator cancelled it); null: none was. */
    recordJobWithdrawn: (_, _params: { jobId: string | null; reason: string }) => undefined,

    // spawn() inside assign: spawnChild() takes only a static systemId.
    spawnAssociation: assign(({ context, event, spawn }) => {
      assertEvent(event, 'connection.opened');
      const id = associationSystemId(event.associationId);
      return { associations: { ...context.associations, [event.associationId]: spawn('association', { id, systemId: id, input: event.input }) } };
    }),
    stopAssociation: stopChild(({ event }) => {
      assertEvent(event, 'association.ended');
      return associationSystemId(event.id);
    }),
    forgetAssociation: assign(({ context, event }) => {
      assertEvent(event, 'association.ended');
      return { associations: withoutKey(context.associations, event.id) };
    }),
    spawnRobot: assign(({ context, event, spawn }) => {
      assertEvent(event, 'robot.configured');
      const id = robotSystemId(event.input.name);
      // The same id either way: jobs name their robot by it, whatever drives it.
      const robot: RobotActorRef = event.kind === 'ptburn'
        ? spawn('ptburnRobot', { id, systemId: id, input: event.input })
        : spawn('robot', { id, systemId: id, input: event.input });
      return {
        robots: { ...context.robots, [event.input.name]: robot },
        slots: { ...context.slots, [event.input.name]: { available: false, jobId: null, media: event.media ?? [] } },
      };
    }),
    spawnSubmittedJob: assign(({ context, event, spawn }) => {
      assertEvent(event, 'job.submitted');
      const id = discJobSystemId(event.input.jobId);
      return { jobs: { ...context.jobs, [event.input.jobId]: spawn('discJob', { id, systemId: id, input: event.input }) } };
    }),
    startSubmittedJob: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'job.submitted');
      const job = context.jobs[event.input.jobId];
      if (job) enqueue.sendTo(job, { type: 'job.start' });
    }),

    // ---- studies ----
    routeInstance: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'instance.stored');
      const studyUid = event.studyInstanceUid!;
      let study = context.studies[studyUid];
      if (!study) {
        const route = chooseRoute(context.routes, { calledAeTitle: event.calledAeTitle ?? '', callingAeTitle: event.callingAeTitle ?? '' });
        if (!route) {
          enqueue.assign({ unrouted: context.unrouted + 1 });
          return;
        }
        const id = studySystemId(studyUid);
        const input: StudyInput = { studyUid, route: { quietPeriodMs: route.quietPeriodMs, followUp: route.followUp }, now: event.receivedAtMs };
        enqueue.assign(({ spawn }) => {
          study = spawn('study', { id, systemId: id, input });
          return { studies: { ...context.studies, [studyUid]: study }, studyRoutes: { ...context.studyRoutes, [studyUid]: route.name } };
        });
      }
      enqueue.sendTo(({ context: next }) => next.studies[studyUid]!, {
        type: 'instance.added',
        sopInstanceUid: event.sopInstanceUid,
        patientId: event.patientId ?? null,
        patientName: event.patientName ?? null,
        patientBirthDate: event.patientBirthDate ?? null,
        at: event.receivedAtMs ?? 0,
        duplicate: event.duplicate,
      });
    }),
    spawnRestoredStudy: assign(({ context, event, spawn }) => {
      assertEvent(event, 'study.restored');
      const id = studySystemId(event.studyUid);
      // The 'study' logic the composition root provides restores from `restoreFrom` (src/persistence/restorable.ts).
      const input = { studyUid: event.studyUid, route: { quietPeriodMs: 0, followUp: 'followUpDisc' }, restoreFrom: event.snapshot } as StudyInput;
      return {
        studies: { ...context.studies, [event.studyUid]: spawn('study', { id, systemId: id, input }) },
        studyRoutes: { ...context.studyRoutes, [event.studyUid]: event.route },
      };
    }),
    orderDisc: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['study.completed', 'study.followUp']);
      const order = orderFor(context, event);
      enqueue.assign({ orders: { ...context.orders, [order.jobId]: order }, queue: [...context.queue, order.jobId], nextJobNumber: context.nextJobNumber + 1 });
    }),
    /** A held study has no job: a waiting order is withdrawn, a job at a robot is cancelled. */
    withdrawJobOfStudy: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'study.held');
      const jobId = jobOfStudy(context, event.studyUid);
      if (jobId === undefined) return;
      const job = context.jobs[jobId];
      if (job) {
        enqueue.sendTo(job, { type: 'job.cancel' });
        return;
      }
      enqueue.assign({ orders: withoutKey(context.orders, jobId), queue: context.queue.filter((id) => id !== jobId) });
    }),
    forwardToStudy: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['operator.releaseStudyNow', 'operator.holdStudy', 'operator.releaseStudy', 'operator.splitStudy']);
      const study = context.studies[event.studyUid];
      if (!study) return;
      if (event.type === 'operator.releaseStudyNow') enqueue.sendTo(study, { type: 'study.releaseNow' });
      else if (event.type === 'operator.holdStudy') enqueue.sendTo(study, { type: 'study.hold' });
      else if (event.type === 'operator.releaseStudy') enqueue.sendTo(study, { type: 'study.release' });
      else enqueue.sendTo(study, { type: 'study.split', resolution: event.resolution });
    }),

    // ---- jobs and robots ----
    // An order numbered by someone else (the API) moves the counter past it.
    queueOrder: assign(({ context, event }) => {
      assertEvent(event, 'job.ordered');
      return {
        orders: { ...context.orders, [event.order.jobId]: event.order },
        queue: [...context.queue, event.order.jobId],
        nextJobNumber: Math.max(context.nextJobNumber, jobNumberOf(event.order.jobId) + 1),
      };
    }),
    spawnRestoredJob: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'job.restored');
      const { order } = event;
      const id = discJobSystemId(order.jobId);
      const input = { jobId: order.jobId, robot: robotSystemId(event.robot ?? ''), copies: order.copies, print: order.print, source: order.source, restoreFrom: event.snapshot } as DiscJobInput;
      const atRobot = event.after === 'resume' && event.robot !== null && event.robot in context.slots;
      enqueue.assign(({ spawn }) => ({
        jobs: { ...context.jobs, [order.jobId]: spawn('discJob', { id, systemId: id, input }) },
        orders: { ...context.orders, [order.jobId]: { ...order, resume: true } },
        slots: atRobot ? { ...context.slots, [event.robot!]: { ...context.slots[event.robot!]!, jobId: order.jobId } } : context.slots,
        queue: event.after === 'requeue' ? [...context.queue, order.jobId] : context.queue,
      }));
      // Interrupted: its outcome puts it back in the queue. Resumed at its robot: a job restored
      // before its start is started (job.start is ignored in every other state).
      if (event.after === 'interrupt') enqueue.sendTo(({ context: next }) => next.jobs[order.jobId]!, { type: 'job.interrupted' });
      if (atRobot) enqueue.sendTo(({ context: next }) => next.jobs[order.jobId]!, { type: 'job.start' });
      // Robots start unavailable: one that does not come back within failoverAfterMs gives the job up
      // (robot.available cancels this, as it does after any outage).
      if (atRobot && !context.slots[event.robot!]!.available) {
        enqueue.raise({ type: 'publisher.failover', robot: event.robot! }, { delay: context.failoverAfterMs, id: failoverId(event.robot!) });
      }
    }),
    dispatch: enqueueActions(({ context, enqueue }) => {
      const waiting = context.queue.map((jobId) => context.orders[jobId]).filter((order) => order !== undefined);
      const assignments = assignJobs(waiting, context.slots);
      if (assignments.length === 0) return;
      const given = new Set(assignments.map((a) => a.order.jobId));
      const slots = { ...context.slots };
      for (const { order, robot } of assignments) slots[robot] = { ...slots[robot]!, jobId: order.jobId };
      enqueue.assign({ queue: context.queue.filter((jobId) => !given.has(jobId)), slots });
      for (const { order, robot } of assignments) {
        const existing = context.jobs[order.jobId];
        if (existing) {
          enqueue.sendTo(existing, { type: 'job.retry', robot: robotSystemId(robot) });
        } else {
          const id = discJobSystemId(order.jobId);
          const input: DiscJobInput = {
            jobId: order.jobId, robot: robotSystemId(robot), copies: order.copies, print: order.print, source: order.source, image: order.image,
          };
          enqueue.assign(({ context: now, spawn }) => ({ jobs: { ...now.jobs, [order.jobId]: spawn('discJob', { id, systemId: id, input }) } }));
          enqueue.sendTo(({ context: now }) => now.jobs[order.jobId]!, { type: 'job.start' });
        }
        const study = studyOfOrder(context, order);
        if (study) enqueue.sendTo(study, { type: 'job.started', jobId: order.jobId });
      }
    }),
    /** A job stopped: its robot is free; a finished one is forgotten, an interrupted one waits for a robot again. */
    takeOutcome: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'job.outcome');
      const order = context.orders[event.jobId];
      const robot = robotOfJob(context, event.jobId);
      const slots = freeSlotOf(context.slots, event.jobId);
      if (event.state === 'interrupted') {
        const moved = order ? { ...order, resume: true, avoid: robot && !order.avoid.includes(robot) ? [...order.avoid, robot] : order.avoid } : undefined;
        enqueue.assign({
          slots,
          orders: moved ? { ...context.orders, [event.jobId]: moved } : context.orders,
          // Back to the front: it was taken before anything now waiting.
          queue: moved && !context.queue.includes(event.jobId) ? [event.jobId, ...context.queue] : context.queue,
        });
        return;
      }
      const finished = event.state === 'done' || event.state === 'cancelled';
      enqueue.assign({
        slots,
        orders: finished ? withoutKey(context.orders, event.jobId) : context.orders,
        queue: finished ? context.queue.filter((id) => id !== event.jobId) : context.queue,
      });
      if (finished) {
        enqueue.stopChild(discJobSystemId(event.jobId));
        enqueue.assign(({ context: now }) => ({ jobs: withoutKey(now.jobs, event.jobId) }));
      }
      const study = studyOfOrder(context, order);
      if (study) {
        enqueue.sendTo(study, { type: 'job.finished', jobId: event.jobId, ok: event.state === 'done', ...(event.reason ? { reason: event.reason } : {}) });
      }
    }),
    markRobot: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['robot.available', 'robot.unavailable']);
      const slot = context.slots[event.robot];
      if (!slot) return;
      const available = event.type === 'robot.available';
      enqueue.assign({ slots: { ...context.slots, [event.robot]: { ...slot, available } } });
      if (available) enqueue.cancel(failoverId(event.robot));
      else if (slot.available && slot.jobId !== null) {
        enqueue.raise({ type: 'publisher.failover', robot: event.robot }, { delay: context.failoverAfterMs, id: failoverId(event.robot) });
      }
    }),
    /** The robot is still unavailable: its job is interrupted and the disc cancelled there. */
    failOver: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'publisher.failover');
      const slot = context.slots[event.robot];
      if (!slot || slot.available || slot.jobId === null) return;
      const order = context.orders[slot.jobId];
      const job = context.jobs[slot.jobId];
      // With no other robot to take it the job stays (its disc may still come out fine).
      const taker = order && assignJobs([{ ...order, avoid: [event.robot] }], withoutKey(context.slots, event.robot)).length > 0;
      if (job && taker) enqueue.sendTo(job, { type: 'job.interrupted' });
      // Look again later either way: a job still mastering ignores job.interrupted (it has no disc at
      // the robot yet); once it has asked this robot for one, the next look moves it. A job that left
      // the robot leaves the slot empty, and that look ends here.
      enqueue.raise({ type: 'publisher.failover', robot: event.robot }, { delay: context.failoverAfterMs, id: failoverId(event.robot) });
    }),
    forwardToJob: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['operator.cancelJob', 'operator.retryJob']);
      const job = context.jobs[event.jobId];
      const waiting = context.queue.includes(event.jobId);
      if (event.type === 'operator.cancelJob') {
        if (job) enqueue.sendTo(job, { type: 'job.cancel' });
        else if (waiting) {
          enqueue.assign({ orders: withoutKey(context.orders, event.jobId), queue: context.queue.filter((id) => id !== event.jobId) });
          const order = context.orders[event.jobId];
          const study = studyOfOrder(context, order);
          if (study) enqueue.sendTo(study, { type: 'job.finished', jobId: event.jobId, ok: false, reason: 'cancelled by the operator' });
        }
        return;
      }
      // A retry waits for a robot like any order (a job is retried where a robot is free).
      const order = context.orders[event.jobId];
      if (job && order && !waiting && robotOfJob(context, event.jobId) === undefined) {
        enqueue.assign({ orders: { ...context.orders, [event.jobId]: { ...order, resume: true } }, queue: [...context.queue, event.jobId] });
      }
    }),
    forwardToRobot: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['operator.clearRobotError', 'operator.acknowledgeInkLow']);
      const robot = context.robots[event.robot];
      if (!robot) return;
      if (event.type === 'operator.clearRobotError') enqueue.sendTo(robot, { type: 'robot.clearError', resetPrinter: event.resetPrinter });
      else enqueue.sendTo(robot, { type: 'robot.acknowledgeInkLow' });
    }),
    countInstance: assign({ instancesStored: ({ context }) => context.instancesStored + 1 }),
    shutDownAssociations: enqueueActions(({ context, enqueue }) => {
      for (const association of Object.values(context.associations)) enqueue.sendTo(association, { type: 'shutdown.requested' });
    }),
    shutDownNewAssociation: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'connection.opened');
      const association = context.associations[event.associationId];
      if (association) enqueue.sendTo(association, { type: 'shutdown.requested' });
    }),
  },
}).createMachine({
  id: 'publisher',
  version: PUBLISHER_MACHINE_VERSION,
  context: ({ input }) => ({
    associations: {},
    robots: {},
    jobs: {},
    studies: {},
    routes: input?.routes ?? [],
    studyRoutes: {},
    orders: {},
    queue: [],
    slots: {},
    nextJobNumber: input?.nextJobNumber ?? 1,
    failoverAfterMs: input?.failoverAfterMs ?? DEFAULT_FAILOVER_AFTER_MS,
    instancesStored: 0,
    unrouted: 0,
  }),
  on: {
    'robot.configured': { guard: 'isNewRobot', actions: 'spawnRobot' },
    'robot.available': { actions: ['markRobot', 'dispatch'] },
    'robot.unavailable': { actions: 'markRobot' },
    'publisher.failover': { actions: 'failOver' },
    'study.restored': { guard: 'isNewStudy', actions: 'spawnRestoredStudy' },
    'job.restored': { guard: 'isNewJob', actions: ['spawnRestoredJob', 'dispatch'] },
    // The row first, so that the job's mastering finds it.
    'study.completed': { actions: [{ type: 'recordJobOrder', params: ({ context, event }) => ({ order: orderFor(context, event) }) }, 'orderDisc', 'dispatch'] },
    'study.followUp': { actions: [{ type: 'recordJobOrder', params: ({ context, event }) => ({ order: orderFor(context, event) }) }, 'orderDisc', 'dispatch'] },
    'study.held': { actions: [{ type: 'recordJobWithdrawn', params: ({ context, event }) => ({ jobId: waitingJobOfStudy(context, event.studyUid), reason: WITHDRAWN_FOR_HOLD }) }, 'withdrawJobOfStudy'] },
    'job.outcome': { actions: ['takeOutcome', 'dispatch'] },
    'operator.cancelJob': {
      actions: [{ type: 'recordJobWithdrawn', params: ({ context, event }) => ({ jobId: context.queue.includes(event.jobId) && !(event.jobId in context.jobs) ? event.jobId : null, reason: CANCELLED_WAITING }) }, 'forwardToJob'],
    },
    'operator.retryJob': { actions: ['forwardToJob', 'dispatch'] },
    'operator.clearRobotError': { actions: 'forwardToRobot' },
    'operator.acknowledgeInkLow': { actions: 'forwardToRobot' },
    'operator.releaseStudyNow': { actions: 'forwardToStudy' },
    'operator.holdStudy': { actions: 'forwardToStudy' },
    'operator.releaseStudy': { actions: 'forwardToStudy' },
    'operator.splitStudy': { actions: 'forwardToStudy' },
    'association.ended': { actions: ['stopAssociation', 'forgetAssociation'] },
    // Instances stored while stopping still reach their study: they were acknowledged.
    'instance.stored': [
      { guard: 'hasStudy', actions: ['countInstance', 'routeInstance'] },
      { actions: 'countInstance' },
    ],
  },
  initial: 'running',
  states: {
    running: {
      on: {
        // A repeated id would collide on its systemId; the first connection keeps it.
        'connection.opened': { guard: 'isNewAssociation', actions: 'spawnAssociation' },
        // A repeated job id is the same job submitted twice: the first one stands.
        'job.submitted': { guard: 'isNewJob', actions: ['spawnSubmittedJob', 'startSubmittedJob'] },
        'job.ordered': { guard: 'isNewJob', actions: ['queueOrder', 'dispatch'] },
        'shutdown.requested': { target: 'stopping', actions: 'shutDownAssociations' },
      },
    },
    // Associations finish or are aborted. A connection accepted in the meantime still gets its
    // actor, so its socket is closed by the same rules, and is told to shut down at once.
    stopping: {
      on: {
        'connection.opened': { guard: 'isNewAssociation', actions: ['spawnAssociation', 'shutDownNewAssociation'] },
      },
    },
  },
});
