// One study (Study Instance UID) from its first instance to its discs: it collects instances, waits
// for a quiet period after the last one, asks its parent (the publisher) for a disc, follows that
// disc job, and holds itself for a person whenever the patient-safety checks (one disc, one patient)
// or the route's late-arrival policy say so, or an operator asks for it. Pure: instances live in
// SQLite rows (each event brings one instance's facts, the context keeps counts and a bounded
// safety summary); the quiet period is waited for by the 'deadline' actor the composition root
// provides (machines/study/deadline.ts).
//
// Conventions the rest of the system relies on (types in machines/study/types.ts):
// - the actor's systemId is studySystemId(studyUid) = `study:<StudyInstanceUID>`;
// - the publisher forwards instance.added for each stored instance of the study (the storage
//   adapter compares contents: duplicate 'same' | 'different'), job.started / job.finished of the
//   job it made for the study, and the operator's study.releaseNow, study.hold, study.release and
//   study.split;
// - the study sends its parent study.completed (first disc), study.followUp (late arrivals, after
//   an earlier disc) and study.held; on study.held the publisher cancels any unfinished job of it.
//
// The quiet period's end is an absolute time in context (deadline), not an `after:` delay: XState
// does not restore delayed events, while it re-runs invoked actors on restore, so a study restored
// while settling waits only for what is left of its quiet period (xstate-serialport.md §1.4, §1.5).

import { assertEvent, assign, enqueueActions, setup } from 'xstate';
import { openFindings } from '../src/study/patient-safety.ts';
import {
  createStudyContext,
  raisedBy,
  withArrival,
  withCodes,
  withDelivered,
  withDiscRequest,
  withSplit,
  withWithdrawnJob,
  type StudyContext,
} from './study/context.ts';
import { createDeadlineTimer, systemClock, type DeadlineInput } from './study/deadline.ts';
import { studySystemId } from './study/naming.ts';
import { codesOf, holdReasonsFor } from './study/reasons.ts';
import type { InstanceAddedEvent, StudyEvent, StudyHoldCode, StudyInput, StudyParentEvent } from './study/types.ts';

export type * from './study/types.ts';
export type { StudyContext } from './study/context.ts';
export type { DeadlineInput, TimerClock } from './study/deadline.ts';
export { createDeadlineTimer, studySystemId };

// 2: the operator's hold (study.hold, hold code 'operator'). Snapshots of another version are refused.
export const STUDY_MACHINE_VERSION = '2';

const JOB_FAILED = 'the disc job failed';

type HoldParams = { late: boolean };

/** The codes an arriving instance holds the study for: what it raises, and late-arrivals if the route says so. */
function arrivalHolds(context: StudyContext, event: InstanceAddedEvent, { late }: HoldParams): StudyHoldCode[] {
  return [...raisedBy(context, event), ...(late ? (['late-arrivals'] as const) : [])];
}

export const studyMachine = setup({
  types: {
    context: {} as StudyContext,
    events: {} as StudyEvent,
    input: {} as StudyInput,
  },
  actors: {
    // Real time unless the composition root provides its clock: machine.provide({ actors: { deadline } }).
    deadline: createDeadlineTimer(systemClock),
  },
  guards: {
    raisesHold: ({ context, event }) => event.type === 'instance.added' && raisedBy(context, event).length > 0,
    isResend: ({ event }) => event.type === 'instance.added' && event.duplicate === 'same',
    routeHoldsLateArrivals: ({ context }) => context.route.followUp === 'holdJob',
    nothingToPublishYet: ({ context }) => context.unpublished === 0 && context.onDisc === 0,
    nothingToPublish: ({ context }) => context.unpublished === 0,
    // A job the study withdrew, or one before a retry, may still report: only the current one counts.
    holdAfterJob: ({ context, event }) => event.type === 'job.finished' && event.jobId === context.jobId && context.pendingHolds.length > 0,
    followUpAfterJob: ({ context, event }) => event.type === 'job.finished' && event.jobId === context.jobId && event.ok && context.unpublished > 0,
    jobDelivered: ({ context, event }) => event.type === 'job.finished' && event.jobId === context.jobId && event.ok,
    isCurrentJob: ({ context, event }) => event.type === 'job.finished' && event.jobId === context.jobId,
    // A job cancelled before it started ends without a job.started.
    jobEndedUnstarted: ({ event }) => event.type === 'job.finished' && !event.ok,
    splitStillUnsafe: ({ event }) => event.type === 'study.split' && openFindings(event.resolution.safety).length > 0,
    splitLeavesInstances: ({ event }) => event.type === 'study.split' && event.resolution.unpublished > 0,
  },
  actions: {
    recordArrival: assign(({ context, event }) => {
      assertEvent(event, 'instance.added');
      return withArrival(context, event);
    }),
    // The reasons are worded after the arrival is counted; what it raises is judged before.
    holdArrival: assign(({ context, event }, params: HoldParams) => {
      assertEvent(event, 'instance.added');
      const codes = withCodes(codesOf(context.holdReasons), arrivalHolds(context, event, params));
      const next = { ...context, ...withArrival(context, event) };
      return { ...next, holdReasons: holdReasonsFor(codes, next) };
    }),
    // While a disc is being made it is not stopped: its instances were checked. The hold waits for the job's end.
    deferArrivalHold: assign(({ context, event }, params: HoldParams) => {
      assertEvent(event, 'instance.added');
      return { ...withArrival(context, event), pendingHolds: withCodes(context.pendingHolds, arrivalHolds(context, event, params)) };
    }),
    // Sent on entering queued, which only complete leads to: once per disc request, never on restore.
    requestDisc: enqueueActions(({ context, enqueue, self }) => {
      const request: StudyParentEvent =
        context.onDisc === 0
          ? { type: 'study.completed', studyUid: context.studyUid, instances: context.unpublished }
          : { type: 'study.followUp', studyUid: context.studyUid, lateArrivals: context.unpublished };
      enqueue.assign(withDiscRequest(context));
      // A standalone study (tests, tools) has no parent; sendParent would throw there.
      if (self._parent) enqueue.sendParent(request);
    }),
    // On entering held: the study has no job any more (the parent cancels an unfinished one).
    announceHold: enqueueActions(({ context, enqueue, self }) => {
      enqueue.assign(withWithdrawnJob(context));
      if (self._parent) enqueue.sendParent({ type: 'study.held', studyUid: context.studyUid, reasons: context.holdReasons } satisfies StudyParentEvent);
    }),
    recordJobStarted: assign(({ event }) => {
      assertEvent(event, 'job.started');
      return { jobId: event.jobId, failure: null };
    }),
    recordDelivered: assign(({ context }) => withDelivered(context)),
    recordJobFailed: assign(({ event }) => {
      assertEvent(event, 'job.finished');
      return { jobId: event.jobId, failure: event.reason ?? JOB_FAILED };
    }),
    recordJobEndWithHolds: assign(({ context, event }) => {
      assertEvent(event, 'job.finished');
      const next = { ...context, ...(event.ok ? withDelivered(context) : { failure: event.reason ?? JOB_FAILED }) };
      return { ...next, holdReasons: holdReasonsFor(context.pendingHolds, next) };
    }),
    // Held already: the code joins the reasons; otherwise it is the only one (holdReasons is empty).
    holdByOperator: assign(({ context }) => ({
      holdReasons: holdReasonsFor(withCodes(codesOf(context.holdReasons), ['operator']), context),
    })),
    // As with any reason that comes while a disc is being made: the disc goes on, the hold waits for the job's end.
    deferOperatorHold: assign(({ context }) => ({ pendingHolds: withCodes(context.pendingHolds, ['operator']) })),
    clearHold: assign({ holdReasons: [] }),
    applySplit: assign(({ context, event }) => {
      assertEvent(event, 'study.split');
      const next = { ...context, ...withSplit(context, event.resolution) };
      // Still unsafe: held for what the remaining instances show, and for late arrivals as before. An
      // operator's hold ends here: the split was a person's decision too.
      const late = codesOf(context.holdReasons).filter((code) => code === 'late-arrivals');
      const findings = openFindings(next.safety);
      return { ...next, holdReasons: findings.length > 0 ? holdReasonsFor([...findings, ...late], next) : [] };
    }),
  },
}).createMachine({
  id: 'study',
  version: STUDY_MACHINE_VERSION,
  context: ({ input }) => createStudyContext(input),
  initial: 'collecting',
  states: {
    // No instance yet (or a split took them all away).
    collecting: {
      on: {
        'instance.added': [
          { guard: 'raisesHold', target: 'held', actions: { type: 'holdArrival', params: { late: false } } },
          { target: 'settling', actions: 'recordArrival' },
        ],
        // Nothing to publish: complete sends it straight back here.
        'study.releaseNow': { target: 'complete' },
        // Nothing to hold yet, but the instances that come later must not be published unseen.
        'study.hold': { target: 'held', actions: 'holdByOperator' },
      },
    },

    // Instances came; the study is complete when none has come for the route's quiet period.
    // Every instance moves the deadline and re-enters, so the timer always waits for context.deadline.
    settling: {
      invoke: {
        id: 'deadline',
        src: 'deadline',
        input: ({ context }): DeadlineInput => ({ at: context.deadline ?? 0 }),
        onDone: { target: 'complete' },
        // A broken timer must not strand a study: instances after an early end still go on a follow-up disc.
        onError: { target: 'complete' },
      },
      on: {
        'instance.added': [
          { guard: 'raisesHold', target: 'held', actions: { type: 'holdArrival', params: { late: false } } },
          { target: 'settling', reenter: true, actions: 'recordArrival' },
        ],
        'study.releaseNow': { target: 'complete' },
        'study.hold': { target: 'held', actions: 'holdByOperator' },
      },
    },

    // Decides at once: a disc request for what is on no disc yet, or nothing to do.
    complete: {
      always: [
        { guard: 'nothingToPublishYet', target: 'collecting' },
        { guard: 'nothingToPublish', target: 'published' },
        { target: 'queued' },
      ],
    },

    // The parent has the disc request; the job has not started.
    queued: {
      entry: 'requestDisc',
      on: {
        'instance.added': [
          { guard: 'isResend', actions: 'recordArrival' },
          { guard: 'raisesHold', target: 'held', actions: { type: 'holdArrival', params: { late: false } } },
          { guard: 'routeHoldsLateArrivals', target: 'held', actions: { type: 'holdArrival', params: { late: true } } },
          // On a follow-up disc once this job has ended.
          { actions: 'recordArrival' },
        ],
        'job.started': { target: 'publishing', actions: 'recordJobStarted' },
        'job.finished': { guard: 'jobEndedUnstarted', target: 'failed', actions: 'recordJobFailed' },
        // The parent withdraws the job on study.held.
        'study.hold': { target: 'held', actions: 'holdByOperator' },
      },
    },

    publishing: {
      on: {
        'instance.added': [
          { guard: 'isResend', actions: 'recordArrival' },
          { guard: 'raisesHold', actions: { type: 'deferArrivalHold', params: { late: false } } },
          { guard: 'routeHoldsLateArrivals', actions: { type: 'deferArrivalHold', params: { late: true } } },
          { actions: 'recordArrival' },
        ],
        'study.hold': { actions: 'deferOperatorHold' },
        'job.finished': [
          { guard: 'holdAfterJob', target: 'held', actions: 'recordJobEndWithHolds' },
          // Late arrivals waited for this job; their quiet period may be over already.
          { guard: 'followUpAfterJob', target: 'settling', actions: 'recordDelivered' },
          { guard: 'jobDelivered', target: 'published', actions: 'recordDelivered' },
          { guard: 'isCurrentJob', target: 'failed', actions: 'recordJobFailed' },
        ],
      },
    },

    // Not final: late arrivals are never dropped.
    published: {
      on: {
        'instance.added': [
          { guard: 'isResend', actions: 'recordArrival' },
          { guard: 'raisesHold', target: 'held', actions: { type: 'holdArrival', params: { late: false } } },
          { guard: 'routeHoldsLateArrivals', target: 'held', actions: { type: 'holdArrival', params: { late: true } } },
          { target: 'settling', actions: 'recordArrival' },
        ],
        'study.hold': { target: 'held', actions: 'holdByOperator' },
      },
    },

    // The job failed; the operator retries it (the publisher reports job.started again).
    failed: {
      on: {
        'instance.added': [
          { guard: 'isResend', actions: 'recordArrival' },
          { guard: 'raisesHold', target: 'held', actions: { type: 'holdArrival', params: { late: false } } },
          { guard: 'routeHoldsLateArrivals', target: 'held', actions: { type: 'holdArrival', params: { late: true } } },
          { actions: 'recordArrival' },
        ],
        'job.started': { target: 'publishing', actions: 'recordJobStarted' },
        'study.hold': { target: 'held', actions: 'holdByOperator' },
      },
    },

    // A person decides: release (publish as it is) or split (the adapter moved instances away).
    // Instances still count while held; a new reason joins the others, an operator's hold too.
    held: {
      entry: 'announceHold',
      on: {
        'instance.added': { actions: { type: 'holdArrival', params: { late: false } } },
        'study.hold': { actions: 'holdByOperator' },
        'study.release': { target: 'complete', actions: 'clearHold' },
        'study.split': [
          { guard: 'splitStillUnsafe', actions: 'applySplit' },
          { guard: 'splitLeavesInstances', target: 'settling', actions: 'applySplit' },
          { target: 'complete', actions: 'applySplit' },
        ],
      },
    },
  },
});
