// The publisher root: one association actor per connection, found by systemId, removed when it
// ends; stored instances counted; shutdown forwarded. Real association actors run underneath,
// each with a fake connection that records commands. afterAll asserts that every state and
// transition of the publisher machine was exercised.

import { afterAll, describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise, type AnyEventObject, type EventObject, type InspectionEvent } from 'xstate';
import { associationMachine, type AssociationInput, type ConnectionCommand, type ConnectionInput } from '../../machines/association.machine.ts';
import { associationSystemId, publisherMachine, robotSystemId } from '../../machines/publisher.machine.ts';
import { discJobMachine, type DiscJobInput, type MasteredImage, type MasterInput } from '../../machines/disc-job.machine.ts';
import { robotMachine } from '../../machines/robot.machine.ts';
import type { LinkCommand, RecorderInput } from '../../machines/robot-link.ts';
import type { AssociationRequest } from '../../src/dicom/negotiation.ts';
import { createModelCoverage } from '../support/model-coverage.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

const coverage = createModelCoverage(publisherMachine);

function input(id: string): AssociationInput {
  return {
    id,
    peer: { address: '192.0.2.10', port: 40000 },
    listener: { host: '0.0.0.0', port: 11112 },
    policy: {
      aeTitles: ['DISCROBOT'],
      acceptStructuredReports: false,
      maxPduLength: 16384,
      artimTimeoutMs: 30_000,
      idleTimeoutMs: 60_000,
      releaseTimeoutMs: 10_000,
      shutdownGraceMs: 5_000,
    },
  };
}

function request(calledAeTitle = 'DISCROBOT'): AssociationRequest {
  return {
    calledAeTitle,
    callingAeTitle: 'MODALITY',
    applicationContextName: '1.2.840.10008.3.1.1.1',
    maxPduLength: 16384,
    presentationContexts: [{ id: 1, abstractSyntax: CT, transferSyntaxes: [EXPLICIT_LE] }],
  };
}

/** Events delivered to actors, by the receiving actor's systemId-like id. */
function eventLog() {
  const received: Array<{ to: string; event: AnyEventObject }> = [];
  const inspect = (event: InspectionEvent) => {
    coverage.inspect(event);
    if (event.type === '@xstate.event') received.push({ to: (event.actorRef as { id?: string }).id ?? '', event: event.event });
  };
  return { received, inspect, to: (id: string) => received.filter((r) => r.to === id).map((r) => r.event) };
}

function jobInput(jobId: string, robot = 'r1'): DiscJobInput {
  return { jobId, robot: robotSystemId(robot), copies: 1, print: false, source: null, image: { path: '/images/a.iso', bytes: 2048, media: 'cd', labelPath: null } };
}

/** A publisher with robots whose links record commands and never connect, and jobs whose mastering never runs. */
function startPublisherWithRobots() {
  const log = eventLog();
  const linkCommands: LinkCommand[] = [];
  const link = fromCallback<LinkCommand, { robot: string }>(({ receive }) => receive((command) => linkCommands.push(command)));
  const recorder = fromCallback<EventObject, RecorderInput>(() => undefined);
  const master = fromPromise<MasteredImage, MasterInput>(() => new Promise(() => undefined));
  const publisher = createActor(publisherMachine.provide({
    actors: { robot: robotMachine.provide({ actors: { link, recorder } }), discJob: discJobMachine.provide({ actors: { master } }) },
  }), { systemId: 'publisher', input: {}, inspect: log.inspect }).start();
  return { publisher, log, linkCommands };
}

function startPublisher() {
  const connections = new Map<string, { sendBack: (event: AnyEventObject) => void; commands: ConnectionCommand[]; stopped: boolean }>();
  const connection = fromCallback<ConnectionCommand, ConnectionInput>(({ sendBack, receive, input }) => {
    const record = { sendBack, commands: [] as ConnectionCommand[], stopped: false };
    connections.set(input.associationId, record);
    receive((command) => record.commands.push(command));
    return () => {
      record.stopped = true;
    };
  });
  const publisher = createActor(publisherMachine.provide({ actors: { association: associationMachine.provide({ actors: { connection } }) } }), {
    systemId: 'publisher',
    input: {},
    inspect: (event) => coverage.inspect(event),
  }).start();
  const open = (id: string) => publisher.send({ type: 'connection.opened', associationId: id, input: input(id) });
  const association = (id: string) => publisher.system.get(associationSystemId(id)) as ReturnType<typeof createActor<typeof associationMachine>> | undefined;
  return { publisher, connections, open, association };
}

describe('publisher', () => {
  it('spawns one association actor per connection, reachable as association:<id>', () => {
    const { publisher, connections, open, association } = startPublisher();
    open('a1');
    open('a2');
    expect(publisher.system.get('publisher')).toBe(publisher);
    const a1 = association('a1');
    expect(a1).toBeDefined();
    expect(a1).toBe(publisher.getSnapshot().context.associations.a1);
    expect(a1!.getSnapshot().value).toBe('negotiating');
    expect(a1!.getSnapshot().context.id).toBe('a1');
    expect(association('a2')).not.toBe(a1);
    expect([...connections.keys()]).toEqual(['a1', 'a2']);
    publisher.stop();
  });

  it('ignores a second connection.opened with an id already in use', () => {
    const { publisher, connections, open, association } = startPublisher();
    open('a1');
    const first = association('a1');
    publisher.send({ type: 'connection.opened', associationId: 'a1', input: { ...input('a1'), peer: { address: '198.51.100.1', port: 1 } } });
    expect(association('a1')).toBe(first);
    expect(first!.getSnapshot().context.peer.address).toBe('192.0.2.10');
    expect(connections.size).toBe(1);
    publisher.stop();
  });

  it('stops and forgets an association when it ends', () => {
    const { publisher, connections, open, association } = startPublisher();
    open('a1');
    open('a2');
    const a1 = association('a1')!;
    connections.get('a1')!.sendBack({ type: 'association.requested', request: request('PACS') });
    expect(a1.getSnapshot().value).toBe('rejected');
    expect(connections.get('a1')!.commands).toEqual([{ type: 'reject', result: 1, source: 1, reason: 7 }]);
    expect(association('a1')).toBeUndefined();
    expect(Object.keys(publisher.getSnapshot().context.associations)).toEqual(['a2']);
    expect(publisher.getSnapshot().children[associationSystemId('a1')]).toBeUndefined();
    expect(connections.get('a1')!.stopped).toBe(true);
    expect(association('a2')!.getSnapshot().value).toBe('negotiating');
    publisher.stop();
  });

  it('counts the instances its associations stored, not the failed stores', () => {
    const { publisher, connections, open } = startPublisher();
    open('a1');
    const wire = connections.get('a1')!;
    wire.sendBack({ type: 'association.requested', request: request() });
    const store = (messageId: number, status: number) => {
      wire.sendBack({ type: 'store.started', messageId, sopClassUid: CT, sopInstanceUid: `1.2.3.${messageId}` });
      wire.sendBack({ type: 'store.finished', messageId, status, bytes: 100, sopInstanceUid: `1.2.3.${messageId}`, studyInstanceUid: '1.2.3' });
    };
    store(1, 0x0000);
    store(2, 0xa700);
    store(3, 0xb000);
    expect(publisher.getSnapshot().context.instancesStored).toBe(2);
    publisher.stop();
  });

  it('forwards shutdown to every association, which ends it by its own rules', () => {
    const { publisher, connections, open, association } = startPublisher();
    open('waiting'); // still negotiating: closed
    open('idle'); // established and idle: aborted
    connections.get('idle')!.sendBack({ type: 'association.requested', request: request() });
    const waiting = association('waiting')!;
    const idle = association('idle')!;
    publisher.send({ type: 'shutdown.requested' });
    expect(publisher.getSnapshot().value).toBe('stopping');
    expect(connections.get('waiting')!.commands).toEqual([{ type: 'close' }]);
    expect(connections.get('idle')!.commands.at(-1)).toEqual({ type: 'abort', source: 0, reason: 0 });
    expect(waiting.getSnapshot().context.outcome?.state).toBe('failed');
    expect(idle.getSnapshot().context.outcome).toEqual({ state: 'aborted', reason: 'shutdown' });
    expect(publisher.getSnapshot().context.associations).toEqual({});
    publisher.stop();
  });

  it('while stopping, a late connection still gets an association, told to shut down at once', () => {
    const { publisher, connections, open, association } = startPublisher();
    publisher.send({ type: 'shutdown.requested' });
    open('late');
    expect(connections.get('late')!.commands).toEqual([{ type: 'close' }]);
    expect(association('late')).toBeUndefined();
    expect(publisher.getSnapshot().context.associations).toEqual({});
    publisher.stop();
  });

  it('spawns each configured robot once, as robot:<name>', () => {
    const { publisher } = startPublisherWithRobots();
    publisher.send({ type: 'robot.configured', input: { name: 'r1' } });
    const r1 = publisher.system.get('robot:r1');
    expect(r1).toBeDefined();
    publisher.send({ type: 'robot.configured', input: { name: 'r1', options: { print: false } } });
    expect(publisher.system.get('robot:r1')).toBe(r1);
    expect(Object.keys(publisher.getSnapshot().context.robots)).toEqual(['r1']);
    publisher.stop();
  });

  it('spawns and starts each submitted job once, as job:<id>, and the job finds its robot', () => {
    const { publisher, log } = startPublisherWithRobots();
    publisher.send({ type: 'robot.configured', input: { name: 'r1' } });
    publisher.send({ type: 'job.submitted', input: jobInput('j1') });
    const job = publisher.system.get('job:j1') as ReturnType<typeof createActor<typeof discJobMachine>>;
    expect(job.getSnapshot().value).toEqual({ disc: 'waitingForRobot' });
    expect(log.to('robot:r1').map((e) => e.type)).toContain('disc.make');
    expect(log.to('job:j1').map((e) => e.type).filter((t) => !t.startsWith('xstate.'))).toEqual(['job.start', 'disc.queued']);
    publisher.send({ type: 'job.submitted', input: { ...jobInput('j1'), copies: 5 } });
    expect(publisher.system.get('job:j1')).toBe(job);
    expect(job.getSnapshot().context.copies).toBe(1);
    publisher.stop();
  });

  it('forwards operator commands to the job or robot they name, and drops those naming none', () => {
    const { publisher, log } = startPublisherWithRobots();
    publisher.send({ type: 'robot.configured', input: { name: 'r1' } });
    publisher.send({ type: 'job.submitted', input: jobInput('j1') });
    const job = publisher.system.get('job:j1') as ReturnType<typeof createActor<typeof discJobMachine>>;
    publisher.send({ type: 'operator.clearRobotError', robot: 'r1', resetPrinter: true });
    publisher.send({ type: 'operator.acknowledgeInkLow', robot: 'r1' });
    publisher.send({ type: 'operator.clearRobotError', robot: 'nobody' });
    publisher.send({ type: 'operator.retryJob', jobId: 'j1' });
    publisher.send({ type: 'operator.cancelJob', jobId: 'j1' });
    publisher.send({ type: 'operator.cancelJob', jobId: 'nothing' });
    expect(log.to('robot:r1').filter((e) => e.type.startsWith('robot.'))).toEqual([
      { type: 'robot.clearError', resetPrinter: true },
      { type: 'robot.acknowledgeInkLow' },
    ]);
    expect(log.to('job:j1').filter((e) => e.type === 'job.retry' || e.type === 'job.cancel').map((e) => e.type)).toEqual(['job.retry', 'job.cancel']);
    expect(job.getSnapshot().value).toBe('cancelled');
    publisher.stop();
  });

  it('takes no new jobs while stopping', () => {
    const { publisher } = startPublisherWithRobots();
    publisher.send({ type: 'shutdown.requested' });
    publisher.send({ type: 'job.submitted', input: jobInput('late') });
    expect(publisher.system.get('job:late')).toBeUndefined();
    publisher.stop();
  });

  it('persists its associations as children with their systemIds', () => {
    const { publisher, open } = startPublisher();
    open('a1');
    const persisted = JSON.parse(JSON.stringify(publisher.getPersistedSnapshot())) as { children: Record<string, { systemId?: string; src?: unknown }> };
    expect(persisted.children[associationSystemId('a1')]).toMatchObject({ systemId: 'association:a1', src: 'association' });
    publisher.stop();
  });
});

afterAll(() => {
  coverage.assertComplete();
});
