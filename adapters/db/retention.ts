// The queries retention needs: which published studies are past their retention time, what still
// keeps one of them (an unfinished job, a kept-apart duplicate, an instance on no fully delivered
// disc), which files it owns, and marking its instances purged. The purge pass (src/retention/)
// decides; this file only reads and writes rows.
import type { Statement } from 'better-sqlite3';
import type { Db } from './database.ts';

export interface ExpiredStudy {
  studyInstanceUid: string;
  publishedAtMs: number;
}

/** Why a study past its retention time still keeps its files; all zero means it may be purged. */
export interface PurgeBlockers {
  /** Jobs of the study not finished yet (a re-burn may be reading the files). */
  unfinishedJobs: number;
  /** Second objects under an already stored SOP Instance UID: a person must decide about them. */
  keptApart: number;
  /** Instances no job has delivered on every copy of its discs. */
  undelivered: number;
}

export interface PurgeableInstance {
  id: number;
  path: string;
  bytes: number;
}

export interface JobFiles {
  jobId: string;
  imagePath: string | null;
  labelPath: string | null;
}

export class RetentionQueries {
  private readonly expired;
  private readonly unfinishedJobs;
  private readonly keptApart;
  private readonly undelivered;
  private readonly unpurged;
  private readonly jobFilesOfStudy;
  private readonly markOne;

  constructor(private readonly db: Db) {
    // Only studies that still have files: a study purged before is not visited again, unless
    // instances came later (a follow-up), which are then purged in their turn.
    this.expired = db.prepare(
      `SELECT s.study_instance_uid AS studyInstanceUid, s.published_at_ms AS publishedAtMs FROM studies s
       WHERE s.state = 'published' AND s.published_at_ms <= ?
         AND EXISTS (SELECT 1 FROM instances i WHERE i.study_instance_uid = s.study_instance_uid AND i.purged_at_ms IS NULL)
       ORDER BY s.published_at_ms, s.study_instance_uid`,
    );
    this.unfinishedJobs = db.prepare('SELECT count(*) AS n FROM jobs WHERE study_instance_uid = ? AND finished_at_ms IS NULL');
    this.keptApart = db.prepare(
      'SELECT count(*) AS n FROM instances WHERE study_instance_uid = ? AND duplicate_of IS NOT NULL AND purged_at_ms IS NULL',
    );
    // Delivered means a job carrying the instance has every copy delivered verified. The first job
    // that took it (instances.job_id) is one of those carrying it; a later re-burn or follow-up counts
    // too, so a study whose first job was cancelled is not kept for ever. A reprint burns nothing.
    this.undelivered = db.prepare(
      `SELECT count(*) AS n FROM instances i
       WHERE i.study_instance_uid = ? AND i.duplicate_of IS NULL AND i.purged_at_ms IS NULL
         AND NOT EXISTS (
           SELECT 1 FROM job_instances ji JOIN jobs j ON j.job_id = ji.job_id
           WHERE ji.instance_id = i.id AND j.kind <> 'reprint' AND j.copies_done = j.copies)`,
    );
    this.unpurged = db.prepare(
      `SELECT id, path, bytes FROM instances
       WHERE study_instance_uid = ? AND duplicate_of IS NULL AND purged_at_ms IS NULL ORDER BY id`,
    );
    this.jobFilesOfStudy = db.prepare(
      'SELECT job_id AS jobId, image_path AS imagePath, label_path AS labelPath FROM jobs WHERE study_instance_uid = ? ORDER BY job_id',
    );
    this.markOne = db.prepare('UPDATE instances SET purged_at_ms = ? WHERE id = ? AND purged_at_ms IS NULL');
  }

  /** Published studies whose publication is at or before cutoffMs and that still have files, oldest first. */
  expiredStudies(cutoffMs: number): ExpiredStudy[] {
    return this.expired.all(cutoffMs) as ExpiredStudy[];
  }

  blockers(studyInstanceUid: string): PurgeBlockers {
    const count = (statement: Statement) => (statement.get(studyInstanceUid) as { n: number }).n;
    return { unfinishedJobs: count(this.unfinishedJobs), keptApart: count(this.keptApart), undelivered: count(this.undelivered) };
  }

  /** The study's instances whose files are still to be removed (kept-apart duplicates never). */
  unpurgedInstances(studyInstanceUid: string): PurgeableInstance[] {
    return this.unpurged.all(studyInstanceUid) as PurgeableInstance[];
  }

  /** Every job of the study with its mastered image and label. */
  jobFiles(studyInstanceUid: string): JobFiles[] {
    return this.jobFilesOfStudy.all(studyInstanceUid) as JobFiles[];
  }

  /** Sets purged_at_ms on the given rows not purged yet; returns how many changed. Call inside a transaction. */
  markPurged(instanceIds: readonly number[], atMs: number): number {
    let changed = 0;
    for (const id of instanceIds) changed += this.markOne.run(atMs, id).changes;
    return changed;
  }

  /** Runs fn in one transaction of this database. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}

const purgedStatements = new WeakMap<Db, Statement>();

/**
 * Whether retention removed stored files of the study: then the discs of its history cannot be
 * burned again. True as soon as any of its instances was purged (a re-burn needs them all).
 */
export function isPurged(db: Db, studyInstanceUid: string): boolean {
  let statement = purgedStatements.get(db);
  if (!statement) {
    statement = db.prepare('SELECT EXISTS (SELECT 1 FROM instances WHERE study_instance_uid = ? AND purged_at_ms IS NOT NULL) AS purged');
    purgedStatements.set(db, statement);
  }
  return (statement.get(studyInstanceUid) as { purged: number }).purged === 1;
}
