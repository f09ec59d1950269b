// The publisher root, tested by what it does to the actors around it. Associations are real
// association actors on fake connections; studies and disc jobs are the real machines (their quiet
// period and mastering are promises the test settles, test/support/publisher-rig.ts); robots are
// stubs that speak only when the test says so. Every expectation comes from the publisher's rules:
// instances go to their study, created with the route their AE titles choose (first match; none:
// counted unrouted); a study's disc request becomes an order numbered J000001, ... with the route's
// copies, label, robots and media; orders wait, oldest first, for an available robot with no job
// that the route allows and whose bins hold the medium; a robot unavailable for failoverAfterMs
// gives its job to another robot that could take it; holds and cancels withdraw what has not
// started; restored studies and jobs carry on as the restore policy said. afterAll asserts that
// every state and transition of the publisher machine was taken.

import { afterAll, describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise, type AnyEventObject, type EventObject, type InspectionEvent } from 'xstate';
import { associationMachine, type AssociationInput, type ConnectionCommand, type ConnectionInput } from '../../machines/association.machine.ts';
import { associationSystemId, publisherMachine, robotSystemId, type JobOrder } from '../../machines/publisher.machine.ts';
import { discJobMachine, type DiscJobInput, type MasteredImage, type MasterInput } from '../../machines/disc-job.machine.ts';
import { robotMachine } from '../../machines/robot.machine.ts';
import type { LinkCommand, RecorderInput } from '../../machines/robot-link.ts';
import type { MediaKind } from '../../machines/robot-port.ts';
import { studyMachine, type DeadlineInput, type StudyInput } from '../../machines/study.machine.ts';
import type { AssociationRequest } from '../../src/dicom/negotiation.ts';
import { summariseSafety } from '../../src/study/patient-safety.ts';
import { createModelCoverage } from '../support/model-coverage.ts';
import { order, PublisherRig, readyImage, route, stored, type RigOptions } from '../support/publisher-rig.ts';
import { seededRng } from '../../simulator/rng.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

const coverage = createModelCoverage(publisherMachine);

function rig(options: RigOptions = {}): PublisherRig {
  return new PublisherRig(coverage, options);
}

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

/** A publisher with real robot machines whose links record commands and never connect, and jobs whose mastering never runs. */
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

const STUDY = '1.2.826.0.1.3680043.2.1125.1';
const STUDY_B = '1.2.826.0.1.3680043.2.1125.2';
const STUDY_C = '1.2.826.0.1.3680043.2.1125.3';

/** A study's disc request made into an order, as the rules say (the route's settings; source handed on unread). */
function studyOrder(jobId: string, studyUid: string, settings: Pick<JobOrder, 'copies' | 'print' | 'robots' | 'media'>, kind: JobOrder['kind'] = 'study') {
  return { jobId, kind, studyUid, ...settings, source: expect.objectContaining({ studyUid }), resume: false, avoid: [] };
}

/** A study with one instance whose quiet period the test ends: its order is made. */
async function orderedStudy(r: PublisherRig, uid: string, sop = `${uid}.1`): Promise<void> {
  r.send(stored(uid, sop));
  await r.endQuietPeriod(uid);
}

describe('publisher: associations', () => {
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

  it('counts the instances its associations stored, not the failed stores; with no route they go to no study', () => {
    const { publisher, connections, open } = startPublisher();
    open('a1');
    const wire = connections.get('a1')!;
    wire.sendBack({ type: 'association.requested', request: request() });
    const store = (messageId: number, status: number) => {
      wire.sendBack({ type: 'store.started', messageId, sopClassUid: CT, sopInstanceUid: `1.2.3.${messageId}` });
      const facts = status === 0x0000 || status === 0xb000
        ? {
            instanceId: messageId, studyInstanceUid: '1.2.3', patientId: 'PID-1', patientName: 'DOE^JANE', patientBirthDate: '19700101',
            callingAeTitle: 'MODALITY', calledAeTitle: 'DISCROBOT', receivedAtMs: 1_700_000_000_000,
          }
        : {};
      wire.sendBack({ type: 'store.finished', messageId, status, bytes: 100, sopInstanceUid: `1.2.3.${messageId}`, ...facts });
    };
    store(1, 0x0000);
    store(2, 0xa700);
    store(3, 0xb000);
    expect(publisher.getSnapshot().context.instancesStored).toBe(2);
    // The publisher was given no routes: both are stored, on no study.
    expect(publisher.getSnapshot().context.unrouted).toBe(2);
    expect(publisher.system.get('study:1.2.3')).toBeUndefined();
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

describe('publisher: robot actors and submitted jobs', () => {
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

  it('forwards operator commands to the job or robot they name, and drops those naming none or a job still at work', () => {
    const { publisher, log } = startPublisherWithRobots();
    publisher.send({ type: 'robot.configured', input: { name: 'r1' } });
    publisher.send({ type: 'job.submitted', input: jobInput('j1') });
    const job = publisher.system.get('job:j1') as ReturnType<typeof createActor<typeof discJobMachine>>;
    publisher.send({ type: 'operator.clearRobotError', robot: 'r1', resetPrinter: true });
    publisher.send({ type: 'operator.acknowledgeInkLow', robot: 'r1' });
    publisher.send({ type: 'operator.clearRobotError', robot: 'nobody' });
    publisher.send({ type: 'operator.acknowledgeInkLow', robot: 'nobody' });
    // The job is at its robot: there is nothing to retry.
    publisher.send({ type: 'operator.retryJob', jobId: 'j1' });
    publisher.send({ type: 'operator.cancelJob', jobId: 'j1' });
    publisher.send({ type: 'operator.cancelJob', jobId: 'nothing' });
    expect(log.to('robot:r1').filter((e) => e.type.startsWith('robot.'))).toEqual([
      { type: 'robot.clearError', resetPrinter: true },
      { type: 'robot.acknowledgeInkLow' },
    ]);
    expect(log.to('job:j1').filter((e) => e.type === 'job.retry' || e.type === 'job.cancel').map((e) => e.type)).toEqual(['job.cancel']);
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
});

describe('publisher: instances to studies', () => {
  it('counts an instance without a Study Instance UID and gives it to no study', () => {
    const r = rig();
    r.send(stored('', '1.2.3.4.5'));
    expect(r.publisher.getSnapshot().context.instancesStored).toBe(1);
    expect(r.publisher.getSnapshot().context.studies).toEqual({});
    // Not unrouted: there was no study to route.
    expect(r.publisher.getSnapshot().context.unrouted).toBe(0);
    r.stop();
  });

  it('creates each study with the first route its called and calling AE titles match; an unmatched one is counted unrouted', () => {
    const routes = [
      route('ct-scanners', { match: { calledAe: ['DISC_CT'], callingAe: ['CT1', 'CT2'] }, quietPeriodMs: 1_000 }),
      route('ct-any', { match: { calledAe: ['DISC_CT'], callingAe: null }, quietPeriodMs: 2_000, followUp: 'holdJob' }),
      route('from-mr', { match: { calledAe: null, callingAe: ['MR1'] }, quietPeriodMs: 3_000 }),
    ];
    const r = rig({ routes });
    r.send(stored(STUDY, `${STUDY}.1`, { calledAeTitle: 'DISC_CT', callingAeTitle: 'CT2' }));
    r.send(stored(STUDY_B, `${STUDY_B}.1`, { calledAeTitle: ' DISC_CT ', callingAeTitle: 'CT9' }));
    r.send(stored(STUDY_C, `${STUDY_C}.1`, { calledAeTitle: 'DISCROBOT', callingAeTitle: 'MR1' }));
    r.send(stored('1.2.99', '1.2.99.1', { calledAeTitle: 'DISCROBOT', callingAeTitle: 'CT1' }));

    expect(r.study(STUDY)!.getSnapshot().context.route).toEqual({ quietPeriodMs: 1_000, followUp: 'followUpDisc' });
    expect(r.study(STUDY_B)!.getSnapshot().context.route).toEqual({ quietPeriodMs: 2_000, followUp: 'holdJob' });
    expect(r.study(STUDY_C)!.getSnapshot().context.route).toEqual({ quietPeriodMs: 3_000, followUp: 'followUpDisc' });
    expect(r.study('1.2.99')).toBeUndefined();
    expect(r.publisher.getSnapshot().context.studyRoutes).toEqual({ [STUDY]: 'ct-scanners', [STUDY_B]: 'ct-any', [STUDY_C]: 'from-mr' });
    expect(r.publisher.getSnapshot().context.unrouted).toBe(1);
    expect(r.publisher.getSnapshot().context.instancesStored).toBe(4);
    r.stop();
  });

  it("gives the study each instance's facts; later instances go to the same study whatever their AE titles", () => {
    const r = rig({ routes: [route('ct', { match: { calledAe: ['DISC_CT'], callingAe: null } })] });
    const first = stored(STUDY, `${STUDY}.1`, { calledAeTitle: 'DISC_CT' });
    const second = stored(STUDY, `${STUDY}.2`, { calledAeTitle: 'OTHER', patientName: 'DOE^JANE^^^', duplicate: 'same' });
    r.send(first);
    const study = r.study(STUDY)!;
    r.send(second);
    expect(r.study(STUDY)).toBe(study);
    const facts = (e: typeof first) => ({
      type: 'instance.added',
      sopInstanceUid: e.sopInstanceUid,
      patientId: e.patientId,
      patientName: e.patientName,
      patientBirthDate: e.patientBirthDate,
      at: e.receivedAtMs,
      duplicate: e.duplicate,
    });
    expect(r.to(`study:${STUDY}`)).toEqual([facts(first), facts(second)]);
    expect(study.getSnapshot().context.resends).toBe(1);
    expect(r.publisher.getSnapshot().context.unrouted).toBe(0);
    r.stop();
  });
});

describe('publisher: studies to discs', () => {
  it("orders a disc when the study's quiet period ends, with the route's settings, and an available robot takes it", async () => {
    const r = rig({ routes: [route('ct', { copies: 2, print: false, media: 'dvd', robots: ['r1'] })], nextJobNumber: 41 });
    r.configureRobot('r1');
    r.available('r1');
    r.send(stored(STUDY, `${STUDY}.1`));
    expect(r.recordedOrders).toEqual([]);
    await r.endQuietPeriod(STUDY);

    expect(r.recordedOrders).toEqual([studyOrder('J000041', STUDY, { copies: 2, print: false, robots: ['r1'], media: 'dvd' })]);
    const job = r.job('J000041')!;
    expect(job.getSnapshot().context).toMatchObject({ jobId: 'J000041', robot: 'robot:r1', copies: 2, print: false });
    expect(r.sentTo('job:J000041', 'job.start')).toHaveLength(1);
    expect(r.sentTo(`study:${STUDY}`, 'job.started')).toEqual([{ type: 'job.started', jobId: 'J000041' }]);
    expect(r.study(STUDY)!.getSnapshot().value).toBe('publishing');

    // Mastering gets the order's source unread; each copy is asked of the robot in turn.
    await r.mastered('J000041');
    expect(r.masterings.map((m) => m.input)).toEqual([{ jobId: 'J000041', source: r.recordedOrders[0]!.source }]);
    expect(r.requests('r1')).toEqual([expect.objectContaining({ jobId: 'J000041', copy: 1, replyTo: 'job:J000041', labelPath: null })]);
    r.deliver('J000041');
    expect(r.requests('r1').map((q) => q.copy)).toEqual([1, 2]);
    r.deliver('J000041');

    expect(r.sentTo(`study:${STUDY}`, 'job.finished')).toEqual([{ type: 'job.finished', jobId: 'J000041', ok: true }]);
    expect(r.study(STUDY)!.getSnapshot().value).toBe('published');
    expect(r.job('J000041')).toBeUndefined();
    expect(r.publisher.getSnapshot().context.orders).toEqual({});
    r.stop();
  });

  it('keeps orders waiting while no robot is available; each robot takes one job at a time, the oldest order first', async () => {
    const r = rig();
    r.configureRobot('r1');
    r.configureRobot('r2');
    await orderedStudy(r, STUDY);
    r.send({ type: 'operator.releaseStudyNow', studyUid: STUDY_B }); // no such study yet: dropped
    r.send(stored(STUDY_B, `${STUDY_B}.1`));
    r.send({ type: 'operator.releaseStudyNow', studyUid: STUDY_B }); // the operator does not wait for the quiet period
    await orderedStudy(r, STUDY_C);
    expect(r.recordedOrders.map((o) => [o.jobId, o.studyUid])).toEqual([['J000001', STUDY], ['J000002', STUDY_B], ['J000003', STUDY_C]]);
    expect(['J000001', 'J000002', 'J000003'].map((id) => r.job(id))).toEqual([undefined, undefined, undefined]);
    expect(r.study(STUDY)!.getSnapshot().value).toBe('queued');

    r.available('r1');
    expect(r.robotOf('J000001')).toBe('r1');
    expect(r.job('J000002')).toBeUndefined();
    r.available('r2');
    expect(r.robotOf('J000002')).toBe('r2');
    expect(r.job('J000003')).toBeUndefined();
    expect(r.study(STUDY_C)!.getSnapshot().value).toBe('queued');

    // A robot is free again when its job is done: the waiting order goes there.
    await r.mastered('J000001');
    r.deliver('J000001');
    expect(r.robotOf('J000003')).toBe('r1');
    expect(r.sentTo(`study:${STUDY_C}`, 'job.started')).toEqual([{ type: 'job.started', jobId: 'J000003' }]);
    r.stop();
  });

  it("gives a job only to a robot its route allows and whose bins hold the route's medium", async () => {
    const routes = [
      route('to-a', { match: { calledAe: ['TO_A'], callingAe: null }, robots: ['a'] }),
      route('dvd', { match: { calledAe: ['DVD'], callingAe: null }, media: 'dvd' }),
    ];
    const r = rig({ routes });
    r.configureRobot('a', ['cd']);
    r.configureRobot('b', ['cd', 'dvd']);
    r.configureRobot('c'); // media not stated: any
    r.available('b');
    r.send(stored(STUDY, `${STUDY}.1`, { calledAeTitle: 'TO_A' }));
    await r.endQuietPeriod(STUDY);
    expect(r.job('J000001')).toBeUndefined(); // b is free, but not a robot of the route

    r.send(stored(STUDY_B, `${STUDY_B}.1`, { calledAeTitle: 'DVD' }));
    await r.endQuietPeriod(STUDY_B);
    expect(r.robotOf('J000002')).toBe('b');
    r.available('c');
    expect(r.job('J000001')).toBeUndefined();

    r.send(stored(STUDY_C, `${STUDY_C}.1`, { calledAeTitle: 'DVD' }));
    await r.endQuietPeriod(STUDY_C);
    expect(r.robotOf('J000003')).toBe('c');

    r.available('a');
    expect(r.robotOf('J000001')).toBe('a');
    await r.mastered('J000001');
    r.deliver('J000001');
    // a is free again, but holds no DVDs: the next DVD order waits for b or c.
    r.send(stored('1.2.4', '1.2.4.1', { calledAeTitle: 'DVD' }));
    await r.endQuietPeriod('1.2.4');
    expect(r.recordedOrders.at(-1)).toMatchObject({ jobId: 'J000004', media: 'dvd' });
    expect(r.job('J000004')).toBeUndefined();
    await r.mastered('J000002');
    r.deliver('J000002');
    expect(r.robotOf('J000004')).toBe('b');
    r.stop();
  });

  it('tells the study of a failed job and frees its robot; a retry waits for a robot and is given to it with job.retry', async () => {
    const r = rig();
    r.configureRobot('r1');
    r.configureRobot('r2');
    r.available('r1');
    await orderedStudy(r, STUDY);
    await r.mastered('J000001');
    r.reject('J000001', 'cancelled', 'the operator pressed cancel on the robot');
    const reason = r.job('J000001')!.getSnapshot().context.reason;
    expect(r.job('J000001')!.getSnapshot().value).toBe('failed');
    expect(r.sentTo(`study:${STUDY}`, 'job.finished')).toEqual([{ type: 'job.finished', jobId: 'J000001', ok: false, reason }]);
    expect(r.study(STUDY)!.getSnapshot().value).toBe('failed');

    // r1 is free: the next order goes there.
    await orderedStudy(r, STUDY_B);
    expect(r.robotOf('J000002')).toBe('r1');

    // Retries that have nothing to retry: an order at a robot, an unknown id.
    r.send({ type: 'operator.retryJob', jobId: 'J000002' });
    r.send({ type: 'operator.retryJob', jobId: 'J999999' });
    // The failed job waits for a robot (r1 is busy, r2 not available), then goes to the one that comes.
    r.send({ type: 'operator.retryJob', jobId: 'J000001' });
    r.send({ type: 'operator.retryJob', jobId: 'J000001' }); // already waiting: nothing more
    expect(r.sentTo('job:J000001', 'job.retry')).toEqual([]);
    r.available('r2');
    expect(r.sentTo('job:J000001', 'job.retry')).toEqual([{ type: 'job.retry', robot: 'robot:r2' }]);
    expect(r.sentTo('job:J000002', 'job.retry')).toEqual([]);
    expect(r.sentTo(`study:${STUDY}`, 'job.started')).toEqual([{ type: 'job.started', jobId: 'J000001' }, { type: 'job.started', jobId: 'J000001' }]);
    expect(r.study(STUDY)!.getSnapshot().value).toBe('publishing');
    expect(r.requests('r2')).toEqual([expect.objectContaining({ jobId: 'J000001' })]);
    r.deliver('J000001');
    expect(r.study(STUDY)!.getSnapshot().value).toBe('published');
    r.stop();
  });

  it('retries a job whose mastering failed by mastering it again', async () => {
    const r = rig({ mastering: 'manual' });
    r.configureRobot('r1');
    r.available('r1');
    await orderedStudy(r, STUDY);
    r.masterings[0]!.reject(new Error('the disk is full'));
    await r.mastered('J000001');
    expect(r.sentTo(`study:${STUDY}`, 'job.finished')).toEqual([
      { type: 'job.finished', jobId: 'J000001', ok: false, reason: r.job('J000001')!.getSnapshot().context.reason },
    ]);
    r.send({ type: 'operator.retryJob', jobId: 'J000001' });
    expect(r.sentTo('job:J000001', 'job.retry')).toEqual([{ type: 'job.retry', robot: 'robot:r1' }]);
    expect(r.masterings).toHaveLength(2);
    r.masterings[1]!.resolve({ imagePath: '/images/J000001.iso', imageBytes: 1, media: 'cd', labelPath: null });
    await r.mastered('J000001');
    expect(r.requests('r1')).toEqual([expect.objectContaining({ jobId: 'J000001' })]);
    r.stop();
  });

  it('orders a follow-up disc for late arrivals after the first disc', async () => {
    const r = rig({ routes: [route('ct', { copies: 3 })] });
    r.configureRobot('r1');
    r.available('r1');
    await orderedStudy(r, STUDY);
    await r.mastered('J000001');
    for (let copy = 0; copy < 3; copy++) r.deliver('J000001');
    expect(r.study(STUDY)!.getSnapshot().value).toBe('published');
    r.send(stored(STUDY, `${STUDY}.2`));
    await r.endQuietPeriod(STUDY);
    expect(r.recordedOrders).toEqual([
      studyOrder('J000001', STUDY, { copies: 3, print: true, robots: [], media: 'auto' }),
      studyOrder('J000002', STUDY, { copies: 3, print: true, robots: [], media: 'auto' }, 'followUp'),
    ]);
    expect(r.robotOf('J000002')).toBe('r1');
    r.stop();
  });
});

describe('publisher: failover', () => {
  const FAILOVER_MS = 60_000;

  /** Robots r1 and r2 configured; only r1 available; one study's job at r1 with its disc asked for. */
  async function jobAtR1(options: RigOptions = {}) {
    const r = rig({ failoverAfterMs: FAILOVER_MS, ...options });
    r.configureRobot('r1');
    r.configureRobot('r2');
    r.available('r1');
    await orderedStudy(r, STUDY);
    if (options.mastering !== 'manual') await r.mastered('J000001');
    return r;
  }

  it('leaves the job where it is when its robot is back before failoverAfterMs', async () => {
    const r = await jobAtR1();
    r.available('r2');
    r.unavailable('r1', 'error');
    r.clock.increment(FAILOVER_MS - 1);
    r.available('r1');
    r.clock.increment(FAILOVER_MS * 3);
    expect(r.sentTo('publisher', 'publisher.failover')).toEqual([]);
    expect(r.sentTo('job:J000001', 'job.interrupted')).toEqual([]);
    expect(r.robotOf('J000001')).toBe('r1');
    expect(r.cancels('r1')).toEqual([]);
    expect(r.requests('r2')).toEqual([]);
    r.stop();
  });

  it('moves the job of a robot unavailable for failoverAfterMs to another robot, once one could take it', async () => {
    const r = await jobAtR1();
    const firstDisc = r.requests('r1')[0]!.discId;
    r.unavailable('r1', 'offline');
    r.unavailable('r1', 'error'); // still the same outage
    r.clock.increment(FAILOVER_MS);
    // No other robot could take it: the job stays (its disc may still come out), looked at again later.
    expect(r.sentTo('publisher', 'publisher.failover')).toHaveLength(1);
    expect(r.sentTo('job:J000001', 'job.interrupted')).toEqual([]);
    r.clock.increment(FAILOVER_MS);
    expect(r.sentTo('publisher', 'publisher.failover')).toHaveLength(2);
    expect(r.sentTo('job:J000001', 'job.interrupted')).toEqual([]);

    r.available('r2'); // nothing waits for it
    expect(r.requests('r2')).toEqual([]);
    r.clock.increment(FAILOVER_MS);
    expect(r.sentTo('job:J000001', 'job.interrupted')).toEqual([{ type: 'job.interrupted' }]);
    // The first robot is told to cancel the disc; it never counts. The job goes on at r2.
    expect(r.cancels('r1')).toEqual([firstDisc]);
    expect(r.sentTo('job:J000001', 'job.retry')).toEqual([{ type: 'job.retry', robot: 'robot:r2' }]);
    expect(r.robotOf('J000001')).toBe('r2');
    expect(r.requests('r2')).toEqual([expect.objectContaining({ jobId: 'J000001', copy: 1 })]);
    expect(r.requests('r2')[0]!.discId).not.toBe(firstDisc);
    // The study is still publishing: it hears only the job's end.
    expect(r.sentTo(`study:${STUDY}`, 'job.finished')).toEqual([]);
    r.deliver('J000001');
    expect(r.sentTo(`study:${STUDY}`, 'job.finished')).toEqual([{ type: 'job.finished', jobId: 'J000001', ok: true }]);
    expect(r.study(STUDY)!.getSnapshot().value).toBe('published');

    // Nothing is left to fail over; r1 back takes no job.
    r.clock.increment(FAILOVER_MS * 3);
    expect(r.sentTo('job:J000001', 'job.interrupted')).toHaveLength(1);
    expect(r.cancels('r1')).toEqual([firstDisc]);
    r.available('r1');
    expect(r.requests('r1')).toHaveLength(1);
    r.stop();
  });

  it('does not move a job to a robot its route does not allow, nor to one without its medium', async () => {
    const routes = [route('r1-only', { robots: ['r1'], match: { calledAe: ['R1'], callingAe: null } }), route('dvd', { media: 'dvd' })];
    const r = rig({ routes, failoverAfterMs: FAILOVER_MS });
    r.configureRobot('r1');
    r.configureRobot('r2', ['cd']);
    r.configureRobot('r3', ['dvd']);
    r.available('r1');
    r.send(stored(STUDY, `${STUDY}.1`, { calledAeTitle: 'R1' }));
    await r.endQuietPeriod(STUDY);
    await r.mastered('J000001');
    r.available('r2');
    r.unavailable('r1');
    r.clock.increment(FAILOVER_MS * 2);
    expect(r.sentTo('job:J000001', 'job.interrupted')).toEqual([]);
    r.available('r1');
    expect(r.robotOf('J000001')).toBe('r1');

    // A DVD job on r3 (r2 holds CDs only) stays there when r3 fails.
    r.available('r3');
    r.send(stored(STUDY_B, `${STUDY_B}.1`));
    await r.endQuietPeriod(STUDY_B);
    expect(r.robotOf('J000002')).toBe('r3');
    await r.mastered('J000002');
    r.unavailable('r3');
    r.clock.increment(FAILOVER_MS * 2);
    expect(r.sentTo('job:J000002', 'job.interrupted')).toEqual([]);
    expect(r.robotOf('J000002')).toBe('r3');
    r.stop();
  });

  it('moves a job that was still mastering when its robot failed, once it has asked that robot for a disc', async () => {
    const r = await jobAtR1({ mastering: 'manual' });
    r.available('r2');
    r.unavailable('r1');
    r.clock.increment(FAILOVER_MS);
    r.masterings[0]!.resolve({ imagePath: '/images/J000001.iso', imageBytes: 1, media: 'cd', labelPath: null });
    await r.mastered('J000001');
    r.clock.increment(FAILOVER_MS);
    expect(r.robotOf('J000001')).toBe('r2');
    expect(r.cancels('r1')).toEqual([r.requests('r1')[0]!.discId]);
    expect(r.requests('r2')).toEqual([expect.objectContaining({ jobId: 'J000001' })]);
    r.stop();
  });
});

describe('publisher: holds and cancels', () => {
  it("withdraws a held study's waiting order; on release the study is ordered again", async () => {
    const r = rig();
    r.configureRobot('r1');
    await orderedStudy(r, STUDY);
    r.send({ type: 'operator.holdStudy', studyUid: STUDY });
    expect(r.study(STUDY)!.getSnapshot().value).toBe('held');
    expect(r.withdrawn).toEqual(['J000001']);
    r.available('r1');
    expect(r.job('J000001')).toBeUndefined();

    r.send({ type: 'operator.releaseStudy', studyUid: STUDY });
    expect(r.recordedOrders.map((o) => o.jobId)).toEqual(['J000001', 'J000002']);
    expect(r.robotOf('J000002')).toBe('r1');
    expect(r.study(STUDY)!.getSnapshot().value).toBe('publishing');
    r.stop();
  });

  it('cancels the job actor of a study held after its job failed, and withdraws nothing', async () => {
    const r = rig();
    r.configureRobot('r1');
    r.available('r1');
    await orderedStudy(r, STUDY);
    await r.mastered('J000001');
    // A second patient arrives while the disc is made: the hold waits for the job's end.
    r.send(stored(STUDY, `${STUDY}.2`, { patientId: 'PID-2' }));
    expect(r.study(STUDY)!.getSnapshot().value).toBe('publishing');
    r.reject('J000001', 'cancelled');
    expect(r.study(STUDY)!.getSnapshot().value).toBe('held');
    expect(r.sentTo('job:J000001', 'job.cancel')).toEqual([{ type: 'job.cancel' }]);
    expect(r.withdrawn).toEqual([null]);
    expect(r.job('J000001')).toBeUndefined();
    r.send({ type: 'operator.retryJob', jobId: 'J000001' });
    expect(r.job('J000001')).toBeUndefined();
    r.stop();
  });

  it('splits a held study as the operator says, and orders what is left', async () => {
    const r = rig();
    r.configureRobot('r1');
    r.available('r1');
    r.send(stored(STUDY, `${STUDY}.1`));
    r.send(stored(STUDY, `${STUDY}.2`, { patientId: 'PID-2' }));
    expect(r.study(STUDY)!.getSnapshot().value).toBe('held');
    const resolution = { unpublished: 1, safety: summariseSafety([{ patientId: 'PID-1', patientName: 'DOE^JANE', patientBirthDate: '19700101' }]), at: 1_800_000_000_000 };
    r.send({ type: 'operator.splitStudy', studyUid: '1.2.404', resolution }); // no such study
    r.send({ type: 'operator.splitStudy', studyUid: STUDY, resolution });
    expect(r.sentTo(`study:${STUDY}`, 'study.split')).toEqual([{ type: 'study.split', resolution }]);
    await r.endQuietPeriod(STUDY);
    expect(r.recordedOrders.map((o) => o.studyUid)).toEqual([STUDY]);
    expect(r.robotOf('J000001')).toBe('r1');
    r.stop();
  });

  it("cancels a waiting order: withdrawn, and its study told the job ended unsuccessfully", async () => {
    const r = rig();
    r.configureRobot('r1');
    await orderedStudy(r, STUDY);
    r.send({ type: 'operator.cancelJob', jobId: 'J000001' });
    expect(r.withdrawn).toEqual(['J000001']);
    expect(r.sentTo(`study:${STUDY}`, 'job.finished')).toEqual([
      { type: 'job.finished', jobId: 'J000001', ok: false, reason: 'cancelled by the operator' },
    ]);
    expect(r.study(STUDY)!.getSnapshot().value).toBe('failed');
    r.available('r1');
    expect(r.job('J000001')).toBeUndefined();
    r.send({ type: 'operator.cancelJob', jobId: 'J000404' });
    expect(r.withdrawn).toEqual(['J000001', null]);
    r.stop();
  });

  it("cancels a job at a robot: the robot drops the disc, the study hears, the robot takes the next order", async () => {
    const r = rig();
    r.configureRobot('r1');
    r.available('r1');
    await orderedStudy(r, STUDY);
    await orderedStudy(r, STUDY_B);
    await r.mastered('J000001');
    const disc = r.requests('r1')[0]!.discId;
    r.send({ type: 'operator.cancelJob', jobId: 'J000001' });
    expect(r.withdrawn).toEqual([null]);
    expect(r.cancels('r1')).toEqual([disc]);
    expect(r.job('J000001')).toBeUndefined();
    expect(r.sentTo(`study:${STUDY}`, 'job.finished')).toEqual([
      { type: 'job.finished', jobId: 'J000001', ok: false, reason: 'cancelled by the operator' },
    ]);
    expect(r.robotOf('J000002')).toBe('r1');
    r.stop();
  });

  it('forwards a hold and a release to the study they name, and drops those naming none', () => {
    const r = rig();
    r.send(stored(STUDY, `${STUDY}.1`));
    r.send({ type: 'operator.holdStudy', studyUid: '1.2.404' });
    r.send({ type: 'operator.releaseStudy', studyUid: '1.2.404' });
    r.send({ type: 'operator.holdStudy', studyUid: STUDY });
    expect(r.study(STUDY)!.getSnapshot().value).toBe('held');
    expect(r.withdrawn).toEqual([null]);
    r.send({ type: 'operator.releaseStudy', studyUid: STUDY });
    expect(r.to(`study:${STUDY}`).map((e) => e.type)).toEqual(['instance.added', 'study.hold', 'study.release']);
    expect(r.recordedOrders.map((o) => o.jobId)).toEqual(['J000001']);
    r.stop();
  });
});

// ---- restart: actors from their persisted snapshots ---------------------------------------------

const persisted = (actor: { getPersistedSnapshot(): unknown }) => JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as unknown;

/** A settling study's snapshot from a standalone actor: one instance at `at`, a quiet period of 60 s. */
function settlingStudySnapshot(at: number): unknown {
  const deadline = fromPromise<void, DeadlineInput>(() => new Promise<void>(() => undefined));
  const input: StudyInput = { studyUid: STUDY, route: { quietPeriodMs: 60_000, followUp: 'followUpDisc' } };
  const study = createActor(studyMachine.provide({ actors: { deadline } }), { input }).start();
  study.send({ type: 'instance.added', sopInstanceUid: `${STUDY}.1`, patientId: 'PID-1', patientName: 'DOE^JANE', patientBirthDate: '19700101', at });
  const snapshot = persisted(study);
  study.stop();
  return snapshot;
}

/** A job's snapshot in 'queued' or 'mastering', from a standalone actor given a robot (r1 unless said). */
function earlyJobSnapshot(jobId: string, state: 'queued' | 'mastering', robot = 'r1'): unknown {
  const master = fromPromise<MasteredImage, MasterInput>(() => new Promise(() => undefined));
  const input = { jobId, robot: robotSystemId(robot), copies: 1, print: false, source: { jobId } };
  const job = createActor(discJobMachine.provide({ actors: { master } }), { input }).start();
  if (state === 'mastering') job.send({ type: 'job.start' });
  const snapshot = persisted(job);
  job.stop();
  return snapshot;
}

/** A job's snapshot from a run on a publisher: its disc burning at r1, or failed there. */
async function jobSnapshotAtR1(jobId: string, state: 'burning' | 'failed'): Promise<{ snapshot: unknown; discId: string }> {
  const r = rig();
  r.configureRobot('r1');
  r.available('r1');
  r.send({ type: 'job.ordered', order: order(jobId) });
  await r.mastered(jobId);
  if (state === 'burning') r.fromRobot(jobId, (discId) => ({ type: 'disc.phase', discId, phase: 'burning' }));
  else r.reject(jobId, 'cancelled');
  const job = r.job(jobId)!;
  expect(job.getSnapshot().value).toEqual(state === 'burning' ? { disc: 'burning' } : 'failed');
  const result = { snapshot: persisted(job), discId: r.requests('r1')[0]!.discId };
  r.stop();
  return result;
}

describe('publisher: restart', () => {
  it('restores a settling study, which keeps its deadline, takes the next instances and is ordered by its route', async () => {
    const at = 1_700_000_000_000;
    const r = rig({ routes: [route('any'), route('ct', { copies: 3 })] });
    r.send({ type: 'study.restored', studyUid: STUDY, route: 'ct', snapshot: settlingStudySnapshot(at) });
    const study = r.study(STUDY)!;
    expect(study.getSnapshot().value).toBe('settling');
    expect(study.getSnapshot().context.unpublished).toBe(1);
    expect(r.deadlines.map((d) => [d.study, d.at])).toEqual([[`study:${STUDY}`, at + 60_000]]);
    // Restored once: a repeat does not replace it.
    r.send({ type: 'study.restored', studyUid: STUDY, route: 'any', snapshot: settlingStudySnapshot(at + 5) });
    expect(r.study(STUDY)).toBe(study);
    expect(r.publisher.getSnapshot().context.studyRoutes).toEqual({ [STUDY]: 'ct' });

    r.send(stored(STUDY, `${STUDY}.2`));
    expect(r.study(STUDY)).toBe(study);
    expect(study.getSnapshot().context.unpublished).toBe(2);
    await r.endQuietPeriod(STUDY);
    expect(r.recordedOrders).toEqual([studyOrder('J000001', STUDY, { copies: 3, print: true, robots: [], media: 'auto' })]);
    r.stop();
  });

  it('resumes a job at its robot: the robot is taken, the job started; a repeated restore changes nothing', async () => {
    const r = rig();
    r.configureRobot('r1');
    r.configureRobot('r2');
    const restored = { type: 'job.restored', order: order('J000007'), snapshot: earlyJobSnapshot('J000007', 'queued'), robot: 'r1', after: 'resume' } as const;
    r.send(restored);
    expect(r.sentTo('job:J000007', 'job.start')).toHaveLength(1);
    await r.mastered('J000007');
    expect(r.requests('r1')).toEqual([expect.objectContaining({ jobId: 'J000007' })]);
    r.send(restored);
    expect(r.sentTo('job:J000007', 'job.start')).toHaveLength(1);

    // r1 has a job: an order that comes now waits for another robot.
    r.send({ type: 'job.ordered', order: order('J000008') });
    r.available('r1');
    expect(r.job('J000008')).toBeUndefined();
    r.available('r2');
    expect(r.robotOf('J000008')).toBe('r2');
    r.deliver('J000007');
    expect(r.job('J000007')).toBeUndefined();
    r.stop();
  });

  it('moves a resumed job on when its robot does not come back within failoverAfterMs, and keeps it when it does', async () => {
    const FAILOVER_MS = 60_000;
    const r = rig({ failoverAfterMs: FAILOVER_MS });
    r.configureRobot('r1');
    r.configureRobot('r2');
    r.configureRobot('r3');
    r.unavailable('r1', 'offline'); // a robot actor starts offline and says so
    r.unavailable('r3', 'offline');
    r.available('r2');
    r.send({ type: 'job.restored', order: order('J000011'), snapshot: earlyJobSnapshot('J000011', 'queued'), robot: 'r1', after: 'resume' });
    r.send({ type: 'job.restored', order: order('J000012'), snapshot: earlyJobSnapshot('J000012', 'queued', 'r3'), robot: 'r3', after: 'resume' });
    await r.mastered('J000011');
    await r.mastered('J000012');
    r.available('r3'); // r3 is back in time
    r.clock.increment(FAILOVER_MS);
    expect(r.robotOf('J000011')).toBe('r2');
    expect(r.cancels('r1')).toEqual([r.requests('r1')[0]!.discId]);
    expect(r.robotOf('J000012')).toBe('r3');
    expect(r.sentTo('job:J000012', 'job.interrupted')).toEqual([]);
    r.stop();
  });

  it('resumes a job restored while mastering: its mastering runs again, for the same robot', async () => {
    const r = rig();
    r.configureRobot('r1');
    r.available('r1');
    r.send({ type: 'job.restored', order: order('J000003'), snapshot: earlyJobSnapshot('J000003', 'mastering'), robot: 'r1', after: 'resume' });
    await r.mastered('J000003');
    expect(r.masterings.map((m) => m.input.jobId)).toEqual(['J000003']);
    expect(r.requests('r1')).toEqual([expect.objectContaining({ jobId: 'J000003' })]);
    r.send({ type: 'job.ordered', order: order('J000004') });
    expect(r.job('J000004')).toBeUndefined();
    r.stop();
  });

  it('interrupts a job restored with its disc at the robot: the disc is cancelled and the job waits for a robot again', async () => {
    const { snapshot, discId } = await jobSnapshotAtR1('J000005', 'burning');
    const r = rig();
    r.configureRobot('r1');
    r.configureRobot('r2');
    r.send({ type: 'job.restored', order: order('J000005'), snapshot, robot: 'r1', after: 'interrupt' });
    expect(r.sentTo('job:J000005', 'job.interrupted')).toEqual([{ type: 'job.interrupted' }]);
    expect(r.job('J000005')!.getSnapshot().value).toBe('interrupted');
    expect(r.cancels('r1')).toEqual([discId]);
    r.available('r2');
    expect(r.sentTo('job:J000005', 'job.retry')).toEqual([{ type: 'job.retry', robot: 'robot:r2' }]);
    expect(r.requests('r2')).toEqual([expect.objectContaining({ jobId: 'J000005' })]);
    expect(r.requests('r2')[0]!.discId).not.toBe(discId);
    r.deliver('J000005');
    expect(r.job('J000005')).toBeUndefined();
    r.stop();
  });

  it('re-queues a job restored interrupted, and keeps a failed one for the operator', async () => {
    // The interrupted snapshot is what the last test's job became: restored 'interrupt' with no robot to go to.
    const burning = await jobSnapshotAtR1('J000005', 'burning');
    const first = rig();
    first.configureRobot('r1');
    first.send({ type: 'job.restored', order: order('J000005'), snapshot: burning.snapshot, robot: 'r1', after: 'interrupt' });
    const interrupted = persisted(first.job('J000005')!);
    first.stop();
    const failed = await jobSnapshotAtR1('J000006', 'failed');

    const r = rig();
    r.configureRobot('r1');
    r.send({ type: 'job.restored', order: order('J000005', { resume: true }), snapshot: interrupted, robot: 'r1', after: 'requeue' });
    r.send({ type: 'job.restored', order: order('J000006'), snapshot: failed.snapshot, robot: 'r1', after: 'keep' });
    expect(r.job('J000005')!.getSnapshot().value).toBe('interrupted');
    expect(r.job('J000006')!.getSnapshot().value).toBe('failed');
    expect(r.to('job:J000005')).toEqual([]);
    expect(r.to('job:J000006')).toEqual([]);
    r.available('r1');
    expect(r.sentTo('job:J000005', 'job.retry')).toEqual([{ type: 'job.retry', robot: 'robot:r1' }]);
    expect(r.sentTo('job:J000006', 'job.retry')).toEqual([]);
    r.deliver('J000005');
    // Still kept: a free robot does not take it; the operator's retry does.
    expect(r.sentTo('job:J000006', 'job.retry')).toEqual([]);
    r.send({ type: 'operator.retryJob', jobId: 'J000006' });
    expect(r.sentTo('job:J000006', 'job.retry')).toEqual([{ type: 'job.retry', robot: 'robot:r1' }]);
    expect(r.requests('r1').map((q) => q.jobId)).toEqual(['J000005', 'J000006']);
    r.stop();
  });
});

describe('publisher: orders from the API and the database', () => {
  it('queues an ordered job, numbers its own orders after it, and ignores the same order twice', async () => {
    const r = rig({ nextJobNumber: 3 });
    r.configureRobot('r1');
    r.send({ type: 'job.ordered', order: order('J000050', { kind: 'reburn', studyUid: STUDY, image: readyImage('J000050') }) });
    r.send({ type: 'job.ordered', order: order('J000050', { copies: 9 }) });
    r.send({ type: 'job.ordered', order: order('reprint-x') }); // not a J number: the counter stays
    expect(r.publisher.getSnapshot().context.queue).toEqual(['J000050', 'reprint-x']);
    r.available('r1');
    expect(r.job('J000050')!.getSnapshot().context.copies).toBe(1);
    expect(r.requests('r1')).toEqual([expect.objectContaining({ jobId: 'J000050', imagePath: '/images/J000050.iso' })]);
    // Ordered while its job is at a robot: still the same job.
    r.send({ type: 'job.ordered', order: order('J000050') });
    expect(r.publisher.getSnapshot().context.queue).toEqual(['reprint-x']);
    await orderedStudy(r, STUDY_B);
    expect(r.recordedOrders.map((o) => o.jobId)).toEqual(['J000051']);
    r.send({ type: 'job.ordered', order: order('J000010') }); // an older number does not move the counter back
    await orderedStudy(r, STUDY_C);
    expect(r.recordedOrders.map((o) => o.jobId)).toEqual(['J000051', 'J000052']);
    r.stop();
  });
});

// ---- the fleet as a whole: random steps against an oracle of the dispatch rules ------------------

/** Deterministic pseudo-random numbers, so a failing seed can be replayed. */
const random = seededRng;

/** where: 'waiting', 'failed', or the name of the robot it is at. */
type OracleOrder = { order: JobOrder; media: MediaKind; where: string; hadRobot: boolean };

/**
 * The rules, kept apart from the machine: a robot makes one job at a time; orders wait oldest first
 * (a retried job at the back) for an available robot without a job that the order allows and whose
 * stated media include the order's; each order, in turn, takes one of the robots still free for it.
 */
class FleetOracle {
  readonly robots = new Map<string, { available: boolean; job: string | null; media: MediaKind[] }>();
  readonly orders = new Map<string, OracleOrder>();
  queue: string[] = [];

  mayTake(name: string, o: OracleOrder): boolean {
    const robot = this.robots.get(name)!;
    return robot.available && robot.job === null && (o.order.robots.length === 0 || o.order.robots.includes(name)) && (robot.media.length === 0 || robot.media.includes(o.media));
  }

  /** Checks the assignments the publisher made against the rules, and takes them on. */
  dispatch(observed: (jobId: string) => string | undefined): void {
    for (const jobId of [...this.queue]) {
      const o = this.orders.get(jobId)!;
      const candidates = [...this.robots.keys()].filter((name) => this.mayTake(name, o));
      const robot = observed(jobId);
      if (candidates.length === 0) {
        expect(robot, `${jobId} must wait: no robot may take it`).toBeUndefined();
        continue;
      }
      expect(candidates, `${jobId} must go to one of the robots free for it`).toContain(robot);
      this.robots.get(robot!)!.job = jobId;
      o.where = robot!;
      o.hadRobot = true;
      this.queue = this.queue.filter((id) => id !== jobId);
    }
  }

  free(jobId: string): void {
    for (const robot of this.robots.values()) if (robot.job === jobId) robot.job = null;
  }
}

describe('publisher: a fleet of robots under random work', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`follows the dispatch rules step by step (seed ${seed})`, () => {
      const next = random(seed);
      const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
      const r = rig();
      const oracle = new FleetOracle();
      const fleet: Record<string, MediaKind[]> = { r1: ['cd'], r2: ['cd', 'dvd'], r3: [] };
      for (const [name, media] of Object.entries(fleet)) {
        r.configureRobot(name, media.length > 0 ? media : undefined);
        oracle.robots.set(name, { available: false, job: null, media });
      }
      let number = 100;
      const withdrawn: Array<string | null> = [];
      const atRobot = () => [...oracle.orders.entries()].filter(([, o]) => o.where !== 'waiting' && o.where !== 'failed').map(([id]) => id);
      const availableAtRobot = () => atRobot().filter((id) => oracle.robots.get(oracle.orders.get(id)!.where)!.available);
      const steps: string[] = [];

      for (let step = 0; step < 80; step++) {
        const choice = next();
        if (choice < 0.3) {
          const jobId = `J${String(++number).padStart(6, '0')}`;
          const media = pick<MediaKind>(['cd', 'dvd']);
          const robots = pick([[], [], ['r1'], ['r2'], ['r1', 'r3'], ['r2', 'r3']]);
          const o = order(jobId, { robots, image: readyImage(jobId, media) });
          oracle.orders.set(jobId, { order: o, media, where: 'waiting', hadRobot: false });
          oracle.queue.push(jobId);
          steps.push(`order ${jobId} ${media} [${robots.join(',')}]`);
          r.send({ type: 'job.ordered', order: o });
        } else if (choice < 0.5) {
          const name = pick(Object.keys(fleet));
          const up = next() < 0.6;
          steps.push(`${name} ${up ? 'up' : 'down'}`);
          oracle.robots.get(name)!.available = up;
          if (up) r.available(name);
          else r.unavailable(name);
        } else if (choice < 0.75 && availableAtRobot().length > 0) {
          const jobId = pick(availableAtRobot());
          const fails = next() < 0.3;
          steps.push(`${jobId} ${fails ? 'fails' : 'done'}`);
          oracle.free(jobId);
          if (fails) {
            oracle.orders.get(jobId)!.where = 'failed';
            r.reject(jobId, 'cancelled');
          } else {
            oracle.orders.delete(jobId);
            r.deliver(jobId);
          }
        } else if (choice < 0.87) {
          const failed = [...oracle.orders.entries()].filter(([, o]) => o.where === 'failed').map(([id]) => id);
          if (failed.length === 0) continue;
          const jobId = pick(failed);
          steps.push(`retry ${jobId}`);
          oracle.orders.get(jobId)!.where = 'waiting';
          oracle.queue.push(jobId);
          r.send({ type: 'operator.retryJob', jobId });
        } else {
          const cancellable = [...oracle.orders.entries()].filter(([, o]) => o.where === 'waiting' || o.where === 'failed').map(([id]) => id);
          if (cancellable.length === 0) continue;
          const jobId = pick(cancellable);
          steps.push(`cancel ${jobId}`);
          // Withdrawn: an order no robot ever took; a job that was at a robot is cancelled instead.
          withdrawn.push(oracle.orders.get(jobId)!.hadRobot ? null : jobId);
          oracle.orders.delete(jobId);
          oracle.queue = oracle.queue.filter((id) => id !== jobId);
          r.send({ type: 'operator.cancelJob', jobId });
          expect(r.job(jobId), `after ${steps.join('; ')}`).toBeUndefined();
        }
        oracle.dispatch((jobId) => r.robotOf(jobId));
        // Every order is where the oracle has it: at its robot, or with no robot.
        for (const [jobId, o] of oracle.orders) {
          const expected = o.where === 'waiting' || o.where === 'failed' ? undefined : o.where;
          expect(r.robotOf(jobId), `${jobId} after ${steps.join('; ')}`).toBe(expected);
        }
        for (const [name, robot] of oracle.robots) {
          const jobs = atRobot().filter((id) => oracle.orders.get(id)!.where === name);
          expect(jobs.length, `robot ${name} holds ${robot.job}`).toBeLessThanOrEqual(1);
        }
      }
      expect(r.withdrawn).toEqual(withdrawn);
      // Each job asked its robot for a disc each time it was given one, never twice at once.
      for (const name of Object.keys(fleet)) {
        const asked = r.requests(name).map((q) => q.discId);
        expect(new Set(asked).size).toBe(asked.length);
      }
      r.stop();
    });
  }
});

afterAll(() => {
  coverage.assertComplete();
});
