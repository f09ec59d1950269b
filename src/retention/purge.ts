// The retention pass: removes the stored files of published studies older than the configured
// retention, once every instance is on a fully delivered disc and nothing else still needs them.
// Files first, rows after: a crash between the two leaves rows not marked purged whose files are
// gone, and the next pass finishes them (a missing file is fine). Patient data is never logged.
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { AuditTrail, auditSubject } from '../../adapters/db/audit.ts';
import type { Db } from '../../adapters/db/database.ts';
import { RetentionQueries, type JobFiles, type PurgeBlockers, type PurgeableInstance } from '../../adapters/db/retention.ts';

export { isPurged } from '../../adapters/db/retention.ts';

export const DAY_MS = 86_400_000;

export interface PurgeOptions {
  db: Db;
  dataDir: string;
  /** Days a published study keeps its files; null: never purge. */
  retainDays: number | null;
  /** Epoch ms; the cutoff and the purge time are taken from it once per pass. */
  now?: () => number;
  logger: Logger;
  /** Stops the pass between two studies (a study is never left half done by it). */
  signal?: AbortSignal;
}

export interface PurgeSummary {
  studies: number;
  instances: number;
  /** Bytes of the purged instances' files as recorded when they were stored. */
  bytes: number;
}

export async function purgeExpired(options: PurgeOptions): Promise<PurgeSummary> {
  const summary: PurgeSummary = { studies: 0, instances: 0, bytes: 0 };
  const { db, retainDays, logger } = options;
  if (retainDays === null) return summary;
  const now = (options.now ?? Date.now)();
  const queries = new RetentionQueries(db);
  const audit = new AuditTrail(db, { now: () => now });

  for (const study of queries.expiredStudies(now - retainDays * DAY_MS)) {
    if (options.signal?.aborted) break;
    const uid = study.studyInstanceUid;
    try {
      const purged = purgeStudy(queries, audit, options.dataDir, uid, retainDays, now, logger);
      if (purged) {
        summary.studies += 1;
        summary.instances += purged.instances;
        summary.bytes += purged.bytes;
      }
    } catch (err) {
      // One study's trouble (a file that cannot be removed) must not keep the others.
      logger.error({ err, studyInstanceUid: uid }, 'retention could not purge the study; it is tried again on the next pass');
    }
    // Let the rest of the publisher run between studies.
    await yieldToEventLoop();
  }
  return summary;
}

/**
 * Purges one study, synchronously from the check to the commit: nothing else in this process (a
 * re-burn asked for through the API) can start between "nothing needs these files" and their removal.
 */
function purgeStudy(
  queries: RetentionQueries, audit: AuditTrail, dataDir: string, uid: string, retainDays: number, now: number, logger: Logger,
): { instances: number; bytes: number } | undefined {
  const blockers = queries.blockers(uid);
  const why = blockerReason(blockers);
  if (why) {
    logger.info({ studyInstanceUid: uid, ...blockers }, `retention keeps the study's files: ${why}`);
    return undefined;
  }
  const instances = queries.unpurgedInstances(uid);
  removeInstanceFiles(instances, path.join(dataDir, 'store'));
  removeJobFiles(queries.jobFiles(uid), path.join(dataDir, 'jobs'));

  const bytes = instances.reduce((sum, instance) => sum + instance.bytes, 0);
  queries.transaction(() => {
    queries.markPurged(instances.map((instance) => instance.id), now);
    audit.append({ actor: 'system', action: 'study.purged', subject: auditSubject.study(uid), details: { instances: instances.length, bytes, retainDays } });
  });
  logger.info({ studyInstanceUid: uid, instances: instances.length, bytes }, 'retention purged the stored files of the study');
  return { instances: instances.length, bytes };
}

function blockerReason(blockers: PurgeBlockers): string | undefined {
  if (blockers.unfinishedJobs > 0) return 'a job of it is not finished';
  if (blockers.keptApart > 0) return 'it has kept-apart duplicates a person must decide about';
  if (blockers.undelivered > 0) return 'some instances are on no fully delivered disc';
  return undefined;
}

function removeInstanceFiles(instances: readonly PurgeableInstance[], storeDir: string): void {
  const seriesDirs = new Set<string>();
  for (const instance of instances) {
    unlinkIfPresent(instance.path);
    seriesDirs.add(path.dirname(instance.path));
  }
  const studyDirs = new Set<string>();
  for (const dir of seriesDirs) {
    removeDirIfEmpty(dir, storeDir);
    studyDirs.add(path.dirname(dir));
  }
  for (const dir of studyDirs) removeDirIfEmpty(dir, storeDir);
}

/** The mastered image and label of each job, and the job's own folder <data>/jobs/<jobId>/. */
function removeJobFiles(jobs: readonly JobFiles[], jobsDir: string): void {
  for (const job of jobs) {
    if (job.imagePath) unlinkIfPresent(job.imagePath);
    if (job.labelPath) unlinkIfPresent(job.labelPath);
    const jobDir = path.join(jobsDir, job.jobId);
    // A job id that is not one plain folder name must never make us remove something else.
    if (isStrictlyInside(jobDir, jobsDir) && path.dirname(jobDir) === jobsDir) fs.rmSync(jobDir, { recursive: true, force: true });
  }
}

function unlinkIfPresent(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    // Already gone: removed by an earlier pass that stopped before recording it.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Removes an empty folder of the store; a folder that is not empty (a late arrival) or gone stays as it is. */
function removeDirIfEmpty(dir: string, storeDir: string): void {
  if (!isStrictlyInside(dir, storeDir)) return;
  try {
    fs.rmdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
}

function isStrictlyInside(child: string, parent: string): boolean {
  const relative = path.relative(path.resolve(parent), path.resolve(child));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
