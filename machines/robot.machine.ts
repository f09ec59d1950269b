// One disc publisher robot (DPRP/1 over a link): it connects, brings the robot to a known empty
// state, then makes the discs jobs ask for, one at a time and first come first served, following
// Primera's burn+print flow (shared/reference/primera-robot.md §3.9). Pure: the link driver and
// the recorder are invoked actors the composition root provides; this machine only decides which
// verb goes next and tells each job what became of its disc (machines/robot-port.ts).
//
// Two rules shape it. An error pauses, never loses, the operation in hand: the device keeps the
// operation pending while in error, so the machine remembers where it was (context.resume) and
// goes back there when the device goes on, without sending the verb twice. And nothing is
// delivered without a verified recording: delivering is only entered after recorder.finished ok.
//
// When the device loses track, the machine makes it known again before going on: an operation
// the device gave up (OPDONE FAILED, a power cycle) runs the start-up rules again before the disc
// is reported (cause 'robot'); bin counts that went unknown (a cover opened) are counted with
// CHECKDISCS before the delivery or the next disc, the first moment the device takes it.

import { assertEvent, assign, enqueueActions, fromCallback, setup, type AnyActorRef, type CallbackActorLogic, type EventObject } from 'xstate';
import type { LinkCommand, RecorderEvent, RecorderInput } from './robot-link.ts';
import type { DiscRequest, RejectCause, RobotAvailabilityEvent, RobotPortEvent } from './robot-port.ts';
import { resultName } from '../src/robot/codes.ts';
import { DEFAULT_ROBOT_OPTIONS, type LinkInput, type RobotContext, type RobotEvent, type RobotInput } from './robot/context.ts';
import { binsWentUnknown, faultOf, issue, LINK_DOWN_FAULT, linkSend, mergeStatus, statusFromReply, TRAY_FAILED, type DeviceCommand, type Fault } from './robot/device.ts';
import {
  deliveredLocation,
  driveOf,
  NO_DRIVE,
  phaseOfStep,
  resumeTargetOf,
  stepCommand,
  whereAfter,
  type DiscInHand,
  type DiscStep,
  type ResumeTarget,
} from './robot/disc.ts';
import { robotGuards, wantsPrint } from './robot/guards.ts';
import { mediaMismatch } from './robot/media.ts';
import { CHECK_DISCS, isCheckDiscs, planStartup, SURVEY, unloadDriveStep } from './robot/startup.ts';

export const ROBOT_MACHINE_VERSION = '1';

export { DEFAULT_ROBOT_OPTIONS } from './robot/context.ts';
export type { LinkInput, RobotContext, RobotEvent, RobotInput, RobotOptions } from './robot/context.ts';

/** The shape of the link the composition root provides: it receives link.send, sends back LinkEvents. */
export type LinkLogic = CallbackActorLogic<LinkCommand, LinkInput>;
/** The shape of the recorder: it receives nothing, sends back RecorderEvents. */
export type RecorderLogic = CallbackActorLogic<EventObject, RecorderInput>;

/** Actor sources to provide (machine.provide({ actors })). */
export const ROBOT_ACTOR_SOURCES = ['link', 'recorder'] as const;
/** Named delays (their lengths come from the options). */
export const ROBOT_DELAYS = ['mediaPoll', 'mediaWaitBound'] as const;
/** Every event type the machine reacts to. */
export const ROBOT_EVENT_TYPES = [
  'disc.make',
  'disc.cancel',
  'robot.clearError',
  'robot.acknowledgeInkLow',
  'link.connecting',
  'link.up',
  'link.down',
  'link.reply',
  'device.state',
  'device.opDone',
  'recorder.progress',
  'recorder.finished',
] as const;

type FaultParams = { fault: Fault; resume: ResumeTarget | null };
type RejectParams = { cause: RejectCause; reason: string };

type Enqueue = { sendTo: (to: AnyActorRef, event: RobotPortEvent) => void };
type ActorSystem = { get: (systemId: string) => AnyActorRef | undefined };

/** Sends a port event to the job that asked for the disc; a job that is gone has nothing to hear. */
function tellJob(enqueue: Enqueue, system: ActorSystem, request: DiscRequest, event: RobotPortEvent): void {
  const job = system.get(request.replyTo);
  if (job) enqueue.sendTo(job, event);
}

function describeRefusal(verb: string, code: number, name: string): string {
  return `the robot refused ${verb} (${code} ${name || resultName(code)})`;
}

export const robotMachine = setup({
  types: {
    context: {} as RobotContext,
    events: {} as RobotEvent,
    input: {} as RobotInput,
  },
  actors: {
    // Placeholders; the composition root provides the DPRP driver and the drive's recorder.
    link: fromCallback<LinkCommand, LinkInput>(() => undefined),
    recorder: fromCallback<EventObject, RecorderInput>(() => undefined),
  },
  delays: {
    mediaPoll: ({ context }) => context.options.mediaPollMs,
    mediaWaitBound: ({ context }) => context.options.maxMediaWaitMs,
  },
  guards: robotGuards,
  actions: {
    // The publisher gives jobs only to available robots. A standalone robot (tests, tools) has no parent.
    announceAvailability: enqueueActions(({ context, enqueue, self }, params: { available: boolean; why?: 'offline' | 'error' }) => {
      if (!self._parent) return;
      const event: RobotAvailabilityEvent = params.available
        ? { type: 'robot.available', robot: context.name }
        : { type: 'robot.unavailable', robot: context.name, why: params.why ?? 'error' };
      enqueue.sendParent(event);
    }),
    // ---- link and status ----
    openSession: assign(({ event }) => {
      assertEvent(event, 'link.up');
      return {
        info: event.info,
        drives: event.drives,
        status: event.status,
        startup: planStartup(event.info, event.drives, event.status),
        drivesCleared: [],
        nextDrive: 0,
        pending: null,
        query: null,
        fault: null,
        resume: null,
        // The start-up rules count unknown bins themselves.
        recountBins: false,
      };
    }),
    recordStatus: assign(({ context, event }) => {
      assertEvent(event, 'device.state');
      const status = mergeStatus(context.status, event.status);
      return { status, recountBins: context.recountBins || binsWentUnknown(context.status, status) };
    }),
    recordStatusReply: assign(({ context, event }) => {
      assertEvent(event, 'link.reply');
      const status = statusFromReply(event.fields, context.status);
      return { status, query: null, recountBins: context.recountBins || binsWentUnknown(context.status, status) };
    }),
    recordOp: assign(({ context, event }) => {
      assertEvent(event, 'link.reply');
      const op = Number(event.fields.op);
      return { pending: context.pending ? { ...context.pending, op: Number.isFinite(op) ? op : null } : null };
    }),
    forgetQuery: assign({ query: null }),
    ask: enqueueActions(({ context, enqueue }, params: DeviceCommand) => {
      enqueue.assign({ query: { ref: context.nextRef, verb: params.verb }, nextRef: context.nextRef + 1 });
      enqueue.sendTo('link', linkSend(context.nextRef, params));
    }),
    /** The verb in hand again, with a new ref, after a 506: the tray did not move, so nothing did. */
    resendPending: enqueueActions(({ context, enqueue }) => {
      const again = { ...context.pending!, ref: context.nextRef, op: null, refused: false, trayRetried: true };
      enqueue.assign({ pending: again, nextRef: context.nextRef + 1 });
      enqueue.sendTo('link', linkSend(again.ref, again));
    }),
    /** Fire-and-forget commands (KILL_ERROR, IGNOREINKLOW, CANCEL): their replies change nothing. */
    command: enqueueActions(({ context, enqueue }, params: DeviceCommand) => {
      enqueue.assign({ nextRef: context.nextRef + 1 });
      enqueue.sendTo('link', linkSend(context.nextRef, params));
    }),
    // The link dropped: the device may still finish what it was doing, but we will not hear of it.
    // The disc in hand stays in context, paused; start-up sends it to the reject slide later.
    loseLink: enqueueActions(({ context, enqueue, system }) => {
      const disc = context.disc;
      if (disc) {
        tellJob(enqueue, system, disc.request, { type: 'disc.paused', discId: disc.request.discId, fault: { robot: context.name, ...LINK_DOWN_FAULT } });
      }
      enqueue.assign({
        pending: null,
        query: null,
        fault: LINK_DOWN_FAULT,
        resume: null,
        disc: disc ? { ...disc, pausedFor: LINK_DOWN_FAULT.code } : null,
      });
    }),
    // ---- start-up ----
    issueStartupStep: enqueueActions(({ context, enqueue }) => {
      const issued = issue(context.nextRef, context.pending, context.startup[0] ?? null);
      enqueue.assign({ nextRef: issued.nextRef, pending: issued.pending });
      if (issued.send) enqueue.sendTo('link', issued.send);
    }),
    completeStartupStep: assign(({ context }) => ({
      startup: context.startup.slice(1),
      pending: null,
      query: null,
      // Counted, or tried: a refused or failed CHECKDISCS is not asked again until the bins go unknown again.
      recountBins: context.recountBins && !isCheckDiscs(context.startup[0]),
    })),
    /** Idle with the bins unknown (the cover was opened): count them before the next disc. */
    planBinCount: assign({ startup: [CHECK_DISCS] }),
    /** The device gave the operation up: the start-up rules again, from where the discs are now. */
    planStartOver: assign({ startup: [SURVEY], pending: null, query: null }),
    planFromSurvey: assign(({ context, event }) => {
      assertEvent(event, 'link.reply');
      const status = event.ok ? statusFromReply(event.fields, context.status) : context.status!;
      return { status, query: null, startup: planStartup(context.info!, context.drives, status) };
    }),
    planDriveUnload: assign(({ context }) => ({
      startup: [unloadDriveStep(context.startup[0]!), ...context.startup.slice(1)],
      query: null,
    })),
    // A disc still in hand (the link dropped, or the device gave its operation up) has been cleared
    // to the reject slide by the start-up rules. With no reason recorded the link dropped: cause
    // 'write' (not 'notReady', not 'media'), since its recording, if any, was cut off or cannot be
    // trusted, and the job's retry policy for a failed write is what fits; whether to make it
    // again is the job's decision.
    finishStartup: enqueueActions(({ context, enqueue, system }) => {
      const disc = context.disc;
      if (disc) {
        const cause: RejectCause = disc.cancelRequested ? 'cancelled' : (disc.rejection?.cause ?? 'write');
        tellJob(enqueue, system, disc.request, {
          type: 'disc.rejected',
          discId: disc.request.discId,
          cause,
          reason: disc.rejection?.reason ?? 'robot link lost while the disc was in hand; it went to the reject bin',
          drive: driveOf(disc),
        });
      }
      enqueue.assign({ disc: null, fault: null, resume: null, pending: null, query: null });
    }),
    // ---- requests ----
    enqueueDisc: enqueueActions(({ context, enqueue, system, event }) => {
      assertEvent(event, 'disc.make');
      const queue = [...context.queue, event.request];
      enqueue.assign({ queue });
      tellJob(enqueue, system, event.request, {
        type: 'disc.queued',
        discId: event.request.discId,
        robot: context.name,
        position: queue.length,
      });
    }),
    cancelQueuedDisc: enqueueActions(({ context, enqueue, system, event }) => {
      assertEvent(event, 'disc.cancel');
      const request = context.queue.find((r) => r.discId === event.discId)!;
      enqueue.assign({ queue: context.queue.filter((r) => r.discId !== event.discId) });
      tellJob(enqueue, system, request, {
        type: 'disc.rejected',
        discId: request.discId,
        cause: 'cancelled',
        reason: 'cancelled before the robot started it',
        drive: NO_DRIVE,
      });
    }),
    markCancelRequested: assign(({ context }) => ({ disc: context.disc ? { ...context.disc, cancelRequested: true } : null })),
    takeNextDisc: assign(({ context }) => {
      const [request, ...queue] = context.queue;
      const drive = context.drives[context.nextDrive % context.drives.length]!.index;
      const clear = !context.drivesCleared.includes(drive);
      const disc: DiscInHand = {
        request: request!,
        drive,
        clear,
        where: 'bin',
        step: null,
        md5: null,
        cancelRequested: false,
        rejection: null,
        pausedFor: null,
        binsAtDelivery: null,
      };
      return {
        queue,
        disc,
        nextDrive: (context.nextDrive + 1) % context.drives.length,
        drivesCleared: clear ? [...context.drivesCleared, drive] : context.drivesCleared,
      };
    }),
    // ---- the disc's steps ----
    /** Entry of every disc step: tell the job the phase (once), send the step's verb (once). */
    enterStep: enqueueActions(({ context, enqueue, system }, params: { step: DiscStep }) => {
      const disc = context.disc;
      if (!disc) return;
      const phase = phaseOfStep(params.step);
      if (disc.step !== params.step && phase) {
        tellJob(enqueue, system, disc.request, { type: 'disc.phase', discId: disc.request.discId, phase });
      }
      const issued = issue(context.nextRef, context.pending, stepCommand(params.step, disc));
      const sendsDelivery = params.step === 'delivering' && issued.send !== null;
      enqueue.assign({
        nextRef: issued.nextRef,
        pending: issued.pending,
        disc: { ...disc, step: params.step, binsAtDelivery: sendsDelivery ? (context.status?.bins ?? null) : disc.binsAtDelivery },
      });
      if (issued.send) enqueue.sendTo('link', issued.send);
    }),
    /** A step finished although CANCEL was asked: the disc is where that step put it. */
    settleCancelledStep: assign(({ context }) => ({
      pending: null,
      disc: { ...context.disc!, where: whereAfter(context.pending!.verb, context.disc!.where) },
    })),
    dropPending: assign({ pending: null }),
    /** Entry of delivering.countingBins: the delivering phase begins with CHECKDISCS (sent once). */
    countBins: enqueueActions(({ context, enqueue, system }) => {
      const disc = context.disc!;
      if (disc.step !== 'delivering') tellJob(enqueue, system, disc.request, { type: 'disc.phase', discId: disc.request.discId, phase: 'delivering' });
      const issued = issue(context.nextRef, context.pending, CHECK_DISCS);
      enqueue.assign({ nextRef: issued.nextRef, pending: issued.pending, disc: { ...disc, step: 'delivering' } });
      if (issued.send) enqueue.sendTo('link', issued.send);
    }),
    endBinCount: assign({ pending: null, recountBins: false }),
    discMoved: assign(({ context }, params: { where: DiscInHand['where'] }) => ({
      pending: null,
      disc: context.disc ? { ...context.disc, where: params.where } : null,
    })),
    /** Also an entry action of the recording phases: the phase goes out first, then its progress. */
    reportProgress: enqueueActions(({ context, enqueue, system, event }) => {
      if (event.type !== 'recorder.progress' || !context.disc) return;
      const disc = context.disc;
      tellJob(enqueue, system, disc.request, { type: 'disc.progress', discId: disc.request.discId, phase: event.phase, pct: event.pct });
    }),
    markVerified: assign(({ context, event }) => {
      assertEvent(event, 'recorder.finished');
      return { disc: { ...context.disc!, md5: event.result === 'ok' ? event.md5 : null } };
    }),
    markRejection: assign(({ context }, params: RejectParams) => ({
      pending: null,
      // The first reason stands (a cancel after a verify error is still a verify error on the disc).
      disc: { ...context.disc!, rejection: context.disc!.rejection ?? params },
    })),
    reportDelivered: enqueueActions(({ context, enqueue, system }) => {
      const disc = context.disc!;
      const location = deliveredLocation(disc.binsAtDelivery, context.status?.bins);
      tellJob(enqueue, system, disc.request, { type: 'disc.delivered', discId: disc.request.discId, verified: true, location, drive: driveOf(disc) });
      enqueue.assign({ disc: null, pending: null });
    }),
    // A disc the job cancelled is reported cancelled whatever else befell it (the job must not
    // retry it); the first reason recorded still says what happened to it.
    reportRejected: enqueueActions(({ context, enqueue, system }, params: { suffix: string } | undefined) => {
      const disc = context.disc!;
      const cause: RejectCause = disc.cancelRequested ? 'cancelled' : (disc.rejection?.cause ?? 'notReady');
      const reason = disc.rejection?.reason ?? 'cancelled while the robot had it in hand';
      tellJob(enqueue, system, disc.request, {
        type: 'disc.rejected',
        discId: disc.request.discId,
        cause,
        reason: reason + (params?.suffix ?? ''),
        drive: driveOf(disc),
      });
      enqueue.assign({ disc: null, pending: null });
    }),
    // ---- faults ----
    /** Enter error (or note a fault while recording): remember it, pause the disc once per fault. */
    enterFault: enqueueActions(({ context, enqueue, system }, params: FaultParams) => {
      const disc = context.disc;
      if (disc && disc.pausedFor !== params.fault.code) {
        tellJob(enqueue, system, disc.request, { type: 'disc.paused', discId: disc.request.discId, fault: { robot: context.name, ...params.fault } });
      }
      enqueue.assign({
        fault: params.fault,
        resume: params.resume ?? context.resume,
        disc: disc ? { ...disc, pausedFor: params.fault.code } : null,
      });
    }),
    noteRefusal: assign(({ context }, params: { resume: ResumeTarget }) => ({
      pending: context.pending ? { ...context.pending, refused: true } : null,
      resume: params.resume,
    })),
    setResume: assign((_, params: { resume: ResumeTarget }) => ({ resume: params.resume })),
    /** The fault is gone: clear it and tell the job its disc goes on. */
    clearFault: enqueueActions(({ context, enqueue, system }) => {
      const disc = context.disc;
      if (disc && disc.pausedFor !== null) {
        tellJob(enqueue, system, disc.request, { type: 'disc.resumed', discId: disc.request.discId });
      }
      enqueue.assign({ fault: null, disc: disc ? { ...disc, pausedFor: null } : null });
    }),
  },
}).createMachine({
  id: 'robot',
  version: ROBOT_MACHINE_VERSION,
  context: ({ input }) => ({
    name: input.name,
    options: { ...DEFAULT_ROBOT_OPTIONS, ...input.options },
    nextRef: 1,
    pending: null,
    query: null,
    info: null,
    drives: [],
    status: null,
    startup: [],
    queue: [],
    disc: null,
    nextDrive: 0,
    drivesCleared: [],
    fault: null,
    resume: null,
    recountBins: false,
  }),
  // At the root: the link lives as long as the robot, through every state.
  invoke: {
    id: 'link',
    src: 'link',
    input: ({ context }) => ({ robot: context.name }),
    // The driver itself crashed: nothing will reconnect, the robot stays offline.
    onError: { target: '.offline', actions: 'loseLink' },
  },
  initial: 'offline',
  on: {
    'link.down': { target: '.offline', actions: 'loseLink' },
    // Accepted in every state: the queue waits for idle.
    'disc.make': { actions: 'enqueueDisc' },
    'disc.cancel': [
      { guard: 'isQueuedDisc', actions: 'cancelQueuedDisc' },
      // In hand while paused, offline or starting up: acted on when the disc can move again.
      { guard: 'isDiscInHand', actions: 'markCancelRequested' },
    ],
    'device.state': { actions: 'recordStatus' },
    // R OK op= for the verb in hand, whatever state the robot is in by then.
    'link.reply': { guard: 'acceptsPendingVerb', actions: 'recordOp' },
  },
  states: {
    // No link, or the link dropped.
    offline: {
      entry: { type: 'announceAvailability', params: { available: false, why: 'offline' } },
      on: {
        'link.connecting': 'connecting',
        'link.up': { target: 'initializing', actions: 'openSession' },
      },
    },
    connecting: {
      on: {
        'link.up': { target: 'initializing', actions: 'openSession' },
      },
    },

    // The start-up rules, one command at a time (machines/robot/startup.ts).
    initializing: {
      initial: 'next',
      on: {
        'device.state': {
          guard: 'deviceInError',
          target: '#robot.error',
          actions: ['recordStatus', { type: 'enterFault', params: ({ event }) => ({ fault: faultOf(event.status.syserr), resume: 'initializing' }) }],
        },
        'link.reply': {
          guard: 'pendingRefusedAsBusy',
          target: '#robot.checking',
          actions: { type: 'noteRefusal', params: { resume: 'initializing' } },
        },
      },
      states: {
        next: {
          always: [
            {
              guard: 'startupBlockedByError',
              target: '#robot.error',
              actions: { type: 'enterFault', params: ({ context }) => ({ fault: faultOf(context.status!.syserr), resume: 'initializing' }) },
            },
            // The link came up while the device was still moving (an operation from before).
            { guard: 'deviceBusy', target: 'waitingForDevice' },
            { guard: 'nextStartupStepIsQuery', target: 'querying' },
            { guard: 'hasStartupStep', target: 'moving' },
            { target: '#robot.idle', actions: 'finishStartup' },
          ],
        },
        waitingForDevice: {
          on: {
            'device.state': { guard: 'deviceIdle', target: 'next', actions: 'recordStatus' },
          },
        },
        querying: {
          entry: { type: 'ask', params: ({ context }) => context.startup[0]! },
          on: {
            'link.reply': [
              // Running the rules again: plan them from where the discs are now.
              { guard: 'isStatusQueryReply', target: 'next', actions: 'planFromSurvey' },
              { guard: 'driveEmpty', target: 'next', actions: 'completeStartupStep' },
              // Any other answer (media, not ready, invalid): a disc to clear.
              { guard: 'isQueryReply', target: 'next', actions: 'planDriveUnload' },
            ],
          },
        },
        moving: {
          entry: 'issueStartupStep',
          on: {
            // Start-up moves are best effort: a refusal or a failed move does not hold the robot.
            'link.reply': [
              { guard: 'pendingTrayFailedOnce', actions: 'resendPending' },
              { guard: 'pendingRefused', target: 'next', actions: 'completeStartupStep' },
            ],
            'device.opDone': { guard: 'pendingOpEnded', target: 'next', actions: 'completeStartupStep' },
          },
        },
      },
    },

    idle: {
      entry: { type: 'announceAvailability', params: { available: true } },
      always: [
        // The bins went unknown (a cover opened): CHECKDISCS first, as the start-up rules would.
        { guard: 'binsNeedCounting', target: 'initializing', actions: 'planBinCount' },
        { guard: 'canStartDisc', target: 'busy', actions: 'takeNextDisc' },
      ],
      on: {
        'device.state': {
          guard: 'deviceInError',
          target: 'error',
          actions: ['recordStatus', { type: 'enterFault', params: ({ event }) => ({ fault: faultOf(event.status.syserr), resume: 'idle' }) }],
        },
      },
    },

    // One disc, load → media → record → (print) → deliver, or → reject.
    busy: {
      entry: { type: 'announceAvailability', params: { available: true } },
      initial: 'loading',
      on: {
        'device.state': {
          guard: 'deviceInError',
          target: '#robot.error',
          actions: [
            'recordStatus',
            { type: 'enterFault', params: ({ context, event }) => ({ fault: faultOf(event.status.syserr), resume: resumeTargetOf(context.disc!.step) }) },
          ],
        },
        // The robot said busy when we thought it idle: ask it why before anything else.
        'link.reply': [
          // A drive tray that would not open or close (506): nothing moved, so the same verb once more.
          { guard: 'pendingTrayFailedOnce', actions: 'resendPending' },
          {
            guard: 'pendingRefusedAsBusy',
            target: '#robot.checking',
            actions: { type: 'noteRefusal', params: ({ context }) => ({ resume: resumeTargetOf(context.disc!.step) }) },
          },
          // Any other refusal (503, 504, 511, 515…): this disc cannot go on; unload it if it left the bin.
          {
            guard: 'pendingRefused',
            target: '.rejecting',
            actions: {
              type: 'markRejection',
              params: ({ context, event }) => ({
                cause: 'notReady',
                reason: event.ok ? '' : describeRefusal(context.pending!.verb, event.code, event.name) + (context.pending!.trayRetried && event.code === TRAY_FAILED ? ', sent twice' : ''),
              }),
            },
          },
        ],
        'device.opDone': [
          // CANCEL took effect before the disc was fetched from a drive or the printer: it may still
          // be there. The start-up rules find it and send it to the reject slide before it is reported.
          {
            guard: 'cancelledBeforeFetch',
            target: '#robot.initializing',
            actions: [
              {
                type: 'markRejection',
                params: ({ context }) => ({
                  cause: 'notReady',
                  reason: `cancelled during ${context.pending!.verb}; the start-up rules sent the disc from the ${context.disc!.where} to the reject bin`,
                }),
              },
              'planStartOver',
            ],
          },
          // CANCEL took effect (ours, or the unit's own): the device put the disc on the reject slide.
          {
            guard: 'pendingOpCancelled',
            target: '#robot.idle',
            actions: [
              {
                type: 'markRejection',
                params: ({ context }) => ({
                  cause: 'notReady',
                  reason: context.disc!.cancelRequested
                    ? `cancelled during ${context.pending!.verb}; the disc went to the reject bin`
                    : `the robot cancelled ${context.pending!.verb} by itself; the disc went to the reject bin`,
                }),
              },
              'reportRejected',
            ],
          },
          // The device gave the operation up itself (a power cycle, a printer reset after a fatal
          // drop): the disc may be anywhere. The start-up rules clear it to the reject slide (and
          // count the bins the device forgot) before the disc is reported and the next one starts.
          {
            guard: 'pendingOpFailed',
            target: '#robot.initializing',
            actions: [{ type: 'markRejection', params: ({ context }) => gaveUp(context.pending!.verb, context.pending!.op) }, 'planStartOver'],
          },
          // The step finished before CANCEL could stop it: reject from where the disc now is.
          { guard: 'stepDoneAfterCancel', target: '.rejecting', actions: 'settleCancelledStep' },
        ],
        'disc.cancel': [
          { guard: 'discInHandWithOpPending', actions: ['markCancelRequested', { type: 'command', params: { verb: 'CANCEL', args: {} } }] },
          { guard: 'isDiscInHand', target: '.rejecting', actions: 'markCancelRequested' },
        ],
      },
      states: {
        loading: {
          entry: { type: 'enterStep', params: { step: 'loading' } },
          on: {
            'device.opDone': { guard: 'stepDone', target: 'awaitingMedia', actions: { type: 'discMoved', params: { where: 'drive' } } },
          },
        },
        // The drive spins up: poll MEDIA_INFO; DRIVE_NOT_READY is not an error until the bound.
        awaitingMedia: {
          entry: { type: 'enterStep', params: { step: 'awaitingMedia' } },
          initial: 'asking',
          after: {
            mediaWaitBound: {
              target: 'rejecting',
              actions: {
                type: 'markRejection',
                params: ({ context }) => ({
                  cause: 'notReady',
                  reason: `drive ${context.disc!.drive} was not ready ${context.options.maxMediaWaitMs} ms after loading`,
                }),
              },
            },
          },
          states: {
            asking: {
              entry: { type: 'ask', params: ({ context }) => ({ verb: 'MEDIA_INFO', args: { drive: String(context.disc!.drive) } }) },
              on: {
                'link.reply': [
                  { guard: 'blankMediaFits', target: '#robot.busy.recording', actions: 'forgetQuery' },
                  { guard: 'driveNotReady', target: 'waiting', actions: 'forgetQuery' },
                  {
                    guard: 'isQueryReply',
                    target: '#robot.busy.rejecting',
                    actions: [
                      {
                        type: 'markRejection',
                        params: ({ context, event }) => ({
                          cause: 'media',
                          reason: !event.ok
                            ? `MEDIA_INFO answered ${event.code} ${event.name}`
                            : event.fields.blank !== '1'
                              ? `the disc is not blank (${event.fields.type ?? 'unknown media'}, blank=${event.fields.blank ?? '?'})`
                              : (mediaMismatch(context.disc!.request.media, event.fields.type) ?? ''),
                        }),
                      },
                      'forgetQuery',
                    ],
                  },
                ],
              },
            },
            waiting: {
              after: { mediaPoll: 'asking' },
            },
          },
        },
        // The recorder burns, finalizes and verifies; the robot has nothing in hand meanwhile.
        recording: {
          invoke: {
            id: 'recorder',
            src: 'recorder',
            input: ({ context }): RecorderInput => ({
              robot: context.name,
              discId: context.disc!.request.discId,
              drive: context.drives.find((d) => d.index === context.disc!.drive)!,
              imagePath: context.disc!.request.imagePath,
              imageBytes: context.disc!.request.imageBytes,
            }),
            onError: {
              target: 'rejecting',
              actions: {
                type: 'markRejection',
                params: ({ event }) => ({ cause: 'write', reason: `the recorder failed: ${event.error instanceof Error ? event.error.message : String(event.error)}` }),
              },
            },
          },
          initial: 'burning',
          on: {
            'recorder.progress': [
              { guard: { type: 'progressEnters', params: { phase: 'finalizing' } }, target: '.finalizing' },
              { guard: { type: 'progressEnters', params: { phase: 'verifying' } }, target: '.verifying' },
              { actions: 'reportProgress' },
            ],
            'recorder.finished': [
              // Cancelled while recording: the drive was let finish (it refuses to give up a disc it
              // writes); now the disc goes to the reject slide, once any robot fault is cleared.
              {
                guard: 'recordingEndedAfterCancelWithFaultStanding',
                target: '#robot.error',
                actions: [{ type: 'markRejection', params: { cause: 'cancelled', reason: 'cancelled while recording; the disc went to the reject bin' } }, { type: 'setResume', params: { resume: 'rejecting' } }],
              },
              { guard: 'recordingEndedAfterCancel', target: 'rejecting', actions: { type: 'markRejection', params: { cause: 'cancelled', reason: 'cancelled while recording; the disc went to the reject bin' } } },
              // A robot fault came while burning: the disc is good, the robot is not; wait for it.
              {
                guard: 'recordedWithFaultStanding',
                target: '#robot.error',
                actions: ['markVerified', { type: 'setResume', params: ({ context }) => ({ resume: wantsPrint(context) ? 'printing' : 'delivering' }) }],
              },
              { guard: 'recordedAndPrint', target: 'printing', actions: 'markVerified' },
              { guard: 'recorded', target: 'delivering', actions: 'markVerified' },
              {
                guard: 'failedWithFaultStanding',
                target: '#robot.error',
                actions: [{ type: 'markRejection', params: ({ event }) => recordingRejection(event) }, { type: 'setResume', params: { resume: 'rejecting' } }],
              },
              { target: 'rejecting', actions: { type: 'markRejection', params: ({ event }) => recordingRejection(event) } },
            ],
            // The drive is let finish: a drive refuses to give up a disc it writes (UNLOAD answers busy).
            'disc.cancel': { guard: 'isDiscInHand', actions: 'markCancelRequested' },
            // A robot error (a cover opened) does not stop the drive: note it, pause the job, go on.
            'device.state': [
              {
                guard: 'deviceInError',
                actions: ['recordStatus', { type: 'enterFault', params: ({ event }) => ({ fault: faultOf(event.status.syserr), resume: null }) }],
              },
              { guard: 'faultCleared', actions: ['recordStatus', 'clearFault'] },
            ],
          },
          states: {
            burning: { entry: { type: 'enterStep', params: { step: 'burning' } } },
            finalizing: { entry: [{ type: 'enterStep', params: { step: 'finalizing' } }, 'reportProgress'] },
            verifying: { entry: [{ type: 'enterStep', params: { step: 'verifying' } }, 'reportProgress'] },
          },
        },
        printing: {
          initial: 'loadingPrinter',
          states: {
            loadingPrinter: {
              entry: { type: 'enterStep', params: { step: 'printing' } },
              on: {
                'device.opDone': { guard: 'stepDone', target: 'labelling', actions: { type: 'discMoved', params: { where: 'printer' } } },
              },
            },
            labelling: {
              entry: { type: 'enterStep', params: { step: 'labelling' } },
              on: {
                'device.opDone': { guard: 'stepDone', target: '#robot.busy.delivering', actions: { type: 'discMoved', params: { where: 'printer' } } },
              },
            },
          },
        },
        // Only reached from a verified recording. Bins that went unknown (a cover opened on the
        // way) are counted first, so that the delivered disc's bin can be told; the device refuses
        // CHECKDISCS while an operation is pending, so this is the first moment it can run.
        delivering: {
          initial: 'choosing',
          states: {
            // Also where an error or a busy refusal comes back to: go on with what is in hand.
            choosing: {
              always: [{ guard: 'countsBinsFirst', target: 'countingBins' }, { target: 'unloading' }],
            },
            countingBins: {
              entry: 'countBins',
              on: {
                // Counted (or refused: the delivery does not wait on a count); a cancel asked
                // meanwhile sends the disc to the reject slide instead.
                'device.opDone': [
                  { guard: 'binCountEndedAfterCancel', target: '#robot.busy.rejecting', actions: 'endBinCount' },
                  { guard: 'binCountEnded', target: 'unloading', actions: 'endBinCount' },
                ],
                'link.reply': [
                  { guard: 'pendingRefusedAfterCancel', target: '#robot.busy.rejecting', actions: 'endBinCount' },
                  { guard: 'pendingRefused', target: 'unloading', actions: 'endBinCount' },
                ],
                // CANCEL would stop the count, not the disc, which waits in the printer or drive.
                'disc.cancel': { guard: 'isDiscInHand', actions: 'markCancelRequested' },
              },
            },
            unloading: {
              entry: { type: 'enterStep', params: { step: 'delivering' } },
              on: {
                // A CANCEL that lost the race still delivers.
                'device.opDone': { guard: 'pendingOpSucceeded', target: '#robot.idle', actions: 'reportDelivered' },
              },
            },
          },
        },
        rejecting: {
          entry: { type: 'enterStep', params: { step: 'rejecting' } },
          always: { guard: 'nothingToUnload', target: '#robot.idle', actions: 'reportRejected' },
          on: {
            'device.opDone': [
              // Given up on the way to the reject slide: the start-up rules finish clearing it.
              {
                guard: 'pendingOpFailed',
                target: '#robot.initializing',
                actions: [{ type: 'markRejection', params: ({ context }) => gaveUp(context.pending!.verb, context.pending!.op) }, 'planStartOver'],
              },
              { guard: 'pendingOpEnded', target: '#robot.idle', actions: 'reportRejected' },
            ],
            'link.reply': [
              { guard: 'pendingTrayFailedOnce', actions: 'resendPending' },
              {
                guard: 'pendingRefused',
                target: '#robot.idle',
                actions: {
                  type: 'reportRejected',
                  params: ({ context, event }) => ({
                    suffix: event.ok
                      ? ''
                      : `; ${describeRefusal(context.pending!.verb, event.code, event.name)}: the disc is still in the ${context.disc!.where === 'printer' ? 'printer' : `drive ${context.disc!.drive}`}`,
                  }),
                },
              },
            ],
            // Already on its way to the reject slide: only the reported cause changes.
            'disc.cancel': { guard: 'isDiscInHand', actions: 'markCancelRequested' },
          },
        },
      },
    },

    // The robot reported an error: wait for the operator (or the device) to clear it.
    error: {
      entry: { type: 'announceAvailability', params: { available: false, why: 'error' } },
      initial: 'classifying',
      on: {
        // A cancel while the device holds the operation: CANCEL ends it there (clearing the error), so
        // the disc goes to the reject slide instead of finishing its move, e.g. into the output bin.
        'disc.cancel': [
          { guard: 'discInHandWithOpPending', actions: ['markCancelRequested', { type: 'command', params: { verb: 'CANCEL', args: {} } }] },
          { guard: 'isDiscInHand', actions: 'markCancelRequested' },
        ],
        'robot.clearError': {
          target: 'recovering',
          actions: { type: 'command', params: ({ event }) => ({ verb: 'KILL_ERROR', args: { resetPrinter: event.resetPrinter ? '1' : '0' } }) },
        },
        'robot.acknowledgeInkLow': {
          guard: 'faultIsInkLow',
          target: 'recovering',
          actions: { type: 'command', params: { verb: 'SYSTEM_ACTION', args: { action: 'IGNOREINKLOW' } } },
        },
        // Cleared on the unit itself (a cover closed, the button pressed).
        'device.state': [
          { guard: 'deviceCleared', target: 'resuming', actions: 'recordStatus' },
          {
            guard: 'faultChanged',
            target: 'error',
            reenter: true,
            actions: ['recordStatus', { type: 'enterFault', params: ({ event }) => ({ fault: faultOf(event.status.syserr), resume: null }) }],
          },
        ],
      },
      states: {
        classifying: {
          always: [
            { guard: { type: 'faultKindIs', params: { kind: 'operator' } }, target: 'operator' },
            { guard: { type: 'faultKindIs', params: { kind: 'consumable' } }, target: 'consumable' },
            { guard: { type: 'faultKindIs', params: { kind: 'communication' } }, target: 'communication' },
            { guard: { type: 'faultKindIs', params: { kind: 'configuration' } }, target: 'configuration' },
            // Every other SYSERR, unknown numbers included (systemError() makes them mechanical).
            { target: 'mechanical' },
          ],
        },
        operator: {},
        consumable: {
          always: {
            guard: 'autoAcknowledgesInkLow',
            target: '#robot.recovering',
            actions: { type: 'command', params: { verb: 'SYSTEM_ACTION', args: { action: 'IGNOREINKLOW' } } },
          },
        },
        mechanical: {},
        communication: {},
        configuration: {},
      },
    },

    // KILL_ERROR or IGNOREINKLOW sent: the device answers with its state.
    recovering: {
      on: {
        'device.state': [
          {
            guard: 'deviceInError',
            target: 'error',
            actions: ['recordStatus', { type: 'enterFault', params: ({ event }) => ({ fault: faultOf(event.status.syserr), resume: null }) }],
          },
          { guard: 'deviceCleared', target: 'resuming', actions: 'recordStatus' },
        ],
      },
    },

    // A robotic verb was refused as busy (528): GET_STATUS tells an error from a device still moving.
    checking: {
      entry: { type: 'ask', params: { verb: 'GET_STATUS', args: {} } },
      on: {
        'link.reply': [
          {
            guard: 'statusReplyInError',
            target: 'error',
            actions: [
              'recordStatusReply',
              { type: 'enterFault', params: ({ event }) => ({ fault: faultOf(Number(event.ok ? event.fields.syserr : 0)), resume: null }) },
            ],
          },
          { guard: 'statusReplyBusy', actions: 'recordStatusReply' },
          // Idle after all (or no answer): try the verb again.
          { guard: 'isQueryReply', target: 'resuming', actions: 'forgetQuery' },
        ],
        'device.state': [
          {
            guard: 'deviceInError',
            target: 'error',
            actions: ['recordStatus', { type: 'enterFault', params: ({ event }) => ({ fault: faultOf(event.status.syserr), resume: null }) }],
          },
          { guard: 'deviceIdle', target: 'resuming', actions: 'recordStatus' },
        ],
      },
    },

    // Back to where the fault interrupted, without sending the operation in hand again.
    resuming: {
      entry: 'clearFault',
      always: [
        // Cancelled while paused, with no operation that will finish by itself: reject it now.
        { guard: 'cancelledWithNoOpInHand', target: '#robot.busy.rejecting', actions: 'dropPending' },
        { guard: { type: 'resumeTargetIs', params: { target: 'idle' } }, target: 'idle' },
        { guard: { type: 'resumeTargetIs', params: { target: 'initializing' } }, target: 'initializing' },
        { guard: { type: 'resumeTargetIs', params: { target: 'loading' } }, target: '#robot.busy.loading' },
        { guard: { type: 'resumeTargetIs', params: { target: 'awaitingMedia' } }, target: '#robot.busy.awaitingMedia' },
        { guard: { type: 'resumeTargetIs', params: { target: 'printing' } }, target: '#robot.busy.printing' },
        { guard: { type: 'resumeTargetIs', params: { target: 'labelling' } }, target: '#robot.busy.printing.labelling' },
        { guard: { type: 'resumeTargetIs', params: { target: 'delivering' } }, target: '#robot.busy.delivering' },
        { target: '#robot.busy.rejecting' },
      ],
    },
  },
});

/** The device ended the operation in hand FAILED: the disc goes to the reject slide by the start-up rules. */
function gaveUp(verb: string, op: number | null): RejectParams {
  return { cause: 'robot', reason: `the robot gave up ${verb} (operation ${op ?? '?'} FAILED); the start-up rules sent the disc to the reject bin` };
}

function recordingRejection(event: RecorderEvent): RejectParams {
  if (event.type !== 'recorder.finished' || event.result === 'ok') return { cause: 'write', reason: 'recording did not finish' };
  const cause: RejectCause = event.result === 'verifyError' ? 'verify' : event.result === 'mediaError' ? 'media' : 'write';
  return { cause, reason: `${event.result}: ${event.detail}` };
}
