// The publisher root: one association actor per connection, found by systemId, removed when it
// ends; stored instances counted; shutdown forwarded. Real association actors run underneath,
// each with a fake connection that records commands. afterAll asserts that every state and
// transition of the publisher machine was exercised.

import { afterAll, describe, expect, it } from 'vitest';
import { createActor, fromCallback, type AnyEventObject } from 'xstate';
import { associationMachine, type AssociationInput, type ConnectionCommand, type ConnectionInput } from '../../machines/association.machine.ts';
import { associationSystemId, publisherMachine } from '../../machines/publisher.machine.ts';
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
