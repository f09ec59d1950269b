// The snapshot repository on a real SQLite file: a real disc job actor's persisted snapshot goes in
// and, after the database is reopened, restores to the same state and context; robot snapshots are
// kept too; a snapshot saved by another version of its machine is refused with an error that names
// the actor and both versions, and stays stored until someone deliberately deletes it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActor, fromCallback, type AnyActorRef, type Snapshot } from 'xstate';
import { SnapshotRepository, SnapshotVersionError, type SnapshotEnvelope } from '../../adapters/db/snapshots.ts';
import { discJobMachine, discJobSystemId, type DiscJobInput } from '../../machines/disc-job.machine.ts';
import type { RobotPortCommand } from '../../machines/robot-port.ts';
import { robotMachine } from '../../machines/robot.machine.ts';
import { manualClock, openTempDb, type TempDb } from './temp-db.ts';

const ROBOT = 'robot:a';
const INPUT: DiscJobInput = {
  jobId: 'j1', robot: ROBOT, copies: 2, print: true, source: { study: '1.2.3' },
  image: { path: '/data/jobs/j1/disc.iso', bytes: 650_000_000, media: 'cd', labelPath: '/data/jobs/j1/label.jpg' },
};
const MACHINES = [discJobMachine, robotMachine];

/** A job in an actor system beside a fake robot that records what it is asked: the publisher's layout. */
function jobInSystem(options: { snapshot?: unknown } = {}): { job: ReturnType<typeof createActor<typeof discJobMachine>>; inbox: RobotPortCommand[]; root: AnyActorRef } {
  const inbox: RobotPortCommand[] = [];
  const root = createActor(fromCallback(() => undefined)).start();
  createActor(fromCallback<RobotPortCommand>(({ receive }) => receive((c) => inbox.push(c))), { parent: root, systemId: ROBOT }).start();
  const job = createActor(discJobMachine, {
    parent: root, systemId: discJobSystemId(INPUT.jobId), input: INPUT,
    ...(options.snapshot ? { snapshot: options.snapshot as Snapshot<unknown> } : {}),
  }).start();
  return { job, inbox, root };
}

function envelope(systemId: string, snapshot: unknown, machine: { id: string; version?: string } = discJobMachine): SnapshotEnvelope {
  return { systemId, machineId: machine.id, machineVersion: machine.version!, snapshot };
}

describe('SnapshotRepository', () => {
  let t: TempDb;
  let clock: ReturnType<typeof manualClock>;
  let snapshots: SnapshotRepository;
  beforeEach(() => {
    t = openTempDb('snapshots');
    clock = manualClock();
    snapshots = new SnapshotRepository(t.db, { now: clock.now });
  });
  afterEach(() => t.cleanup());

  it('restores a real disc job actor to the same state and context after a reopen', () => {
    const { job, root } = jobInSystem();
    job.send({ type: 'job.start' });
    // Built apart from the call, so the event fits robot-port.ts with or without its drive field.
    const delivered = { type: 'disc.delivered', discId: 'j1/1.1', location: 'bin1', verified: true, drive: 0 } as const;
    job.send(delivered);
    job.send({ type: 'disc.phase', discId: 'j1/2.1', phase: 'loading' });
    job.send({ type: 'disc.phase', discId: 'j1/2.1', phase: 'burning' });
    job.send({ type: 'disc.progress', discId: 'j1/2.1', phase: 'burning', pct: 40 });
    const before = job.getSnapshot();
    expect(before.value).toEqual({ disc: 'burning' });
    expect(before.context.copiesDone).toBe(1);
    snapshots.saveSnapshot(envelope('job:j1', job.getPersistedSnapshot()));
    root.stop();

    const loaded = new SnapshotRepository(t.reopen()).load('job:j1', MACHINES);
    expect(loaded).toMatchObject({ systemId: 'job:j1', machineId: 'discJob', machineVersion: discJobMachine.version, savedAtMs: clock.now() });
    const restored = jobInSystem({ snapshot: loaded!.snapshot });
    expect(restored.job.getSnapshot().value).toEqual(before.value);
    expect(restored.job.getSnapshot().context).toEqual(before.context);
    // Restoring asks the robot nothing: requests are sent on transitions, never on entry.
    expect(restored.inbox).toEqual([]);
    restored.root.stop();
  });

  it('keeps one snapshot per actor: a save replaces the last one', () => {
    const { job, root } = jobInSystem();
    snapshots.saveSnapshot(envelope('job:j1', job.getPersistedSnapshot()));
    job.send({ type: 'job.start' });
    clock.advance(250);
    snapshots.saveSnapshot(envelope('job:j1', job.getPersistedSnapshot()));
    root.stop();
    const all = snapshots.loadAll(MACHINES);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ savedAtMs: clock.now(), snapshot: { value: { disc: 'waitingForRobot' } } });
  });

  it('keeps robot snapshots beside job snapshots, loads them all and deletes one', () => {
    const robot = createActor(robotMachine, { input: { name: 'a' } }).start();
    const { job, root } = jobInSystem();
    snapshots.saveSnapshot(envelope('robot:a', robot.getPersistedSnapshot(), robotMachine));
    snapshots.saveSnapshot(envelope('job:j1', job.getPersistedSnapshot()));
    expect(snapshots.loadAll(MACHINES).map((s) => [s.systemId, s.machineId])).toEqual([['job:j1', 'discJob'], ['robot:a', 'robot']]);
    expect(snapshots.delete('job:j1')).toBe(true);
    expect(snapshots.delete('job:j1')).toBe(false);
    expect(snapshots.load('job:j1', MACHINES)).toBeUndefined();
    expect(snapshots.loadAll(MACHINES).map((s) => s.systemId)).toEqual(['robot:a']);
    robot.stop();
    root.stop();
  });

  it('refuses a snapshot saved by another machine version, naming the actor and both versions', () => {
    const { job, root } = jobInSystem();
    snapshots.saveSnapshot({ ...envelope('job:j1', job.getPersistedSnapshot()), machineVersion: 'old-0' });
    root.stop();
    const running = discJobMachine.version!;
    let error: unknown;
    try {
      snapshots.load('job:j1', MACHINES);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SnapshotVersionError);
    expect((error as Error).message).toBe(
      `actor snapshot job:j1 was saved by discJob machine version old-0, but the running discJob machine is version ${running}: refused to restore it (migrate or discard it deliberately)`,
    );
    expect((error as SnapshotVersionError).mismatches).toEqual([{ systemId: 'job:j1', machineId: 'discJob', storedVersion: 'old-0', runningVersion: running }]);
  });

  it('names every refused snapshot at once, including one whose machine is not running, and drops none', () => {
    snapshots.saveSnapshot({ systemId: 'job:j1', machineId: 'discJob', machineVersion: 'old-0', snapshot: { value: 'queued' } });
    snapshots.saveSnapshot({ systemId: 'study:1.2.3', machineId: 'study', machineVersion: '1', snapshot: { value: 'settling' } });
    snapshots.saveSnapshot(envelope('robot:a', { value: 'offline' }, robotMachine));
    expect(() => snapshots.loadAll(MACHINES)).toThrow(SnapshotVersionError);
    expect(() => snapshots.loadAll(MACHINES)).toThrow(
      /actor snapshot job:j1 was saved by discJob machine version old-0.*; actor snapshot study:1\.2\.3 was saved by study machine version 1, but no running machine is called study/,
    );
    // A snapshot that may be restored is still refused alone when asked for by name.
    expect(snapshots.load('robot:a', MACHINES)?.snapshot).toEqual({ value: 'offline' });
    // Nothing was dropped: an operator sees every envelope and discards deliberately.
    expect(snapshots.summaries().map((s) => [s.systemId, s.machineVersion])).toEqual([['job:j1', 'old-0'], ['robot:a', '1'], ['study:1.2.3', '1']]);
    snapshots.delete('job:j1');
    snapshots.delete('study:1.2.3');
    expect(snapshots.loadAll(MACHINES).map((s) => s.systemId)).toEqual(['robot:a']);
  });

  it('refuses to save nothing', () => {
    expect(() => snapshots.saveSnapshot(envelope('job:j1', undefined))).toThrow('actor snapshot job:j1: nothing to save');
  });
});
