// The supervisor root (created with systemId 'publisher'): one association actor per DICOM
// connection, one robot actor per configured robot (`robot:<name>`), one disc job actor per job
// (`job:<id>`). Jobs find their robot through the actor system; operator commands are forwarded.

import { assertEvent, assign, enqueueActions, setup, stopChild, type ActorRefFrom } from 'xstate';
import {
  associationMachine,
  type AssociationInput,
  type AssociationParentEvent,
  type SupervisorEvent,
} from './association.machine.ts';
import { discJobMachine, discJobSystemId, type DiscJobInput } from './disc-job.machine.ts';
import { robotMachine, type RobotInput } from './robot.machine.ts';

export const PUBLISHER_MACHINE_VERSION = '1';

/** From the DICOM listener: a TCP connection was accepted. */
export type ConnectionOpenedEvent = { type: 'connection.opened'; associationId: string; input: AssociationInput };

/** From the composition root: a robot of the configuration. */
export type RobotConfiguredEvent = { type: 'robot.configured'; input: RobotInput };
/** From the composition root (a command, later the study actor): make discs. */
export type JobSubmittedEvent = { type: 'job.submitted'; input: DiscJobInput };
/** From an operator (CLI, dashboard). */
export type OperatorEvent =
  | { type: 'operator.cancelJob'; jobId: string }
  | { type: 'operator.retryJob'; jobId: string }
  | { type: 'operator.clearRobotError'; robot: string; resetPrinter?: boolean }
  | { type: 'operator.acknowledgeInkLow'; robot: string };

export type PublisherEvent = ConnectionOpenedEvent | AssociationParentEvent | SupervisorEvent | RobotConfiguredEvent | JobSubmittedEvent | OperatorEvent;

export interface PublisherContext {
  /** Live association actors by association id (persisted as references, revived on restore). */
  associations: Record<string, ActorRefFrom<typeof associationMachine>>;
  robots: Record<string, ActorRefFrom<typeof robotMachine>>;
  jobs: Record<string, ActorRefFrom<typeof discJobMachine>>;
  instancesStored: number;
}

/** The robot actor's child id and systemId, which a job names as its robot. */
export function robotSystemId(name: string): string {
  return `robot:${name}`;
}

/** The association actor's child id and systemId: `system.get(associationSystemId(id))`. */
export function associationSystemId(associationId: string): string {
  return `association:${associationId}`;
}

export const publisherMachine = setup({
  types: {
    context: {} as PublisherContext,
    events: {} as PublisherEvent,
  },
  actors: {
    // Referenced by name so snapshots persist and the composition root can provide the connection.
    association: associationMachine,
    robot: robotMachine,
    discJob: discJobMachine,
  },
  guards: {
    isNewRobot: ({ context, event }) => {
      assertEvent(event, 'robot.configured');
      return !(event.input.name in context.robots);
    },
    isNewJob: ({ context, event }) => {
      assertEvent(event, 'job.submitted');
      return !(event.input.jobId in context.jobs);
    },
    isNewAssociation: ({ context, event }) => {
      assertEvent(event, 'connection.opened');
      return !(event.associationId in context.associations);
    },
  },
  actions: {
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
      const { [event.id]: _ended, ...associations } = context.associations;
      return { associations };
    }),
    spawnRobot: assign(({ context, event, spawn }) => {
      assertEvent(event, 'robot.configured');
      const id = robotSystemId(event.input.name);
      return { robots: { ...context.robots, [event.input.name]: spawn('robot', { id, systemId: id, input: event.input }) } };
    }),
    spawnJob: assign(({ context, event, spawn }) => {
      assertEvent(event, 'job.submitted');
      const id = discJobSystemId(event.input.jobId);
      return { jobs: { ...context.jobs, [event.input.jobId]: spawn('discJob', { id, systemId: id, input: event.input }) } };
    }),
    startJob: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'job.submitted');
      const job = context.jobs[event.input.jobId];
      if (job) enqueue.sendTo(job, { type: 'job.start' });
    }),
    // Commands for an actor that does not exist are dropped: the operator's view was stale.
    forwardToJob: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['operator.cancelJob', 'operator.retryJob']);
      const job = context.jobs[event.jobId];
      if (job) enqueue.sendTo(job, { type: event.type === 'operator.cancelJob' ? 'job.cancel' : 'job.retry' });
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
  context: { associations: {}, robots: {}, jobs: {}, instancesStored: 0 },
  on: {
    'robot.configured': { guard: 'isNewRobot', actions: 'spawnRobot' },
    'operator.cancelJob': { actions: 'forwardToJob' },
    'operator.retryJob': { actions: 'forwardToJob' },
    'operator.clearRobotError': { actions: 'forwardToRobot' },
    'operator.acknowledgeInkLow': { actions: 'forwardToRobot' },
    'association.ended': { actions: ['stopAssociation', 'forgetAssociation'] },
    // Later issues route the instance to its study; for now it is counted.
    'instance.stored': { actions: 'countInstance' },
  },
  initial: 'running',
  states: {
    running: {
      on: {
        // A repeated id would collide on its systemId; the first connection keeps it.
        'connection.opened': { guard: 'isNewAssociation', actions: 'spawnAssociation' },
        // A repeated job id is the same job submitted twice: the first one stands.
        'job.submitted': { guard: 'isNewJob', actions: ['spawnJob', 'startJob'] },
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
