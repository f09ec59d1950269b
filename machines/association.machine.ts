// One DICOM association of the Storage SCP, from TCP accept to close (PS3.8 9.2 state machine, reduced
// to what an acceptor needs). Pure: the socket lives in the 'connection' callback actor that the
// composition root provides; this machine only decides and sends it commands.

import { assertEvent, assign, enqueueActions, fromCallback, sendTo, setup, type CallbackActorLogic } from 'xstate';
import {
  negotiate,
  type AssociationPolicy,
  type AssociationRequest,
  type NegotiatedContext,
  type NegotiationResult,
} from '../src/dicom/negotiation.ts';
import { isStoredStatus } from '../src/dicom/status.ts';

export const ASSOCIATION_MACHINE_VERSION = '1';

export interface AssociationTimers {
  /** ARTIM (PS3.8 9.1.5): wait for the A-ASSOCIATE-RQ, and for a store outcome after the association broke. */
  artimTimeoutMs: number;
  /** No DIMSE activity for this long while established: we abort. */
  idleTimeoutMs: number;
  /** After our A-RELEASE-RP, wait this long for the peer to close. */
  releaseTimeoutMs: number;
  /** On shutdown, let a C-STORE in progress finish for this long. */
  shutdownGraceMs: number;
}

export type AssociationMachinePolicy = AssociationPolicy & AssociationTimers;

export interface AssociationInput {
  id: string;
  peer: { address: string; port: number };
  listener: { host: string; port: number };
  policy: AssociationMachinePolicy;
}

/** PS3.8 9.3.8 A-ABORT source: 0 service user (us, by decision), 2 service provider (protocol error). */
export const AbortSource = { ServiceUser: 0, ServiceProvider: 2 } as const;
/** PS3.8 9.3.8 A-ABORT reason; significant only with source 2. */
export const AbortReason = {
  NotSpecified: 0,
  UnrecognizedPdu: 1,
  UnexpectedPdu: 2,
  UnrecognizedPduParameter: 4,
  UnexpectedPduParameter: 5,
  InvalidPduParameterValue: 6,
} as const;

/** Commands this machine sends to the 'connection' actor. */
export type ConnectionCommand =
  | { type: 'accept'; contexts: NegotiatedContext[]; maxPduLength: number; peerMaxPduLength: number }
  | { type: 'reject'; result: 1 | 2; source: 1 | 2 | 3; reason: number }
  | { type: 'release.respond' }
  /** Send A-ABORT, then close the socket. */
  | { type: 'abort'; source: number; reason: number }
  | { type: 'close' };

/**
 * What the store recorded of an object it stored: the facts the study actor needs and who sent it.
 * JSON data only (it travels in events that may be persisted).
 */
export interface StoredInstanceFacts {
  /** Row id in the instances table: the new row, or for a resend ('same') the row already holding it. */
  instanceId: number;
  studyInstanceUid: string;
  patientId: string | null;
  patientName: string | null;
  patientBirthDate: string | null;
  /**
   * The SOP Instance UID was stored before: 'same' content (a resend, nothing new was kept) or
   * 'different' content (kept apart; a patient-safety hold reason). Absent for a first arrival.
   */
  duplicate?: 'same' | 'different';
  callingAeTitle: string;
  calledAeTitle: string;
  /** When the store recorded it (epoch ms). */
  receivedAtMs: number;
}

interface StoreFinishedBase {
  type: 'store.finished';
  messageId: number;
  status: number;
  bytes: number;
  sopInstanceUid: string;
}

/** A C-STORE answered: stored, with what the store recorded, or refused (the status says why; no facts). */
export type StoreFinishedEvent = (StoreFinishedBase & StoredInstanceFacts) | (StoreFinishedBase & { instanceId?: undefined });

/** Exactly the facts, whatever else the source carries (a store outcome has paths; events stay small). */
export function storedInstanceFacts(source: StoredInstanceFacts): StoredInstanceFacts {
  const facts: StoredInstanceFacts = {
    instanceId: source.instanceId,
    studyInstanceUid: source.studyInstanceUid,
    patientId: source.patientId,
    patientName: source.patientName,
    patientBirthDate: source.patientBirthDate,
    callingAeTitle: source.callingAeTitle,
    calledAeTitle: source.calledAeTitle,
    receivedAtMs: source.receivedAtMs,
  };
  // Absent rather than undefined: the event is the same after a JSON round trip.
  if (source.duplicate !== undefined) facts.duplicate = source.duplicate;
  return facts;
}

/** Events the 'connection' actor sends back (sendBack). */
export type ConnectionEvent =
  | { type: 'association.requested'; request: AssociationRequest }
  | { type: 'store.started'; messageId: number; sopClassUid: string; sopInstanceUid: string }
  | StoreFinishedEvent
  | { type: 'echo.answered'; messageId: number }
  /** Data set bytes keep arriving (sent a few times a second at most): restarts the stall timer. */
  | { type: 'transfer.progressed'; bytes: number }
  | { type: 'release.requested' }
  | { type: 'peer.aborted'; source: number; reason: number }
  /** abortReason: the PS3.8 A-ABORT reason to send (default 0, not specified). */
  | { type: 'protocol.violated'; reason: string; abortReason?: number }
  | { type: 'connection.closed' }
  | { type: 'connection.failed'; message: string };

/** Events from the supervisor (the publisher). */
export type SupervisorEvent = { type: 'shutdown.requested' };

export type AssociationEvent = ConnectionEvent | SupervisorEvent;

export interface ConnectionInput {
  associationId: string;
}

/** The shape the composition root's connection actor must have: `fromCallback<ConnectionCommand, ConnectionInput>(...)`. */
export type ConnectionLogic = CallbackActorLogic<ConnectionCommand, ConnectionInput>;

export type AssociationEndState = 'released' | 'rejected' | 'aborted' | 'failed';

export interface AssociationOutcome {
  state: AssociationEndState;
  reason: string;
}

export interface AssociationCounters {
  /** Instances stored (success or warning status). */
  stored: number;
  /** Stores answered with a failure status, or whose outcome never came. */
  failed: number;
  /** Bytes of the stored instances. */
  bytes: number;
  echoes: number;
}

/** Events this machine sends to its parent (the publisher), when it has one. */
export type AssociationParentEvent =
  | InstanceStoredEvent
  | { type: 'association.ended'; id: string; outcome: AssociationOutcome };

/** An object stored (success or warning status), with what the store recorded of it. */
export interface InstanceStoredEvent extends StoredInstanceFacts {
  type: 'instance.stored';
  associationId: string;
  messageId: number;
  status: number;
  bytes: number;
  sopInstanceUid: string;
}

export interface AssociationContext {
  id: string;
  peer: AssociationInput['peer'];
  listener: AssociationInput['listener'];
  policy: AssociationMachinePolicy;
  /** The A-ASSOCIATE-RQ without its presentation contexts (those are in `negotiation`). */
  request: Omit<AssociationRequest, 'presentationContexts'> | null;
  negotiation: NegotiationResult | null;
  counters: AssociationCounters;
  /** The C-STORE in progress (PS3.7 synchronous mode: at most one). */
  currentStore: { messageId: number; sopClassUid: string; sopInstanceUid: string } | null;
  outcome: AssociationOutcome | null;
}

export interface AssociationOutput {
  id: string;
  outcome: AssociationOutcome;
  counters: AssociationCounters;
}

type OutcomeParams = AssociationOutcome;
type AbortParams = { source: number; reason: number };

const USER_ABORT: AbortParams = { source: AbortSource.ServiceUser, reason: AbortReason.NotSpecified };
const unknownOutcome: AssociationOutcome = { state: 'failed', reason: 'ended without a recorded outcome' };

export const associationMachine = setup({
  types: {
    context: {} as AssociationContext,
    events: {} as AssociationEvent,
    input: {} as AssociationInput,
    output: {} as AssociationOutput,
  },
  actors: {
    // Placeholder; the composition root provides the real socket adapter with machine.provide().
    connection: fromCallback<ConnectionCommand, ConnectionInput>(() => undefined),
  },
  delays: {
    artimTimeout: ({ context }) => context.policy.artimTimeoutMs,
    idleTimeout: ({ context }) => context.policy.idleTimeoutMs,
    releaseTimeout: ({ context }) => context.policy.releaseTimeoutMs,
    shutdownGrace: ({ context }) => context.policy.shutdownGraceMs,
  },
  guards: {
    requestAcceptable: ({ context, event }) => {
      assertEvent(event, 'association.requested');
      return negotiate(event.request, context.policy).kind === 'accept';
    },
    endedByAbort: ({ context }) => context.outcome?.state === 'aborted',
  },
  actions: {
    recordRequest: assign(({ context, event }) => {
      assertEvent(event, 'association.requested');
      const { presentationContexts: _contexts, ...request } = event.request;
      return { request, negotiation: negotiate(event.request, context.policy) };
    }),
    sendAccept: sendTo('connection', ({ context }): ConnectionCommand => {
      const n = context.negotiation;
      if (n?.kind !== 'accept') throw new Error('sendAccept without an accepting negotiation');
      return { type: 'accept', contexts: n.contexts, maxPduLength: n.maxPduLength, peerMaxPduLength: n.peerMaxPduLength };
    }),
    sendReject: sendTo('connection', ({ context }): ConnectionCommand => {
      const n = context.negotiation;
      if (n?.kind !== 'reject') throw new Error('sendReject without a rejecting negotiation');
      return { type: 'reject', result: n.result, source: n.source, reason: n.reason };
    }),
    sendReleaseResponse: sendTo('connection', { type: 'release.respond' } satisfies ConnectionCommand),
    sendAbort: sendTo('connection', (_, params: AbortParams): ConnectionCommand => ({ type: 'abort', ...params })),
    closeConnection: sendTo('connection', { type: 'close' } satisfies ConnectionCommand),
    recordOutcome: assign((_, params: OutcomeParams) => ({ outcome: { state: params.state, reason: params.reason } })),
    trackStore: assign(({ event }) => {
      assertEvent(event, 'store.started');
      return { currentStore: { messageId: event.messageId, sopClassUid: event.sopClassUid, sopInstanceUid: event.sopInstanceUid } };
    }),
    countStore: assign(({ context, event }) => {
      assertEvent(event, 'store.finished');
      const { counters } = context;
      const stored = isStoredStatus(event.status);
      return {
        currentStore: null,
        counters: {
          ...counters,
          stored: counters.stored + (stored ? 1 : 0),
          failed: counters.failed + (stored ? 0 : 1),
          bytes: counters.bytes + (stored ? event.bytes : 0),
        },
      };
    }),
    countLostStore: assign(({ context }) => ({
      currentStore: null,
      counters: { ...context.counters, failed: context.counters.failed + (context.currentStore ? 1 : 0) },
    })),
    countEcho: assign(({ context }) => ({ counters: { ...context.counters, echoes: context.counters.echoes + 1 } })),
    // A standalone association (tests, tools) has no parent; sendParent would throw there. The
    // adapter sends the facts with every stored status; without them (an adapter fault) the study
    // could not place the object, so it is counted above but not reported.
    notifyInstanceStored: enqueueActions(({ context, event, enqueue, self }) => {
      assertEvent(event, 'store.finished');
      if (!self._parent || !isStoredStatus(event.status) || event.instanceId === undefined) return;
      const { messageId, status, bytes, sopInstanceUid } = event;
      enqueue.sendParent({
        type: 'instance.stored',
        associationId: context.id,
        messageId,
        status,
        bytes,
        sopInstanceUid,
        ...storedInstanceFacts(event),
      } satisfies AssociationParentEvent);
    }),
    notifyEnded: enqueueActions(({ context, enqueue, self }) => {
      if (!self._parent) return;
      enqueue.sendParent({ type: 'association.ended', id: context.id, outcome: context.outcome ?? unknownOutcome } satisfies AssociationParentEvent);
    }),
  },
}).createMachine({
  id: 'association',
  version: ASSOCIATION_MACHINE_VERSION,
  context: ({ input }) => ({
    id: input.id,
    peer: input.peer,
    listener: input.listener,
    policy: input.policy,
    request: null,
    negotiation: null,
    counters: { stored: 0, failed: 0, bytes: 0, echoes: 0 },
    currentStore: null,
    outcome: null,
  }),
  invoke: {
    id: 'connection',
    src: 'connection',
    input: ({ context }) => ({ associationId: context.id }),
    onError: {
      target: '.failed',
      actions: [
        'countLostStore',
        { type: 'recordOutcome', params: ({ event }) => ({ state: 'failed', reason: `connection actor failed: ${errorMessage(event.error)}` }) },
      ],
    },
  },
  output: ({ context }) => ({ id: context.id, outcome: context.outcome ?? unknownOutcome, counters: context.counters }),
  initial: 'negotiating',
  states: {
    // PS3.8 Sta2: transport open, waiting for the A-ASSOCIATE-RQ under the ARTIM timer.
    negotiating: {
      after: {
        artimTimeout: {
          target: 'failed',
          actions: ['closeConnection', { type: 'recordOutcome', params: { state: 'failed', reason: 'no A-ASSOCIATE-RQ before the ARTIM timeout' } }],
        },
      },
      on: {
        'association.requested': [
          { guard: 'requestAcceptable', target: 'established', actions: ['recordRequest', 'sendAccept'] },
          {
            target: 'rejected',
            actions: [
              'recordRequest',
              'sendReject',
              {
                type: 'recordOutcome',
                params: ({ context }) => ({
                  state: 'rejected',
                  reason: context.negotiation?.kind === 'reject' ? context.negotiation.explanation : 'rejected',
                }),
              },
            ],
          },
        ],
        'peer.aborted': {
          target: 'aborted',
          actions: ['closeConnection', { type: 'recordOutcome', params: ({ event }) => peerAbortOutcome(event) }],
        },
        'protocol.violated': {
          target: 'aborted',
          actions: [
            { type: 'sendAbort', params: ({ event }) => providerAbort(event.abortReason) },
            { type: 'recordOutcome', params: ({ event }) => ({ state: 'aborted', reason: `protocol violation: ${event.reason}` }) },
          ],
        },
        'connection.closed': {
          target: 'failed',
          actions: { type: 'recordOutcome', params: { state: 'failed', reason: 'connection closed before A-ASSOCIATE-RQ' } },
        },
        'connection.failed': {
          target: 'failed',
          actions: { type: 'recordOutcome', params: ({ event }) => ({ state: 'failed', reason: `connection failed: ${event.message}` }) },
        },
        'shutdown.requested': {
          target: 'failed',
          actions: ['closeConnection', { type: 'recordOutcome', params: { state: 'failed', reason: 'shutdown before A-ASSOCIATE-RQ' } }],
        },
      },
    },

    // PS3.8 Sta6: data transfer.
    established: {
      initial: 'idle',
      on: {
        'echo.answered': { actions: 'countEcho' },
      },
      states: {
        idle: {
          after: {
            idleTimeout: {
              target: '#association.aborted',
              actions: [
                { type: 'sendAbort', params: USER_ABORT },
                { type: 'recordOutcome', params: { state: 'aborted', reason: 'idle timeout' } },
              ],
            },
          },
          on: {
            'store.started': { target: 'receiving', actions: 'trackStore' },
            // A store refused before its data began (the adapter reports no start): still counted.
            'store.finished': { actions: ['countStore', 'notifyInstanceStored'] },
            // Re-entering restarts the idle timer: an echo is activity.
            'echo.answered': { target: 'idle', reenter: true, actions: 'countEcho' },
            'release.requested': { target: '#association.releasing', actions: 'sendReleaseResponse' },
            'peer.aborted': {
              target: '#association.aborted',
              actions: ['closeConnection', { type: 'recordOutcome', params: ({ event }) => peerAbortOutcome(event) }],
            },
            'protocol.violated': {
              target: '#association.aborted',
              actions: [
                { type: 'sendAbort', params: ({ event }) => providerAbort(event.abortReason) },
                { type: 'recordOutcome', params: ({ event }) => ({ state: 'aborted', reason: `protocol violation: ${event.reason}` }) },
              ],
            },
            'connection.closed': {
              target: '#association.failed',
              actions: { type: 'recordOutcome', params: { state: 'failed', reason: 'connection closed without release' } },
            },
            'connection.failed': {
              target: '#association.failed',
              actions: { type: 'recordOutcome', params: ({ event }) => ({ state: 'failed', reason: `connection failed: ${event.message}` }) },
            },
            'shutdown.requested': {
              target: '#association.aborted',
              actions: [
                { type: 'sendAbort', params: USER_ABORT },
                { type: 'recordOutcome', params: { state: 'aborted', reason: 'shutdown' } },
              ],
            },
          },
        },
        receiving: {
          initial: 'transferring',
          on: {
            'store.finished': { target: 'idle', actions: ['countStore', 'notifyInstanceStored'] },
            // The association breaks with a store in flight: wait in 'settling' for its outcome.
            'peer.aborted': {
              target: '#association.settling',
              actions: ['closeConnection', { type: 'recordOutcome', params: ({ event }) => peerAbortOutcome(event) }],
            },
            'protocol.violated': {
              target: '#association.settling',
              actions: [
                { type: 'sendAbort', params: ({ event }) => providerAbort(event.abortReason) },
                { type: 'recordOutcome', params: ({ event }) => ({ state: 'aborted', reason: `protocol violation: ${event.reason}` }) },
              ],
            },
            // Synchronous mode: the SCU must wait for the C-STORE-RSP before releasing (PS3.7 9.1.1).
            'release.requested': {
              target: '#association.settling',
              actions: [
                { type: 'sendAbort', params: { source: AbortSource.ServiceProvider, reason: AbortReason.UnexpectedPdu } },
                { type: 'recordOutcome', params: { state: 'aborted', reason: 'protocol violation: A-RELEASE-RQ during a C-STORE' } },
              ],
            },
            'connection.closed': {
              target: '#association.settling',
              actions: { type: 'recordOutcome', params: { state: 'failed', reason: 'connection closed during a C-STORE' } },
            },
            'connection.failed': {
              target: '#association.settling',
              actions: {
                type: 'recordOutcome',
                params: ({ event }) => ({ state: 'failed', reason: `connection failed during a C-STORE: ${event.message}` }),
              },
            },
          },
          states: {
            transferring: {
              on: {
                'shutdown.requested': 'draining',
                'transfer.progressed': { target: 'transferring', reenter: true },
              },
              // A peer that stops sending in the middle of a data set holds a socket, an open temp
              // file and its buffers: after the idle timeout without progress, abort.
              after: {
                idleTimeout: {
                  target: '#association.settling',
                  actions: [
                    { type: 'sendAbort', params: USER_ABORT },
                    { type: 'recordOutcome', params: { state: 'aborted', reason: 'C-STORE stalled: no data within the idle timeout' } },
                  ],
                },
              },
            },
            // Shutdown asked while a C-STORE runs: let it finish, within the grace period.
            draining: {
              after: {
                shutdownGrace: {
                  target: '#association.settling',
                  actions: [
                    { type: 'sendAbort', params: USER_ABORT },
                    { type: 'recordOutcome', params: { state: 'aborted', reason: 'shutdown; C-STORE still running after the grace period' } },
                  ],
                },
              },
              on: {
                'store.finished': {
                  target: '#association.aborted',
                  actions: [
                    'countStore',
                    'notifyInstanceStored',
                    { type: 'sendAbort', params: USER_ABORT },
                    { type: 'recordOutcome', params: { state: 'aborted', reason: 'shutdown' } },
                  ],
                },
              },
            },
          },
        },
      },
    },

    // PS3.8 Sta13 after our A-RELEASE-RP: the peer closes the transport.
    releasing: {
      after: {
        releaseTimeout: {
          target: 'released',
          actions: ['closeConnection', { type: 'recordOutcome', params: { state: 'released', reason: 'released; peer did not close, closed by us' } }],
        },
      },
      on: {
        'connection.closed': {
          target: 'released',
          actions: { type: 'recordOutcome', params: { state: 'released', reason: 'released' } },
        },
        // A reset after the A-RELEASE-RP still ends a completed release.
        'connection.failed': {
          target: 'released',
          actions: { type: 'recordOutcome', params: ({ event }) => ({ state: 'released', reason: `released; connection then failed: ${event.message}` }) },
        },
        'shutdown.requested': {
          target: 'released',
          actions: ['closeConnection', { type: 'recordOutcome', params: { state: 'released', reason: 'released; closed for shutdown' } }],
        },
      },
    },

    // The association is over (outcome recorded) but a C-STORE was in flight: record how it ended,
    // so partial transfers are counted, then finish as the outcome says.
    settling: {
      after: {
        artimTimeout: [
          { guard: 'endedByAbort', target: 'aborted', actions: ['countLostStore', 'closeConnection'] },
          { target: 'failed', actions: ['countLostStore', 'closeConnection'] },
        ],
      },
      on: {
        'store.finished': [
          { guard: 'endedByAbort', target: 'aborted', actions: ['countStore', 'notifyInstanceStored'] },
          { target: 'failed', actions: ['countStore', 'notifyInstanceStored'] },
        ],
      },
    },

    released: { type: 'final', entry: 'notifyEnded' },
    rejected: { type: 'final', entry: 'notifyEnded' },
    aborted: { type: 'final', entry: 'notifyEnded' },
    failed: { type: 'final', entry: 'notifyEnded' },
  },
});

function providerAbort(reason: number | undefined): AbortParams {
  return { source: AbortSource.ServiceProvider, reason: reason ?? AbortReason.NotSpecified };
}

function peerAbortOutcome(event: { source: number; reason: number }): AssociationOutcome {
  return { state: 'aborted', reason: `peer aborted (source ${event.source}, reason ${event.reason})` };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
