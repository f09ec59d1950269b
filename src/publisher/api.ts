// The publisher's API (src/api/publisher-api.ts) over the running actor system and the database:
// views join the rows with the live actors' state; every action checks that it makes sense now
// (409 with the reason when not), lands in the audit trail under the operator's name, and goes to
// the actors as an operator event. The HTTP adapter (adapters/http/) only translates.
import { existsSync, statSync } from 'node:fs';
import type { ActorRefFrom, AnyActorRef } from 'xstate';
import { auditSubject, type AuditActor, type AuditTrail } from '../../adapters/db/audit.ts';
import type { Db } from '../../adapters/db/database.ts';
import { isPurged } from '../../adapters/db/retention.ts';
import type { JobRepository, StoredJob } from '../../adapters/db/jobs.ts';
import type { StudyRepository } from '../../adapters/db/studies.ts';
import type { DiscJobContext } from '../../machines/disc-job.machine.ts';
import { jobIdOf, type JobOrder, type publisherMachine } from '../../machines/publisher.machine.ts';
import type { RobotContext } from '../../machines/robot.machine.ts';
import { isInkLow } from '../../machines/robot/guards.ts';
import type { MediaKind } from '../../machines/robot-port.ts';
import type { StudyContext, StudyHoldReason } from '../../machines/study.machine.ts';
import { prepareFault } from '../../simulator/fault-triggers.ts';
import { listFaults } from '../../simulator/faults.ts';
import { SimulatorRefused, type SimulatorHandle } from '../../simulator/server.ts';
import type {
  ActionResult, AuditView, JobDetailView, JobSummaryView, Operator, PublisherApi, RobotView, SimulatorAction, StudyDetailView, StudySplitRequest, StudySummaryView,
} from '../api/publisher-api.ts';
import { createAssociationViews } from './association-view.ts';
import { statePathOf } from '../persistence/restore-policy.ts';
import { checkStudy, summariseSafety } from '../study/patient-safety.ts';
import type { JobRecords } from './job-records.ts';
import { robotDetail } from './robot-view.ts';
import { ptburnRobotDetail } from './ptburn-robot-view.ts';
import type { PtburnRobotContext } from '../../machines/ptburn-robot.machine.ts';
import type { StudyJobSource } from './study-master.ts';
import type { ServedRobot } from './robots.ts';
import { STORED_INSTANCE_COLUMNS, storedAgain, type StoredInstanceFacts } from './stored-row-event.ts';
import type { PublisherViews, StudyKeys } from './views.ts';

export interface PublisherApiOptions {
  publisher: ActorRefFrom<typeof publisherMachine>;
  db: Db;
  studies: StudyRepository<string, StudyHoldReason>;
  jobs: JobRepository;
  audit: AuditTrail;
  views: PublisherViews;
  records: JobRecords;
  robots: readonly ServedRobot[];
}

type Snapshot<C> = { value: Parameters<typeof statePathOf>[0]; context: C; status: string };

/** Hold reasons a release cannot accept: the disc would carry two patients, or one without Patient ID. */
const UNRELEASABLE = new Set(['study-under-two-patients', 'no-patient-id']);

const ok = (jobId?: string): ActionResult => (jobId ? { ok: true, jobId } : { ok: true });
const refuse = (status: 404 | 409 | 422, error: string): ActionResult => ({ ok: false, status, error });
const operator = (by: Operator): AuditActor => `operator:${by.name}`;

function matchesState(state: string, wanted: string | undefined): boolean {
  return wanted === undefined || state === wanted || state.startsWith(`${wanted}.`);
}

/** The action's field a DPRP argument of its SIM_ verb stands for (SIM_POWER takes state=on|off). */
const fieldOfArg: Record<string, string> = { state: 'on' };

/** The simulator verb behind each action; each throws SimulatorRefused when the simulator says no. */
function performOn(sim: SimulatorHandle, action: SimulatorAction): void {
  switch (action.kind) {
    case 'fault':
      return sim.inject({ code: action.code, ...(action.trigger === undefined ? {} : { trigger: action.trigger }) });
    case 'fillBin':
      return sim.operator.fillBin(action.bin, action.count);
    case 'cover':
      return sim.operator.cover(action.open);
    case 'cartridge':
      return sim.operator.cartridge(action.slot, action.type);
    case 'ink':
      return sim.operator.ink(action.slot, action.pct);
    case 'power':
      return sim.operator.power(action.on);
  }
}

/**
 * Runs the action on the simulator; answers null, or why the simulator refused it, beginning with
 * the action's field (the simulator names the DPRP argument it refused, or only a code).
 */
function runOnSimulator(sim: SimulatorHandle, action: SimulatorAction): string | null {
  try {
    performOn(sim, action);
    return null;
  } catch (err) {
    if (!(err instanceof SimulatorRefused)) throw err;
    const { code, arg } = err.answer;
    if (action.kind === 'fault') {
      // The simulator's reply carries no words: the catalogue's check says what is wrong.
      const checked = prepareFault({ code: action.code, trigger: action.trigger });
      if (!checked.ok) return `${checked.arg}: ${checked.detail}`;
      if (arg === undefined) return `code: the fault ${action.code} does not apply to the ${sim.model.id} (simulator code ${code})`;
    }
    const field = arg === undefined ? 'kind' : (fieldOfArg[arg] ?? arg);
    const value = (action as Record<string, unknown>)[field];
    return `${field}: the simulated ${sim.model.id} refused ${value === undefined ? 'the action' : JSON.stringify(value)} (simulator code ${code})`;
  }
}

export function createPublisherApi(options: PublisherApiOptions): PublisherApi {
  const { publisher, db, studies, jobs, audit, views, records } = options;
  const system = publisher.system;
  const live = <C>(systemId: string): Snapshot<C> | undefined => (system.get(systemId) as AnyActorRef | undefined)?.getSnapshot() as Snapshot<C> | undefined;
  const studyState = (uid: string) => {
    const snapshot = live<StudyContext>(`study:${uid}`);
    return snapshot ? { state: statePathOf(snapshot.value), context: snapshot.context } : undefined;
  };
  const moveInstances = db.prepare('UPDATE instances SET study_instance_uid = @to WHERE study_instance_uid = @from AND sop_instance_uid = @sop');
  const splitCount = db.prepare("SELECT count(DISTINCT study_instance_uid) AS n FROM instances WHERE study_instance_uid GLOB ?");
  const rowsOfStudy = db.prepare(`SELECT ${STORED_INSTANCE_COLUMNS} FROM instances WHERE study_instance_uid = ? AND duplicate_of IS NULL ORDER BY id`);
  const associations = createAssociationViews();
  // Every change of the publisher (an association spawned is one) notes new associations, so their
  // start time is when they began, not when someone first asked. No error listener: a publisher
  // failure stays reported as unhandled, as it was without this observer.
  associations.notice(publisher.getSnapshot().children);
  publisher.subscribe((snapshot) => associations.notice(snapshot.children));

  /** keys: from a listing (one query for all); absent: this study's alone. */
  function studySummary(uid: string, keys?: ReadonlyMap<string, StudyKeys>): StudySummaryView | undefined {
    const row = studies.get(uid);
    const key = keys ? keys.get(uid) : views.keysOf(uid);
    if (!row && !key) return undefined;
    const current = studyState(uid);
    return {
      studyInstanceUid: uid,
      state: current?.state ?? row?.state ?? 'collecting',
      patientId: key?.patientId ?? null,
      patientName: key?.patientName ?? null,
      accessionNumber: key?.accessionNumber ?? null,
      studyDate: key?.studyDate ?? null,
      studyDescription: key?.studyDescription ?? null,
      instances: key?.instances ?? 0,
      unpublished: current?.context.unpublished ?? 0,
      lateArrivals: current?.context.lateArrivals ?? 0,
      quietDeadlineMs: row?.quietDeadlineMs ?? null,
      holdReasons: current?.context.holdReasons ?? [...(row?.holdReasons ?? [])],
      route: row?.route ?? null,
      purged: key?.purged ?? false,
      createdAtMs: row?.createdAtMs ?? 0,
      updatedAtMs: row?.updatedAtMs ?? 0,
    };
  }

  function jobSummary(job: StoredJob): JobSummaryView {
    const snapshot = live<DiscJobContext>(`job:${job.jobId}`);
    const context = snapshot?.context;
    const pause = context?.pause;
    return {
      jobId: job.jobId,
      kind: job.kind,
      studyInstanceUid: job.studyInstanceUid,
      state: snapshot ? statePathOf(snapshot.value) : job.state,
      robot: job.robot,
      copies: job.copies,
      copiesDone: context?.copiesDone ?? job.copiesDone,
      media: job.media,
      reason: context?.reason ?? job.reason,
      progress: context?.progress ?? null,
      pause: pause ? { code: pause.code, name: pause.name, kind: pause.kind, hint: pause.hint } : null,
      createdAtMs: job.createdAtMs,
      finishedAtMs: job.finishedAtMs,
    };
  }

  /** The latest operator's hold of a study, as the audit trail recorded it. */
  function operatorHoldOf(uid: string): StudyDetailView['operatorHold'] {
    const entry = audit.forSubject(auditSubject.study(uid)).filter((e) => e.action === 'study.heldByOperator').at(-1);
    if (!entry) return null;
    return { by: entry.actor.replace(/^operator:/, ''), why: String(entry.details['why'] ?? ''), atMs: entry.atMs };
  }

  /** A new order repeating an earlier job (re-burn, reprint), numbered after every job so far. */
  function repeat(of: StoredJob, kind: 'reburn' | 'reprint', copies: number, by: Operator): string {
    const previous = jobs.order(of.jobId) as JobOrder | undefined;
    const jobId = jobIdOf(Math.max(publisher.getSnapshot().context.nextJobNumber, records.nextJobNumber()));
    const media = (of.media ?? 'auto') as JobOrder['media'];
    // A reprint burns the image already mastered, with its label, on a new disc.
    const image = kind === 'reprint' && of.imagePath && of.media && of.media !== 'auto'
      ? { path: of.imagePath, bytes: statSync(of.imagePath).size, media: of.media as MediaKind, labelPath: of.labelPath }
      : undefined;
    const order: JobOrder = {
      jobId, kind, studyUid: of.studyInstanceUid, copies, print: previous?.print ?? true, robots: previous?.robots ?? [], media,
      // The same label template as the disc it repeats.
      source: { studyUid: of.studyInstanceUid, jobId, media, label: (previous?.source as StudyJobSource | undefined)?.label ?? null } as JobOrder['source'],
      resume: false, avoid: [],
      ...(image ? { image } : {}),
    };
    records.recordRepeat(order, of.jobId, operator(by));
    if (image) jobs.setImage(jobId, { imagePath: image.path, labelPath: image.labelPath, media: image.media });
    publisher.send({ type: 'job.ordered', order });
    return jobId;
  }

  return {
    listStudies({ state, q }) {
      const keys = views.studyKeys();
      const matching = q ? views.studiesMatching(q) : undefined;
      const uids = new Set([...studies.list().map((s) => s.studyInstanceUid), ...keys.keys()]);
      return [...uids]
        .filter((uid) => !matching || matching.has(uid))
        .map((uid) => studySummary(uid, keys)!)
        .filter((study) => matchesState(study.state, state))
        .sort((a, b) => b.createdAtMs - a.createdAtMs);
    },

    getStudy(uid) {
      const summary = studySummary(uid);
      if (!summary) return undefined;
      const report = checkStudy({ studyInstanceUid: uid, instances: views.facts(uid) });
      const detail: StudyDetailView = {
        ...summary,
        instanceList: views.instances(uid),
        holdValues: report.values as Record<string, unknown>,
        operatorHold: summary.holdReasons.some((reason) => reason.code === 'operator') ? operatorHoldOf(uid) : null,
        jobs: jobs.ofStudy(uid).map(jobSummary),
      };
      return detail;
    },

    listJobs({ state, q }) {
      const matching = q ? views.studiesMatching(q) : undefined;
      return jobs
        .list()
        .filter((job) => !matching || (job.studyInstanceUid !== null && matching.has(job.studyInstanceUid)) || job.jobId === q)
        .map(jobSummary)
        .filter((job) => matchesState(job.state, state))
        .reverse();
    },

    getJob(jobId) {
      const job = jobs.get(jobId);
      if (!job) return undefined;
      const detail: JobDetailView = {
        ...jobSummary(job),
        imagePath: job.imagePath,
        labelPath: job.labelPath,
        instanceIds: jobs.instanceIds(jobId),
        discs: jobs.discs(jobId).map((disc) => ({
          discId: disc.discId, copy: disc.copy, attempt: disc.attempt, outcome: disc.outcome, cause: disc.cause, location: disc.location,
          robot: disc.robot, atMs: disc.atMs, imageFile: disc.imageFile,
        })),
      };
      return detail;
    },

    listRobots() {
      return options.robots.map((robot): RobotView => {
        const snapshot = live<RobotContext>(`robot:${robot.name}`);
        const fault = snapshot?.context.fault;
        return {
          name: robot.name,
          state: snapshot ? statePathOf(snapshot.value) : 'offline',
          kind: robot.kind,
          model: robot.model,
          jobId: snapshot?.context.disc?.request.jobId ?? null,
          error: fault ? { code: fault.code, name: fault.name, kind: fault.kind, hint: fault.hint } : null,
          outputFolder: robot.outputFolder,
          // A PTBurn robot's actor keeps PTBurn's readings, not a DPRP unit's status.
          ...(robot.kind === 'ptburn'
            ? ptburnRobotDetail(snapshot?.context as unknown as PtburnRobotContext | undefined)
            : robotDetail(snapshot?.context, (disc) => {
              // The job keeps its current disc's progress; the robot only passes it on.
              const job = live<DiscJobContext>(`job:${disc.request.jobId}`)?.context;
              return job?.discId === disc.request.discId ? job.progress : null;
            })),
        };
      });
    },

    listAssociations() {
      return associations.list(publisher.getSnapshot().children);
    },

    audit({ subject, limit }) {
      const entries = subject ? audit.forSubject(subject) : audit.between({});
      return entries.slice(-(limit ?? 200)).reverse().map((entry): AuditView => ({ ...entry, details: { ...entry.details } }));
    },

    releaseStudyNow(uid, by) {
      const study = studyState(uid);
      if (!study) return refuse(404, `no study ${uid}`);
      if (study.state !== 'settling' && study.state !== 'collecting') return refuse(409, `the study is ${study.state}, not waiting for its quiet period`);
      audit.append({ actor: operator(by), action: 'study.releasedNow', subject: auditSubject.study(uid) });
      publisher.send({ type: 'operator.releaseStudyNow', studyUid: uid });
      return ok();
    },

    holdStudy(uid, by, why) {
      const study = studyState(uid);
      if (!study) return refuse(404, `no study ${uid}`);
      // The person's words go to the audit trail only: they may name the patient.
      audit.append({ actor: operator(by), action: 'study.heldByOperator', subject: auditSubject.study(uid), details: { why } });
      publisher.send({ type: 'operator.holdStudy', studyUid: uid });
      return ok();
    },

    releaseStudy(uid, by) {
      const study = studyState(uid);
      if (!study) return refuse(404, `no study ${uid}`);
      if (study.state === 'failed') {
        // Its disc job failed or was cancelled: start over. The hold withdraws any job the study still
        // has; the release asks for a new disc of every instance on no standing job.
        audit.append({ actor: operator(by), action: 'study.releasedAgain', subject: auditSubject.study(uid), details: { failure: study.context.failure } });
        publisher.send({ type: 'operator.holdStudy', studyUid: uid });
        publisher.send({ type: 'operator.releaseStudy', studyUid: uid });
        return ok();
      }
      if (study.state !== 'held') return refuse(409, `the study is ${study.state}, neither held nor failed`);
      // One disc, one named patient: these two are resolved by a split, never by accepting them.
      const blocking = study.context.holdReasons.filter((r) => UNRELEASABLE.has(r.code)).map((r) => r.code);
      if (blocking.length > 0) return refuse(409, `the study is held for ${blocking.join(' and ')}: a disc carries exactly one named patient; split the study instead`);
      audit.append({ actor: operator(by), action: 'study.released', subject: auditSubject.study(uid), details: { reasons: study.context.holdReasons.map((r) => r.code) } });
      publisher.send({ type: 'operator.releaseStudy', studyUid: uid });
      return ok();
    },

    splitStudy(uid, request: StudySplitRequest, by) {
      const study = studyState(uid);
      if (!study) return refuse(404, `no study ${uid}`);
      if (study.state !== 'held') return refuse(409, `the study is ${study.state}, not held: only a held study is split`);
      const rows = rowsOfStudy.all(uid) as StoredInstanceFacts[];
      const chosen = new Set(request.sopInstanceUids);
      const moving = rows.filter((row) => chosen.has(row.sopInstanceUid));
      if (moving.length !== chosen.size) return refuse(422, 'sopInstanceUids: every one must be an instance of this study (current objects, not kept-apart duplicates)');
      if (moving.length === rows.length) return refuse(422, 'sopInstanceUids: leave at least one instance in the study');
      const n = (splitCount.get(`${uid}/split-*`) as { n: number }).n + 1;
      const to = `${uid}/split-${n}`;
      db.transaction(() => {
        for (const row of moving) moveInstances.run({ to, from: uid, sop: row.sopInstanceUid });
      })();
      audit.append({ actor: operator(by), action: 'study.split', subject: auditSubject.study(uid), details: { to, instances: moving.length } });
      const remaining = rows.filter((row) => !chosen.has(row.sopInstanceUid));
      const unpublished = Math.max(0, study.context.unpublished - moving.length);
      publisher.send({ type: 'operator.splitStudy', studyUid: uid, resolution: { unpublished, safety: summariseSafety(remaining), at: Date.now() } });
      // The moved instances make a study of their own, checked and published like any other.
      for (const row of moving) publisher.send(storedAgain(row, 'split', to));
      return ok();
    },

    cancelJob(jobId, by) {
      const job = jobs.get(jobId);
      if (!job) return refuse(404, `no job ${jobId}`);
      if (job.finishedAtMs !== null) return refuse(409, `the job is ${job.state} already`);
      audit.append({ actor: operator(by), action: 'job.cancelRequested', subject: auditSubject.job(jobId) });
      publisher.send({ type: 'operator.cancelJob', jobId });
      return ok();
    },

    retryJob(jobId, by) {
      const job = jobs.get(jobId);
      if (!job) return refuse(404, `no job ${jobId}`);
      const snapshot = live<DiscJobContext>(`job:${jobId}`);
      const state = snapshot ? statePathOf(snapshot.value) : job.state;
      if (state !== 'failed' && state !== 'interrupted') return refuse(409, `the job is ${state}: only a failed or interrupted job is retried`);
      audit.append({ actor: operator(by), action: 'job.retried', subject: auditSubject.job(jobId) });
      publisher.send({ type: 'operator.retryJob', jobId });
      return ok();
    },

    reburnJob(jobId, by, copies) {
      const job = jobs.get(jobId);
      if (!job) return refuse(404, `no job ${jobId}`);
      if (job.studyInstanceUid !== null && isPurged(db, job.studyInstanceUid)) {
        return refuse(409, 'the study\'s stored files were purged by retention: it cannot be burned again');
      }
      if (jobs.instanceIds(jobId).length === 0) return refuse(409, 'the job carries no stored instances to burn again');
      return ok(repeat(job, 'reburn', copies ?? job.copies, by));
    },

    reprintLabel(jobId, by) {
      const job = jobs.get(jobId);
      if (!job) return refuse(404, `no job ${jobId}`);
      if (!job.imagePath || !existsSync(job.imagePath)) return refuse(409, 'the job has no mastered image and label to print again (never mastered, or purged)');
      return ok(repeat(job, 'reprint', 1, by));
    },

    clearRobotError(name, by) {
      const snapshot = live<RobotContext>(`robot:${name}`);
      if (!snapshot) return refuse(404, `no robot ${name}`);
      if (!statePathOf(snapshot.value).startsWith('error')) return refuse(409, `robot ${name} reports no error`);
      if (options.robots.find((served) => served.name === name)?.kind === 'ptburn') {
        return refuse(409, `robot ${name} is driven by PTBurn, whose errors are cleared at the unit: fix the cause, then press its left (Cartridge) button; the robot goes on once PTBurn reports the error gone`);
      }
      audit.append({ actor: operator(by), action: 'robot.errorCleared', subject: auditSubject.robot(name), details: { fault: snapshot.context.fault?.name ?? null } });
      publisher.send({ type: 'operator.clearRobotError', robot: name });
      return ok();
    },

    acknowledgeInkLow(name, by) {
      const snapshot = live<RobotContext>(`robot:${name}`);
      if (!snapshot) return refuse(404, `no robot ${name}`);
      if (!isInkLow(snapshot.context.fault)) return refuse(409, `robot ${name} reports no low ink`);
      audit.append({ actor: operator(by), action: 'robot.inkLowAcknowledged', subject: auditSubject.robot(name), details: { fault: snapshot.context.fault?.name ?? null } });
      publisher.send({ type: 'operator.acknowledgeInkLow', robot: name });
      return ok();
    },

    simulatorFaults(name) {
      const sim = options.robots.find((served) => served.name === name)?.sim;
      if (!sim) return undefined;
      return listFaults(sim.model).map((fault) => ({
        id: fault.id,
        level: fault.level,
        reports: fault.syserrName ?? fault.resultName,
        phases: fault.phases,
        consequence: fault.consequence,
      }));
    },

    simulatorAction(name, action, by) {
      const robot = options.robots.find((served) => served.name === name);
      if (!robot) return refuse(404, `no robot ${name}`);
      if (!robot.sim) return refuse(409, `robot ${name} is not simulated (${robot.kind}): it has no simulator to act on`);
      const refused = runOnSimulator(robot.sim, action);
      if (refused !== null) return refuse(422, refused);
      // Recorded once done: a refused action changed nothing in the simulated world.
      const { kind, ...details } = action;
      audit.append({ actor: operator(by), action: `simulator.${kind}`, subject: auditSubject.robot(name), details });
      return ok();
    },
  };
}
