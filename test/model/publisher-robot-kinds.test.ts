// The publisher spawns each configured robot as the actor of its kind, both under `robot:<name>` (the
// id jobs name their robot by): a DPRP/1 robot (the default kind) or a PTBurn robot; an operator's
// ink-low acknowledgement reaches either. Adapters are the machines' placeholders: nothing is heard
// from a device, so both robots stay unavailable while they connect.
import { describe, expect, it } from 'vitest';
import { createActor, type AnyActorRef } from 'xstate';
import { publisherMachine, robotSystemId } from '../../machines/publisher.machine.ts';

describe('publisher robots of both kinds', () => {
  it('spawns a DPRP robot and a PTBurn robot under robot:<name>, each from its own machine, unavailable until heard from', () => {
    const publisher = createActor(publisherMachine, { systemId: 'publisher', input: {} }).start();
    publisher.send({ type: 'robot.configured', input: { name: 'dprp' } });
    publisher.send({ type: 'robot.configured', kind: 'ptburn', input: { name: 'burner', options: { autoAcknowledgeInkLow: true } } });
    // A second configuration of a name changes nothing: the first robot stands.
    publisher.send({ type: 'robot.configured', input: { name: 'burner' } });

    const dprp = publisher.system.get(robotSystemId('dprp')) as AnyActorRef;
    const burner = publisher.system.get(robotSystemId('burner')) as AnyActorRef;
    expect(dprp.getSnapshot().machine.id).toBe('robot');
    expect(burner.getSnapshot().machine.id).toBe('ptburnRobot');
    expect(burner.getSnapshot().context.options).toMatchObject({ autoAcknowledgeInkLow: true, print: true });
    expect(Object.keys(publisher.getSnapshot().context.robots).sort()).toEqual(['burner', 'dprp']);
    expect(publisher.getSnapshot().context.slots['burner']).toEqual({ available: false, jobId: null, media: [] });
    expect(burner.getSnapshot().value).toBe('connecting');

    // Forwarded like any operator command; a PTBurn robot without a standing ink-low fault ignores it.
    publisher.send({ type: 'operator.acknowledgeInkLow', robot: 'burner' });
    expect(burner.getSnapshot().context.inkAcknowledged).toBe(false);
    publisher.stop();
  });
});
