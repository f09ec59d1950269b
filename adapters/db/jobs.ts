// Rows of the jobs, job_instances and discs tables: each disc job, the instances its discs carry, and
// every disc it asked for with what became of it. The invariant "never burn a finished disc again"
// is kept by the database itself (a trigger and a unique index, migration 2): once a copy of a job is
// recorded delivered verified, no further disc is recorded for that copy, whoever writes.
import type { DiscOutcome } from '../../machines/disc-job.machine.ts';
import type { MediaKind, RejectCause } from '../../machines/robot-port.ts';
import type { Db } from './database.ts';

export interface NewJob {
  jobId: string;
  /** Null for a job not made from a study. */
  studyInstanceUid: string | null;
  /** The robot actor's systemId, or null until one is chosen. */
  robot: string | null;
  copies: number;
  /** Row ids of the instances table: what the job's discs carry. */
  instanceIds: readonly number[];
  /** The job actor's state to start with (default 'queued'). */
  state?: string;
  media?: MediaKind | null;
  /** What made it (default 'study'). */
  kind?: JobKind;
  /** The publisher's order (JSON data), to make the job's actor again after a restart. */
  order?: unknown;
}

/** What made a job: a study's first disc, a follow-up disc, an operator's re-burn or reprint, `discrobot publish`. */
export type JobKind = 'study' | 'followUp' | 'reburn' | 'reprint' | 'publish';

export interface StoredJob {
  jobId: string;
  studyInstanceUid: string | null;
  robot: string | null;
  copies: number;
  /** Copies recorded delivered verified, counted from the discs rows. */
  copiesDone: number;
  state: string;
  imagePath: string | null;
  labelPath: string | null;
  media: string | null;
  kind: JobKind;
  /** Why it failed, was interrupted or cancelled. */
  reason: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  finishedAtMs: number | null;
}

export interface JobImage {
  imagePath: string;
  labelPath: string | null;
  media: MediaKind;
}

export interface DiscOutcomeRecord {
  discId: string;
  jobId: string;
  copy: number;
  attempt: number;
  outcome: DiscOutcome;
  cause?: RejectCause | null;
  /** Where a delivered disc went, as the robot names it. */
  location?: string | null;
  robot?: string | null;
  /** MD5 of the recording read back from the disc. */
  verifiedMd5?: string | null;
  /** A simulated robot's delivered disc image (a file under the data folder). */
  imageFile?: string | null;
}

export interface StoredDisc extends Required<DiscOutcomeRecord> {
  atMs: number;
}

/** A disc the invariants forbid: another disc for a copy already delivered, or one id recorded two ways. */
export class DiscRefusedError extends Error {
  constructor(message: string, readonly disc: DiscOutcomeRecord) {
    super(message);
    this.name = 'DiscRefusedError';
  }
}

const JOB_SELECT = `SELECT job_id AS jobId, study_instance_uid AS studyInstanceUid, robot, copies, copies_done AS copiesDone, state,
  image_path AS imagePath, label_path AS labelPath, media, kind, reason, created_at_ms AS createdAtMs, updated_at_ms AS updatedAtMs,
  finished_at_ms AS finishedAtMs FROM jobs`;
const DISC_SELECT = `SELECT disc_id AS discId, job_id AS jobId, copy, attempt, outcome, cause, location, robot, verified_md5 AS verifiedMd5,
  image_file AS imageFile, at_ms AS atMs FROM discs`;

export interface JobRepositoryOptions {
  /** Epoch ms; injectable so tests can tell the timestamps apart. */
  now?: () => number;
}

export class JobRepository {
  private readonly now: () => number;
  private readonly insertJob;
  private readonly insertJobInstance;
  private readonly markInstanceOnJob;
  private readonly getStatement;
  private readonly listStatement;
  private readonly inStateStatement;
  private readonly ofStudyStatement;
  private readonly instanceIdsStatement;
  private readonly setStateStatement;
  private readonly claimableStatement;
  private readonly maxNumberStatement;
  private readonly orderStatement;
  private readonly setImageStatement;
  private readonly assignRobotStatement;
  private readonly insertDisc;
  private readonly getDisc;
  private readonly deliveredOfCopy;
  private readonly countDelivered;
  private readonly discsStatement;
  private readonly deliveredCarrying;
  private readonly createTransaction;
  private readonly recordTransaction;

  constructor(db: Db, options: JobRepositoryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.insertJob = db.prepare(
      `INSERT INTO jobs (job_id, study_instance_uid, robot, copies, state, media, kind, order_json, created_at_ms, updated_at_ms)
       VALUES (@jobId, @studyInstanceUid, @robot, @copies, @state, @media, @kind, @orderJson, @at, @at)`,
    );
    this.insertJobInstance = db.prepare('INSERT INTO job_instances (job_id, instance_id) VALUES (?, ?)');
    // The store keeps apart a re-sent object whose first copy is on a disc job (instances.job_id);
    // the first job that takes an instance is the one named there.
    this.markInstanceOnJob = db.prepare('UPDATE instances SET job_id = ? WHERE id = ? AND job_id IS NULL');
    this.getStatement = db.prepare(`${JOB_SELECT} WHERE job_id = ?`);
    this.listStatement = db.prepare(`${JOB_SELECT} ORDER BY created_at_ms, job_id`);
    this.inStateStatement = db.prepare(`${JOB_SELECT} WHERE state = ? ORDER BY created_at_ms, job_id`);
    this.ofStudyStatement = db.prepare(`${JOB_SELECT} WHERE study_instance_uid = ? ORDER BY created_at_ms, job_id`);
    this.instanceIdsStatement = db.prepare('SELECT instance_id AS id FROM job_instances WHERE job_id = ? ORDER BY instance_id');
    this.setStateStatement = db.prepare(
      'UPDATE jobs SET state = @state, reason = @reason, finished_at_ms = @finishedAtMs, updated_at_ms = @at WHERE job_id = @jobId',
    );
    // What a new disc of the study carries: its current objects that no job still standing carries
    // (a cancelled job gives its instances back; a failed one keeps them, it may be retried).
    this.claimableStatement = db.prepare(
      `SELECT i.id FROM instances i WHERE i.study_instance_uid = ? AND i.duplicate_of IS NULL AND i.purged_at_ms IS NULL
         AND NOT EXISTS (SELECT 1 FROM job_instances ji JOIN jobs j ON j.job_id = ji.job_id
                         WHERE ji.instance_id = i.id AND j.state <> 'cancelled' AND j.kind <> 'reprint')
       ORDER BY i.id`,
    );
    this.orderStatement = db.prepare('SELECT order_json AS orderJson FROM jobs WHERE job_id = ?');
    this.maxNumberStatement = db.prepare(`SELECT max(CAST(substr(job_id, 2) AS INTEGER)) AS n FROM jobs WHERE job_id GLOB 'J[0-9]*'`);
    this.setImageStatement = db.prepare(
      'UPDATE jobs SET image_path = @imagePath, label_path = @labelPath, media = @media, updated_at_ms = @at WHERE job_id = @jobId',
    );
    this.assignRobotStatement = db.prepare('UPDATE jobs SET robot = @robot, updated_at_ms = @at WHERE job_id = @jobId');
    this.insertDisc = db.prepare(
      `INSERT INTO discs (disc_id, job_id, copy, attempt, outcome, cause, location, robot, verified_md5, image_file, at_ms)
       VALUES (@discId, @jobId, @copy, @attempt, @outcome, @cause, @location, @robot, @verifiedMd5, @imageFile, @at)`,
    );
    this.getDisc = db.prepare(`${DISC_SELECT} WHERE disc_id = ?`);
    this.deliveredOfCopy = db.prepare('SELECT disc_id AS discId FROM discs WHERE job_id = ? AND copy = ? AND outcome = \'delivered\'');
    this.countDelivered = db.prepare('UPDATE jobs SET copies_done = (SELECT count(*) FROM discs WHERE job_id = @jobId AND outcome = \'delivered\'), updated_at_ms = @at WHERE job_id = @jobId');
    this.discsStatement = db.prepare(`${DISC_SELECT} WHERE job_id = ? ORDER BY copy, attempt, at_ms`);
    this.deliveredCarrying = db.prepare(
      `${DISC_SELECT} WHERE outcome = 'delivered' AND job_id IN (SELECT job_id FROM job_instances WHERE instance_id = ?) ORDER BY at_ms, disc_id`,
    );

    this.createTransaction = db.transaction((job: NewJob, at: number) => {
      this.insertJob.run({
        jobId: job.jobId, studyInstanceUid: job.studyInstanceUid, robot: job.robot, copies: job.copies,
        state: job.state ?? 'queued', media: job.media ?? null, kind: job.kind ?? 'study', orderJson: job.order === undefined ? null : JSON.stringify(job.order), at,
      });
      for (const instanceId of new Set(job.instanceIds)) {
        this.insertJobInstance.run(job.jobId, instanceId);
        this.markInstanceOnJob.run(job.jobId, instanceId);
      }
    });
    this.recordTransaction = db.transaction((disc: DiscOutcomeRecord, at: number): boolean => {
      const existing = this.getDisc.get(disc.discId) as StoredDisc | undefined;
      if (existing) return this.repeated(existing, disc);
      const delivered = this.deliveredOfCopy.get(disc.jobId, disc.copy) as { discId: string } | undefined;
      if (delivered) {
        throw new DiscRefusedError(
          `disc ${disc.discId} refused: copy ${disc.copy} of job ${disc.jobId} was already delivered verified on disc ${delivered.discId}; a finished disc is never made again`,
          disc,
        );
      }
      this.insertDisc.run({
        discId: disc.discId, jobId: disc.jobId, copy: disc.copy, attempt: disc.attempt, outcome: disc.outcome,
        cause: disc.cause ?? null, location: disc.location ?? null, robot: disc.robot ?? null, verifiedMd5: disc.verifiedMd5 ?? null, imageFile: disc.imageFile ?? null, at,
      });
      if (disc.outcome === 'delivered') this.countDelivered.run({ jobId: disc.jobId, at });
      return true;
    });
  }

  /** The job, its instance list and the instances' "on a disc job" mark, all or nothing. */
  create(job: NewJob): void {
    this.createTransaction(job, this.now());
  }

  get(jobId: string): StoredJob | undefined {
    return this.getStatement.get(jobId) as StoredJob | undefined;
  }

  /** Every job, oldest first. */
  list(): StoredJob[] {
    return this.listStatement.all() as StoredJob[];
  }

  inState(state: string): StoredJob[] {
    return this.inStateStatement.all(state) as StoredJob[];
  }

  ofStudy(studyInstanceUid: string): StoredJob[] {
    return this.ofStudyStatement.all(studyInstanceUid) as StoredJob[];
  }

  /** The publisher's order of the job, or undefined for a job made without one. */
  order(jobId: string): unknown {
    const row = this.orderStatement.get(jobId) as { orderJson: string | null } | undefined;
    return row?.orderJson ? (JSON.parse(row.orderJson) as unknown) : undefined;
  }

  /** Row ids of the instances the job's discs carry. */
  instanceIds(jobId: string): number[] {
    return (this.instanceIdsStatement.all(jobId) as { id: number }[]).map((row) => row.id);
  }

  /** The job actor's state; a finished job (done, cancelled) gets its finishing time, any other loses it. */
  setState(jobId: string, state: string, options: { finished: boolean; reason?: string | null }): void {
    const at = this.now();
    this.expectOne(this.setStateStatement.run({ jobId, state, reason: options.reason ?? null, finishedAtMs: options.finished ? at : null, at }).changes, jobId);
  }

  /** Row ids of the study's instances a new disc would carry: current objects on no job still standing. */
  claimableInstanceIds(studyInstanceUid: string): number[] {
    return (this.claimableStatement.all(studyInstanceUid) as { id: number }[]).map((row) => row.id);
  }

  /** The highest n of the job ids Jnnnnnn given out so far (0 when none). */
  highestJobNumber(): number {
    return (this.maxNumberStatement.get() as { n: number | null }).n ?? 0;
  }

  setImage(jobId: string, image: JobImage): void {
    this.expectOne(this.setImageStatement.run({ jobId, ...image, at: this.now() }).changes, jobId);
  }

  /** The robot that makes the job's discs (a job moves when its robot fails). */
  assignRobot(jobId: string, robot: string | null): void {
    this.expectOne(this.assignRobotStatement.run({ jobId, robot, at: this.now() }).changes, jobId);
  }

  /**
   * Records what became of one disc and, for a delivered one, counts the job's copies done, in one
   * transaction. Returns false when exactly this disc was recorded before (a replay after a restart);
   * throws DiscRefusedError for a disc for a copy already delivered, or a disc id recorded otherwise.
   */
  recordDisc(disc: DiscOutcomeRecord): boolean {
    return this.recordTransaction(disc, this.now());
  }

  /** Every disc of the job, by copy and attempt. */
  discs(jobId: string): StoredDisc[] {
    return this.discsStatement.all(jobId) as StoredDisc[];
  }

  /** The delivered discs that carry the instance: which disc carried which instances. */
  deliveredDiscsCarrying(instanceId: number): StoredDisc[] {
    return this.deliveredCarrying.all(instanceId) as StoredDisc[];
  }

  private repeated(existing: StoredDisc, disc: DiscOutcomeRecord): false {
    const same = existing.jobId === disc.jobId && existing.copy === disc.copy && existing.attempt === disc.attempt && existing.outcome === disc.outcome;
    if (!same) {
      throw new DiscRefusedError(
        `disc ${disc.discId} refused: it was recorded before as copy ${existing.copy} attempt ${existing.attempt} of job ${existing.jobId}, ${existing.outcome}; now as copy ${disc.copy} attempt ${disc.attempt} of job ${disc.jobId}, ${disc.outcome}`,
        disc,
      );
    }
    return false;
  }

  private expectOne(changes: number, jobId: string): void {
    if (changes !== 1) throw new Error(`no disc job ${jobId} in the database`);
  }
}
