// At start-up, the actors of the last run come back from the database: every study from its
// snapshot (a settling one keeps its deadline: its timer waits only for what is left), every
// unfinished job from its snapshot by the restore policy (src/persistence/restore-policy.ts), and
// every order that was still waiting for a robot. Robots are never restored: they start fresh and
// their start-up rules clear any disc left in a drive or the printer. Finished work stays finished.
import type { Logger } from 'pino';
import type { ActorRefFrom } from 'xstate';
import type { Db } from '../../adapters/db/database.ts';
import type { JobRepository } from '../../adapters/db/jobs.ts';
import type { SnapshotRepository } from '../../adapters/db/snapshots.ts';
import type { StudyRepository } from '../../adapters/db/studies.ts';
import { discJobMachine } from '../../machines/disc-job.machine.ts';
import { publisherMachine, robotNameOf, type JobOrder } from '../../machines/publisher.machine.ts';
import { robotMachine } from '../../machines/robot.machine.ts';
import { ptburnRobotMachine } from '../../machines/ptburn-robot.machine.ts';
import { studyMachine, type StudyHoldReason } from '../../machines/study.machine.ts';
import { decideDiscJobRestore } from '../persistence/restore-policy.ts';
import type { PublisherPersistence } from './persistence.ts';
import { STORED_INSTANCE_COLUMNS, storedAgain, type StoredInstanceFacts } from './stored-row-event.ts';

export interface RestoreOptions {
  publisher: ActorRefFrom<typeof publisherMachine>;
  db: Db;
  snapshots: SnapshotRepository;
  studies: StudyRepository<string, StudyHoldReason>;
  jobs: JobRepository;
  persistence: PublisherPersistence;
  logger: Logger;
}

export interface RestoreSummary {
  studies: number;
  /** Instances stored but seen by no study snapshot (a crash between the row and the snapshot): given to their study again. */
  refed: number;
  jobs: { resumed: number; interrupted: number; requeued: number; kept: number; waiting: number };
}

const FINISHED = new Set(['done', 'cancelled']);
/** The machines whose snapshots may be restored; a snapshot of another version is refused (SnapshotVersionError). */
const RUNNING = [studyMachine, discJobMachine, robotMachine, ptburnRobotMachine];

export function restoreActors(options: RestoreOptions): RestoreSummary {
  const { publisher, snapshots, studies, jobs, persistence, logger } = options;
  const summary: RestoreSummary = { studies: 0, refed: 0, jobs: { resumed: 0, interrupted: 0, requeued: 0, kept: 0, waiting: 0 } };
  const stored = new Map(snapshots.loadAll(RUNNING.map((m) => ({ id: m.id, version: m.version }))).map((s) => [s.systemId, s]));

  for (const study of studies.list()) {
    const snapshot = stored.get(`study:${study.studyInstanceUid}`);
    if (!snapshot) continue;
    persistence.know(snapshot.systemId, study.state);
    publisher.send({ type: 'study.restored', studyUid: study.studyInstanceUid, route: study.route ?? '', snapshot: snapshot.snapshot });
    summary.studies++;
  }

  summary.refed = refeedOrphans(options, new Set(studies.list().filter((s) => stored.has(`study:${s.studyInstanceUid}`)).map((s) => s.studyInstanceUid)));

  for (const job of jobs.list()) {
    if (FINISHED.has(job.state)) continue;
    const order = jobs.order(job.jobId) as JobOrder | undefined;
    if (!order) continue;
    const snapshot = stored.get(`job:${job.jobId}`);
    if (!snapshot) {
      publisher.send({ type: 'job.ordered', order });
      summary.jobs.waiting++;
      continue;
    }
    const persisted = snapshot.snapshot as { value: Parameters<typeof decideDiscJobRestore>[0]['value']; context: { robot: string } };
    const decision = decideDiscJobRestore(persisted);
    if (FINISHED.has(decision.state)) {
      // Finished after its row was last written: the row catches up, nothing runs again.
      jobs.setState(job.jobId, decision.state, { finished: true, reason: job.reason });
      continue;
    }
    const after = decision.action === 'keep' ? (decision.state === 'interrupted' ? 'requeue' : 'keep') : decision.action;
    persistence.know(snapshot.systemId, decision.state, jobs.discs(job.jobId).length);
    publisher.send({ type: 'job.restored', order, snapshot: snapshot.snapshot, robot: robotNameOf(persisted.context.robot), after });
    logger.info({ job: job.jobId, state: decision.state, after }, `restored disc job: ${decision.why}`);
    if (after === 'resume') summary.jobs.resumed++;
    else if (after === 'interrupt') summary.jobs.interrupted++;
    else if (after === 'requeue') summary.jobs.requeued++;
    else summary.jobs.kept++;
  }
  return summary;
}

/**
 * Stored instances of studies that have no snapshot (the process died after the instance's row was
 * written and before its study's snapshot was): each goes to the publisher again as if just stored,
 * so the study is made and publishes. Nothing acknowledged is left on no study.
 */
function refeedOrphans(options: RestoreOptions, restored: ReadonlySet<string>): number {
  const rows = options.db.prepare(
    `SELECT ${STORED_INSTANCE_COLUMNS} FROM instances WHERE duplicate_of IS NULL AND purged_at_ms IS NULL AND job_id IS NULL ORDER BY id`,
  ).all() as StoredInstanceFacts[];
  let refed = 0;
  for (const row of rows) {
    if (restored.has(row.studyInstanceUid)) continue;
    options.publisher.send(storedAgain(row, 'restart'));
    refed++;
  }
  if (refed > 0) options.logger.warn({ instances: refed }, 'stored instances no study had seen (a crash right after storing them): given to their studies again');
  return refed;
}
