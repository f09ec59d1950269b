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
// A write that fails (the database locked by another process past its busy timeout, a full disk)
// never stops the actor system: it is logged, and retried from a timer with the actor's latest
// snapshot until it lands, so a job's last state is not lost when no further snapshot comes.
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
import { PTBURN_ROBOT_MACHINE_VERSION } from '../../machines/ptburn-robot.machine.ts';
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
/** Pause before writes that failed are tried again. */
const RETRY_UNSAVED_MS = 500;

export class PublisherPersistence {
  private readonly watched = new Map<string, Watched>();

  /**
   * Writes that failed, oldest first, to be tried again: per actor the write of its latest snapshot
   * (one entry however many snapshots failed), and audit entries of ended associations.
   */
  private readonly unsaved = new Map<string, () => void>();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PersistenceOptions) {}

  /** How many writes wait to be retried (the API and tests can tell the database is behind). */
  get unsavedCount(): number {
    return this.unsaved.size;
  }

  /** Stops retrying (at shutdown). Writes still unsaved are redone from the snapshots at the next start. */
  stop(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

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
      const write = this.auditReceived(snapshot.context as AssociationContext);
      if (write) this.attempt(`audit:${id}`, write);
      return;
    }
    if (snapshot.status === 'error') return;
    if (!id.startsWith('study:') && !id.startsWith('job:') && !id.startsWith('robot:')) return;
    // A retry writes the snapshot the actor has then, not the one that failed.
    this.attempt(id, () => this.persist(actor, snapshot), () => this.persist(actor, actor.getSnapshot() as unknown as ActorSnapshot));
  };

  /** Writes an actor's snapshot and rows in one transaction; on failure what it knew is as before. */
  private persist(actor: AnyActorRef, snapshot: ActorSnapshot): void {
    const id = actor.id;
    const before = this.watched.get(id);
    try {
      this.options.transaction(() => {
        if (id.startsWith('study:')) this.study(actor, snapshot);
        else if (id.startsWith('job:')) this.job(actor, snapshot);
        else this.robot(actor, snapshot);
      });
    } catch (err) {
      // The transaction was rolled back: forget what it noted as written, so the retry writes it all.
      if (before) this.watched.set(id, before);
      else this.watched.delete(id);
      throw err;
    }
  }

  /**
   * Runs a write now; if it fails, keeps its retry (the latest per key) for the timer. A newer write
   * for the same key that lands makes the waiting one needless.
   */
  private attempt(key: string, write: () => void, retry: () => void = write): void {
    const waiting = this.unsaved.has(key);
    try {
      write();
      if (waiting) {
        this.unsaved.delete(key);
        this.options.logger.info({ key }, 'persisted after an earlier failure');
      }
    } catch (err) {
      if (!waiting) this.options.logger.error({ err, key }, 'could not persist; will retry');
      this.unsaved.set(key, retry);
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      // In order; the first that fails again waits for the next round with all after it.
      for (const [key, write] of [...this.unsaved]) {
        try {
          write();
          this.unsaved.delete(key);
          this.options.logger.info({ key }, 'persisted after an earlier failure');
        } catch {
          break;
        }
      }
      if (this.unsaved.size > 0) this.scheduleRetry();
    }, RETRY_UNSAVED_MS);
    // Pending retries must not keep a stopping process alive; a restart redoes them from snapshots.
    this.retryTimer.unref();
  }

  private countReceived(event: InstanceStoredEvent): void {
    // Instances given again at start-up or moved by a split are not receptions.
    if (!event.studyInstanceUid || event.associationId === 'restart' || event.associationId === 'split') return;
    const studies = this.received.get(event.associationId) ?? new Map<string, number>();
    studies.set(event.studyInstanceUid, (studies.get(event.studyInstanceUid) ?? 0) + 1);
    this.received.set(event.associationId, studies);
  }

  /** Who sent what: one entry per study an association brought, under the sender's calling AE title; the write, or nothing to write. */
  private auditReceived(context: AssociationContext): (() => void) | undefined {
    const studies = this.received.get(context.id);
    this.received.delete(context.id);
    const request = context.request;
    if (!studies || !request) return undefined;
    const actor: AuditActor = `modality:${request.callingAeTitle || 'unknown'}`;
    return () => this.options.transaction(() => {
      for (const [studyUid, instances] of studies) {
        this.options.audit.append({
          actor, action: 'instances.received', subject: auditSubject.study(studyUid),
          details: { instances, association: context.id, peer: context.peer.address, calledAeTitle: request.calledAeTitle },
        });
      }
    });
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
    // Two kinds of robot share the robot:<name> ids (DPRP and PTBurn): each record names its own machine.
    const machineId = (snapshot as { machine?: { id?: string } }).machine?.id ?? 'robot';
    const machineVersion = machineId === 'ptburnRobot' ? PTBURN_ROBOT_MACHINE_VERSION : ROBOT_MACHINE_VERSION;
    this.options.snapshots.saveSnapshot({ systemId: actor.id, machineId, machineVersion, snapshot: actor.getPersistedSnapshot() });
  }
}
