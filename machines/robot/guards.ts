// The robot machine's guards: plain predicates over its context and the event, named for the
// statechart. A reply counts only for the ref the machine waits for, an OPDONE only for the
// operation in hand: late answers to forgotten questions change nothing.

import type { LinkEvent } from '../robot-link.ts';
import { INK_LOW_ERRORS } from '../../src/robot/syserr.ts';
import type { RobotContext, RobotEvent } from './context.ts';
import { SYSERR_ALIGN_NEEDED, TRAY_FAILED, type Fault } from './device.ts';
import type { ResumeTarget } from './disc.ts';
import { mediaMismatch } from './media.ts';
import { isCheckDiscs, isStartupQuery, SURVEY, supportsCheckDiscs } from './startup.ts';

type GuardArgs = { context: RobotContext; event: RobotEvent };
type Reply = Extract<LinkEvent, { type: 'link.reply' }>;
type OpDone = Extract<LinkEvent, { type: 'device.opDone' }>;

/** Print this disc: printing on, a label to print and a printer to print it. */
export function wantsPrint(context: RobotContext): boolean {
  const disc = context.disc;
  return !!disc && context.options.print && disc.request.labelPath !== null && (context.info?.printers ?? 0) > 0;
}

/** The reply to the robotic verb in hand, if this is it. */
function pendingReply({ context, event }: GuardArgs): Reply | null {
  return event.type === 'link.reply' && context.pending !== null && event.ref === context.pending.ref ? event : null;
}

/** The reply to the question in hand, if this is it. */
function queryReply({ context, event }: GuardArgs): Reply | null {
  return event.type === 'link.reply' && context.query !== null && event.ref === context.query.ref ? event : null;
}

/** The end of the operation in hand, if this is it. */
function pendingOpDone({ context, event }: GuardArgs): OpDone | null {
  return event.type === 'device.opDone' && context.pending?.op != null && event.op === context.pending.op ? event : null;
}

function deviceState({ event }: GuardArgs): 0 | 1 | 2 | null {
  return event.type === 'device.state' ? event.status.state : null;
}

function discCancelled({ context, event }: GuardArgs): boolean {
  return event.type === 'disc.cancel' && context.disc?.request.discId === event.discId;
}

function recordedOk({ event }: GuardArgs): boolean {
  return event.type === 'recorder.finished' && event.result === 'ok';
}

/** Refused for any reason but busy (528): the verb will not run. */
function refusedOtherThanBusy(args: GuardArgs): boolean {
  const reply = pendingReply(args);
  return reply !== null && !reply.ok && reply.code !== 528;
}

function endedNotFailed(args: GuardArgs): boolean {
  const result = pendingOpDone(args)?.result;
  return result === 'OK' || result === 'CANCELLED';
}

function cancelAsked({ context }: GuardArgs): boolean {
  return !!context.disc?.cancelRequested;
}

/** The bins went unknown and the robot can count them, with no operation in hand. */
function needsBinCount({ context }: GuardArgs): boolean {
  return context.recountBins && supportsCheckDiscs(context.info) && context.pending === null;
}

export const isInkLow = (fault: Fault | null) => fault !== null && INK_LOW_ERRORS.has(fault.code);

export const robotGuards = {
  // ---- replies ----
  acceptsPendingVerb: (args: GuardArgs) => pendingReply(args)?.ok === true,
  /** 528 PTROBOT_BUSY: the robot is moving or in error when we thought it idle. */
  pendingRefusedAsBusy: (args: GuardArgs) => {
    const reply = pendingReply(args);
    return reply !== null && !reply.ok && reply.code === 528;
  },
  pendingRefused: refusedOtherThanBusy,
  pendingRefusedAfterCancel: (args: GuardArgs) => refusedOtherThanBusy(args) && cancelAsked(args),
  /** 506: the drive tray did not open or close and nothing moved; worth one more try. */
  pendingTrayFailedOnce: (args: GuardArgs) => {
    const reply = pendingReply(args);
    return reply !== null && !reply.ok && reply.code === TRAY_FAILED && !args.context.pending!.trayRetried;
  },
  isQueryReply: (args: GuardArgs) => queryReply(args) !== null,
  isStatusQueryReply: (args: GuardArgs) => queryReply(args) !== null && args.context.query!.verb === SURVEY.verb,
  /** A blank the image fits on: of the request's kind or a larger one. */
  blankMediaFits: (args: GuardArgs) => {
    const reply = queryReply(args);
    const disc = args.context.disc;
    return reply !== null && reply.ok && reply.fields.blank === '1' && !!disc && mediaMismatch(disc.request.media, reply.fields.type) === null;
  },
  driveNotReady: (args: GuardArgs) => {
    const reply = queryReply(args);
    return reply !== null && !reply.ok && reply.code === 523;
  },
  driveEmpty: (args: GuardArgs) => {
    const reply = queryReply(args);
    return reply !== null && !reply.ok && reply.code === 525;
  },
  statusReplyInError: (args: GuardArgs) => {
    const reply = queryReply(args);
    return reply !== null && reply.ok && reply.fields.state === '2';
  },
  statusReplyBusy: (args: GuardArgs) => {
    const reply = queryReply(args);
    return reply !== null && reply.ok && reply.fields.state === '1';
  },

  // ---- operations ending ----
  pendingOpEnded: (args: GuardArgs) => pendingOpDone(args) !== null,
  pendingOpSucceeded: (args: GuardArgs) => pendingOpDone(args)?.result === 'OK',
  /** The step's operation finished and nobody asked to cancel the disc: on to the next step. */
  stepDone: (args: GuardArgs) => pendingOpDone(args)?.result === 'OK' && !args.context.disc?.cancelRequested,
  stepDoneAfterCancel: (args: GuardArgs) => pendingOpDone(args)?.result === 'OK' && !!args.context.disc?.cancelRequested,
  pendingOpCancelled: (args: GuardArgs) => pendingOpDone(args)?.result === 'CANCELLED',
  /**
   * CANCEL ended an operation that was to fetch the disc from a drive or the printer: the device puts
   * only a disc in the picker on the reject slide, so this one may still sit where it was.
   */
  cancelledBeforeFetch: (args: GuardArgs) =>
    pendingOpDone(args)?.result === 'CANCELLED' && (args.context.disc?.where === 'drive' || args.context.disc?.where === 'printer'),
  pendingOpFailed: (args: GuardArgs) => pendingOpDone(args)?.result === 'FAILED',
  /** CHECKDISCS ended (a FAILED one is the device giving up: the start-up rules handle it). */
  binCountEnded: endedNotFailed,
  binCountEndedAfterCancel: (args: GuardArgs) => endedNotFailed(args) && cancelAsked(args),

  // ---- device state ----
  deviceInError: (args: GuardArgs) => deviceState(args) === 2,
  deviceIdle: (args: GuardArgs) => deviceState(args) === 0,
  /** Busy or idle again: the device goes on with the operation it kept. */
  deviceCleared: (args: GuardArgs) => deviceState(args) === 0 || deviceState(args) === 1,
  faultChanged: (args: GuardArgs) => args.event.type === 'device.state' && args.event.status.state === 2 && args.event.status.syserr !== args.context.fault?.code,
  faultCleared: (args: GuardArgs) => (deviceState(args) === 0 || deviceState(args) === 1) && args.context.fault !== null,

  // ---- start-up ----
  /** In error at link-up; an alignment request is the one error start-up answers itself. */
  startupBlockedByError: ({ context }: GuardArgs) => context.status?.state === 2 && context.status.syserr !== SYSERR_ALIGN_NEEDED,
  deviceBusy: ({ context }: GuardArgs) => context.status?.state === 1,
  nextStartupStepIsQuery: ({ context }: GuardArgs) => isStartupQuery(context.startup[0]),
  hasStartupStep: ({ context }: GuardArgs) => context.startup.length > 0,
  binsNeedCounting: needsBinCount,
  /** Before the delivering unload: a CHECKDISCS in hand (paused, refused as busy) or due. */
  countsBinsFirst: (args: GuardArgs) => isCheckDiscs(args.context.pending) || needsBinCount(args),

  // ---- discs ----
  canStartDisc: ({ context }: GuardArgs) => context.queue.length > 0 && context.disc === null && context.drives.length > 0,
  isQueuedDisc: ({ context, event }: GuardArgs) => event.type === 'disc.cancel' && context.queue.some((r) => r.discId === event.discId),
  isDiscInHand: discCancelled,
  discInHandWithOpPending: (args: GuardArgs) => discCancelled(args) && args.context.pending !== null,
  /** Never picked (a refused LOAD_DRIVE): the reject slide has nothing to receive. */
  nothingToUnload: ({ context }: GuardArgs) => context.disc?.where === 'bin',
  /** Recorder progress into a later phase (a recorder may skip finalizing, never go back). */
  progressEnters: ({ context, event }: GuardArgs, params: { phase: 'finalizing' | 'verifying' }) =>
    event.type === 'recorder.progress' &&
    event.phase === params.phase &&
    context.disc?.step !== params.phase &&
    !(params.phase === 'finalizing' && context.disc?.step === 'verifying'),
  recordedWithFaultStanding: (args: GuardArgs) => recordedOk(args) && args.context.fault !== null,
  /** The recording the job cancelled ended (however it went): the disc goes to the reject slide. */
  recordingEndedAfterCancel: (args: GuardArgs) => args.event.type === 'recorder.finished' && cancelAsked(args) && args.context.fault === null,
  recordingEndedAfterCancelWithFaultStanding: (args: GuardArgs) => args.event.type === 'recorder.finished' && cancelAsked(args) && args.context.fault !== null,
  recordedAndPrint: (args: GuardArgs) => recordedOk(args) && wantsPrint(args.context),
  recorded: recordedOk,
  failedWithFaultStanding: ({ context, event }: GuardArgs) => event.type === 'recorder.finished' && event.result !== 'ok' && context.fault !== null,

  // ---- faults ----
  faultKindIs: ({ context }: GuardArgs, params: { kind: Fault['kind'] }) => context.fault?.kind === params.kind,
  faultIsInkLow: ({ context }: GuardArgs) => isInkLow(context.fault),
  autoAcknowledgesInkLow: ({ context }: GuardArgs) => context.options.autoAcknowledgeInkLow && isInkLow(context.fault),
  /** Cancelled while paused, and no operation in hand that the device will finish by itself. */
  cancelledWithNoOpInHand: ({ context }: GuardArgs) =>
    !!context.disc?.cancelRequested &&
    context.resume !== 'idle' &&
    context.resume !== 'initializing' &&
    (context.pending === null || context.pending.op === null),
  resumeTargetIs: ({ context }: GuardArgs, params: { target: ResumeTarget }) => context.resume === params.target,
};
