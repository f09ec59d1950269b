// The 'master' actor of the jobs the publisher makes from studies: it reads the instances the job's
// row carries (adapters/db/jobs.ts job_instances) from the store and masters one disc image with
// its label into <data>/jobs/<jobId>/. Idempotent, as the restore policy requires: an image already
// recorded for the job and still on disk is taken as it is; otherwise master() builds everything in
// a work folder and renames it into place only when complete.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fromPromise } from 'xstate';
import type { Db } from '../../adapters/db/database.ts';
import type { JobRepository } from '../../adapters/db/jobs.ts';
import { masterInstances } from '../../adapters/media/master.ts';
import type { MasteredImage, MasterInput } from '../../machines/disc-job.machine.ts';
import type { RouteLabel } from '../../machines/publisher/types.ts';
import { instanceFromStoreRow, type StoreRow } from '../media/instance-source.ts';
import { isMediaKind, type MediaChoice, type MediaKind } from '../media/media-choice.ts';

export interface StudyMasterOptions {
  db: Db;
  jobs: JobRepository;
  dataDir: string;
  capacities?: Partial<Record<MediaKind, number>>;
  /** The institution printed on the label and README (default: the instances' Institution Name). */
  institution?: string;
}

/** What the publisher hands the master actor for a job (machines/publisher.machine.ts orderFor). */
export interface StudyJobSource {
  studyUid: string | null;
  jobId: string;
  media: MediaChoice;
  /** The route's label template; null or absent (orders made before routes had one): the default label. */
  label?: RouteLabel | null;
}

/** A job that cannot be mastered as it stands; the message says what a person can do. */
export class StudyMasterError extends Error {
  override name = 'StudyMasterError';
}

interface InstanceRow extends StoreRow {
  purgedAtMs: number | null;
}

export function studyMasterLogic(options: StudyMasterOptions) {
  const rowsOf = options.db.prepare(
    `SELECT i.path, i.bytes, i.sop_class_uid AS sopClassUid, i.sop_instance_uid AS sopInstanceUid, i.header_json AS headerJson,
       i.purged_at_ms AS purgedAtMs
     FROM job_instances ji JOIN instances i ON i.id = ji.instance_id WHERE ji.job_id = ? ORDER BY i.id`,
  );
  return fromPromise<MasteredImage, MasterInput>(async ({ input }) => {
    const source = input.source as unknown as StudyJobSource;
    const done = alreadyMastered(options.jobs, input.jobId);
    if (done) return done;

    await jobRowRecorded(options.jobs, input.jobId);
    const rows = rowsOf.all(input.jobId) as InstanceRow[];
    if (rows.length === 0) throw new StudyMasterError(`job ${input.jobId} carries no instances`);
    const purged = rows.filter((row) => row.purgedAtMs !== null).length;
    if (purged > 0) throw new StudyMasterError(`${purged} of the job's ${rows.length} instances were purged by retention: the disc cannot be made again`);

    const media = source.media && source.media !== 'auto' && isMediaKind(source.media) ? source.media : 'auto';
    const summary = await masterInstances(rows.map(instanceFromStoreRow), {
      outDir: path.join(options.dataDir, 'jobs', input.jobId),
      media,
      capacities: options.capacities,
      institution: source.label?.institution ?? options.institution,
      labelLines: source.label?.lines,
    });
    if (summary.status === 'failed') throw new StudyMasterError(summary.error ?? 'mastering failed');
    if (summary.problems.length > 0) {
      throw new StudyMasterError(`${summary.problems.length} instance(s) cannot go on a disc: ${summary.problems.slice(0, 3).map((p) => p.problem).join('; ')}`);
    }
    const [disc, ...more] = summary.discs;
    if (!disc) throw new StudyMasterError('mastering made no disc');
    if (more.length > 0) {
      throw new StudyMasterError(`the study needs ${summary.discs.length} discs of ${disc.mediumName}; choose a larger medium for its route`);
    }
    options.jobs.setImage(input.jobId, { imagePath: disc.image, labelPath: disc.label, media: disc.media });
    return { imagePath: disc.image, imageBytes: disc.bytes, media: disc.media, labelPath: disc.label };
  });
}

/** How long mastering waits for its job's row (written later when the database was busy: deferred-writes.ts). */
const JOB_ROW_WAIT_MS = 10 * 60_000;
const JOB_ROW_POLL_MS = 250;

async function jobRowRecorded(jobs: JobRepository, jobId: string): Promise<void> {
  const deadline = Date.now() + JOB_ROW_WAIT_MS;
  while (!jobRowExists(jobs, jobId)) {
    if (Date.now() > deadline) throw new StudyMasterError(`job ${jobId} was never recorded in the database (busy or full for ${JOB_ROW_WAIT_MS / 60_000} minutes)`);
    await new Promise((resolve) => setTimeout(resolve, JOB_ROW_POLL_MS));
  }
}

function jobRowExists(jobs: JobRepository, jobId: string): boolean {
  try {
    return jobs.get(jobId) !== undefined;
  } catch {
    return false; // the database is busy itself: ask again
  }
}

function alreadyMastered(jobs: JobRepository, jobId: string): MasteredImage | undefined {
  const job = jobs.get(jobId);
  if (!job?.imagePath || !job.media || !isMediaKind(job.media) || !existsSync(job.imagePath)) return undefined;
  return { imagePath: job.imagePath, imageBytes: statSync(job.imagePath).size, media: job.media, labelPath: job.labelPath };
}
