// The persistence observer while another process holds the database's write lock: a study actor's
// snapshots cannot be written. Nothing throws into the actor system (XState inspection), the actor
// goes on, and once the lock is released the retry writes the actor's latest snapshot and row.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createActor, type AnyActorRef } from 'xstate';
import { AuditTrail } from '../../adapters/db/audit.ts';
import { commitRelaxed } from '../../adapters/db/database.ts';
import { JobRepository } from '../../adapters/db/jobs.ts';
import { SnapshotRepository } from '../../adapters/db/snapshots.ts';
import { StudyRepository } from '../../adapters/db/studies.ts';
import { createDeadlineTimer, studyMachine, type StudyHoldReason } from '../../machines/study.machine.ts';
import { PublisherPersistence } from '../../src/publisher/persistence.ts';
import { openTempDb, type TempDb } from '../db/temp-db.ts';
import { lockDatabase, type DatabaseLock } from '../support/sqlite-locker.ts';

const STUDY = '1.2.826.0.1.3680043.8.498.77';

describe('persistence while the database is locked by another process', () => {
  let temp: TempDb;
  let lock: DatabaseLock | undefined;
  let persistence: PublisherPersistence;
  let study: AnyActorRef;
  const lines: Record<string, unknown>[] = [];

  beforeEach(() => {
    temp = openTempDb('discrobot-persist-locked');
    lines.length = 0;
    const db = temp.db;
    persistence = new PublisherPersistence({
      transaction: (fn) => commitRelaxed(db, fn),
      snapshots: new SnapshotRepository(db),
      studies: new StudyRepository<string, StudyHoldReason>(db),
      jobs: new JobRepository(db),
      audit: new AuditTrail(db),
      logger: pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) }),
      routeOf: () => 'default',
    });
    const logic = studyMachine.provide({ actors: { deadline: createDeadlineTimer({ now: Date.now, setTimeout, clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) }) } });
    study = createActor(logic, {
      id: `study:${STUDY}`,
      systemId: `study:${STUDY}`,
      input: { studyUid: STUDY, route: { quietPeriodMs: 3_600_000, followUp: 'followUpDisc' } },
      inspect: persistence.inspect,
    }).start();
  });
  afterEach(() => {
    lock?.kill();
    study.stop();
    persistence.stop();
    temp.cleanup();
  });

  const instance = (n: number) => ({
    type: 'instance.added', sopInstanceUid: `${STUDY}.1.${n}`, patientId: 'P1', patientName: 'Locked^Test', patientBirthDate: '19700101', at: Date.now(),
  });
  const storedUnpublished = () => {
    const row = new SnapshotRepository(temp.db).load(`study:${STUDY}`, [studyMachine]);
    return (row?.snapshot as { context: { unpublished: number } } | undefined)?.context.unpublished;
  };

  it('does not throw into the actor system, and writes the latest snapshot once the lock is released', async () => {
    study.send(instance(1));
    expect(storedUnpublished()).toBe(1);
    const stateBefore = new StudyRepository(temp.db).get(STUDY)?.state;

    lock = await lockDatabase(temp.file);
    // Each snapshot's write fails (SQLITE_BUSY after the busy timeout); send() does not throw.
    expect(() => study.send(instance(2))).not.toThrow();
    expect(() => study.send(instance(3))).not.toThrow();
    expect(study.getSnapshot().status).toBe('active');
    expect(study.getSnapshot().context.unpublished).toBe(3);
    expect(persistence.unsavedCount).toBe(1);
    const failures = lines.filter((l) => l['msg'] === 'could not persist; will retry');
    // Logged once for the actor, not once per snapshot.
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ key: `study:${STUDY}`, err: { code: 'SQLITE_BUSY' } });
    expect(storedUnpublished()).toBe(1);

    await lock.release();
    lock = undefined;
    await expect.poll(() => persistence.unsavedCount, { timeout: 30_000 }).toBe(0);
    expect(storedUnpublished()).toBe(3);
    expect(new StudyRepository(temp.db).get(STUDY)?.state).toBe(stateBefore);
    expect(lines.some((l) => l['msg'] === 'persisted after an earlier failure' && l['key'] === `study:${STUDY}`)).toBe(true);
  });

  it('writes the next snapshot that comes after the lock is gone at once, and retries nothing stale', async () => {
    lock = await lockDatabase(temp.file);
    study.send(instance(1));
    expect(persistence.unsavedCount).toBe(1);
    await lock.release();
    lock = undefined;
    study.send(instance(2));
    expect(persistence.unsavedCount).toBe(0);
    expect(storedUnpublished()).toBe(2);
  });
});
