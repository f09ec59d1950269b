// The jobs repository on a real SQLite file: a job and its instance list are written together or
// not at all; discs are recorded with their outcomes; and the database itself refuses to record a
// disc for a copy already delivered verified ("never burn a finished disc again"), whoever writes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstanceIndex } from '../../adapters/db/instances.ts';
import { DiscRefusedError, JobRepository, type DiscOutcomeRecord } from '../../adapters/db/jobs.ts';
import { StudyRepository } from '../../adapters/db/studies.ts';
import { addInstances, instanceRecord, manualClock, openTempDb, type TempDb } from './temp-db.ts';

const STUDY = '1.2.826.0.1.3680043.8.498.5.20';

function disc(copy: number, attempt: number, outcome: DiscOutcomeRecord['outcome'], extra: Partial<DiscOutcomeRecord> = {}): DiscOutcomeRecord {
  return { discId: `j1/${copy}.${attempt}`, jobId: 'j1', copy, attempt, outcome, ...extra };
}

describe('JobRepository', () => {
  let t: TempDb;
  let clock: ReturnType<typeof manualClock>;
  let jobs: JobRepository;
  let instances: number[];
  beforeEach(() => {
    t = openTempDb('jobs');
    clock = manualClock();
    jobs = new JobRepository(t.db, { now: clock.now });
    new StudyRepository(t.db).upsert({ studyInstanceUid: STUDY, state: 'queued', route: null, holdReasons: [], quietDeadlineMs: null });
    instances = addInstances(t.db, 3, STUDY);
  });
  afterEach(() => t.cleanup());

  function createJ1(copies = 2): void {
    jobs.create({ jobId: 'j1', studyInstanceUid: STUDY, robot: 'robot:a', copies, instanceIds: instances, media: 'cd' });
  }

  describe('what a new disc of the study carries', () => {
    it('claims the instances no standing job carries; a cancelled job gives its own back; numbers jobs after the highest', () => {
      expect(jobs.claimableInstanceIds(STUDY)).toEqual(instances);
      jobs.create({ jobId: 'J000007', studyInstanceUid: STUDY, robot: null, copies: 1, instanceIds: instances.slice(0, 2), kind: 'study', order: { copies: 1 } });
      expect(jobs.claimableInstanceIds(STUDY)).toEqual(instances.slice(2));
      expect(jobs.order('J000007')).toEqual({ copies: 1 });
      // A reprint carries the instances for the record, but claims nothing.
      jobs.create({ jobId: 'J000008', studyInstanceUid: STUDY, robot: null, copies: 1, instanceIds: instances.slice(2), kind: 'reprint' });
      expect(jobs.claimableInstanceIds(STUDY)).toEqual(instances.slice(2));
      jobs.setState('J000007', 'failed', { finished: false, reason: 'mastering failed' });
      expect(jobs.claimableInstanceIds(STUDY)).toEqual(instances.slice(2));
      jobs.setState('J000007', 'cancelled', { finished: true, reason: 'cancelled by the operator' });
      expect(jobs.get('J000007')?.reason).toBe('cancelled by the operator');
      expect(jobs.claimableInstanceIds(STUDY)).toEqual(instances);
      expect(jobs.highestJobNumber()).toBe(8);
    });
  });

  describe('jobs and their instances', () => {
    it('creates a job with its instance list, queued, nothing done', () => {
      createJ1();
      expect(jobs.get('j1')).toEqual({
        jobId: 'j1', studyInstanceUid: STUDY, robot: 'robot:a', copies: 2, copiesDone: 0, state: 'queued',
        imagePath: null, labelPath: null, media: 'cd', kind: 'study', reason: null, createdAtMs: clock.now(), updatedAtMs: clock.now(), finishedAtMs: null,
      });
      expect(jobs.instanceIds('j1')).toEqual(instances);
      expect(jobs.get('nope')).toBeUndefined();
    });

    it('marks the instances as on a disc job, naming the first job that took them', () => {
      createJ1();
      jobs.create({ jobId: 'j2-reburn', studyInstanceUid: STUDY, robot: null, copies: 1, instanceIds: instances.slice(0, 1) });
      const index = new InstanceIndex(t.db);
      for (const n of [1, 2, 3]) expect(index.current(instanceRecord(n, STUDY).sopInstanceUid)?.jobId).toBe('j1');
      expect(jobs.instanceIds('j2-reburn')).toEqual(instances.slice(0, 1));
    });

    it('writes nothing when one instance of the list does not exist', () => {
      expect(() => jobs.create({ jobId: 'j1', studyInstanceUid: STUDY, robot: null, copies: 1, instanceIds: [...instances, 999_999] }))
        .toThrow(/FOREIGN KEY/);
      expect(jobs.get('j1')).toBeUndefined();
      expect(jobs.list()).toEqual([]);
      expect(t.db.prepare('SELECT count(*) AS n FROM job_instances').get()).toEqual({ n: 0 });
      expect(t.db.prepare('SELECT count(*) AS n FROM instances WHERE job_id IS NOT NULL').get()).toEqual({ n: 0 });
    });

    it('refuses a job for a study that is not stored, and a job without a copy', () => {
      expect(() => jobs.create({ jobId: 'j1', studyInstanceUid: '9.9.9', robot: null, copies: 1, instanceIds: [] })).toThrow(/FOREIGN KEY/);
      expect(() => jobs.create({ jobId: 'j1', studyInstanceUid: null, robot: null, copies: 0, instanceIds: [] })).toThrow(/CHECK/);
      expect(jobs.list()).toEqual([]);
    });

    it('lists jobs oldest first, by state and by study', () => {
      createJ1();
      clock.advance(1);
      jobs.create({ jobId: 'j0', studyInstanceUid: null, robot: 'robot:b', copies: 1, instanceIds: [] });
      jobs.setState('j0', 'mastering', { finished: false });
      expect(jobs.list().map((j) => j.jobId)).toEqual(['j1', 'j0']);
      expect(jobs.inState('queued').map((j) => j.jobId)).toEqual(['j1']);
      expect(jobs.inState('mastering').map((j) => j.jobId)).toEqual(['j0']);
      expect(jobs.ofStudy(STUDY).map((j) => j.jobId)).toEqual(['j1']);
    });

    it('updates state, image and robot; a finished job gets its finishing time, a retried one loses it', () => {
      createJ1();
      const created = clock.now();
      clock.advance(10);
      jobs.setImage('j1', { imagePath: '/data/jobs/j1/disc1.iso', labelPath: '/data/jobs/j1/label1.jpg', media: 'dvd' });
      jobs.assignRobot('j1', 'robot:b');
      clock.advance(10);
      jobs.setState('j1', 'failed', { finished: false });
      expect(jobs.get('j1')).toMatchObject({
        state: 'failed', imagePath: '/data/jobs/j1/disc1.iso', labelPath: '/data/jobs/j1/label1.jpg', media: 'dvd', robot: 'robot:b',
        createdAtMs: created, updatedAtMs: created + 20, finishedAtMs: null,
      });
      clock.advance(10);
      jobs.setState('j1', 'cancelled', { finished: true });
      expect(jobs.get('j1')).toMatchObject({ state: 'cancelled', finishedAtMs: created + 30 });
      jobs.setState('j1', 'disc.waitingForRobot', { finished: false });
      expect(jobs.get('j1')?.finishedAtMs).toBeNull();
    });

    it('says so when the job to update does not exist', () => {
      expect(() => jobs.setState('ghost', 'done', { finished: true })).toThrow('no disc job ghost in the database');
      expect(() => jobs.setImage('ghost', { imagePath: '/x.iso', labelPath: null, media: 'cd' })).toThrow('no disc job ghost');
      expect(() => jobs.assignRobot('ghost', 'robot:a')).toThrow('no disc job ghost');
    });
  });

  describe('discs', () => {
    beforeEach(() => createJ1());

    it('records every disc and counts the copies delivered', () => {
      expect(jobs.recordDisc(disc(1, 1, 'rejected', { cause: 'verify', robot: 'robot:a' }))).toBe(true);
      clock.advance(1);
      expect(jobs.recordDisc(disc(1, 2, 'delivered', { location: 'bin1', robot: 'robot:a', verifiedMd5: 'd41d8cd98f00b204e9800998ecf8427e' }))).toBe(true);
      expect(jobs.get('j1')?.copiesDone).toBe(1);
      clock.advance(1);
      jobs.recordDisc(disc(2, 1, 'interrupted'));
      jobs.recordDisc(disc(2, 2, 'delivered', { location: 'bin1' }));
      expect(jobs.get('j1')).toMatchObject({ copiesDone: 2, updatedAtMs: clock.now() });
      expect(jobs.discs('j1')).toEqual([
        { discId: 'j1/1.1', jobId: 'j1', copy: 1, attempt: 1, outcome: 'rejected', cause: 'verify', location: null, robot: 'robot:a', verifiedMd5: null, imageFile: null, atMs: clock.now() - 2 },
        { discId: 'j1/1.2', jobId: 'j1', copy: 1, attempt: 2, outcome: 'delivered', cause: null, location: 'bin1', robot: 'robot:a', verifiedMd5: 'd41d8cd98f00b204e9800998ecf8427e', imageFile: null, atMs: clock.now() - 1 },
        { discId: 'j1/2.1', jobId: 'j1', copy: 2, attempt: 1, outcome: 'interrupted', cause: null, location: null, robot: null, verifiedMd5: null, imageFile: null, atMs: clock.now() },
        { discId: 'j1/2.2', jobId: 'j1', copy: 2, attempt: 2, outcome: 'delivered', cause: null, location: 'bin1', robot: null, verifiedMd5: null, imageFile: null, atMs: clock.now() },
      ]);
    });

    it('an unverified delivery does not count as a copy done', () => {
      jobs.recordDisc(disc(1, 1, 'unverified', { location: 'bin1' }));
      expect(jobs.get('j1')?.copiesDone).toBe(0);
      expect(jobs.recordDisc(disc(1, 2, 'delivered', { location: 'bin1' }))).toBe(true);
      expect(jobs.get('j1')?.copiesDone).toBe(1);
    });

    it('refuses a second delivered disc for a copy already delivered, and any other disc for it', () => {
      jobs.recordDisc(disc(1, 1, 'delivered', { location: 'bin1' }));
      const again = disc(1, 2, 'delivered', { location: 'bin1' });
      expect(() => jobs.recordDisc(again)).toThrow(DiscRefusedError);
      expect(() => jobs.recordDisc(again)).toThrow('copy 1 of job j1 was already delivered verified on disc j1/1.1');
      expect(() => jobs.recordDisc(disc(1, 3, 'rejected', { cause: 'verify' }))).toThrow(DiscRefusedError);
      expect(jobs.discs('j1').map((d) => d.discId)).toEqual(['j1/1.1']);
      expect(jobs.get('j1')?.copiesDone).toBe(1);
      // The other copy is still to be made.
      expect(jobs.recordDisc(disc(2, 1, 'delivered', { location: 'bin1' }))).toBe(true);
    });

    it('keeps the rule in the database itself: a raw INSERT or UPDATE is refused too', () => {
      jobs.recordDisc(disc(1, 1, 'delivered'));
      jobs.recordDisc(disc(2, 1, 'rejected', { cause: 'write' }));
      const insert = t.db.prepare("INSERT INTO discs (disc_id, job_id, copy, attempt, outcome, at_ms) VALUES (?, 'j1', ?, ?, ?, 0)");
      expect(() => insert.run('j1/1.9', 1, 9, 'delivered')).toThrow('disc refused: this copy of the job was already delivered verified');
      expect(() => insert.run('j1/1.8', 1, 8, 'rejected')).toThrow('disc refused: this copy of the job was already delivered verified');
      // Rewriting the rejected disc of copy 2 as a second delivery of copy 1: the unique index stops it.
      expect(() => t.db.prepare("UPDATE discs SET copy = 1, outcome = 'delivered' WHERE disc_id = 'j1/2.1'").run()).toThrow(/UNIQUE/);
      expect(() => insert.run('j1/3.1', 3, 1, 'rejected')).toThrow('disc refused: the job has fewer copies');
      expect(() => insert.run('j1/2.9', 2, 9, 'bad-outcome')).toThrow(/CHECK/);
    });

    it('refuses a disc for a copy the job does not have, or a job that does not exist', () => {
      expect(() => jobs.recordDisc(disc(3, 1, 'rejected'))).toThrow('the job has fewer copies');
      expect(() => jobs.recordDisc({ ...disc(1, 1, 'rejected'), jobId: 'ghost' })).toThrow(/FOREIGN KEY/);
      expect(jobs.discs('j1')).toEqual([]);
    });

    it('takes a replay of exactly the same disc as already recorded; the same id with another outcome is refused', () => {
      jobs.recordDisc(disc(1, 1, 'delivered', { location: 'bin1' }));
      clock.advance(100);
      expect(jobs.recordDisc(disc(1, 1, 'delivered', { location: 'bin1' }))).toBe(false);
      expect(() => jobs.recordDisc(disc(1, 1, 'rejected', { cause: 'verify' }))).toThrow(
        'disc j1/1.1 refused: it was recorded before as copy 1 attempt 1 of job j1, delivered; now as copy 1 attempt 1 of job j1, rejected',
      );
      expect(jobs.discs('j1')).toHaveLength(1);
      expect(jobs.get('j1')?.copiesDone).toBe(1);
    });

    it('tells which delivered discs carried an instance', () => {
      jobs.create({ jobId: 'j2', studyInstanceUid: STUDY, robot: 'robot:b', copies: 1, instanceIds: instances.slice(2) });
      jobs.recordDisc(disc(1, 1, 'rejected', { cause: 'verify' }));
      jobs.recordDisc(disc(1, 2, 'delivered'));
      jobs.recordDisc({ discId: 'j2/1.1', jobId: 'j2', copy: 1, attempt: 1, outcome: 'delivered' });
      expect(jobs.deliveredDiscsCarrying(instances[0]!).map((d) => d.discId)).toEqual(['j1/1.2']);
      expect(jobs.deliveredDiscsCarrying(instances[2]!).map((d) => d.discId).sort()).toEqual(['j1/1.2', 'j2/1.1']);
    });
  });
});
