// Model-based test of the association actor: xstate/graph walks the machine (one path per
// transition), and each path is replayed on a real actor whose 'connection' is a fake socket
// adapter. Stimuli go in the way production sends them (sendBack from the connection, the
// supervisor's send, the clock for timers), and each step is checked against what the
// conformance statement and PS3.8 require us to send. afterAll fails on any state or transition
// the paths did not exercise.

import { afterAll, describe, expect, it } from 'vitest';
import {
  __unsafe_getAllOwnEventDescriptors,
  createActor,
  fromCallback,
  SimulatedClock,
  type AnyEventObject,
  type SnapshotFrom,
  type StateValue,
} from 'xstate';
import { TestModel } from 'xstate/graph';
import {
  associationMachine,
  type AssociationEndState,
  type AssociationInput,
  type AssociationParentEvent,
  type ConnectionCommand,
  type ConnectionInput,
  type StoredInstanceFacts,
  type StoreFinishedEvent,
} from '../../machines/association.machine.ts';
import type { AssociationRequest } from '../../src/dicom/negotiation.ts';
import { createModelCoverage } from '../support/model-coverage.ts';

type Snapshot = SnapshotFrom<typeof associationMachine>;

const TIMERS = { artimTimeoutMs: 30_000, idleTimeoutMs: 60_000, releaseTimeoutMs: 10_000, shutdownGraceMs: 5_000 };
const DELAY_MS: Record<string, number> = {
  artimTimeout: TIMERS.artimTimeoutMs,
  idleTimeout: TIMERS.idleTimeoutMs,
  releaseTimeout: TIMERS.releaseTimeoutMs,
  shutdownGrace: TIMERS.shutdownGraceMs,
};

const INPUT: AssociationInput = {
  id: 'assoc-1',
  peer: { address: '192.0.2.10', port: 50123 },
  listener: { host: '0.0.0.0', port: 11112 },
  // The listener's per-connection part: this listener allows only MODALITY to call; no limit reached.
  policy: { aeTitles: ['DISCROBOT'], acceptStructuredReports: false, maxPduLength: 16384, callingAeTitles: ['MODALITY'], limitExceeded: null, ...TIMERS },
};
/** The same connection as the listener admits it over dicom.maxAssociationsPerPeer. */
const OVER_LIMIT_INPUT: AssociationInput = { ...INPUT, policy: { ...INPUT.policy, limitExceeded: { limit: 'maxAssociationsPerPeer', value: 16 } } };

const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const VERIFICATION = '1.2.840.10008.1.1';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const NOT_STORED_HERE = '1.2.840.10008.5.1.4.1.2.2.1'; // Study Root Q/R FIND: not a storage class

function rq(overrides: Partial<AssociationRequest>): AssociationRequest {
  return {
    calledAeTitle: 'DISCROBOT',
    callingAeTitle: 'MODALITY',
    applicationContextName: '1.2.840.10008.3.1.1.1',
    maxPduLength: 0,
    implementationClassUid: '1.2.276.0.7230010.3.0.3.6.7',
    implementationVersionName: 'OFFIS_DCMTK_367',
    presentationContexts: [
      { id: 1, abstractSyntax: CT, transferSyntaxes: [EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE] },
      { id: 3, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] },
      { id: 5, abstractSyntax: CT, transferSyntaxes: [JPEG_BASELINE] },
      { id: 7, abstractSyntax: NOT_STORED_HERE, transferSyntaxes: [IMPLICIT_LE] },
    ],
    ...overrides,
  };
}

// ---- stimuli, each with what the standard and the statement say we answer --------------------

/** Variant name (for path names) and the answer each A-ASSOCIATE-RQ must get. */
const REQUESTS: { name: string; request: AssociationRequest; answer: ConnectionCommand }[] = [
  {
    name: 'acceptable',
    request: rq({}),
    answer: {
      type: 'accept',
      contexts: [
        { id: 1, abstractSyntax: CT, result: 0, transferSyntax: EXPLICIT_LE },
        { id: 3, abstractSyntax: VERIFICATION, result: 0, transferSyntax: IMPLICIT_LE },
        { id: 5, abstractSyntax: CT, result: 4 },
        { id: 7, abstractSyntax: NOT_STORED_HERE, result: 3 },
      ],
      maxPduLength: 16384,
      peerMaxPduLength: 16384,
    },
  },
  { name: 'wrong called AE', request: rq({ calledAeTitle: 'PACS' }), answer: { type: 'reject', result: 1, source: 1, reason: 7 } },
  // PS3.8 Table 9-21: rejected-permanent, service-user, calling-AE-title-not-recognized.
  { name: 'calling AE not allowed', request: rq({ callingAeTitle: 'INTRUDER' }), answer: { type: 'reject', result: 1, source: 1, reason: 3 } },
  { name: 'wrong application context', request: rq({ applicationContextName: '1.2.3' }), answer: { type: 'reject', result: 1, source: 1, reason: 2 } },
  {
    name: 'nothing acceptable',
    request: rq({ presentationContexts: [{ id: 1, abstractSyntax: CT, transferSyntaxes: [JPEG_BASELINE] }] }),
    answer: { type: 'reject', result: 1, source: 1, reason: 1 },
  },
];

const STORE_STARTED = { type: 'store.started', messageId: 7, sopClassUid: CT, sopInstanceUid: '1.2.826.0.1.3680043.2.1125.1.1' } as const;
/** What the store recorded of a stored object; a refused one has none. */
const FACTS: StoredInstanceFacts = {
  instanceId: 41,
  studyInstanceUid: '1.2.826.0.1.3680043.2.1125.1',
  patientId: 'PID-1',
  patientName: 'Doe^Jane',
  patientBirthDate: '19700101',
  callingAeTitle: 'MODALITY',
  calledAeTitle: 'DISCROBOT',
  receivedAtMs: 1_767_268_800_000,
};
const STORES: { name: string; stored: boolean; status: number; bytes: number; facts?: StoredInstanceFacts }[] = [
  { name: 'success', stored: true, status: 0x0000, bytes: 524_288, facts: FACTS },
  { name: 'warning B007', stored: true, status: 0xb007, bytes: 1_000, facts: { ...FACTS, instanceId: 42, duplicate: 'different' } },
  { name: 'out of resources', stored: false, status: 0xa700, bytes: 4_096 },
];
const STORE_EVENTS = STORES.map((s) => {
  const finished = { type: 'store.finished', messageId: 7, status: s.status, bytes: s.bytes, sopInstanceUid: '1.2.826.0.1.3680043.2.1125.1.1' } as const;
  const event: StoreFinishedEvent = s.facts ? { ...finished, ...s.facts } : finished;
  return { ...s, event };
});

const labels = new WeakMap<object, string>();
const requestByEvent = new WeakMap<object, (typeof REQUESTS)[number]>();
const storeByEvent = new WeakMap<object, (typeof STORE_EVENTS)[number]>();

function labelled<T extends AnyEventObject>(event: T, label: string): T {
  labels.set(event, label);
  return event;
}

const VARIANTS: Record<string, AnyEventObject[]> = {
  'association.requested': REQUESTS.map((r) => {
    const event = labelled({ type: 'association.requested', request: r.request }, `association.requested (${r.name})`);
    requestByEvent.set(event, r);
    return event;
  }),
  'store.started': [STORE_STARTED],
  'store.finished': STORE_EVENTS.map((s) => {
    const event = labelled({ ...s.event }, `store.finished (${s.name})`);
    storeByEvent.set(event, s);
    return event;
  }),
  'echo.answered': [{ type: 'echo.answered', messageId: 3 }],
  'transfer.progressed': [{ type: 'transfer.progressed', bytes: 16_372 }],
  'release.requested': [{ type: 'release.requested' }],
  'peer.aborted': [{ type: 'peer.aborted', source: 0, reason: 0 }],
  'protocol.violated': [{ type: 'protocol.violated', reason: 'P-DATA-TF for unaccepted context 5', abortReason: 6 }],
  'connection.closed': [{ type: 'connection.closed' }],
  'connection.failed': [{ type: 'connection.failed', message: 'read ECONNRESET' }],
  'shutdown.requested': [{ type: 'shutdown.requested' }],
  'xstate.error.actor.connection': [labelled({ type: 'xstate.error.actor.connection', error: new Error('adapter crashed') }, 'connection actor crashed')],
};

function eventsFor(snapshot: Snapshot): AnyEventObject[] {
  // A done actor takes no events; the pure transition() would still follow the root's onError.
  if (snapshot.status !== 'active') return [];
  return __unsafe_getAllOwnEventDescriptors(snapshot).flatMap((type) => {
    if (type.startsWith('xstate.after.')) return [{ type }];
    const variants = VARIANTS[type];
    if (!variants) throw new Error(`no stimulus for event '${type}': add one to VARIANTS`);
    return variants;
  });
}

const label = (event: AnyEventObject) => labels.get(event) ?? (event.type.startsWith('xstate.after.') ? `after ${event.type.split('.')[2]}` : event.type);
const path = (value: StateValue): string =>
  typeof value === 'string' ? value : Object.entries(value).map(([k, v]) => `${k}.${path(v as StateValue)}`).join(',');

// ---- what each step must send (commands) and how the association must end (outcome) -----------

const USER_ABORT: ConnectionCommand = { type: 'abort', source: 0, reason: 0 };
const CLOSE: ConnectionCommand = { type: 'close' };

interface Expected {
  commands: ConnectionCommand[];
  /** The outcome this step decides, when it decides one. */
  outcome?: AssociationEndState;
}

function expectedEffects(from: string, event: AnyEventObject): Expected {
  const receiving = from.startsWith('established.receiving');
  switch (event.type) {
    case 'association.requested': {
      const answer = requestByEvent.get(event)!.answer;
      return { commands: [answer], outcome: answer.type === 'reject' ? 'rejected' : undefined };
    }
    case 'store.started':
    case 'echo.answered':
    case 'transfer.progressed':
      return { commands: [] };
    case 'store.finished':
      // Shutdown was waiting for this store: now abort.
      return from === 'established.receiving.draining' ? { commands: [USER_ABORT], outcome: 'aborted' } : { commands: [] };
    case 'release.requested':
      // PS3.7 synchronous mode: A-RELEASE-RQ before our C-STORE-RSP is an unexpected PDU (PS3.8 9.3.8 reason 2).
      return receiving ? { commands: [{ type: 'abort', source: 2, reason: 2 }], outcome: 'aborted' } : { commands: [{ type: 'release.respond' }] };
    case 'peer.aborted':
      return { commands: [CLOSE], outcome: 'aborted' };
    case 'protocol.violated':
      return { commands: [{ type: 'abort', source: 2, reason: 6 }], outcome: 'aborted' };
    case 'connection.closed':
    case 'connection.failed':
      // After our A-RELEASE-RP the release is complete, whatever the socket does.
      return { commands: [], outcome: from === 'releasing' ? 'released' : 'failed' };
    case 'shutdown.requested':
      if (from === 'negotiating') return { commands: [CLOSE], outcome: 'failed' };
      if (from === 'established.idle') return { commands: [USER_ABORT], outcome: 'aborted' };
      if (from === 'releasing') return { commands: [CLOSE], outcome: 'released' };
      return { commands: [] }; // a C-STORE is running: wait for it (draining)
    case 'xstate.error.actor.connection':
      return { commands: [], outcome: 'failed' };
  }
  const delay = event.type.split('.')[2];
  if (delay === 'artimTimeout') return from === 'negotiating' ? { commands: [CLOSE], outcome: 'failed' } : { commands: [CLOSE] };
  if (delay === 'idleTimeout') return { commands: [USER_ABORT], outcome: 'aborted' };
  if (delay === 'releaseTimeout') return { commands: [CLOSE], outcome: 'released' };
  if (delay === 'shutdownGrace') return { commands: [USER_ABORT], outcome: 'aborted' };
  throw new Error(`no expectation for ${event.type}`);
}

// ---- the harness: a real actor, a fake connection, a parent that records -------------------

const coverage = createModelCoverage(associationMachine);
const FINAL = new Set(['released', 'rejected', 'aborted', 'failed']);

function startAssociation(input: AssociationInput = INPUT) {
  const clock = new SimulatedClock();
  const commands: ConnectionCommand[] = [];
  const toParent: AssociationParentEvent[] = [];
  const connection = { sendBack: undefined as ((event: AnyEventObject) => void) | undefined, inputs: [] as ConnectionInput[], stopped: false };
  const fakeConnection = fromCallback<ConnectionCommand, ConnectionInput>(({ sendBack, receive, input }) => {
    connection.inputs.push(input);
    connection.sendBack = sendBack;
    receive((command) => {
      // Not a command the machine sends: the test's way to make the adapter throw.
      if ((command as { type: string }).type === 'test.crash') throw new Error('adapter crashed');
      commands.push(command);
    });
    return () => {
      connection.stopped = true;
    };
  });
  // The parent gives the association somewhere to send its events, and owns the system's clock and inspection.
  const parent = createActor(
    fromCallback<AnyEventObject>(({ receive }) => {
      receive((event) => {
        if (!event.type.startsWith('xstate.')) toParent.push(event as AssociationParentEvent);
      });
    }),
    { clock, inspect: (event) => coverage.inspect(event) },
  ).start();
  const actor = createActor(associationMachine.provide({ actors: { connection: fakeConnection } }), { input, parent }).start();

  /** Sends the event the way production does. */
  function stimulate(event: AnyEventObject): void {
    if (event.type.startsWith('xstate.after.')) {
      const ms = DELAY_MS[event.type.split('.')[2]!]!;
      const before = actor.getSnapshot().value;
      clock.increment(ms - 1);
      expect(actor.getSnapshot().value, `${label(event)} fired early`).toEqual(before);
      clock.increment(1);
    } else if (event.type === 'xstate.error.actor.connection') {
      actor.getSnapshot().children.connection!.send({ type: 'test.crash' } as never);
    } else if (event.type === 'shutdown.requested') {
      actor.send({ type: 'shutdown.requested' });
    } else {
      connection.sendBack!(event);
    }
  }
  return { actor, clock, commands, toParent, connection, stimulate };
}

// ---- the model paths ---------------------------------------------------------------------------

const model = new TestModel(associationMachine, {
  input: INPUT,
  events: eventsFor,
  // Counters and ids stay out of the vertex so the graph stays finite; the incoming transition
  // stays in, so every transition is its own vertex and gets a path.
  serializeState: (state: Snapshot, event: AnyEventObject | undefined, prev?: Snapshot) =>
    `${path(state.value)}|${state.context.outcome?.state ?? ''}` + (event && prev ? ` via ${label(event)} from ${path(prev.value)}` : ''),
} as never);
const paths = model.getShortestPaths();

describe('association machine: model paths', () => {
  for (const p of paths) {
    const steps = p.steps.map((s) => s.event as AnyEventObject).filter((e) => e.type !== 'xstate.init');
    const name = `${path(p.state.value)} ← ${steps.map(label).join(' → ')}`;
    it(name, async () => {
      const h = startAssociation();
      expect(h.connection.inputs).toEqual([{ associationId: INPUT.id }]);
      const tally = { stored: 0, failed: 0, bytes: 0, echoes: 0 };
      let outcome: AssociationEndState | undefined;
      let storeInFlight = false;
      let step: { from: string; event: AnyEventObject; commandsBefore: number; parentBefore: number } | undefined;

      const executors = Object.fromEntries(
        // The paths begin with xstate.init, which createActor().start() already did.
        [...new Set(p.steps.map((s) => (s.event as AnyEventObject).type))].filter((type) => type !== 'xstate.init').map((type) => [
          type,
          ({ event }: { event: AnyEventObject }) => {
            step = { from: path(h.actor.getSnapshot().value), event, commandsBefore: h.commands.length, parentBefore: h.toParent.length };
            h.stimulate(event);
          },
        ]),
      );

      await p.test({
        events: executors as never,
        states: {
          '*': (expected) => {
            const snapshot = h.actor.getSnapshot();
            expect(snapshot.value).toEqual(expected.value);
            if (!step) return; // the initial state: nothing sent yet
            const { from, event } = step;
            const want = expectedEffects(from, event);
            expect(h.commands.slice(step.commandsBefore), `commands after ${label(event)} from ${from}`).toEqual(want.commands);

            // Bookkeeping the spec implies: every store outcome counts, even after the association broke.
            if (event.type === 'store.started') storeInFlight = true;
            if (event.type === 'store.finished') {
              const store = storeByEvent.get(event)!;
              if (store.stored) {
                tally.stored++;
                tally.bytes += store.bytes;
              } else {
                tally.failed++;
              }
              storeInFlight = false;
            }
            if (event.type === 'echo.answered') tally.echoes++;
            if (storeInFlight && FINAL.has(path(snapshot.value))) {
              tally.failed++; // its outcome never came: lost
              storeInFlight = false;
            }
            expect(snapshot.context.counters).toEqual(tally);
            if (want.outcome) outcome = want.outcome;
            expect(snapshot.context.outcome?.state).toBe(outcome);

            const sentToParent = h.toParent.slice(step.parentBefore);
            const stored = event.type === 'store.finished' && storeByEvent.get(event)!.stored;
            const expectedToParent: AssociationParentEvent[] = [];
            if (stored) {
              const { messageId, status, bytes, sopInstanceUid } = storeByEvent.get(event)!.event;
              expectedToParent.push({ type: 'instance.stored', associationId: INPUT.id, messageId, status, bytes, sopInstanceUid, ...storeByEvent.get(event)!.facts! });
            }
            const final = FINAL.has(path(snapshot.value));
            if (final) {
              expect(snapshot.status).toBe('done');
              expect(snapshot.context.outcome?.state).toBe(path(snapshot.value));
              expectedToParent.push({ type: 'association.ended', id: INPUT.id, outcome: snapshot.context.outcome! });
              expect(snapshot.output).toEqual({ id: INPUT.id, outcome: snapshot.context.outcome, counters: tally });
            }
            expect(sentToParent).toEqual(expectedToParent);
            // The socket adapter is released exactly when the association is over. XState does not
            // run the cleanup of a callback actor that threw, so an adapter must not throw.
            expect(h.connection.stopped).toBe(final && event.type !== 'xstate.error.actor.connection');
          },
        },
      });
      // Not stopped explicitly: an actor with a parent can only end by itself, and the simulated clock never fires alone.
    });
  }
});

describe('association machine: scenarios', () => {
  it('stores, echoes and releases: the counters and the parent see every instance', () => {
    const h = startAssociation();
    h.stimulate(VARIANTS['association.requested']![0]!);
    for (const s of STORE_EVENTS) {
      h.stimulate(STORE_STARTED);
      h.stimulate({ ...s.event });
    }
    h.stimulate({ type: 'echo.answered', messageId: 9 });
    h.stimulate({ type: 'release.requested' });
    h.stimulate({ type: 'connection.closed' });
    const snapshot = h.actor.getSnapshot();
    expect(snapshot.value).toBe('released');
    expect(snapshot.context.counters).toEqual({ stored: 2, failed: 1, bytes: 525_288, echoes: 1 });
    expect(h.toParent.map((e) => e.type)).toEqual(['instance.stored', 'instance.stored', 'association.ended']);
    expect(h.commands.map((c) => c.type)).toEqual(['accept', 'release.respond']);
  });

  it('instance.stored carries exactly the facts the study actor needs, as JSON data', () => {
    const h = startAssociation();
    h.stimulate(VARIANTS['association.requested']![0]!);
    h.stimulate(STORE_STARTED);
    const resend = { ...STORE_EVENTS[0]!.event, ...FACTS, duplicate: 'same' as const };
    // What an adapter might carry besides (paths, buffers) must not reach the parent.
    h.stimulate({ ...resend, path: '/data/store/x.dcm', raw: Buffer.from([1, 2]) });
    const [stored] = h.toParent;
    expect(stored).toEqual({
      type: 'instance.stored',
      associationId: INPUT.id,
      messageId: 7,
      status: 0x0000,
      bytes: 524_288,
      sopInstanceUid: STORE_STARTED.sopInstanceUid,
      instanceId: 41,
      studyInstanceUid: FACTS.studyInstanceUid,
      patientId: 'PID-1',
      patientName: 'Doe^Jane',
      patientBirthDate: '19700101',
      duplicate: 'same',
      callingAeTitle: 'MODALITY',
      calledAeTitle: 'DISCROBOT',
      receivedAtMs: FACTS.receivedAtMs,
    });
    expect(JSON.parse(JSON.stringify(stored))).toStrictEqual(stored);
  });

  it('a first arrival has no duplicate field at all, so it survives JSON unchanged', () => {
    const h = startAssociation();
    h.stimulate(VARIANTS['association.requested']![0]!);
    h.stimulate(STORE_STARTED);
    h.stimulate({ ...STORE_EVENTS[0]!.event, duplicate: undefined });
    const [stored] = h.toParent;
    expect(stored).toBeDefined();
    expect(Object.keys(stored!)).not.toContain('duplicate');
    expect(JSON.parse(JSON.stringify(stored))).toStrictEqual(stored);
  });

  it('a stored status without the store\'s facts is counted but not reported: no study could place it', () => {
    const h = startAssociation();
    h.stimulate(VARIANTS['association.requested']![0]!);
    h.stimulate(STORE_STARTED);
    h.stimulate({ type: 'store.finished', messageId: 7, status: 0x0000, bytes: 10, sopInstanceUid: STORE_STARTED.sopInstanceUid });
    expect(h.actor.getSnapshot().context.counters).toEqual({ stored: 1, failed: 0, bytes: 10, echoes: 0 });
    expect(h.toParent).toEqual([]);
  });

  it('over an association limit, an acceptable A-ASSOCIATE-RQ gets A-ASSOCIATE-RJ 2/3/2 (transient, local-limit-exceeded)', () => {
    const h = startAssociation(OVER_LIMIT_INPUT);
    h.stimulate(VARIANTS['association.requested']![0]!);
    const snapshot = h.actor.getSnapshot();
    expect(h.commands).toEqual([{ type: 'reject', result: 2, source: 3, reason: 2 }]);
    expect(snapshot.value).toBe('rejected');
    expect(snapshot.context.outcome).toEqual({ state: 'rejected', reason: 'local limit exceeded: dicom.maxAssociationsPerPeer (16)' });
    expect(h.toParent).toEqual([{ type: 'association.ended', id: INPUT.id, outcome: snapshot.context.outcome }]);
  });

  it('over a limit, a request refused anyway gets the permanent answer, not "try again later"', () => {
    for (const r of REQUESTS.filter((x) => x.answer.type === 'reject')) {
      const h = startAssociation(OVER_LIMIT_INPUT);
      h.stimulate({ type: 'association.requested', request: r.request });
      expect(h.commands, r.name).toEqual([r.answer]);
    }
  });

  it('an echo restarts the idle timer', () => {
    const h = startAssociation();
    h.stimulate(VARIANTS['association.requested']![0]!);
    h.clock.increment(TIMERS.idleTimeoutMs - 1);
    h.stimulate({ type: 'echo.answered', messageId: 1 });
    h.clock.increment(TIMERS.idleTimeoutMs - 1);
    expect(h.actor.getSnapshot().value).toEqual({ established: 'idle' });
    h.clock.increment(1);
    expect(h.actor.getSnapshot().value).toBe('aborted');
    expect(h.commands.at(-1)).toEqual(USER_ABORT);
  });

  it('a store that finishes during the shutdown grace is recorded before the abort', () => {
    const h = startAssociation();
    h.stimulate(VARIANTS['association.requested']![0]!);
    h.stimulate(STORE_STARTED);
    h.actor.send({ type: 'shutdown.requested' });
    h.clock.increment(TIMERS.shutdownGraceMs - 1);
    h.stimulate({ ...STORE_EVENTS[0]!.event });
    expect(h.actor.getSnapshot().value).toBe('aborted');
    expect(h.actor.getSnapshot().context.counters.stored).toBe(1);
    expect(h.toParent.map((e) => e.type)).toEqual(['instance.stored', 'association.ended']);
  });

  it('keeps a JSON-only context: a persisted snapshot survives JSON and restores', () => {
    const h = startAssociation();
    h.stimulate(VARIANTS['association.requested']![0]!);
    h.stimulate(STORE_STARTED);
    const persisted = JSON.parse(JSON.stringify(h.actor.getPersistedSnapshot()));
    const restored = createActor(associationMachine, { snapshot: persisted, input: INPUT }).start();
    expect(restored.getSnapshot().value).toEqual({ established: { receiving: 'transferring' } });
    expect(restored.getSnapshot().context).toEqual(h.actor.getSnapshot().context);
    restored.stop();
  });

  it('a standalone association (no parent) reaches its end without sending to a parent', () => {
    const commands: ConnectionCommand[] = [];
    let sendBack: ((event: AnyEventObject) => void) | undefined;
    const actor = createActor(
      associationMachine.provide({
        actors: {
          connection: fromCallback<ConnectionCommand, ConnectionInput>(({ sendBack: s, receive }) => {
            sendBack = s;
            receive((c) => commands.push(c));
          }),
        },
      }),
      { input: INPUT },
    ).start();
    sendBack!({ type: 'association.requested', request: rq({}) });
    sendBack!(STORE_STARTED);
    sendBack!({ ...STORE_EVENTS[0]!.event });
    sendBack!({ type: 'peer.aborted', source: 2, reason: 1 });
    expect(actor.getSnapshot().status).toBe('done');
    expect(actor.getSnapshot().context.outcome).toEqual({ state: 'aborted', reason: 'peer aborted (source 2, reason 1)' });
    expect(commands.map((c) => c.type)).toEqual(['accept', 'close']);
  });
});

afterAll(() => {
  coverage.assertComplete();
});
