// The retention pass on a real data folder and SQLite file: a published study older than its
// retention loses its stored files, its jobs' images and labels and its empty folders, its rows are
// marked and one audit entry says so; anything that may still need the files keeps them; and a pass
// cut off between removing files and recording it is finished by the next one.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditTrail, auditSubject } from '../../adapters/db/audit.ts';
import { JobRepository } from '../../adapters/db/jobs.ts';
import { isPurged, purgeExpired } from '../../src/retention/purge.ts';
import { DAY_MS, exists, RetentionFixture } from './retention-fixture.ts';

const ROOT = '1.2.826.0.1.3680043.8.498.55';
const OLD = `${ROOT}.1`;
const OTHER = `${ROOT}.2`;
const RETAIN_DAYS = 30;

describe('purgeExpired', () => {
  let f: RetentionFixture;
  beforeEach(() => {
    f = new RetentionFixture();
  });
  afterEach(() => f.cleanup());

  const pass = (retainDays: number | null = RETAIN_DAYS) =>
    purgeExpired({ db: f.db, dataDir: f.dataDir, retainDays, now: f.clock.now, logger: f.logger });
  const purgeAudit = (uid: string) => new AuditTrail(f.db).forSubject(auditSubject.study(uid)).filter((entry) => entry.action === 'study.purged');
  const keptFor = (uid: string) => f.logLines.filter((line) => line.studyInstanceUid === uid && String(line.msg).startsWith('retention keeps'));

  it('purges a published study past its retention: files, job files and folders gone, rows marked, one audit entry', async () => {
    const old = f.expiredStudy(OLD, 3);
    const jobFiles = { image: path.join(f.jobDir(old.jobId), 'disc.iso'), label: path.join(f.jobDir(old.jobId), 'label.svg') };
    const jobBefore = new JobRepository(f.db).get(old.jobId);
    expect(isPurged(f.db, OLD)).toBe(false);

    expect(await pass()).toEqual({ studies: 1, instances: 3, bytes: old.bytes });

    for (const file of [...old.files, jobFiles.image, jobFiles.label]) expect(exists(file)).toBe(false);
    expect(exists(f.studyDir(OLD))).toBe(false);
    expect(exists(f.jobDir(old.jobId))).toBe(false);
    expect(exists(path.join(f.dataDir, 'store'))).toBe(true);
    expect(exists(path.join(f.dataDir, 'jobs'))).toBe(true);
    expect(f.purgedAt(old.instanceIds)).toEqual([f.clock.now(), f.clock.now(), f.clock.now()]);
    // The job row is history: it keeps naming what it burned.
    expect(new JobRepository(f.db).get(old.jobId)).toEqual(jobBefore);
    expect(purgeAudit(OLD)).toEqual([expect.objectContaining({
      actor: 'system', atMs: f.clock.now(), subject: `study:${OLD}`, details: { instances: 3, bytes: old.bytes, retainDays: RETAIN_DAYS },
    })]);
    expect(isPurged(f.db, OLD)).toBe(true);
  });

  it('visits a purged study no more: a second pass purges nothing and writes no second entry', async () => {
    f.expiredStudy(OLD, 2);
    expect((await pass()).studies).toBe(1);
    f.clock.advance(DAY_MS);
    expect(await pass()).toEqual({ studies: 0, instances: 0, bytes: 0 });
    expect(purgeAudit(OLD)).toHaveLength(1);
  });

  it('keeps a study younger than its retention and purges one exactly at it', async () => {
    const young = f.expiredStudy(OLD, 2, RETAIN_DAYS);
    f.publishedAt(OLD, f.clock.now() - RETAIN_DAYS * DAY_MS + 1);
    const due = f.expiredStudy(OTHER, 2, RETAIN_DAYS);

    expect(await pass()).toEqual({ studies: 1, instances: 2, bytes: due.bytes });
    for (const file of young.files) expect(exists(file)).toBe(true);
    expect(exists(f.jobDir(young.jobId))).toBe(true);
    expect(f.purgedAt(young.instanceIds)).toEqual([null, null]);
    expect(purgeAudit(OLD)).toEqual([]);
    expect(isPurged(f.db, OLD)).toBe(false);
    expect(f.purgedAt(due.instanceIds)).toEqual([f.clock.now(), f.clock.now()]);

    f.clock.advance(1);
    expect((await pass()).studies).toBe(1);
    for (const file of young.files) expect(exists(file)).toBe(false);
  });

  it.each(['held', 'settling', 'publishing', 'failed'])('keeps a %s study, however long ago it was published', async (state) => {
    const study = f.expiredStudy(OLD, 2, 400);
    f.setState(OLD, state);
    expect(await pass()).toEqual({ studies: 0, instances: 0, bytes: 0 });
    for (const file of study.files) expect(exists(file)).toBe(true);
    expect(f.purgedAt(study.instanceIds)).toEqual([null, null]);
    expect(purgeAudit(OLD)).toEqual([]);
  });

  it('keeps a published study never stamped with a publication time', async () => {
    const study = f.expiredStudy(OLD, 1);
    f.publishedAt(OLD, null);
    expect((await pass()).studies).toBe(0);
    expect(exists(study.files[0]!)).toBe(true);
  });

  it('keeps a study while a job of it is unfinished (a re-burn reading the files), and purges it once the job ends', async () => {
    const study = f.expiredStudy(OLD, 2);
    const reburn = f.job(OLD, { jobId: 'reburn-1', instanceIds: study.instanceIds, kind: 'reburn', delivered: 0, finished: false });

    expect((await pass()).studies).toBe(0);
    for (const file of [...study.files, reburn.image]) expect(exists(file)).toBe(true);
    expect(keptFor(OLD)).toEqual([expect.objectContaining({ level: 30, unfinishedJobs: 1, msg: expect.stringMatching(/not finished/) })]);

    f.finishJob('reburn-1');
    expect(await pass()).toEqual({ studies: 1, instances: 2, bytes: study.bytes });
    for (const file of [...study.files, reburn.image]) expect(exists(file)).toBe(false);
    expect(exists(f.jobDir(study.jobId))).toBe(false);
    expect(exists(f.jobDir('reburn-1'))).toBe(false);
  });

  it('keeps a study while an instance is on no job, or its job has not delivered every copy', async () => {
    f.study(OLD, 'published', 40);
    const onDisc = f.instances(OLD, 2);
    f.job(OLD, { jobId: 'j-partial', instanceIds: onDisc.instanceIds, copies: 2, delivered: 1 });
    expect((await pass()).studies).toBe(0);
    expect(keptFor(OLD).at(-1)).toMatchObject({ undelivered: 2, unfinishedJobs: 0, keptApart: 0 });

    f.study(OTHER, 'published', 40);
    const other = f.instances(OTHER, 2);
    f.job(OTHER, { jobId: 'j-other', instanceIds: other.instanceIds.slice(0, 1) });
    expect((await pass()).studies).toBe(0);
    expect(keptFor(OTHER).at(-1)).toMatchObject({ undelivered: 1 });
    for (const file of [...onDisc.files, ...other.files]) expect(exists(file)).toBe(true);
  });

  it('counts a later re-burn that delivered every copy when the first job was cancelled, but never a reprint', async () => {
    f.study(OLD, 'published', 40);
    const study = f.instances(OLD, 2);
    f.job(OLD, { jobId: 'j-cancelled', instanceIds: study.instanceIds, copies: 2, delivered: 0 });
    f.job(OLD, { jobId: 'j-reprint', instanceIds: study.instanceIds, kind: 'reprint' });
    expect((await pass()).studies).toBe(0);

    f.job(OLD, { jobId: 'j-reburn', instanceIds: study.instanceIds, kind: 'reburn' });
    expect(await pass()).toEqual({ studies: 1, instances: 2, bytes: study.bytes });
    for (const jobId of ['j-cancelled', 'j-reprint', 'j-reburn']) expect(exists(f.jobDir(jobId))).toBe(false);
  });

  it('leaves a study with a kept-apart duplicate alone, saying why without patient data', async () => {
    const study = f.expiredStudy(OLD, 2);
    const duplicate = f.keptApartDuplicate(study.instanceIds[0]!);

    expect(await pass()).toEqual({ studies: 0, instances: 0, bytes: 0 });
    for (const file of [...study.files, duplicate]) expect(exists(file)).toBe(true);
    expect(f.purgedAt(study.instanceIds)).toEqual([null, null]);
    const lines = keptFor(OLD);
    expect(lines).toEqual([expect.objectContaining({ level: 30, keptApart: 1, msg: expect.stringMatching(/kept-apart duplicates a person must decide/) })]);
    // instanceRecord's patient: ID PAT5, name Test^Five, born 19800101.
    expect(JSON.stringify(f.logLines)).not.toMatch(/PAT5|Test\^Five|19800101/);
  });

  it('purges other due studies when one is kept', async () => {
    const kept = f.expiredStudy(OLD, 1);
    f.keptApartDuplicate(kept.instanceIds[0]!);
    const due = f.expiredStudy(OTHER, 2);
    expect(await pass()).toEqual({ studies: 1, instances: 2, bytes: due.bytes });
    expect(exists(kept.files[0]!)).toBe(true);
    expect(isPurged(f.db, OTHER)).toBe(true);
  });

  it('leaves a series folder that something else is in, and purges late arrivals after they are published in their turn', async () => {
    const study = f.expiredStudy(OLD, 2);
    expect((await pass()).studies).toBe(1);

    // A late arrival after the purge: stored into the same series folder, burned on a follow-up, published again.
    f.setState(OLD, 'publishing');
    const late = f.instances(OLD, 1);
    expect(path.dirname(late.files[0]!)).toBe(path.dirname(study.files[0]!));
    const stranger = path.join(path.dirname(late.files[0]!), 'not-ours.txt');
    fs.writeFileSync(stranger, 'x');
    f.job(OLD, { jobId: 'j-follow-up', instanceIds: late.instanceIds, kind: 'followUp' });
    f.clock.advance(RETAIN_DAYS * DAY_MS);
    f.setState(OLD, 'published');
    f.publishedAt(OLD, f.clock.now());
    expect((await pass()).studies).toBe(0);

    f.clock.advance(RETAIN_DAYS * DAY_MS);
    expect(await pass()).toEqual({ studies: 1, instances: 1, bytes: late.bytes });
    expect(exists(late.files[0]!)).toBe(false);
    expect(exists(stranger)).toBe(true);
    expect(purgeAudit(OLD).map((entry) => entry.details.instances)).toEqual([2, 1]);
  });

  it('finishes a pass cut off after the files were removed and before the rows were marked', async () => {
    const study = f.expiredStudy(OLD, 3);
    // The database refuses the marking, as if the process died right before its transaction.
    f.db.exec(`CREATE TRIGGER cut_off BEFORE UPDATE OF purged_at_ms ON instances BEGIN SELECT RAISE(ABORT, 'cut off'); END`);
    expect(await pass()).toEqual({ studies: 0, instances: 0, bytes: 0 });
    for (const file of study.files) expect(exists(file)).toBe(false);
    expect(f.purgedAt(study.instanceIds)).toEqual([null, null, null]);
    expect(purgeAudit(OLD)).toEqual([]);
    expect(f.logLines).toContainEqual(expect.objectContaining({ level: 50, studyInstanceUid: OLD }));

    f.db.exec('DROP TRIGGER cut_off');
    f.t.reopen();
    f.clock.advance(3_600_000);
    expect(await pass()).toEqual({ studies: 1, instances: 3, bytes: study.bytes });
    expect(f.purgedAt(study.instanceIds)).toEqual([f.clock.now(), f.clock.now(), f.clock.now()]);
    expect(purgeAudit(OLD)).toEqual([expect.objectContaining({ details: { instances: 3, bytes: study.bytes, retainDays: RETAIN_DAYS } })]);
    expect(exists(f.studyDir(OLD))).toBe(false);
  });

  it('finishes a study of which only some files were removed before the cut', async () => {
    const study = f.expiredStudy(OLD, 3);
    fs.unlinkSync(study.files[0]!);
    expect(await pass()).toEqual({ studies: 1, instances: 3, bytes: study.bytes });
    for (const file of study.files) expect(exists(file)).toBe(false);
  });

  it('purges nothing when retention is off (retainDays null)', async () => {
    const study = f.expiredStudy(OLD, 2, 10_000);
    expect(await pass(null)).toEqual({ studies: 0, instances: 0, bytes: 0 });
    for (const file of study.files) expect(exists(file)).toBe(true);
    expect(exists(f.jobDir(study.jobId))).toBe(true);
    expect(f.purgedAt(study.instanceIds)).toEqual([null, null]);
    expect(new AuditTrail(f.db).entriesAfter(0)).toEqual([]);
  });
});
