// One disc job: a set of identical discs of one study, from mastering the image to the last copy in
// the output bin. The job asks its robot for one disc at a time over the robot port
// (machines/robot-port.ts) and follows that disc's phases; a rejected disc is retried with a new
// blank up to the limits, a robot fault pauses the job until the robot resumes, and the job is done
// only when every copy was delivered verified. Pure: mastering is the 'master' actor the
// composition root provides, the robot is found by its systemId in the actor system.
//
// Conventions the rest of the system relies on:
// - the job actor's systemId is discJobSystemId(jobId) = `job:<jobId>`; every DiscRequest names it
//   as replyTo, and robots send their port events there;
// - input.robot is the robot actor's systemId (e.g. 'robot:primera1');
// - the publisher sends job.start when the job may begin (it decides how many master at once),
//   job.interrupted to a job restored with a disc at the robot, and the operator's job.cancel and
//   job.retry.

import { assertEvent, assign, enqueueActions, fromPromise, setup, type AnyActorRef } from 'xstate';
import { discIdOf, discJobSystemId } from './disc-job/naming.ts';
import { DISC_PHASES } from './disc-job/phases.ts';
import {
  CANCELLED_BY_OPERATOR,
  cancelledAtRobot,
  deliveredUnverified,
  interruptedDisc,
  masteringFailed,
  robotNotConfigured,
} from './disc-job/reasons.ts';
import { rejectLimitReason } from './disc-job/reject-limit.ts';
import type { DiscPhase, DiscRequest, MediaKind, RejectCause, RobotFault, RobotPortCommand, RobotPortEvent } from './robot-port.ts';

export { discIdOf, discJobSystemId };

export const DISC_JOB_MACHINE_VERSION = '1';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A mastered disc image and its label. */
export interface DiscImage {
  path: string;
  bytes: number;
  media: MediaKind;
  /** Label image, or null when there is none to print. */
  labelPath: string | null;
}

export interface DiscJobInput {
  jobId: string;
  /** systemId of the robot actor that makes the discs. */
  robot: string;
  /** Identical discs to deliver, at least 1. */
  copies: number;
  /** Discs tried for one copy before the job fails (default 3). */
  maxAttemptsPerCopy?: number;
  /** Rejected discs in a row before the job fails (default 3, primera-robot.md §8.6). */
  maxRejectsInARow?: number;
  /** Print the label on each disc. */
  print: boolean;
  /** What to master, handed to the 'master' actor unread. */
  source: JsonValue;
  /** An image already mastered: the job skips mastering. */
  image?: DiscImage;
}

/** Input of the 'master' actor. */
export interface MasterInput {
  jobId: string;
  source: JsonValue;
}

/** Output of the 'master' actor. */
export interface MasteredImage {
  imagePath: string;
  imageBytes: number;
  media: MediaKind;
  labelPath: string | null;
}

/**
 * From the publisher (job.start, job.interrupted) and the operator (job.cancel, job.retry). A retry
 * may name another robot (its systemId): the publisher moves a job off a robot that failed.
 */
export type DiscJobCommand = { type: 'job.start' } | { type: 'job.cancel' } | { type: 'job.retry'; robot?: string } | { type: 'job.interrupted' };

/** The states in which a job has stopped and tells its parent so (done and cancelled are final). */
export type DiscJobOutcomeState = 'done' | 'failed' | 'cancelled' | 'interrupted';

/** job → its parent (the publisher) on entering an outcome state: the robot is free of it, the study learns how it went. */
export interface DiscJobOutcomeEvent {
  type: 'job.outcome';
  jobId: string;
  state: DiscJobOutcomeState;
  copiesDone: number;
  reason: string | null;
}

export type DiscJobEvent = DiscJobCommand | RobotPortEvent;

/**
 * What became of one disc the job asked for. 'unverified': reported delivered without
 * verification (an invariant breach); 'cancelled': dropped from the robot's queue before it started.
 */
export type DiscOutcome = 'delivered' | 'unverified' | 'rejected' | 'cancelled' | 'interrupted';

export interface DiscRecord {
  discId: string;
  copy: number;
  attempt: number;
  outcome: DiscOutcome;
  cause?: RejectCause;
  /** Where a delivered disc went, as the robot names it. */
  location?: string;
  /**
   * The drive that held a delivered or rejected disc (the robot's drive index), -1 when it never
   * reached one; absent for a disc cancelled in the robot's queue or interrupted by a restart.
   */
  drive?: number;
}

export interface DiscJobContext {
  jobId: string;
  robot: string;
  copies: number;
  maxAttemptsPerCopy: number;
  maxRejectsInARow: number;
  print: boolean;
  source: JsonValue;
  /** The copy being made (1-based) and the attempt for it; attempts never repeat a discId. */
  copy: number;
  attempt: number;
  copiesDone: number;
  rejectsInARow: number;
  image: DiscImage | null;
  /** The disc asked of the robot; null before the first request or when the robot was not found. */
  discId: string | null;
  /** The current disc's phase; null while it waits in the robot's queue. */
  phase: DiscPhase | null;
  progress: { phase: DiscPhase; pct: number } | null;
  /** Place in the robot's queue, for the dashboard. */
  queuedPosition: number | null;
  /** The robot fault the job is paused on (its hint is the operator's instruction). */
  pause: RobotFault | null;
  /** Why the job failed, was interrupted or cancelled. */
  reason: string | null;
  history: DiscRecord[];
}

export interface DiscJobOutput {
  jobId: string;
  copies: number;
  copiesDone: number;
  discs: DiscRecord[];
}

const DEFAULT_MAX_ATTEMPTS_PER_COPY = 3;
const DEFAULT_MAX_REJECTS_IN_A_ROW = 3;

type PhaseParams = { phase: DiscPhase };

function aboutCurrentDisc(context: DiscJobContext, event: DiscJobEvent): boolean {
  return 'discId' in event && context.discId !== null && event.discId === context.discId;
}

function discRecord(context: DiscJobContext, outcome: DiscOutcome, extra: Pick<DiscRecord, 'cause' | 'location' | 'drive'> = {}): DiscRecord {
  return { discId: context.discId ?? '', copy: context.copy, attempt: context.attempt, outcome, ...extra };
}

function imageOf({ imagePath, imageBytes, media, labelPath }: MasteredImage): DiscImage {
  return { path: imagePath, bytes: imageBytes, media, labelPath };
}

function createContext(input: DiscJobInput): DiscJobContext {
  const maxAttemptsPerCopy = input.maxAttemptsPerCopy ?? DEFAULT_MAX_ATTEMPTS_PER_COPY;
  const maxRejectsInARow = input.maxRejectsInARow ?? DEFAULT_MAX_REJECTS_IN_A_ROW;
  for (const [name, value] of Object.entries({ copies: input.copies, maxAttemptsPerCopy, maxRejectsInARow })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`disc job ${input.jobId}: ${name} must be a whole number of at least 1, not ${value}`);
  }
  return {
    jobId: input.jobId,
    robot: input.robot,
    copies: input.copies,
    maxAttemptsPerCopy,
    maxRejectsInARow,
    print: input.print,
    source: input.source,
    copy: 1,
    attempt: 1,
    copiesDone: 0,
    rejectsInARow: 0,
    image: input.image ?? null,
    discId: null,
    phase: null,
    progress: null,
    queuedPosition: null,
    pause: null,
    reason: null,
    history: [],
  };
}

export const discJobMachine = setup({
  types: {
    context: {} as DiscJobContext,
    events: {} as DiscJobEvent,
    input: {} as DiscJobInput,
    output: {} as DiscJobOutput,
  },
  actors: {
    // Placeholder; the composition root provides the real mastering with machine.provide().
    master: fromPromise<MasteredImage, MasterInput>(async () => {
      throw new Error('no master actor was provided');
    }),
  },
  guards: {
    hasImage: ({ context }) => context.image !== null,
    // requestDisc leaves discId null when the robot is not in the actor system.
    robotNotFound: ({ context }) => context.discId === null,
    isCurrentDisc: ({ context, event }) => aboutCurrentDisc(context, event),
    discStarted: ({ context }) => context.phase !== null,
    // A phase the current disc was not in yet; a repeated report is ignored.
    phaseAdvanced: ({ context, event }, { phase }: PhaseParams) =>
      event.type === 'disc.phase' && aboutCurrentDisc(context, event) && event.phase === phase && context.phase !== phase,
    // While paused any report of the disc's phase, the same one included, means the robot goes on.
    phaseReported: ({ context, event }, { phase }: PhaseParams) => event.type === 'disc.phase' && aboutCurrentDisc(context, event) && event.phase === phase,
    resumesIn: ({ context, event }, { phase }: { phase: DiscPhase | null }) => aboutCurrentDisc(context, event) && context.phase === phase,
    // The port's type says verified is always true; a robot that breaks that must not make a job done.
    unverifiedDelivery: ({ context, event }) =>
      event.type === 'disc.delivered' && aboutCurrentDisc(context, event) && (event as { verified: unknown }).verified !== true,
    lastCopyDelivered: ({ context, event }) => event.type === 'disc.delivered' && aboutCurrentDisc(context, event) && context.copiesDone + 1 >= context.copies,
    cancelledAtRobot: ({ context, event }) => event.type === 'disc.rejected' && aboutCurrentDisc(context, event) && event.cause === 'cancelled',
    rejectLimitReached: ({ context, event }) =>
      event.type === 'disc.rejected' && aboutCurrentDisc(context, event) && event.cause !== 'cancelled' && rejectLimitReason(context, event) !== null,
  },
  actions: {
    recordImage: assign((_, image: DiscImage) => ({ image })),
    // Asks the robot for the disc (copy, attempt) of the context. Sent on the transitions into
    // waitingForRobot, never on entry, so that resuming into waitingForRobot asks nothing twice.
    requestDisc: enqueueActions(({ context, system, enqueue }) => {
      const robot = system.get(context.robot) as AnyActorRef | undefined;
      if (!robot) {
        enqueue.assign({ discId: null, reason: robotNotConfigured(context.robot) });
        return;
      }
      const image = context.image;
      if (!image) throw new Error(`disc job ${context.jobId}: a disc was requested before the image existed`);
      const request: DiscRequest = {
        discId: discIdOf(context.jobId, context.copy, context.attempt),
        jobId: context.jobId,
        copy: context.copy,
        attempt: context.attempt,
        imagePath: image.path,
        imageBytes: image.bytes,
        media: image.media,
        labelPath: context.print ? image.labelPath : null,
        replyTo: discJobSystemId(context.jobId),
      };
      enqueue.assign({ discId: request.discId, phase: null, progress: null, queuedPosition: null, pause: null, reason: null });
      enqueue.sendTo(robot, { type: 'disc.make', request } satisfies RobotPortCommand);
    }),
    // A robot that has gone away has nothing to cancel.
    sendCancel: enqueueActions(({ context, system, enqueue }) => {
      const robot = system.get(context.robot) as AnyActorRef | undefined;
      if (robot && context.discId) enqueue.sendTo(robot, { type: 'disc.cancel', discId: context.discId } satisfies RobotPortCommand);
    }),
    recordQueued: assign(({ event }) => {
      assertEvent(event, 'disc.queued');
      return { queuedPosition: event.position };
    }),
    recordPhase: assign(({ event }) => {
      assertEvent(event, 'disc.phase');
      return { phase: event.phase, progress: null, pause: null };
    }),
    recordProgress: assign(({ event }) => {
      assertEvent(event, 'disc.progress');
      return { progress: { phase: event.phase, pct: event.pct } };
    }),
    recordPause: assign(({ event }) => {
      assertEvent(event, 'disc.paused');
      return { pause: event.fault };
    }),
    clearPause: assign({ pause: null }),
    recordDelivery: assign(({ context, event }) => {
      assertEvent(event, 'disc.delivered');
      return {
        copiesDone: context.copiesDone + 1,
        rejectsInARow: 0,
        pause: null,
        progress: null,
        history: [...context.history, discRecord(context, 'delivered', { location: event.location, drive: event.drive })],
      };
    }),
    recordUnverifiedDelivery: assign(({ context, event }) => {
      assertEvent(event, 'disc.delivered');
      return {
        pause: null,
        progress: null,
        reason: deliveredUnverified(event.discId),
        history: [...context.history, discRecord(context, 'unverified', { location: event.location, drive: event.drive })],
      };
    }),
    // A disc cancelled on our request is not a failed disc: it does not count as a reject.
    recordRejection: assign(({ context, event }) => {
      assertEvent(event, 'disc.rejected');
      return {
        rejectsInARow: context.rejectsInARow + (event.cause === 'cancelled' ? 0 : 1),
        pause: null,
        progress: null,
        history: [...context.history, discRecord(context, 'rejected', { cause: event.cause, drive: event.drive })],
      };
    }),
    recordCancelledRequest: assign(({ context }) => ({ pause: null, history: [...context.history, discRecord(context, 'cancelled')] })),
    recordInterruption: assign(({ context }) => ({
      pause: null,
      reason: interruptedDisc(context.discId),
      history: [...context.history, discRecord(context, 'interrupted')],
    })),
    nextCopy: assign(({ context }) => ({ copy: context.copy + 1, attempt: 1 })),
    nextAttempt: assign(({ context }) => ({ attempt: context.attempt + 1 })),
    // The operator's retry gives the copy a fresh set of attempts; a disc already asked for keeps its id.
    prepareRetry: assign(({ context, event }) => ({
      robot: event.type === 'job.retry' && event.robot ? event.robot : context.robot,
      attempt: context.discId === null ? context.attempt : context.attempt + 1,
      rejectsInARow: 0,
      phase: null,
      progress: null,
      pause: null,
      reason: null,
    })),
    setReason: assign((_, { reason }: { reason: string }) => ({ reason })),
    // A standalone job (tests, tools) has no parent.
    announceOutcome: enqueueActions(({ context, enqueue, self }, { state }: { state: DiscJobOutcomeState }) => {
      if (!self._parent) return;
      enqueue.sendParent({ type: 'job.outcome', jobId: context.jobId, state, copiesDone: context.copiesDone, reason: context.reason } satisfies DiscJobOutcomeEvent);
    }),
  },
}).createMachine({
  id: 'discJob',
  version: DISC_JOB_MACHINE_VERSION,
  context: ({ input }) => createContext(input),
  output: ({ context }) => ({ jobId: context.jobId, copies: context.copies, copiesDone: context.copiesDone, discs: context.history }),
  initial: 'queued',
  states: {
    // Created, waiting for the publisher's go.
    queued: {
      on: {
        'job.start': [{ guard: 'hasImage', target: 'disc.waitingForRobot', actions: 'requestDisc' }, { target: 'mastering' }],
        'job.cancel': { target: 'cancelled', actions: { type: 'setReason', params: { reason: CANCELLED_BY_OPERATOR } } },
      },
    },

    mastering: {
      invoke: {
        id: 'master',
        src: 'master',
        input: ({ context }) => ({ jobId: context.jobId, source: context.source }),
        onDone: { target: 'disc.waitingForRobot', actions: [{ type: 'recordImage', params: ({ event }) => imageOf(event.output) }, 'requestDisc'] },
        onError: { target: 'failed', actions: { type: 'setReason', params: ({ event }) => ({ reason: masteringFailed(event.error) }) } },
      },
      on: {
        'job.cancel': { target: 'cancelled', actions: { type: 'setReason', params: { reason: CANCELLED_BY_OPERATOR } } },
      },
    },

    // The current disc at the robot: queued there, then in the phases the robot reports, in the
    // order the robot chooses. Events about any other disc (one cancelled or rejected before) are ignored.
    disc: {
      initial: 'waitingForRobot',
      on: {
        'disc.phase': DISC_PHASES.map((phase) => ({ guard: { type: 'phaseAdvanced', params: { phase } }, target: `.${phase}`, actions: 'recordPhase' })),
        'disc.progress': { guard: 'isCurrentDisc', actions: 'recordProgress' },
        'disc.paused': { guard: 'isCurrentDisc', target: 'paused', actions: 'recordPause' },
        'disc.delivered': [
          { guard: 'unverifiedDelivery', target: 'failed', actions: 'recordUnverifiedDelivery' },
          { guard: 'lastCopyDelivered', target: 'done', actions: 'recordDelivery' },
          { guard: 'isCurrentDisc', target: '.waitingForRobot', actions: ['recordDelivery', 'nextCopy', 'requestDisc'] },
        ],
        'disc.rejected': [
          {
            guard: 'cancelledAtRobot',
            target: 'failed',
            actions: ['recordRejection', { type: 'setReason', params: ({ event }) => ({ reason: cancelledAtRobot(event.discId, event.reason) }) }],
          },
          {
            guard: 'rejectLimitReached',
            target: 'failed',
            // The reason first: it counts this reject on top of the ones before.
            actions: [{ type: 'setReason', params: ({ context, event }) => ({ reason: rejectLimitReason(context, event) ?? '' }) }, 'recordRejection'],
          },
          { guard: 'isCurrentDisc', target: '.waitingForRobot', actions: ['recordRejection', 'nextAttempt', 'requestDisc'] },
        ],
        // A disc that has started is finished or rejected by the robot; one still queued is just
        // dropped (a report that crossed the cancel is then ignored: the robot, told to cancel,
        // accounts for that disc itself).
        'job.cancel': [
          { guard: 'discStarted', target: 'cancelling', actions: ['sendCancel', { type: 'setReason', params: { reason: CANCELLED_BY_OPERATOR } }] },
          { target: 'cancelled', actions: ['sendCancel', 'recordCancelledRequest', { type: 'setReason', params: { reason: CANCELLED_BY_OPERATOR } }] },
        ],
        // The robot is told to cancel the disc: were it to come back with it, it must not deliver it.
        'job.interrupted': { target: 'interrupted', actions: ['sendCancel', 'recordInterruption'] },
      },
      states: {
        // Asked; the robot may be busy for a long time, which is not a failure. A robot missing from
        // the actor system fails the job (not paused: no robot would ever resume it); the operator
        // retries once the robot is configured.
        waitingForRobot: {
          always: { guard: 'robotNotFound', target: '#discJob.failed' },
          on: {
            'disc.queued': { guard: 'isCurrentDisc', actions: 'recordQueued' },
          },
        },
        loading: {},
        burning: {},
        finalizing: {},
        verifying: {},
        printing: {},
        delivering: {},
        // On its way to the reject bin; disc.rejected follows.
        rejecting: {},
      },
    },

    // A robot fault holds the current disc until the robot resumes (disc.resumed, or simply
    // reporting the disc again); the job returns to the phase it was in. The outcome of the disc
    // still counts if it comes while paused. The way back is read from context.phase rather than a
    // history state: it survives persistence as plain data, and nothing is asked of the robot again.
    paused: {
      on: {
        'disc.paused': { guard: 'isCurrentDisc', actions: 'recordPause' },
        'disc.progress': { guard: 'isCurrentDisc', actions: 'recordProgress' },
        'disc.resumed': [
          ...DISC_PHASES.map((phase) => ({ guard: { type: 'resumesIn' as const, params: { phase } }, target: `#discJob.disc.${phase}`, actions: 'clearPause' as const })),
          { guard: { type: 'resumesIn', params: { phase: null } }, target: '#discJob.disc.waitingForRobot', actions: 'clearPause' },
        ],
        'disc.phase': DISC_PHASES.map((phase) => ({ guard: { type: 'phaseReported' as const, params: { phase } }, target: `#discJob.disc.${phase}`, actions: 'recordPhase' as const })),
        'disc.delivered': [
          { guard: 'unverifiedDelivery', target: 'failed', actions: 'recordUnverifiedDelivery' },
          { guard: 'lastCopyDelivered', target: 'done', actions: 'recordDelivery' },
          { guard: 'isCurrentDisc', target: '#discJob.disc.waitingForRobot', actions: ['recordDelivery', 'nextCopy', 'requestDisc'] },
        ],
        'disc.rejected': [
          {
            guard: 'cancelledAtRobot',
            target: 'failed',
            actions: ['recordRejection', { type: 'setReason', params: ({ event }) => ({ reason: cancelledAtRobot(event.discId, event.reason) }) }],
          },
          {
            guard: 'rejectLimitReached',
            target: 'failed',
            actions: [{ type: 'setReason', params: ({ context, event }) => ({ reason: rejectLimitReason(context, event) ?? '' }) }, 'recordRejection'],
          },
          { guard: 'isCurrentDisc', target: '#discJob.disc.waitingForRobot', actions: ['recordRejection', 'nextAttempt', 'requestDisc'] },
        ],
        'job.cancel': [
          { guard: 'discStarted', target: 'cancelling', actions: ['sendCancel', { type: 'setReason', params: { reason: CANCELLED_BY_OPERATOR } }] },
          { target: 'cancelled', actions: ['sendCancel', 'recordCancelledRequest', { type: 'setReason', params: { reason: CANCELLED_BY_OPERATOR } }] },
        ],
        // The robot is told to cancel the disc: were it to come back with it, it must not deliver it.
        'job.interrupted': { target: 'interrupted', actions: ['sendCancel', 'recordInterruption'] },
      },
    },

    // disc.cancel sent for a disc in process: wait for the robot to account for it (rejected, or
    // delivered if it was already past verification).
    cancelling: {
      on: {
        'disc.phase': { guard: 'isCurrentDisc', actions: 'recordPhase' },
        'disc.progress': { guard: 'isCurrentDisc', actions: 'recordProgress' },
        'disc.paused': { guard: 'isCurrentDisc', actions: 'recordPause' },
        'disc.resumed': { guard: 'isCurrentDisc', actions: 'clearPause' },
        'disc.delivered': [
          { guard: 'unverifiedDelivery', target: 'failed', actions: 'recordUnverifiedDelivery' },
          { guard: 'isCurrentDisc', target: 'cancelled', actions: 'recordDelivery' },
        ],
        'disc.rejected': { guard: 'isCurrentDisc', target: 'cancelled', actions: 'recordRejection' },
        // The cancel was asked before the restart; the restarted robot clears the disc itself.
        'job.interrupted': { target: 'cancelled', actions: 'recordInterruption' },
      },
    },

    // Restored after a restart with a disc at the robot: its fate is unknown, so it never counts.
    interrupted: {
      entry: { type: 'announceOutcome', params: { state: 'interrupted' } },
      on: {
        'job.retry': { target: 'disc.waitingForRobot', actions: ['prepareRetry', 'requestDisc'] },
        'job.cancel': { target: 'cancelled', actions: { type: 'setReason', params: { reason: CANCELLED_BY_OPERATOR } } },
      },
    },

    // Not final: the operator may retry (a new disc for the copy in hand, or mastering again).
    failed: {
      entry: { type: 'announceOutcome', params: { state: 'failed' } },
      on: {
        'job.retry': [
          { guard: 'hasImage', target: 'disc.waitingForRobot', actions: ['prepareRetry', 'requestDisc'] },
          { target: 'mastering', actions: 'prepareRetry' },
        ],
        'job.cancel': { target: 'cancelled', actions: { type: 'setReason', params: { reason: CANCELLED_BY_OPERATOR } } },
      },
    },

    // Every copy delivered, each verified.
    done: { type: 'final', entry: { type: 'announceOutcome', params: { state: 'done' } } },
    cancelled: { type: 'final', entry: { type: 'announceOutcome', params: { state: 'cancelled' } } },
  },
});
