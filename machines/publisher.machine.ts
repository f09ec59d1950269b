// The supervisor root (created with systemId 'publisher'): one association actor per DICOM
// connection. Minimal for now; job and robot orchestration will grow here.

import { assertEvent, assign, enqueueActions, setup, stopChild, type ActorRefFrom } from 'xstate';
import {
  associationMachine,
  type AssociationInput,
  type AssociationParentEvent,
  type SupervisorEvent,
} from './association.machine.ts';

export const PUBLISHER_MACHINE_VERSION = '1';

/** From the DICOM listener: a TCP connection was accepted. */
export type ConnectionOpenedEvent = { type: 'connection.opened'; associationId: string; input: AssociationInput };

export type PublisherEvent = ConnectionOpenedEvent | AssociationParentEvent | SupervisorEvent;

export interface PublisherContext {
  /** Live association actors by association id (persisted as references, revived on restore). */
  associations: Record<string, ActorRefFrom<typeof associationMachine>>;
  instancesStored: number;
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
  },
  guards: {
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
  context: { associations: {}, instancesStored: 0 },
  on: {
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
