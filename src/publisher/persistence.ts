// Keeps the database in step with the actor system. It watches every snapshot (XState inspection)
// of the durable actors and, synchronously, before the next event is processed:
// - saves the actor's persisted snapshot in its versioned envelope (studies and jobs on every
//   change, robots when their state changes: robots are never restored, their snapshot is a record);
// - writes the study's row (state, route, hold reasons, the quiet period's end, publication time)
//   and the job's row (state, reason) and one discs row per disc the job's history gained, with
//   where a simulated robot put a delivered disc's image;
// - appends the audit trail: who sent which study (one entry per study and association, when the
//   association ends), studies held and published, discs delivered and rejected, jobs ended.
// Associations are not persisted: a connection cannot survive a restart.
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { Logger } from 'pino';
import { auditSubject, type AuditActor, type AuditTrail } from '../../adapters/db/audit.ts';
import type { AssociationContext } from '../../machines/association.machine.ts';
import type { InstanceStoredEvent } from './stored-row-event.ts';
import { DiscRefusedError, type JobRepository } from '../../adapters/db/jobs.ts';
import type { SnapshotRepository } from '../../adapters/db/snapshots.ts';
import type { StudyRepository } from '../../adapters/db/studies.ts';
import { DISC_JOB_MACHINE_VERSION, type DiscJobContext } from '../../machines/disc-job.machine.ts';
import { robotNameOf } from '../../machines/publisher.machine.ts';
import { ROBOT_MACHINE_VERSION } from '../../machines/robot.machine.ts';
import { STUDY_MACHINE_VERSION, type StudyContext, type StudyHoldReason } from '../../machines/study.machine.ts';
import { statePathOf } from '../persistence/restore-policy.ts';

export interface PersistenceOptions {
  /** Runs fn in one SQLite transaction: an actor's snapshot and its rows are written together or not at all. */
  transaction: <T>(fn: () => T) => T;
  snapshots: SnapshotRepository;
  studies: StudyRepository<string, StudyHoldReason>;
  jobs: JobRepository;
  audit: AuditTrail;
  logger: Logger;
  /** The route name of a study (the publisher's studyRoutes). */
  routeOf: (studyUid: string) => string | null;
  /** Where a simulated robot put the disc it just delivered, or null (real robots). */
  deliveredImageFile?: (robot: string) => string | null;
}

interface Watched {
  state: string;
  /** Job history entries already written as discs rows. */
  discs: number;
}



type ActorSnapshot = { status: string; value: Parameters<typeof statePathOf>[0]; context: unknown };

const FINISHED_JOB = new Set(['done', 'cancelled']);

export class PublisherPersistence {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly options: PersistenceOptions) {}

  /** Starts from what the database holds (after a restart): no disc is written twice, no audit entry repeated. */
  know(systemId: string, state: string, discsRecorded = 0): void {
    this.watched.set(systemId, { state, discs: discsRecorded });
  }

  /** Per association: how many instances of each study it stored, for the audit trail when it ends. */
  private readonly received = new Map<string, Map<string, number>>();

  readonly inspect = (event: InspectionEvent): void => {
    if (event.type === '@xstate.event' && event.event.type === 'instance.stored') this.countReceived(event.event as InstanceStoredEvent);
    if (event.type !== '@xstate.snapshot') return;
    const actor = event.actorRef as AnyActorRef;
    const id = actor.id;
    const snapshot = event.snapshot as unknown as ActorSnapshot;
    if (id.startsWith('association:') && snapshot.status === 'done') {
      this.auditReceived(snapshot.context as AssociationContext);
      return;
    }
    if (snapshot.status === 'error') return;
    try {
      this.options.transaction(() => {
        if (id.startsWith('study:')) this.study(actor, snapshot);
        else if (id.startsWith('job:')) this.job(actor, snapshot);
        else if (id.startsWith('robot:')) this.robot(actor, snapshot);
      });
    } catch (err) {
      // The actor system goes on; the next snapshot writes the whole record again.
      this.options.logger.error({ err, actor: id }, 'could not persist the actor');
    }
  };

  private countReceived(event: InstanceStoredEvent): void {
    // Instances given again at start-up or moved by a split are not receptions.
    if (!event.studyInstanceUid || event.associationId === 'restart' || event.associationId === 'split') return;
    const studies = this.received.get(event.associationId) ?? new Map<string, number>();
    studies.set(event.studyInstanceUid, (studies.get(event.studyInstanceUid) ?? 0) + 1);
    this.received.set(event.associationId, studies);
  }

  /** Who sent what: one entry per study an association brought, under the sender's calling AE title. */
  private auditReceived(context: AssociationContext): void {
    const studies = this.received.get(context.id);
    this.received.delete(context.id);
    if (!studies || !context.request) return;
    const actor: AuditActor = `modality:${context.request.callingAeTitle || 'unknown'}`;
    for (const [studyUid, instances] of studies) {
      this.options.audit.append({
        actor, action: 'instances.received', subject: auditSubject.study(studyUid),
        details: { instances, association: context.id, peer: context.peer.address, calledAeTitle: context.request.calledAeTitle },
      });
    }
  }

  private study(actor: AnyActorRef, snapshot: ActorSnapshot): void {
    const context = snapshot.context as StudyContext;
    const state = statePathOf(snapshot.value);
    const before = this.watched.get(actor.id);
    this.options.snapshots.saveSnapshot({ systemId: actor.id, machineId: 'study', machineVersion: STUDY_MACHINE_VERSION, snapshot: actor.getPersistedSnapshot() });
    this.options.studies.upsert({
      studyInstanceUid: context.studyUid,
      state,
      route: this.options.routeOf(context.studyUid),
      holdReasons: context.holdReasons,
      quietDeadlineMs: state === 'settling' ? context.deadline : null,
    });
    if (before?.state === state) return;
    this.watched.set(actor.id, { state, discs: 0 });
    const subject = auditSubject.study(context.studyUid);
    if (state === 'published') {
      this.options.studies.markPublished(context.studyUid);
      this.options.audit.append({ actor: 'system', action: 'study.published', subject, details: { onDisc: context.onDisc } });
    } else if (state === 'held') {
      this.options.audit.append({ actor: 'system', action: 'study.held', subject, details: { reasons: context.holdReasons.map((r) => r.code) } });
    }
  }

  private job(actor: AnyActorRef, snapshot: ActorSnapshot): void {
    const context = snapshot.context as DiscJobContext;
    const state = statePathOf(snapshot.value);
    const before = this.watched.get(actor.id) ?? { state: '', discs: 0 };
    this.options.snapshots.saveSnapshot({ systemId: actor.id, machineId: 'discJob', machineVersion: DISC_JOB_MACHINE_VERSION, snapshot: actor.getPersistedSnapshot() });
    const robot = robotNameOf(context.robot);
    for (const disc of context.history.slice(before.discs)) {
      const imageFile = disc.outcome === 'delivered' && disc.location ? this.options.deliveredImageFile?.(robot) ?? null : null;
      try {
        this.options.jobs.recordDisc({
          discId: disc.discId, jobId: context.jobId, copy: disc.copy, attempt: disc.attempt, outcome: disc.outcome,
          cause: disc.cause ?? null, location: disc.location ?? null, robot, imageFile,
        });
      } catch (err) {
        // The database refuses a second delivered disc for one copy: an invariant breach, never silent.
        if (err instanceof DiscRefusedError) this.options.logger.error({ err, job: context.jobId, disc: disc.discId }, 'disc refused by the database');
        else throw err;
      }
      const action = disc.outcome === 'delivered' ? 'disc.delivered' : `disc.${disc.outcome}`;
      this.options.audit.append({
        actor: 'system', action, subject: auditSubject.disc(disc.discId),
        details: { jobId: context.jobId, copy: disc.copy, attempt: disc.attempt, robot, location: disc.location ?? null, cause: disc.cause ?? null, imageFile },
      });
    }
    if (before.state !== state) {
      this.options.jobs.setState(context.jobId, state, { finished: FINISHED_JOB.has(state), reason: context.reason });
      if (context.robot && state !== 'queued') this.options.jobs.assignRobot(context.jobId, robot);
      if (FINISHED_JOB.has(state) || state === 'failed') {
        this.options.audit.append({ actor: 'system', action: `job.${state}`, subject: auditSubject.job(context.jobId), details: { copiesDone: context.copiesDone, reason: context.reason } });
      }
    }
    this.watched.set(actor.id, { state, discs: context.history.length });
  }

  private robot(actor: AnyActorRef, snapshot: ActorSnapshot): void {
    const state = statePathOf(snapshot.value);
    if (this.watched.get(actor.id)?.state === state) return;
    this.watched.set(actor.id, { state, discs: 0 });
    this.options.snapshots.saveSnapshot({ systemId: actor.id, machineId: 'robot', machineVersion: ROBOT_MACHINE_VERSION, snapshot: actor.getPersistedSnapshot() });
  }
}
