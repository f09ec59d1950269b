// The job rows behind the publisher's orders: the row of a study's disc claims the study's
// instances that no job still standing carries; an order withdrawn before any robot took it is
// recorded cancelled (its instances go back); an operator's re-burn or reprint gets a row carrying
// the instances of the job it repeats. One audit entry for each.
import { auditSubject, type AuditActor, type AuditTrail } from '../../adapters/db/audit.ts';
import type { JobRepository } from '../../adapters/db/jobs.ts';
import type { JobOrder } from '../../machines/publisher.machine.ts';

/** The state of a job row whose order waits for a robot (no job actor yet). */
export const PENDING = 'pending';

export class JobRecords {
  constructor(private readonly jobs: JobRepository, private readonly audit: AuditTrail) {}

  /** A study's disc (first or follow-up): the row claims the instances. */
  recordStudyOrder(order: JobOrder): void {
    const instanceIds = order.studyUid === null ? [] : this.jobs.claimableInstanceIds(order.studyUid);
    this.jobs.create({ jobId: order.jobId, studyInstanceUid: order.studyUid, robot: null, copies: order.copies, instanceIds, state: PENDING, kind: order.kind, order });
    this.audit.append({
      actor: 'system', action: 'job.created', subject: auditSubject.job(order.jobId),
      details: { kind: order.kind, studyUid: order.studyUid, instances: instanceIds.length, copies: order.copies },
    });
  }

  /** An operator's re-burn or reprint of an earlier job: the same instances on new discs. */
  recordRepeat(order: JobOrder, of: string, by: AuditActor): void {
    const instanceIds = this.jobs.instanceIds(of);
    this.jobs.create({ jobId: order.jobId, studyInstanceUid: order.studyUid, robot: null, copies: order.copies, instanceIds, state: PENDING, kind: order.kind, order });
    this.audit.append({ actor: by, action: `job.${order.kind}`, subject: auditSubject.job(order.jobId), details: { of, copies: order.copies, instances: instanceIds.length } });
  }

  withdraw(jobId: string, reason: string): void {
    if (this.jobs.get(jobId)?.state !== PENDING) return;
    this.jobs.setState(jobId, 'cancelled', { finished: true, reason });
    this.audit.append({ actor: 'system', action: 'job.withdrawn', subject: auditSubject.job(jobId), details: { reason } });
  }

  /** The id the next job gets: after every J-numbered job in the database. */
  nextJobNumber(): number {
    return this.jobs.highestJobNumber() + 1;
  }
}
