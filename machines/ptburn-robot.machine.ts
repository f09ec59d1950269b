// A Primera robot behind a PTBurn server (its hot folder), on the same robot port as the DPRP robot
// (machines/robot-port.ts): a job asks for one disc, the machine writes one single-copy job request
// (.JRQ) for it, follows that job through its file and PTBurn's status files, and tells the job the
// phases, progress and outcome PTBurn reports. Verification is PTBurn's (VerifyDisc = YES), so a
// job PTBurn completed is a verified disc. Pure: the invoked `hotFolder` actor does all the I/O.
//
// Every status reading (and every job file change) goes through `routing`, which derives the state
// from the data: offline while the folder cannot be read or PTBurn's tick count is frozen, error
// while a system error stands, busy while a disc is in hand (its sub-state from the job's status),
// idle otherwise. Offline and errors pause the job's disc once per fault and resume it when they
// clear; a job that ended meanwhile is reported as it ended. Availability is announced to the parent
// (the publisher) with the DPRP robot's events, once per change.

import { assertEvent, assign, enqueueActions, fromCallback, setup, type AnyActorRef, type CallbackActorLogic } from 'xstate';
import type { DiscRequest, RobotAvailabilityEvent, RobotPortEvent } from './robot-port.ts';
import {
  DEFAULT_PTBURN_ROBOT_OPTIONS,
  type Availability,
  type HotFolderCommand,
  type HotFolderInput,
  type PtburnDisc,
  type PtburnRobotContext,
  type PtburnRobotEvent,
  type PtburnRobotInput,
} from './ptburn-robot/events.ts';
import {
  currentPhase,
  discOutcome,
  faultOfSystemError,
  FOLDER_UNREACHABLE,
  isInkLowNumber,
  jobNameOf,
  SERVICE_STOPPED,
  systemErrorNumber,
} from './ptburn-robot/status.ts';
import type { DiscPhase } from './robot-port.ts';

export const PTBURN_ROBOT_MACHINE_VERSION = '1';
export * from './ptburn-robot/events.ts';
export { jobNameOf } from './ptburn-robot/status.ts';

/** The hot folder the composition root provides: it takes HotFolderCommands, sends back HotFolderEvents. */
export type HotFolderLogic = CallbackActorLogic<HotFolderCommand, HotFolderInput>;

export const PTBURN_ROBOT_EVENT_TYPES = [
  'disc.make', 'disc.cancel', 'robot.clearError', 'robot.acknowledgeInkLow', 'status.read', 'job.fileState', 'folder.unreachable',
] as const;

/** The ABORT of a job must carry the ClientID its JRQ had. */
export const PTBURN_CLIENT_ID = 'discrobot';

const NO_DRIVE = -1;

type Enqueue = { sendTo: (to: AnyActorRef, event: RobotPortEvent | HotFolderCommand) => void };
type ActorSystem = { get: (systemId: string) => AnyActorRef | undefined };

function tellJob(enqueue: Enqueue, system: ActorSystem, request: DiscRequest, event: RobotPortEvent): void {
  const job = system.get(request.replyTo);
  if (job) enqueue.sendTo(job, event);
}

const inHand = (context: PtburnRobotContext, discId: string) => context.disc?.request.discId === discId;
const phaseIs = (phase: DiscPhase) => ({ type: 'phaseIs' as const, params: { phase } });

export const ptburnRobotMachine = setup({
  types: {
    context: {} as PtburnRobotContext,
    events: {} as PtburnRobotEvent,
    input: {} as PtburnRobotInput,
  },
  actors: {
    // A placeholder; the composition root provides the hot folder (adapters/robot/ptburn/hot-folder.ts).
    hotFolder: fromCallback<HotFolderCommand, HotFolderInput>(() => undefined),
  },
  guards: {
    isPartial: ({ event }) => event.type === 'status.read' && event.partial,
    serviceStalled: ({ event }) => event.type === 'status.read' && event.system.stalled,
    isQueuedDisc: ({ context, event }) => event.type === 'disc.cancel' && context.queue.some((r) => r.discId === event.discId),
    isDiscInHand: ({ context, event }) => event.type === 'disc.cancel' && inHand(context, event.discId),
    isJobFile: ({ context, event }) => event.type === 'job.fileState' && context.disc?.jobName.toLowerCase() === event.name.toLowerCase(),
    isOffline: ({ context }) => context.offline !== null,
    hasNoReading: ({ context }) => context.status === null,
    discDelivered: ({ context }) => discOutcome(context.disc, context.job)?.kind === 'delivered',
    discRejected: ({ context }) => discOutcome(context.disc, context.job)?.kind === 'rejected',
    systemErrorStands: ({ context }) => systemErrorNumber(context) !== 0,
    noDiscInHand: ({ context }) => context.disc === null,
    hasWork: ({ context }) => context.disc !== null || context.queue.length > 0,
    notWritten: ({ context }) => context.disc !== null && !context.disc.written,
    cancelRequested: ({ context }) => context.disc?.cancelRequested === true,
    phaseIs: ({ context }, { phase }: { phase: DiscPhase }) => context.disc !== null && currentPhase(context.disc, context.job) === phase,
    faultIsInkLow: ({ context }) => context.fault !== null && isInkLowNumber(context.fault.code) && context.fault.name.startsWith('JPSYSERR_'),
    autoAcknowledgesInkLow: ({ context }) =>
      context.options.autoAcknowledgeInkLow && !context.inkAcknowledged && context.fault !== null && isInkLowNumber(context.fault.code) && context.fault.name.startsWith('JPSYSERR_'),
  },
  actions: {
    // The publisher gives jobs only to available robots; told once per change. A standalone robot has no parent.
    announce: enqueueActions(({ context, enqueue, self }, params: { availability: Availability }) => {
      if (context.announced === params.availability) return;
      enqueue.assign({ announced: params.availability });
      if (!self._parent) return;
      const event: RobotAvailabilityEvent = params.availability === 'available'
        ? { type: 'robot.available', robot: context.name }
        : { type: 'robot.unavailable', robot: context.name, why: params.availability };
      enqueue.sendParent(event);
    }),
    // ---- readings ----
    recordStatus: assign(({ context, event }) => {
      assertEvent(event, 'status.read');
      // A fresh reading is the truth: a job it no longer lists is decided by its file (status.ts).
      const job = event.job && context.disc && event.job.name.toLowerCase() === context.disc.jobName.toLowerCase() ? event.job : null;
      return { status: { system: event.system, robot: event.robot }, job, offline: null };
    }),
    notePartial: assign(({ context }) => ({ partialReads: context.partialReads + 1 })),
    recordFileState: assign(({ context, event }) => {
      assertEvent(event, 'job.fileState');
      const disc = context.disc!;
      return { disc: { ...disc, fileState: event.state, written: true, refusal: event.reason ?? disc.refusal } };
    }),
    /** Offline: the disc in hand is paused (once per cause) until PTBurn can be heard again. */
    goOffline: enqueueActions(({ context, enqueue, system }, params: { why: 'stopped' | 'unreachable' }) => {
      const fault = params.why === 'stopped' ? SERVICE_STOPPED : FOLDER_UNREACHABLE;
      enqueue.assign({ offline: params.why });
      const disc = context.disc;
      if (disc && disc.pausedFor !== fault.name) {
        tellJob(enqueue, system, disc.request, { type: 'disc.paused', discId: disc.request.discId, fault: { robot: context.name, ...fault } });
        enqueue.assign({ disc: { ...disc, pausedFor: fault.name } });
      }
    }),
    /** A system error stands: remember it, pause the disc once per fault. */
    enterFault: enqueueActions(({ context, enqueue, system }) => {
      const fault = faultOfSystemError(systemErrorNumber(context));
      const changed = context.fault?.name !== fault.name;
      enqueue.assign({ fault, inkAcknowledged: changed ? false : context.inkAcknowledged });
      const disc = context.disc;
      if (disc && disc.pausedFor !== fault.name) {
        tellJob(enqueue, system, disc.request, { type: 'disc.paused', discId: disc.request.discId, fault: { robot: context.name, ...fault } });
        enqueue.assign({ disc: { ...disc, pausedFor: fault.name } });
      }
    }),
    /** Heard again and no error stands: a paused disc goes on. */
    clearFault: enqueueActions(({ context, enqueue, system }) => {
      const disc = context.disc;
      if (disc && disc.pausedFor !== null) {
        tellJob(enqueue, system, disc.request, { type: 'disc.resumed', discId: disc.request.discId });
        enqueue.assign({ disc: { ...disc, pausedFor: null } });
      }
      if (context.fault) enqueue.assign({ fault: null, inkAcknowledged: false });
    }),
    sendCommand: enqueueActions(({ enqueue }, params: { command: HotFolderCommand }) => {
      enqueue.sendTo('hotFolder', params.command);
    }),
    acknowledgeInkLow: enqueueActions(({ enqueue }) => {
      enqueue.assign({ inkAcknowledged: true });
      enqueue.sendTo('hotFolder', { type: 'folder.command', ptm: { message: 'IGNORE_INKLOW' }, jobName: null } satisfies HotFolderCommand);
    }),
    // ---- requests ----
    enqueueDisc: enqueueActions(({ context, enqueue, system, event }) => {
      assertEvent(event, 'disc.make');
      const queue = [...context.queue, event.request];
      enqueue.assign({ queue });
      tellJob(enqueue, system, event.request, { type: 'disc.queued', discId: event.request.discId, robot: context.name, position: queue.length });
    }),
    cancelQueuedDisc: enqueueActions(({ context, enqueue, system, event }) => {
      assertEvent(event, 'disc.cancel');
      const request = context.queue.find((r) => r.discId === event.discId)!;
      enqueue.assign({ queue: context.queue.filter((r) => r.discId !== event.discId) });
      tellJob(enqueue, system, request, { type: 'disc.rejected', discId: request.discId, cause: 'cancelled', reason: 'cancelled before the robot started it', drive: NO_DRIVE });
    }),
    markCancelRequested: assign(({ context }) => ({ disc: { ...context.disc!, cancelRequested: true } })),
    takeNextDisc: assign(({ context }) => {
      const [request, ...queue] = context.queue;
      const disc: PtburnDisc = {
        request: request!,
        jobName: jobNameOf(request!.jobId, request!.copy, request!.attempt),
        submitSent: false,
        written: false,
        fileState: null,
        refusal: null,
        phase: null,
        pct: null,
        drive: NO_DRIVE,
        cancelRequested: false,
        abortSent: false,
        pausedFor: null,
      };
      return { queue, disc, job: null };
    }),
    /** Entry of submitting: the JRQ is asked for once; the adapter retries a write that fails. */
    submit: enqueueActions(({ context, enqueue }) => {
      const disc = context.disc!;
      if (disc.submitSent) return;
      const request = context.options.print ? disc.request : { ...disc.request, labelPath: null };
      enqueue.assign({ disc: { ...disc, submitSent: true } });
      enqueue.sendTo('hotFolder', { type: 'folder.submit', jobName: disc.jobName, request } satisfies HotFolderCommand);
    }),
    /**
     * ABORT once, in the job's own .PTM with the JRQ's ClientID: on entering cancelling, and at once
     * when the cancel comes while a system error stands (PTBurn takes commands then too). Not before
     * the JRQ is in place, nor while PTBurn cannot be heard: cancelling sends it when it can.
     */
    abort: enqueueActions(({ context, enqueue }) => {
      const disc = context.disc!;
      if (disc.abortSent || !disc.written || context.offline !== null) return;
      enqueue.assign({ disc: { ...disc, abortSent: true } });
      enqueue.sendTo('hotFolder', { type: 'folder.command', ptm: { message: 'ABORT', clientId: PTBURN_CLIENT_ID }, jobName: disc.jobName } satisfies HotFolderCommand);
    }),
    /** Entry of each in-process phase: tell the job the phase once, then its progress when it moved. */
    enterPhase: enqueueActions(({ context, enqueue, system }, params: { phase: DiscPhase }) => {
      const disc = context.disc!;
      const drive = context.job && context.job.drive >= 0 ? context.job.drive : disc.drive;
      let next: PtburnDisc = { ...disc, drive };
      if (disc.phase !== params.phase) {
        tellJob(enqueue, system, disc.request, { type: 'disc.phase', discId: disc.request.discId, phase: params.phase });
        next = { ...next, phase: params.phase, pct: null };
      }
      const pct = context.job?.percent ?? null;
      const recording = params.phase === 'burning' || params.phase === 'verifying';
      if (recording && pct !== null && pct !== next.pct) {
        tellJob(enqueue, system, disc.request, { type: 'disc.progress', discId: disc.request.discId, phase: params.phase, pct });
        next = { ...next, pct };
      }
      enqueue.assign({ disc: next });
    }),
    reportDelivered: enqueueActions(({ context, enqueue, system }) => {
      const disc = context.disc!;
      const drive = context.job && context.job.drive >= 0 ? context.job.drive : disc.drive;
      tellJob(enqueue, system, disc.request, { type: 'disc.delivered', discId: disc.request.discId, verified: true, location: 'output', drive });
      enqueue.assign({ disc: null, job: null });
    }),
    reportRejected: enqueueActions(({ context, enqueue, system }) => {
      const disc = context.disc!;
      const outcome = discOutcome(disc, context.job);
      const drive = context.job && context.job.drive >= 0 ? context.job.drive : disc.drive;
      const { cause, reason } = outcome?.kind === 'rejected' ? outcome : { cause: 'robot' as const, reason: 'PTBurn failed the job' };
      tellJob(enqueue, system, disc.request, { type: 'disc.rejected', discId: disc.request.discId, cause, reason, drive });
      enqueue.assign({ disc: null, job: null });
    }),
  },
}).createMachine({
  id: 'ptburnRobot',
  version: PTBURN_ROBOT_MACHINE_VERSION,
  context: ({ input }) => ({
    name: input.name,
    options: { ...DEFAULT_PTBURN_ROBOT_OPTIONS, ...input.options },
    queue: [],
    disc: null,
    status: null,
    job: null,
    offline: null,
    fault: null,
    inkAcknowledged: false,
    announced: null,
    partialReads: 0,
  }),
  // The hot folder lives as long as the robot; if it crashes, nothing will read the folder again.
  invoke: {
    id: 'hotFolder',
    src: 'hotFolder',
    input: ({ context }) => ({ robot: context.name }),
    onError: { target: '.offline', actions: { type: 'goOffline', params: { why: 'unreachable' } } },
  },
  initial: 'connecting',
  on: {
    // Accepted in every state: the queue waits for idle.
    'disc.make': { target: '.routing', actions: 'enqueueDisc' },
    'disc.cancel': [
      { guard: 'isQueuedDisc', actions: 'cancelQueuedDisc' },
      // In hand: ABORT goes out now if the JRQ is in place and PTBurn can be heard, else from cancelling.
      { guard: 'isDiscInHand', target: '.routing', actions: ['markCancelRequested', 'abort'] },
    ],
    'status.read': [
      // A torn status file: the adapter repeats the last good reading; nothing changes.
      { guard: 'isPartial', actions: 'notePartial' },
      { guard: 'serviceStalled', target: '.offline', actions: { type: 'goOffline', params: { why: 'stopped' } } },
      { target: '.routing', actions: 'recordStatus' },
    ],
    'job.fileState': { guard: 'isJobFile', target: '.routing', actions: 'recordFileState' },
    'folder.unreachable': { target: '.offline', actions: { type: 'goOffline', params: { why: 'unreachable' } } },
  },
  states: {
    // Waiting for the first status reading.
    connecting: {
      entry: { type: 'announce', params: { availability: 'offline' } },
    },
    // The folder cannot be read, or PTBurn stopped (its tick froze): the disc in hand is paused.
    offline: {
      entry: { type: 'announce', params: { availability: 'offline' } },
    },

    // Where every reading lands: the state follows from the data.
    routing: {
      always: [
        { guard: 'isOffline', target: 'offline' },
        { guard: 'hasNoReading', target: 'connecting' },
        // A job that ended (meanwhile, too) is reported first, whatever else stands.
        { guard: 'discDelivered', target: 'routing', reenter: true, actions: 'reportDelivered' },
        { guard: 'discRejected', target: 'routing', reenter: true, actions: 'reportRejected' },
        { guard: 'systemErrorStands', target: 'error', actions: 'enterFault' },
        { guard: 'hasWork', target: 'busy', actions: 'clearFault' },
        { target: 'idle', actions: 'clearFault' },
      ],
    },

    idle: {
      entry: { type: 'announce', params: { availability: 'available' } },
    },

    busy: {
      entry: { type: 'announce', params: { availability: 'available' } },
      initial: 'tracking',
      states: {
        // The disc in hand's sub-state, from its job's file and status section.
        tracking: {
          always: [
            { guard: 'noDiscInHand', target: 'submitting', actions: 'takeNextDisc' },
            { guard: 'notWritten', target: 'submitting' },
            { guard: 'cancelRequested', target: 'cancelling' },
            { guard: phaseIs('loading'), target: 'inProcess.loading' },
            { guard: phaseIs('burning'), target: 'inProcess.burning' },
            { guard: phaseIs('finalizing'), target: 'inProcess.finalizing' },
            { guard: phaseIs('verifying'), target: 'inProcess.verifying' },
            { guard: phaseIs('printing'), target: 'inProcess.printing' },
            { guard: phaseIs('delivering'), target: 'inProcess.delivering' },
            { guard: phaseIs('rejecting'), target: 'inProcess.rejecting' },
            { target: 'queued' },
          ],
        },
        // The JRQ asked of the hot folder, not yet in place.
        submitting: { entry: 'submit' },
        // In the folder, not started: PTBurn has not found it yet (.JRQ) or queues it (.QRJ).
        queued: {},
        // PTBurn runs the job; its CurrentStatusState says which step (tracking enters one directly).
        inProcess: {
          initial: 'loading',
          states: {
            loading: { entry: { type: 'enterPhase', params: { phase: 'loading' } } },
            burning: { entry: { type: 'enterPhase', params: { phase: 'burning' } } },
            finalizing: { entry: { type: 'enterPhase', params: { phase: 'finalizing' } } },
            verifying: { entry: { type: 'enterPhase', params: { phase: 'verifying' } } },
            printing: { entry: { type: 'enterPhase', params: { phase: 'printing' } } },
            delivering: { entry: { type: 'enterPhase', params: { phase: 'delivering' } } },
            rejecting: { entry: { type: 'enterPhase', params: { phase: 'rejecting' } } },
          },
        },
        // ABORT sent: PTBurn ends the job (JobState 3, error 16), or delivers a disc that was past it.
        cancelling: { entry: 'abort' },
      },
    },

    // A PTBurn system error stands: wait for it to clear at the unit (or IGNORE_INKLOW for ink low).
    error: {
      entry: { type: 'announce', params: { availability: 'error' } },
      always: { guard: 'autoAcknowledgesInkLow', actions: 'acknowledgeInkLow' },
      on: {
        'robot.acknowledgeInkLow': { guard: 'faultIsInkLow', actions: 'acknowledgeInkLow' },
      },
    },
  },
});
