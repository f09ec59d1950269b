// Model-based test of the robot actor: xstate/graph walks the real machine (invokes and timers
// kept), and each path is replayed on a real actor whose `link` is a fake DPRP driver that records
// what the machine sends, whose `recorder` is a fake drive the test drives, and whose jobs are a
// fake job actor found by systemId. Stimuli go in the way production sends them (the link's and
// the recorder's sendBack, the job's and the operator's send, the clock for timers). Each step is
// checked against the model's snapshot and against protocol rules that must hold for any input:
// one robotic verb at a time, never a verb sent twice, nothing delivered without a verified
// recording, one outcome per disc. Scenarios then pin the exact DPRP sequences. afterAll fails on
// any state or transition the tests did not exercise.

import { afterAll, describe, expect, it } from 'vitest';
import {
  __unsafe_getAllOwnEventDescriptors,
  createActor,
  createEmptyActor,
  fromCallback,
  SimulatedClock,
  type AnyEventObject,
  type EventObject,
  type SnapshotFrom,
  type StateValue,
} from 'xstate';
import { getStateNodes, TestModel } from 'xstate/graph';
import {
  DEFAULT_ROBOT_OPTIONS,
  ROBOT_ACTOR_SOURCES,
  ROBOT_DELAYS,
  ROBOT_EVENT_TYPES,
  robotMachine,
  type LinkInput,
  type RobotInput,
} from '../../machines/robot.machine.ts';
import type { DeviceStatus, DriveInfo, LinkCommand, LinkEvent, RecorderEvent, RecorderInput, RobotInfo } from '../../machines/robot-link.ts';
import type { DiscRequest, RobotPortEvent } from '../../machines/robot-port.ts';
import { createModelCoverage, transitionKey } from '../support/model-coverage.ts';

type Snapshot = SnapshotFrom<typeof robotMachine>;

// ---- fixtures: a two-drive XRP as the simulator's session-open transcript describes it ---------

const JOB = 'job:test';
const INFO: RobotInfo = {
  impl: 'sim',
  model: 'DP-XRP',
  type: 5,
  description: 'Disc Publisher XRP',
  firmware: 'SIM-1',
  drives: 2,
  printers: 1,
  bins: 2,
  actions: 0x3b3, // CHECKDISCS (0x100) among them
  kiosk: true,
  maxPerBin: 50,
  trayControl: 'robot',
};
const DRIVES: DriveInfo[] = [0, 1].map((i) => ({ index: i, col: 0, row: i, name: 'SIM DVD-R drive', serial: `SIM-DP-XRP-D${i}`, dev: `sim:${i}` }));
const IDLE: DeviceStatus = { state: 0, syserr: 0, phase: 'IDLE', op: 0, bins: [0, 25], tray: 'I', picker: 'X', cover: 0 };
const OPTIONS = { maxMediaWaitMs: 30_000, mediaPollMs: 500 };
const INPUT: RobotInput = { name: 'xrp-1', options: OPTIONS };
const DELAY_MS: Record<string, number> = { mediaPoll: OPTIONS.mediaPollMs, mediaWaitBound: OPTIONS.maxMediaWaitMs };

function discRequest(discId: string, labelPath: string | null = '/spool/label.png', replyTo = JOB): DiscRequest {
  return { discId, jobId: 'job-1', copy: 1, attempt: 1, imagePath: '/spool/disc.iso', imageBytes: 650_000_000, media: 'dvd', labelPath, replyTo };
}

const linkUp = (status: Partial<DeviceStatus> = {}): LinkEvent => ({ type: 'link.up', info: INFO, drives: DRIVES, status: { ...IDLE, ...status } });
const deviceState = (status: Partial<DeviceStatus>): LinkEvent => ({ type: 'device.state', status: { ...IDLE, ...status } });
const UNKNOWN_BINS: Partial<DeviceStatus> = { bins: [255, 255] };

/** Robotic verbs (§4): they answer `R OK op=` and end with OPDONE; one at a time. */
function isRobotic(command: LinkCommand): boolean {
  if (command.verb === 'SYSTEM_ACTION') return command.args.action !== 'IGNOREINKLOW';
  return ['LOAD_DRIVE', 'LOAD_PRINTER', 'LOAD_PRINTER_FROM_DRIVE', 'UNLOAD_DRIVE', 'UNLOAD_PRINTER', 'MOVE', 'PRINT'].includes(command.verb);
}

// ---- stimuli: what the model may send in each snapshot -------------------------------------------

const labels = new WeakMap<object, string>();
function labelled<T extends AnyEventObject>(event: T, label: string): T {
  labels.set(event, label);
  return event;
}
const label = (event: AnyEventObject) =>
  labels.get(event) ?? (event.type.startsWith('xstate.after.') ? `after ${event.type.split('.')[2]}` : event.type);
const valuePath = (value: StateValue): string =>
  typeof value === 'string' ? value : Object.entries(value).map(([k, v]) => `${k}.${valuePath(v as StateValue)}`).join(',');

/** Event types the generator below knows; a machine handling any other type fails the traversal. */
const STIMULATED = new Set<string>([...ROBOT_EVENT_TYPES, 'xstate.error.actor.link', 'xstate.error.actor.recorder']);

const ERRORS_BY_KIND = [
  { syserr: 15, label: 'cover open' }, // operator
  { syserr: 6, label: 'black ink low' }, // consumable, ink low
  { syserr: 9, label: 'arm cannot move' }, // mechanical
  { syserr: 4, label: 'printer comm' }, // communication
  { syserr: 12, label: 'internal software' }, // configuration
];

function eventsFor(snapshot: Snapshot): AnyEventObject[] {
  for (const type of __unsafe_getAllOwnEventDescriptors(snapshot)) {
    if (!type.startsWith('xstate.after.') && !STIMULATED.has(type)) throw new Error(`no stimulus for event '${type}': add one to eventsFor`);
  }
  const c = snapshot.context;
  const at = (state: string) => snapshot.matches(state as never);
  const events: AnyEventObject[] = [];
  const add = (event: AnyEventObject, name: string) => events.push(labelled(event, name));
  const linkIsDown = at('offline') || at('connecting');

  // The link.
  if (at('offline')) add({ type: 'link.connecting', attempt: 1 }, 'link.connecting');
  if (linkIsDown) add(linkUp(), 'link.up (robot idle and empty)');
  if (at('connecting')) {
    add(linkUp({ state: 2, syserr: 36, tray: 'D', bins: [255, 255] }), 'link.up (align needed, disc in printer, bins unknown)');
    add(linkUp({ state: 1, phase: 'PICKING', op: 7 }), 'link.up (robot still moving)');
    add(linkUp({ state: 2, syserr: 15 }), 'link.up (robot in error)');
  }
  if (!linkIsDown) add({ type: 'link.down', reason: 'silent for 6 s' }, 'link.down');
  if (at('idle')) add({ type: 'xstate.error.actor.link', error: new Error('driver crashed') }, 'link driver crashed');

  // Jobs: one disc with and one without a label; a second disc queues behind the first.
  const discs = c.queue.length + (c.disc ? 1 : 0);
  if (discs === 0 && (at('offline') || at('idle'))) {
    add({ type: 'disc.make', request: discRequest(`job-1/${c.nextRef}.1`) }, 'disc.make');
    add({ type: 'disc.make', request: discRequest(`job-1/${c.nextRef}.1`, null) }, 'disc.make (no label)');
  } else if (discs === 1 && (at('busy.loading') || at('error'))) {
    add({ type: 'disc.make', request: discRequest(`job-1/${c.nextRef}.2`) }, 'disc.make (queued behind)');
  }
  if (c.queue[0] && c.disc) add({ type: 'disc.cancel', discId: c.queue[0].discId }, 'disc.cancel (queued)');
  if (c.disc) add({ type: 'disc.cancel', discId: c.disc.request.discId }, 'disc.cancel (in hand)');

  // Replies to the verb in hand.
  const p = c.pending;
  if (p && p.op === null && !p.refused) {
    add({ type: 'link.reply', ref: p.ref, ok: true, fields: { op: String(100 + p.ref) } }, `${p.verb} accepted`);
    add({ type: 'link.reply', ref: p.ref, ok: false, code: 528, name: 'PTROBOT_BUSY', fields: {} }, `${p.verb} refused busy`);
    add({ type: 'link.reply', ref: p.ref, ok: false, code: 515, name: 'PTROBOT_INVALID_LOCATION', fields: {} }, `${p.verb} refused 515`);
    // A drive tray that will not open or close: only verbs that move a drive tray meet it.
    if (p.verb === 'LOAD_DRIVE' || p.verb === 'UNLOAD_DRIVE') {
      add({ type: 'link.reply', ref: p.ref, ok: false, code: 506, name: 'PTROBOT_OPENCLOSE_FAILED', fields: {} }, `${p.verb} refused 506${p.trayRetried ? ' again' : ''}`);
    }
  }
  if (p && p.op !== null) {
    add({ type: 'device.opDone', op: p.op, result: 'OK' }, `${p.verb} done`);
    add({ type: 'device.opDone', op: p.op, result: 'CANCELLED' }, `${p.verb} cancelled`);
    add({ type: 'device.opDone', op: p.op, result: 'FAILED' }, `${p.verb} failed`);
  }
  // Replies to the question in hand.
  const q = c.query;
  if (q) {
    const ok = (fields: Record<string, string>, name: string) => add({ type: 'link.reply', ref: q.ref, ok: true, fields }, name);
    const err = (code: number, name: string) => add({ type: 'link.reply', ref: q.ref, ok: false, code, name, fields: {} }, `${q.verb} ${name}`);
    if (q.verb === 'MEDIA_INFO' && at('initializing')) {
      err(525, 'PTROBOT_NO_MEDIA');
      ok({ type: 'DVD-R', id: 'SIM-000009', blank: '0' }, 'MEDIA_INFO (a disc left in the drive)');
    } else if (q.verb === 'MEDIA_INFO') {
      ok({ type: 'DVD-R', id: 'SIM-000001', blank: '1' }, 'MEDIA_INFO blank');
      ok({ type: 'CD-R', id: 'SIM-000001', blank: '1' }, 'MEDIA_INFO blank CD-R (smaller than the dvd image)');
      ok({ type: 'DVD-R', id: 'SIM-000001', blank: '0' }, 'MEDIA_INFO not blank');
      err(523, 'PTROBOT_DRIVE_NOT_READY');
      err(525, 'PTROBOT_NO_MEDIA');
    } else if (at('initializing')) {
      // The rules run again after an operation FAILED: where the discs are now.
      ok({ state: '0', syserr: '0', phase: 'IDLE', op: '0', bins: '255,255', tray: 'D' }, 'GET_STATUS (idle, disc in printer, bins unknown)');
      ok({ state: '0', syserr: '0', phase: 'IDLE', op: '0', bins: '0,25', tray: 'I' }, 'GET_STATUS (idle, printer empty)');
      err(605, 'DPRP_TIMEOUT');
    } else {
      ok({ state: '2', syserr: '8', phase: 'PICKING', op: '0' }, 'GET_STATUS (error: pick)');
      ok({ state: '1', syserr: '0', phase: 'PICKING', op: '9' }, 'GET_STATUS (busy)');
      ok({ state: '0', syserr: '0', phase: 'IDLE', op: '0' }, 'GET_STATUS (idle)');
    }
  }

  // The device's state: every error kind from idle, one error elsewhere, busy and idle anywhere.
  // An open cover makes the device forget its bin counts (255 until CHECKDISCS).
  if (at('idle')) for (const e of ERRORS_BY_KIND) add(deviceState({ state: 2, syserr: e.syserr, ...(e.syserr === 15 ? UNKNOWN_BINS : {}) }), `STATE error (${e.label})`);
  else if (at('error')) add(deviceState({ state: 2, syserr: 8 }), 'STATE error (pick)');
  else if (!linkIsDown) add(deviceState({ state: 2, syserr: 15, ...UNKNOWN_BINS }), 'STATE error (cover open)');
  if (!linkIsDown) {
    add(deviceState({ state: 1, phase: 'PICKING', op: p?.op ?? 0 }), 'STATE busy');
    add(deviceState({ state: 0 }), 'STATE idle');
  }

  // The recorder.
  if (at('busy.recording')) {
    add({ type: 'recorder.progress', phase: 'burning', pct: 40 }, 'recorder.progress burning');
    add({ type: 'recorder.progress', phase: 'finalizing', pct: 0 }, 'recorder.progress finalizing');
    add({ type: 'recorder.progress', phase: 'verifying', pct: 10 }, 'recorder.progress verifying');
    add({ type: 'recorder.finished', result: 'ok', md5: 'd41d8cd98f00b204e9800998ecf8427e' }, 'recorder.finished ok');
    add({ type: 'recorder.finished', result: 'writeError', detail: 'write error at 37%' }, 'recorder.finished writeError');
    add({ type: 'recorder.finished', result: 'verifyError', detail: 'MD5 mismatch in block 1200' }, 'recorder.finished verifyError');
    add({ type: 'recorder.finished', result: 'mediaError', detail: 'no writable media' }, 'recorder.finished mediaError');
    add({ type: 'xstate.error.actor.recorder', error: new Error('xorriso crashed') }, 'recorder crashed');
  }

  // The operator.
  if (at('error')) {
    add({ type: 'robot.clearError' }, 'robot.clearError');
    add({ type: 'robot.acknowledgeInkLow' }, 'robot.acknowledgeInkLow');
  }

  // The clock.
  if (at('busy.awaitingMedia.waiting')) events.push({ type: 'xstate.after.mediaPoll.robot.busy.awaitingMedia.waiting' });
  if (at('busy.awaitingMedia')) events.push({ type: 'xstate.after.mediaWaitBound.robot.busy.awaitingMedia' });
  return events;
}

// ---- protocol rules, checked on every step of every test -----------------------------------------

type LogEntry = { to: 'robot'; event: AnyEventObject } | { to: 'link'; command: LinkCommand } | { to: 'job'; jobId: string; event: RobotPortEvent };

const PHASE_ORDER = ['loading', 'burning', 'finalizing', 'verifying', 'printing', 'delivering', 'rejecting'];

/** Watches the exchange in order and records every rule broken. */
class ProtocolMonitor {
  readonly violations: string[] = [];
  private lastRef = 0;
  private readonly commands = new Map<number, LinkCommand>();
  /** Device operation accepted and not finished (per our stimuli), and what it was. */
  private opInHand: { op: number; command: LinkCommand | null } | null = null;
  private discInHand: string | null = null;
  private readonly verified = new Set<string>();
  private readonly finished = new Set<string>();
  private readonly phases = new Map<string, string[]>();
  private readonly paused = new Set<string>();
  private lastOpDone: { command: LinkCommand | null; result: string } | null = null;
  /** The drive each disc's LOAD_DRIVE put it in (finished OK); its outcome must name that drive. */
  private readonly loadedInto = new Map<string, number>();

  constructor(private readonly currentDisc: () => string | null) {}

  private fail(message: string) {
    this.violations.push(message);
  }

  /** An outcome names the drive the disc was loaded into, or -1 when no load of it finished. */
  private checkDrive(id: string, drive: number) {
    const loaded = this.loadedInto.get(id) ?? -1;
    if (drive !== loaded) this.fail(`${id} reported with drive ${drive}, but it was loaded into ${loaded}`);
  }

  observe(entry: LogEntry): void {
    if (entry.to === 'link') return this.onCommand(entry.command);
    if (entry.to === 'job') return this.onPortEvent(entry.event);
    this.onStimulus(entry.event);
  }

  private onCommand(command: LinkCommand) {
    if (command.ref !== this.lastRef + 1) this.fail(`ref ${command.ref} after ${this.lastRef}`);
    this.lastRef = command.ref;
    this.commands.set(command.ref, command);
    if (isRobotic(command) && this.opInHand) {
      this.fail(`${command.verb} sent while operation ${this.opInHand.op} (${this.opInHand.command?.verb ?? 'from before'}) is in hand`);
    }
  }

  private onStimulus(event: AnyEventObject) {
    this.lastOpDone = null;
    const e = event as LinkEvent | RecorderEvent | { type: string };
    if (e.type === 'link.up') {
      const up = e as Extract<LinkEvent, { type: 'link.up' }>;
      this.opInHand = up.status.state === 1 ? { op: up.status.op, command: null } : null;
    } else if (e.type === 'link.down') {
      this.opInHand = null;
    } else if (e.type === 'link.reply') {
      const reply = e as Extract<LinkEvent, { type: 'link.reply' }>;
      const command = this.commands.get(reply.ref);
      if (reply.ok && command && isRobotic(command)) this.opInHand = { op: Number(reply.fields.op), command };
    } else if (e.type === 'device.opDone') {
      const done = e as Extract<LinkEvent, { type: 'device.opDone' }>;
      if (this.opInHand?.op === done.op) {
        this.lastOpDone = { command: this.opInHand.command, result: done.result };
        const disc = this.currentDisc();
        if (done.result === 'OK' && this.opInHand.command?.verb === 'LOAD_DRIVE' && disc) this.loadedInto.set(disc, Number(this.opInHand.command.args.drive));
        this.opInHand = null;
      }
    } else if (e.type === 'device.state') {
      const state = e as Extract<LinkEvent, { type: 'device.state' }>;
      if (state.status.state === 0 && this.opInHand?.command === null) this.opInHand = null;
    } else if (e.type === 'recorder.finished') {
      const finished = e as Extract<RecorderEvent, { type: 'recorder.finished' }>;
      const disc = this.currentDisc();
      if (finished.result === 'ok' && disc) this.verified.add(disc);
    }
  }

  private onPortEvent(event: RobotPortEvent) {
    const id = event.discId;
    if (this.finished.has(id)) this.fail(`${event.type} for ${id} after its outcome`);
    switch (event.type) {
      case 'disc.phase': {
        const seen = this.phases.get(id) ?? [];
        const last = seen.at(-1);
        if (seen.includes(event.phase)) this.fail(`phase ${event.phase} twice for ${id}`);
        if (event.phase !== 'rejecting' && last && PHASE_ORDER.indexOf(event.phase) < PHASE_ORDER.indexOf(last)) this.fail(`phase ${event.phase} after ${last}`);
        if (event.phase === 'delivering' && !this.verified.has(id)) this.fail(`delivering ${id} without a verified recording`);
        this.phases.set(id, [...seen, event.phase]);
        if (event.phase === 'loading') this.discInHand = id;
        break;
      }
      case 'disc.delivered': {
        if (!this.verified.has(id)) this.fail(`delivered ${id} without recorder.finished ok`);
        const unload = this.lastOpDone?.command;
        const delivery = unload && (unload.verb === 'UNLOAD_PRINTER' || unload.verb === 'UNLOAD_DRIVE') && unload.args.to === '0';
        if (!delivery || this.lastOpDone?.result !== 'OK') this.fail(`delivered ${id} but not right after an UNLOAD_* to=0 finished OK`);
        if (event.verified !== true) this.fail('delivered without verified: true');
        this.checkDrive(id, event.drive);
        this.finished.add(id);
        break;
      }
      case 'disc.rejected':
        this.finished.add(id);
        if (!event.reason) this.fail(`rejected ${id} without a reason`);
        this.checkDrive(id, event.drive);
        break;
      case 'disc.paused':
        this.paused.add(id);
        break;
      case 'disc.resumed':
        if (!this.paused.delete(id)) this.fail(`resumed ${id} that was not paused`);
        break;
      default:
        break;
    }
  }
}

// ---- the harness: a real actor, a fake link, a fake recorder, a fake job -------------------------

const coverage = createModelCoverage(robotMachine);

function startRobot(input: RobotInput = INPUT) {
  const clock = new SimulatedClock();
  const log: LogEntry[] = [];
  const sent: LinkCommand[] = [];
  const toJob: RobotPortEvent[] = [];
  const link = { sendBack: undefined as ((event: AnyEventObject) => void) | undefined, inputs: [] as LinkInput[] };
  const recorder = { sendBack: undefined as ((event: AnyEventObject) => void) | undefined, inputs: [] as RecorderInput[], running: 0 };

  const fakeLink = fromCallback<LinkCommand, LinkInput>(({ sendBack, receive, input: linkInput }) => {
    link.inputs.push(linkInput);
    link.sendBack = sendBack;
    receive((command) => {
      if ((command as { type: string }).type === 'test.crash') throw new Error('driver crashed');
      sent.push(command);
      observe({ to: 'link', command });
    });
  });
  const fakeRecorder = fromCallback<EventObject, RecorderInput>(({ sendBack, receive, input: recorderInput }) => {
    recorder.inputs.push(recorderInput);
    recorder.sendBack = sendBack;
    recorder.running++;
    receive((event) => {
      if (event.type !== 'test.crash') return;
      recorder.running--; // XState runs no cleanup for a callback actor that threw
      throw new Error('xorriso crashed');
    });
    return () => {
      recorder.running--;
    };
  });
  // The job: found by systemId, as production jobs are; it owns the clock and the inspection.
  const job = createActor(
    fromCallback<AnyEventObject>(({ receive }) => {
      receive((event) => {
        // The robot's parent also hears robot.available / robot.unavailable (the publisher's dispatch, tested there).
        if (event.type.startsWith('xstate.') || event.type.startsWith('robot.')) return;
        toJob.push(event as RobotPortEvent);
        observe({ to: 'job', jobId: JOB, event: event as RobotPortEvent });
      });
    }),
    { systemId: JOB, clock, inspect: (event) => coverage.inspect(event) },
  ).start();
  const robot = createActor(robotMachine.provide({ actors: { link: fakeLink, recorder: fakeRecorder } }), { input, parent: job }).start();
  const monitor = new ProtocolMonitor(() => robot.getSnapshot().context.disc?.request.discId ?? null);
  function observe(entry: LogEntry) {
    log.push(entry);
    monitor.observe(entry);
  }

  /** Sends the event the way production does. */
  function stimulate(event: AnyEventObject): void {
    observe({ to: 'robot', event });
    if (event.type.startsWith('xstate.after.')) {
      const ms = DELAY_MS[event.type.split('.')[2]!]!;
      const before = robot.getSnapshot().value;
      clock.increment(ms - 1);
      expect(robot.getSnapshot().value, `${label(event)} fired early`).toEqual(before);
      clock.increment(1);
    } else if (event.type === 'xstate.error.actor.recorder') {
      robot.getSnapshot().children.recorder!.send({ type: 'test.crash' });
    } else if (event.type === 'xstate.error.actor.link') {
      robot.getSnapshot().children.link!.send({ type: 'test.crash' } as never);
    } else if (event.type.startsWith('recorder.')) {
      recorder.sendBack!(event);
    } else if (event.type.startsWith('link.') || event.type.startsWith('device.')) {
      link.sendBack!(event);
    } else {
      robot.send(event as never);
    }
  }

  // Scenario helpers: the device's side of a robotic verb, as the simulator would answer it.
  const last = () => sent.at(-1)!;
  const lastVerb = () => `${last().verb}${Object.entries(last().args).map(([k, v]) => ` ${k}=${v}`).join('')}`;
  let nextOp = 1;
  const accept = () => {
    const op = nextOp++;
    stimulate({ type: 'link.reply', ref: last().ref, ok: true, fields: { op: String(op) } });
    return op;
  };
  const finish = (op: number, result: 'OK' | 'CANCELLED' | 'FAILED' = 'OK', bins?: number[]) => {
    stimulate(deviceState({ state: 0, ...(bins ? { bins } : {}) }));
    stimulate({ type: 'device.opDone', op, result });
  };
  /** Accept the last robotic verb and finish it. */
  const perform = (result: 'OK' | 'CANCELLED' | 'FAILED' = 'OK', bins?: number[]) => finish(accept(), result, bins);
  const answer = (fields: Record<string, string>) => stimulate({ type: 'link.reply', ref: last().ref, ok: true, fields });
  const refuse = (code: number, name: string, fields: Record<string, string> = {}) =>
    stimulate({ type: 'link.reply', ref: last().ref, ok: false, code, name, fields });
  const value = () => valuePath(robot.getSnapshot().value);
  /** The job is the root of this little system: stopping it stops the robot. */
  const stop = () => job.stop();
  return { robot, stop, clock, log, sent, toJob, link, recorder, monitor, stimulate, last, lastVerb, accept, finish, perform, answer, refuse, value };
}
type Harness = ReturnType<typeof startRobot>;

// ---- the model paths ---------------------------------------------------------------------------

/**
 * A vertex is the state value, the little context that decides where the machine can go next
 * (where an error resumes, whether the disc in hand is cancelled), and the transitions that
 * brought it there (getTransitionData on the snapshot it came from): every transition gets a path
 * while refs, queues and ids stay out and the graph stays small.
 */
function serializeVertex(state: Snapshot, event: AnyEventObject | undefined, prev: Snapshot | undefined): string {
  const keys = event && prev ? robotMachine.getTransitionData(prev, event as never).map(transitionKey).join(' + ') : '';
  const { resume, disc, recountBins } = state.context;
  return `${valuePath(state.value)}|${resume ?? ''}|${disc?.cancelRequested ? 'cancel' : ''}|${recountBins ? 'recount' : ''}${keys ? ` via ${keys}` : ''}`;
}

type PathStep = { state: Snapshot; event: AnyEventObject };

/**
 * TestModel's path generator: breadth-first, one path per vertex. Unlike getShortestPaths, each
 * path keeps the snapshots its own events produced: with context out of the vertex, two paths
 * to a vertex differ in refs and disc ids, and a stimulus built on one would not fit the other.
 * Steps come in the shape TestModel replays: (xstate.init, initial), then (event, next snapshot).
 */
function breadthFirstPaths(input: RobotInput, events: (snapshot: Snapshot) => AnyEventObject[]) {
  return () => {
    const scope = {
      self: createEmptyActor(),
      logger: () => undefined,
      id: '',
      sessionId: 'model',
      defer: () => undefined,
      system: createEmptyActor().system,
      stopChild: () => undefined,
      emit: () => undefined,
      actionExecutor: () => undefined,
    };
    const initial = robotMachine.getInitialSnapshot(scope as never, input);
    const paths: { state: Snapshot; steps: PathStep[]; weight: number }[] = [];
    const seen = new Set([serializeVertex(initial, undefined, undefined)]);
    const queue: PathStep[][] = [[{ state: initial, event: { type: 'xstate.init' } }]];
    while (queue.length > 0) {
      const steps = queue.shift()!;
      const { state } = steps.at(-1)!;
      paths.push({ state, steps, weight: steps.length - 1 });
      for (const event of events(state)) {
        const next = robotMachine.transition(state, event as never, scope as never);
        const key = serializeVertex(next, event, state);
        if (seen.has(key)) continue;
        seen.add(key);
        queue.push([...steps, { state: next, event }]);
      }
    }
    return paths;
  };
}

function modelPaths(input: RobotInput, events: (snapshot: Snapshot) => AnyEventObject[]) {
  // serializeState here only names the states in a failing path's report.
  const model = new TestModel(robotMachine, { input, events, serializeState: (state: Snapshot) => valuePath(state.value) } as never);
  return model.getPaths(breadthFirstPaths(input, events) as never);
}

function runPaths(title: string, input: RobotInput, events: (snapshot: Snapshot) => AnyEventObject[] = eventsFor) {
  describe(title, () => {
    const paths = modelPaths(input, events);
    paths.forEach((p, index) => {
      const steps = p.steps.map((s) => s.event as AnyEventObject).filter((e) => e.type !== 'xstate.init');
      it(`#${index} ${valuePath(p.state.value)} ← ${steps.map(label).join(' → ')}`, async () => {
        const h = startRobot(input);
        expect(h.link.inputs).toEqual([{ robot: input.name }]);
        const executors = Object.fromEntries(
          [...new Set(steps.map((e) => e.type))].map((type) => [type, ({ event }: { event: AnyEventObject }) => h.stimulate(event)]),
        );
        await p.test({
          events: executors as never,
          states: {
            '*': (expected) => {
              const snapshot = h.robot.getSnapshot();
              expect(snapshot.value).toEqual(expected.value);
              // The pure model and the running actor (real actions, real children) agree on everything.
              expect(snapshot.context).toEqual(expected.context);
              expect(snapshot.status).toBe('active');
              expect(h.monitor.violations).toEqual([]);
              // The recorder runs exactly while recording.
              expect(h.recorder.running).toBe(snapshot.matches({ busy: 'recording' }) ? 1 : 0);
            },
          },
        });
        h.stop();
      });
    });
  });
}

runPaths('robot machine: model paths', INPUT);
// Ink-low warnings acknowledged automatically, printing off: only the stimuli whose handling
// those options change (the rest of the graph is the same as above).
const OPTIONS_STIMULI = new Set([
  'link.up (robot idle and empty)',
  'MEDIA_INFO PTROBOT_NO_MEDIA',
  'disc.make',
  'LOAD_DRIVE accepted',
  'LOAD_DRIVE done',
  'MEDIA_INFO blank',
  'recorder.finished ok',
  'UNLOAD_DRIVE accepted',
  'UNLOAD_DRIVE done',
  'STATE error (black ink low)',
  'STATE error (cover open)',
  'STATE busy',
]);
runPaths(
  'robot machine: model paths (autoAcknowledgeInkLow, print off)',
  { name: 'xrp-2', options: { ...OPTIONS, autoAcknowledgeInkLow: true, print: false } },
  (snapshot) => eventsFor(snapshot).filter((event) => OPTIONS_STIMULI.has(label(event))),
);

// ---- scenarios: the exact DPRP exchanges ---------------------------------------------------------

const MD5 = '0cc175b9c0f1b6a831c399e269772661';

/** Link up on an idle, empty robot; both drives answer NO_MEDIA. */
function connect(h: Harness, status: Partial<DeviceStatus> = {}) {
  h.stimulate(linkUp(status));
  for (const drive of ['0', '1']) {
    expect(h.lastVerb()).toBe(`MEDIA_INFO drive=${drive}`);
    h.refuse(525, 'PTROBOT_NO_MEDIA');
  }
  expect(h.value()).toBe('idle');
}

function make(h: Harness, discId: string, labelPath: string | null = '/spool/label.png') {
  h.stimulate({ type: 'disc.make', request: discRequest(discId, labelPath) });
}

/** LOAD_DRIVE done, the drive reports a blank disc: recording. */
function loadBlank(h: Harness) {
  expect(h.last().verb).toBe('LOAD_DRIVE');
  h.perform();
  expect(h.lastVerb()).toMatch(/^MEDIA_INFO drive=\d$/);
  h.answer({ type: 'DVD-R', id: 'SIM-000001', blank: '1' });
  expect(h.value()).toBe('busy.recording.burning');
}

function delivered(h: Harness) {
  return h.toJob.filter((e) => e.type === 'disc.delivered');
}
function outcomes(h: Harness) {
  return h.toJob.filter((e) => e.type === 'disc.delivered' || e.type === 'disc.rejected');
}
function commandsAfter(h: Harness, index: number) {
  return h.sent.slice(index).map((c) => `${c.verb}${Object.entries(c.args).map(([k, v]) => ` ${k}=${v}`).join('')}`);
}

/** Every scenario ends with no protocol rule broken. */
function finish(h: Harness) {
  expect(h.monitor.violations).toEqual([]);
  h.stop();
}

describe('robot machine: a disc through the robot', () => {
  it('burns, prints and delivers: the exact verbs, and every port event in order', () => {
    const h = startRobot();
    connect(h);
    const before = h.sent.length;
    make(h, 'job-1/1.1');
    expect(h.toJob[0]).toEqual({ type: 'disc.queued', discId: 'job-1/1.1', robot: 'xrp-1', position: 1 });
    h.perform(); // LOAD_DRIVE
    h.refuse(523, 'PTROBOT_DRIVE_NOT_READY'); // spinning up
    h.clock.increment(OPTIONS.mediaPollMs);
    h.answer({ type: 'DVD-R', id: 'SIM-000001', blank: '1' });
    expect(h.recorder.inputs).toEqual([{ robot: 'xrp-1', discId: 'job-1/1.1', drive: DRIVES[0], imagePath: '/spool/disc.iso', imageBytes: 650_000_000 }]);
    for (const [phase, pct] of [['burning', 50], ['finalizing', 0], ['verifying', 100]] as const) {
      h.stimulate({ type: 'recorder.progress', phase, pct });
    }
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    expect(h.recorder.running).toBe(0);
    h.perform(); // LOAD_PRINTER_FROM_DRIVE
    h.perform(); // PRINT
    h.perform('OK', [1, 24]); // UNLOAD_PRINTER: the left bin (PTRobot's bin 2) got the disc
    expect(commandsAfter(h, before)).toEqual([
      'LOAD_DRIVE drive=0 from=0 clear=1',
      'MEDIA_INFO drive=0',
      'MEDIA_INFO drive=0',
      'LOAD_PRINTER_FROM_DRIVE drive=0',
      'PRINT file=/spool/label.png',
      'UNLOAD_PRINTER to=0',
    ]);
    const id = 'job-1/1.1';
    expect(h.toJob).toEqual([
      { type: 'disc.queued', discId: id, robot: 'xrp-1', position: 1 },
      { type: 'disc.phase', discId: id, phase: 'loading' },
      { type: 'disc.phase', discId: id, phase: 'burning' },
      { type: 'disc.progress', discId: id, phase: 'burning', pct: 50 },
      { type: 'disc.phase', discId: id, phase: 'finalizing' },
      { type: 'disc.progress', discId: id, phase: 'finalizing', pct: 0 },
      { type: 'disc.phase', discId: id, phase: 'verifying' },
      { type: 'disc.progress', discId: id, phase: 'verifying', pct: 100 },
      { type: 'disc.phase', discId: id, phase: 'printing' },
      { type: 'disc.phase', discId: id, phase: 'delivering' },
      { type: 'disc.delivered', discId: id, verified: true, location: 'bin 2', drive: 0 },
    ]);
    expect(h.value()).toBe('idle');
    expect(h.robot.getSnapshot().context.disc).toBeNull();
    finish(h);
  });

  it.each([
    { name: 'without a label', input: INPUT, labelPath: null },
    { name: 'with printing off', input: { ...INPUT, options: { ...OPTIONS, print: false } }, labelPath: '/spool/label.png' },
  ])('delivers straight from the drive $name: UNLOAD_DRIVE drive= to=0', ({ input, labelPath }) => {
    const h = startRobot(input);
    connect(h);
    const before = h.sent.length;
    make(h, 'job-1/1.1', labelPath);
    loadBlank(h);
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    h.perform();
    expect(commandsAfter(h, before)).toEqual(['LOAD_DRIVE drive=0 from=0 clear=1', 'MEDIA_INFO drive=0', 'UNLOAD_DRIVE drive=0 to=0']);
    expect(h.toJob.filter((e) => e.type === 'disc.phase').map((e) => (e as { phase: string }).phase)).toEqual(['loading', 'burning', 'delivering']);
    expect(delivered(h)).toEqual([{ type: 'disc.delivered', discId: 'job-1/1.1', verified: true, location: 'output', drive: 0 }]);
    finish(h);
  });

  it.each([
    { result: 'verifyError', cause: 'verify' },
    { result: 'writeError', cause: 'write' },
    { result: 'mediaError', cause: 'media' },
  ] as const)('a recorder $result rejects the disc to the reject slide (200), never delivers it', ({ result, cause }) => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    loadBlank(h);
    const before = h.sent.length;
    h.stimulate({ type: 'recorder.finished', result, detail: 'block 1200' });
    expect(h.value()).toBe('busy.rejecting');
    h.perform();
    expect(commandsAfter(h, before)).toEqual(['UNLOAD_DRIVE drive=0 to=200']);
    expect(outcomes(h)).toEqual([{ type: 'disc.rejected', discId: 'job-1/1.1', cause, reason: `${result}: block 1200`, drive: 0 }]);
    expect(h.toJob.some((e) => e.type === 'disc.phase' && (e.phase === 'delivering' || e.phase === 'printing'))).toBe(false);
    finish(h);
  });

  it('nothing is delivered until the delivering operation is done, even with the recording verified', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1', null);
    loadBlank(h);
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    const op = h.accept(); // UNLOAD_DRIVE to=0 accepted, still moving
    h.stimulate(deviceState({ state: 1, phase: 'UNLOADING_DRIVE', op }));
    expect(delivered(h)).toEqual([]);
    h.finish(op);
    expect(delivered(h)).toHaveLength(1);
    finish(h);
  });

  it('polls MEDIA_INFO while the drive is not ready, then rejects it as notReady at the bound', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    h.perform(); // LOAD_DRIVE
    let polls = 0;
    while (h.value().startsWith('busy.awaitingMedia')) {
      if (h.value() === 'busy.awaitingMedia.asking') {
        polls++;
        expect(h.lastVerb()).toBe('MEDIA_INFO drive=0');
        h.refuse(523, 'PTROBOT_DRIVE_NOT_READY');
      }
      h.clock.increment(OPTIONS.mediaPollMs);
    }
    // One question at entry and one per poll interval within the bound.
    expect(polls).toBeGreaterThanOrEqual(OPTIONS.maxMediaWaitMs / OPTIONS.mediaPollMs);
    expect(polls).toBeLessThanOrEqual(OPTIONS.maxMediaWaitMs / OPTIONS.mediaPollMs + 1);
    expect(h.lastVerb()).toBe('UNLOAD_DRIVE drive=0 to=200');
    h.perform();
    expect(outcomes(h)).toEqual([
      { type: 'disc.rejected', discId: 'job-1/1.1', cause: 'notReady', reason: `drive 0 was not ready ${OPTIONS.maxMediaWaitMs} ms after loading`, drive: 0 },
    ]);
    expect(h.recorder.inputs).toEqual([]);
    finish(h);
  });

  it.each([
    { name: 'a disc that is not blank', reply: { ok: true, fields: { type: 'DVD-R', id: 'X', blank: '0' } }, reason: 'the disc is not blank (DVD-R, blank=0)' },
    { name: 'no media', reply: { ok: false, code: 525, name: 'PTROBOT_NO_MEDIA', fields: {} }, reason: 'MEDIA_INFO answered 525 PTROBOT_NO_MEDIA' },
    { name: 'invalid media', reply: { ok: false, code: 524, name: 'PTROBOT_INVALID_MEDIA', fields: {} }, reason: 'MEDIA_INFO answered 524 PTROBOT_INVALID_MEDIA' },
  ])('$name in the drive: rejected to 200 with cause media', ({ reply, reason }) => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    h.perform();
    h.stimulate({ type: 'link.reply', ref: h.last().ref, ...reply } as LinkEvent);
    expect(h.lastVerb()).toBe('UNLOAD_DRIVE drive=0 to=200');
    h.perform();
    expect(outcomes(h)).toEqual([{ type: 'disc.rejected', discId: 'job-1/1.1', cause: 'media', reason, drive: 0 }]);
    finish(h);
  });

  it.each([
    { type: 'CD-R', reason: 'the drive holds a CD-R (cd), smaller than the dvd the image was made for' },
    { type: 'HD-DVD', reason: 'the drive reports an unknown medium (type=HD-DVD) for a dvd image' },
    { type: undefined, reason: 'the drive reports an unknown medium (type=none) for a dvd image' },
  ])('a blank $type for a dvd image: smaller or unknown, so rejected to 200 with cause media, nothing recorded', ({ type, reason }) => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    h.perform();
    h.answer({ ...(type ? { type } : {}), id: 'SIM-000001', blank: '1' });
    expect(h.lastVerb()).toBe('UNLOAD_DRIVE drive=0 to=200');
    h.perform();
    expect(outcomes(h)).toEqual([{ type: 'disc.rejected', discId: 'job-1/1.1', cause: 'media', reason, drive: 0 }]);
    expect(h.recorder.inputs).toEqual([]);
    finish(h);
  });

  it.each([
    { media: 'dvd', type: 'DVD-R' },
    { media: 'dvd', type: 'DVD+R' },
    { media: 'dvd', type: 'DVD+R-DL' },
    { media: 'dvd', type: 'BD-R' },
    { media: 'cd', type: 'DVD-R' },
    { media: 'dvd-dl', type: 'DVD+R-DL' },
    { media: 'bd', type: 'BD-R-DL' },
  ] as const)('a blank $type takes a $media image (as large or larger): recorded', ({ media, type }) => {
    const h = startRobot();
    connect(h);
    h.stimulate({ type: 'disc.make', request: { ...discRequest('job-1/1.1'), media } });
    h.perform();
    h.answer({ type, id: 'SIM-000001', blank: '1' });
    expect(h.value()).toBe('busy.recording.burning');
    expect(h.recorder.inputs).toHaveLength(1);
    finish(h);
  });

  it('uses the drives round-robin, with clear=1 only on the first load of each drive since the link came up', () => {
    const h = startRobot();
    connect(h);
    for (const n of [1, 2, 3]) make(h, `job-1/${n}.1`, null);
    expect(h.toJob.filter((e) => e.type === 'disc.queued').map((e) => (e as { position: number }).position)).toEqual([1, 1, 2]);
    const loads: string[] = [];
    const deliverOne = () => {
      loads.push(h.lastVerb());
      loadBlank(h);
      h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
      h.perform();
    };
    for (let i = 0; i < 3; i++) deliverOne();
    h.stimulate({ type: 'link.down', reason: 'cable' });
    h.stimulate({ type: 'link.connecting', attempt: 1 });
    connect(h);
    make(h, 'job-1/4.1', null);
    deliverOne();
    expect(loads).toEqual([
      'LOAD_DRIVE drive=0 from=0 clear=1',
      'LOAD_DRIVE drive=1 from=0 clear=1',
      'LOAD_DRIVE drive=0 from=0 clear=0',
      'LOAD_DRIVE drive=0 from=0 clear=1',
    ]);
    expect(delivered(h).map((e) => e.discId)).toEqual(['job-1/1.1', 'job-1/2.1', 'job-1/3.1', 'job-1/4.1']);
    // Each outcome names the drive that held the disc.
    expect(delivered(h).map((e) => (e as { drive: number }).drive)).toEqual([0, 1, 0, 0]);
    finish(h);
  });

  it('accepts disc.make in every state and starts the queue head when idle', () => {
    const h = startRobot();
    make(h, 'job-1/1.1'); // offline
    h.stimulate({ type: 'link.connecting', attempt: 1 });
    make(h, 'job-1/2.1'); // connecting
    h.stimulate(linkUp());
    make(h, 'job-1/3.1'); // initializing
    expect(h.value()).toBe('initializing.querying');
    h.refuse(525, 'PTROBOT_NO_MEDIA');
    h.refuse(525, 'PTROBOT_NO_MEDIA');
    expect(h.value()).toBe('busy.loading');
    expect(h.robot.getSnapshot().context.disc?.request.discId).toBe('job-1/1.1');
    h.stimulate(deviceState({ state: 2, syserr: 3 })); // input bin empty
    make(h, 'job-1/4.1'); // error
    expect(h.toJob.filter((e) => e.type === 'disc.queued')).toEqual([
      { type: 'disc.queued', discId: 'job-1/1.1', robot: 'xrp-1', position: 1 },
      { type: 'disc.queued', discId: 'job-1/2.1', robot: 'xrp-1', position: 2 },
      { type: 'disc.queued', discId: 'job-1/3.1', robot: 'xrp-1', position: 3 },
      { type: 'disc.queued', discId: 'job-1/4.1', robot: 'xrp-1', position: 3 },
    ]);
    finish(h);
  });

  it('skips the port events of a job that is gone, and goes on', () => {
    const h = startRobot();
    connect(h);
    h.stimulate({ type: 'disc.make', request: discRequest('gone/1.1', null, 'job:gone') });
    loadBlank(h);
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    h.perform();
    expect(h.value()).toBe('idle');
    expect(h.robot.getSnapshot().status).toBe('active');
    expect(h.toJob).toEqual([]);
    finish(h);
  });
});

describe('robot machine: start-up rules', () => {
  it('aligns, clears the printer and a loaded drive to the reject slide, counts the bins: one operation at a time', () => {
    const h = startRobot();
    h.stimulate(linkUp({ state: 2, syserr: 36, tray: 'D', bins: [255, 255] }));
    const steps: string[] = [];
    const robotic = () => {
      steps.push(h.lastVerb());
      const op = h.accept();
      expect(h.sent.at(-1)!.verb, 'nothing new before OPDONE').toBe(steps.at(-1)!.split(' ')[0]);
      h.finish(op);
    };
    robotic(); // ALIGNPRINTER
    robotic(); // UNLOAD_PRINTER
    steps.push(h.lastVerb());
    h.answer({ type: 'DVD-R', id: 'SIM-000003', blank: '0' }); // a disc left in drive 0
    robotic(); // UNLOAD_DRIVE drive=0
    steps.push(h.lastVerb());
    h.refuse(525, 'PTROBOT_NO_MEDIA'); // drive 1 empty
    robotic(); // CHECKDISCS
    expect(steps).toEqual([
      'SYSTEM_ACTION action=ALIGNPRINTER',
      'UNLOAD_PRINTER to=200',
      'MEDIA_INFO drive=0',
      'UNLOAD_DRIVE drive=0 to=200',
      'MEDIA_INFO drive=1',
      'SYSTEM_ACTION action=CHECKDISCS',
    ]);
    expect(h.value()).toBe('idle');
    finish(h);
  });

  it('leaves out what is not needed: no alignment, empty printer, known bins, or CHECKDISCS not supported', () => {
    const h = startRobot();
    h.stimulate({ type: 'link.up', info: { ...INFO, actions: 0x3b3 & ~0x100 }, drives: DRIVES, status: { ...IDLE, bins: [255, 255] } });
    expect(h.sent.map((c) => c.verb)).toEqual(['MEDIA_INFO']);
    h.refuse(525, 'PTROBOT_NO_MEDIA');
    h.refuse(525, 'PTROBOT_NO_MEDIA');
    expect(h.sent.map((c) => c.verb)).toEqual(['MEDIA_INFO', 'MEDIA_INFO']);
    expect(h.value()).toBe('idle');
    finish(h);
  });

  it('waits for a robot still moving when the link comes up before the first rule', () => {
    const h = startRobot();
    h.stimulate(linkUp({ state: 1, phase: 'UNLOADING_PRINTER', op: 41, tray: 'D' }));
    expect(h.value()).toBe('initializing.waitingForDevice');
    expect(h.sent).toEqual([]);
    h.stimulate(deviceState({ state: 0, tray: 'D' }));
    expect(h.lastVerb()).toBe('UNLOAD_PRINTER to=200');
    finish(h);
  });

  it('a robot in error at link-up: error first, the rules once the operator cleared it', () => {
    const h = startRobot();
    h.stimulate(linkUp({ state: 2, syserr: 15, tray: 'D' }));
    expect(h.value()).toBe('error.operator');
    expect(h.robot.getSnapshot().context.fault).toMatchObject({ code: 15, name: 'SYSERR_COVER_OPEN', kind: 'operator' });
    expect(h.sent).toEqual([]);
    h.stimulate(deviceState({ state: 0, tray: 'D' })); // the operator closed the cover
    expect(h.lastVerb()).toBe('UNLOAD_PRINTER to=200');
    expect(h.value()).toBe('initializing.moving');
    finish(h);
  });
});

describe('robot machine: bin counts lost (cover opened) are counted again', () => {
  const UNKNOWN = [255, 255];

  /** A labelled disc in the printer with its PRINT accepted; the cover opens and closes meanwhile. */
  function printWithCoverOpened(h: Harness): number {
    connect(h);
    make(h, 'job-1/1.1');
    loadBlank(h);
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    h.perform(); // LOAD_PRINTER_FROM_DRIVE
    const op = h.accept(); // PRINT
    h.stimulate(deviceState({ state: 1, phase: 'PRINTING', op, bins: UNKNOWN })); // COVER open=1, BINS 255
    h.stimulate(deviceState({ state: 2, syserr: 15, phase: 'PRINTING', op, bins: UNKNOWN }));
    expect(h.value()).toBe('error.operator');
    h.stimulate(deviceState({ state: 1, phase: 'PRINTING', op, bins: UNKNOWN })); // closed: the print goes on
    expect(h.value()).toBe('busy.printing.labelling');
    return op;
  }

  it('opened while printing: the device refuses CHECKDISCS while the print is pending, so it runs once the print is done, before the delivery', () => {
    const h = startRobot();
    const op = printWithCoverOpened(h);
    const before = h.sent.length;
    h.finish(op, 'OK', UNKNOWN);
    expect(h.value()).toBe('busy.delivering.countingBins');
    h.perform('OK', [0, 25]); // CHECKDISCS: the counts are known again
    h.perform('OK', [1, 24]); // UNLOAD_PRINTER to=0: the left bin (PTRobot's bin 2) got the disc
    expect(commandsAfter(h, before)).toEqual(['SYSTEM_ACTION action=CHECKDISCS', 'UNLOAD_PRINTER to=0']);
    expect(delivered(h)).toEqual([{ type: 'disc.delivered', discId: 'job-1/1.1', verified: true, location: 'bin 2', drive: 0 }]);
    expect(h.toJob.filter((e) => e.type === 'disc.phase' && e.phase === 'delivering')).toHaveLength(1);
    // Counted once: idle does not count again.
    expect(h.value()).toBe('idle');
    expect(h.robot.getSnapshot().context.recountBins).toBe(false);
    finish(h);
  });

  it('a CHECKDISCS refused does not hold the disc: delivered, to a bin it cannot tell, and not asked again', () => {
    const h = startRobot();
    const op = printWithCoverOpened(h);
    h.finish(op, 'OK', UNKNOWN);
    h.refuse(520, 'PTROBOT_UNSUPPORTED_ACTION');
    expect(h.lastVerb()).toBe('UNLOAD_PRINTER to=0');
    h.perform('OK', UNKNOWN);
    expect(delivered(h)).toEqual([{ type: 'disc.delivered', discId: 'job-1/1.1', verified: true, location: 'output', drive: 0 }]);
    expect(h.value()).toBe('idle');
    finish(h);
  });

  it('cancelled while the bins are counted: no CANCEL (it would stop the count), the disc goes from the printer to the reject slide', () => {
    const h = startRobot();
    const op = printWithCoverOpened(h);
    h.finish(op, 'OK', UNKNOWN);
    const count = h.accept();
    const before = h.sent.length;
    h.stimulate({ type: 'disc.cancel', discId: 'job-1/1.1' });
    expect(h.sent.length).toBe(before);
    h.finish(count, 'OK', [0, 25]);
    expect(h.lastVerb()).toBe('UNLOAD_PRINTER to=200');
    h.perform();
    expect(outcomes(h)).toMatchObject([{ type: 'disc.rejected', discId: 'job-1/1.1', cause: 'cancelled', drive: 0 }]);
    finish(h);
  });

  it('a robot without CHECKDISCS delivers at once; the bin stays untold', () => {
    const h = startRobot();
    h.stimulate({ type: 'link.up', info: { ...INFO, actions: INFO.actions & ~0x100 }, drives: DRIVES, status: IDLE });
    h.refuse(525, 'PTROBOT_NO_MEDIA');
    h.refuse(525, 'PTROBOT_NO_MEDIA');
    make(h, 'job-1/1.1', null);
    loadBlank(h);
    h.stimulate(deviceState({ state: 2, syserr: 15, bins: UNKNOWN }));
    h.stimulate(deviceState({ state: 0, bins: UNKNOWN }));
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    expect(h.lastVerb()).toBe('UNLOAD_DRIVE drive=0 to=0');
    h.perform('OK', UNKNOWN);
    expect(delivered(h)).toMatchObject([{ location: 'output', drive: 0 }]);
    expect(h.sent.some((c) => c.args.action === 'CHECKDISCS')).toBe(false);
    finish(h);
  });

  it('opened while idle: CHECKDISCS before the next disc is loaded', () => {
    const h = startRobot();
    connect(h);
    h.stimulate(deviceState({ state: 2, syserr: 15, bins: UNKNOWN }));
    make(h, 'job-1/1.1');
    const before = h.sent.length;
    h.stimulate(deviceState({ state: 0, bins: UNKNOWN })); // closed
    expect(h.value()).toBe('initializing.moving');
    h.perform('OK', [0, 25]);
    expect(commandsAfter(h, before)).toEqual(['SYSTEM_ACTION action=CHECKDISCS', 'LOAD_DRIVE drive=0 from=0 clear=1']);
    expect(h.value()).toBe('busy.loading');
    finish(h);
  });
});

describe('robot machine: errors pause, never lose, the operation in hand', () => {
  it('an error mid-load pauses the disc; after clearError the same operation goes on and nothing is sent twice', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    const op = h.accept(); // LOAD_DRIVE op
    h.stimulate(deviceState({ state: 1, phase: 'PICKING', op }));
    h.stimulate(deviceState({ state: 2, syserr: 8, phase: 'PICKING', op }));
    expect(h.value()).toBe('error.operator');
    expect(h.toJob.at(-1)).toEqual({
      type: 'disc.paused',
      discId: 'job-1/1.1',
      fault: { robot: 'xrp-1', kind: 'operator', code: 8, name: 'SYSERR_PICK', hint: expect.stringContaining('pick') },
    });
    const before = h.sent.length;
    h.stimulate({ type: 'robot.clearError' });
    expect(h.value()).toBe('recovering');
    h.stimulate(deviceState({ state: 1, phase: 'PICKING', op }));
    expect(h.value()).toBe('busy.loading');
    expect(h.toJob.at(-1)).toEqual({ type: 'disc.resumed', discId: 'job-1/1.1' });
    h.finish(op);
    expect(h.value()).toBe('busy.awaitingMedia.asking');
    expect(commandsAfter(h, before)).toEqual(['KILL_ERROR resetPrinter=0', 'MEDIA_INFO drive=0']);
    expect(h.toJob.filter((e) => e.type === 'disc.phase' && e.phase === 'loading')).toHaveLength(1);
    finish(h);
  });

  it('clearError with resetPrinter, a cause still standing, then cleared: one pause, one resume', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    h.perform();
    h.answer({ type: 'DVD-R', id: 'X', blank: '1' });
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    const op = h.accept(); // LOAD_PRINTER_FROM_DRIVE
    h.stimulate(deviceState({ state: 2, syserr: 46, op })); // fatal drop in the printer: mechanical
    expect(h.value()).toBe('error.mechanical');
    h.stimulate({ type: 'robot.clearError', resetPrinter: true });
    expect(h.lastVerb()).toBe('KILL_ERROR resetPrinter=1');
    h.stimulate(deviceState({ state: 2, syserr: 46, op })); // the cause is still there
    expect(h.value()).toBe('error.mechanical');
    h.stimulate({ type: 'robot.clearError' });
    h.stimulate(deviceState({ state: 1, op }));
    expect(h.value()).toBe('busy.printing.loadingPrinter');
    h.finish(op);
    expect(h.lastVerb()).toBe('PRINT file=/spool/label.png');
    const pauses = h.toJob.filter((e) => e.type === 'disc.paused' || e.type === 'disc.resumed').map((e) => e.type);
    expect(pauses).toEqual(['disc.paused', 'disc.resumed']);
    finish(h);
  });

  it('a cover closed on the unit clears by itself: no clearError, the operation goes on', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    const op = h.accept();
    h.stimulate(deviceState({ state: 2, syserr: 15, op }));
    expect(h.value()).toBe('error.operator');
    const before = h.sent.length;
    h.stimulate(deviceState({ state: 1, op }));
    expect(h.value()).toBe('busy.loading');
    expect(h.sent.length).toBe(before);
    finish(h);
  });

  it('a robot error while recording does not stop the recorder; cleared before the end, the disc goes on', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    loadBlank(h);
    h.stimulate(deviceState({ state: 2, syserr: 15 }));
    expect(h.value()).toBe('busy.recording.burning');
    expect(h.recorder.running).toBe(1);
    expect(h.toJob.at(-1)).toMatchObject({ type: 'disc.paused', fault: { code: 15 } });
    h.stimulate(deviceState({ state: 0 }));
    expect(h.toJob.at(-1)).toEqual({ type: 'disc.resumed', discId: 'job-1/1.1' });
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    expect(h.lastVerb()).toBe('LOAD_PRINTER_FROM_DRIVE drive=0');
    finish(h);
  });

  it('a robot error still standing when the recording ends: error, then on to printing once cleared', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    loadBlank(h);
    h.stimulate(deviceState({ state: 2, syserr: 15 }));
    const before = h.sent.length;
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    expect(h.value()).toBe('error.operator');
    expect(h.recorder.running).toBe(0);
    expect(h.sent.length).toBe(before);
    h.stimulate(deviceState({ state: 0 }));
    expect(h.value()).toBe('busy.printing.loadingPrinter');
    expect(commandsAfter(h, before)).toEqual(['LOAD_PRINTER_FROM_DRIVE drive=0']);
    expect(h.toJob.filter((e) => e.type === 'disc.phase').map((e) => (e as { phase: string }).phase)).toEqual(['loading', 'burning', 'printing']);
    finish(h);
  });

  it('a verb refused as busy: GET_STATUS, the error kind from its syserr, then the same verb again with a new ref', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    const refused = h.last();
    h.refuse(528, 'PTROBOT_BUSY', { syserr: '3' });
    expect(h.lastVerb()).toBe('GET_STATUS');
    h.answer({ state: '2', syserr: '3', phase: 'PICKING', op: '0', bins: '0,0', tray: 'I', picker: 'X', cover: '0' });
    expect(h.value()).toBe('error.operator');
    expect(h.robot.getSnapshot().context.fault).toMatchObject({ code: 3, name: 'SYSERR_INPUT_EMPTY' });
    h.stimulate({ type: 'robot.clearError' });
    h.stimulate(deviceState({ state: 0, bins: [0, 25] }));
    const resent = h.last();
    expect(resent).toEqual({ ...refused, ref: resent.ref });
    expect(resent.ref).toBeGreaterThan(refused.ref);
    expect(h.value()).toBe('busy.loading');
    finish(h);
  });

  it('acknowledgeInkLow answers only an ink-low warning, with IGNOREINKLOW', () => {
    const h = startRobot();
    connect(h);
    h.stimulate(deviceState({ state: 2, syserr: 15 }));
    h.stimulate({ type: 'robot.acknowledgeInkLow' });
    expect(h.value()).toBe('error.operator');
    h.stimulate(deviceState({ state: 2, syserr: 7 }));
    expect(h.value()).toBe('error.consumable');
    h.stimulate({ type: 'robot.acknowledgeInkLow' });
    expect(h.lastVerb()).toBe('SYSTEM_ACTION action=IGNOREINKLOW');
    expect(h.value()).toBe('recovering');
    h.stimulate(deviceState({ state: 0 }));
    expect(h.value()).toBe('idle');
    finish(h);
  });

  it('autoAcknowledgeInkLow sends IGNOREINKLOW by itself, and only for ink-low warnings', () => {
    const h = startRobot({ ...INPUT, options: { ...OPTIONS, autoAcknowledgeInkLow: true } });
    connect(h);
    h.stimulate(deviceState({ state: 2, syserr: 40 })); // no cartridges: consumable, not ink low
    expect(h.value()).toBe('error.consumable');
    h.stimulate(deviceState({ state: 2, syserr: 5 }));
    expect(h.value()).toBe('recovering');
    expect(h.lastVerb()).toBe('SYSTEM_ACTION action=IGNOREINKLOW');
    finish(h);
  });

  it('link lost mid-disc: paused with LINK_DOWN; after start-up cleared the drive, rejected as a write failure', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    make(h, 'job-1/2.1');
    h.perform(); // LOAD_DRIVE done
    h.stimulate({ type: 'link.down', reason: 'silent for 6 s' });
    expect(h.value()).toBe('offline');
    expect(h.toJob.at(-1)).toEqual({
      type: 'disc.paused',
      discId: 'job-1/1.1',
      fault: { robot: 'xrp-1', kind: 'communication', code: 0, name: 'LINK_DOWN', hint: expect.any(String) },
    });
    const before = h.sent.length;
    h.stimulate(linkUp());
    h.answer({ type: 'DVD-R', id: 'SIM-000001', blank: '1' }); // the disc still in drive 0
    h.perform();
    h.refuse(525, 'PTROBOT_NO_MEDIA');
    expect(commandsAfter(h, before)).toEqual(['MEDIA_INFO drive=0', 'UNLOAD_DRIVE drive=0 to=200', 'MEDIA_INFO drive=1', 'LOAD_DRIVE drive=0 from=0 clear=1']);
    expect(outcomes(h)).toEqual([
      { type: 'disc.rejected', discId: 'job-1/1.1', cause: 'write', reason: 'robot link lost while the disc was in hand; it went to the reject bin', drive: 0 },
    ]);
    expect(h.robot.getSnapshot().context.disc?.request.discId).toBe('job-1/2.1');
    finish(h);
  });

  it('an operation the device gave up (a power cycle with the disc in the printer): the start-up rules again, then the disc rejected with cause robot', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    make(h, 'job-1/2.1');
    loadBlank(h);
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    h.perform(); // LOAD_PRINTER_FROM_DRIVE: the disc is in the printer
    const op = h.accept(); // PRINT
    h.stimulate(deviceState({ state: 2, syserr: 14, phase: 'PRINTING', op })); // power lost
    expect(h.value()).toBe('error.communication');
    h.stimulate(deviceState({ state: 1, phase: 'INITIALIZING', op: 0 })); // power back: the unit homes
    const before = h.sent.length;
    h.finish(op, 'FAILED', [255, 255]); // and gives the print up; it forgot the bin counts
    expect(outcomes(h)).toEqual([]);
    expect(h.value()).toBe('initializing.querying');
    // STATE events do not say where discs are: GET_STATUS does.
    h.answer({ state: '0', syserr: '0', phase: 'IDLE', op: '0', bins: '255,255', tray: 'D', picker: 'X', cover: '0' });
    h.perform(); // UNLOAD_PRINTER to=200
    h.refuse(525, 'PTROBOT_NO_MEDIA');
    h.refuse(525, 'PTROBOT_NO_MEDIA');
    h.perform('OK', [0, 24]); // CHECKDISCS
    expect(commandsAfter(h, before)).toEqual([
      'GET_STATUS',
      'UNLOAD_PRINTER to=200',
      'MEDIA_INFO drive=0',
      'MEDIA_INFO drive=1',
      'SYSTEM_ACTION action=CHECKDISCS',
      'LOAD_DRIVE drive=1 from=0 clear=1', // the next disc is not blocked
    ]);
    expect(outcomes(h)).toEqual([
      {
        type: 'disc.rejected',
        discId: 'job-1/1.1',
        cause: 'robot',
        reason: `the robot gave up PRINT (operation ${op} FAILED); the start-up rules sent the disc to the reject bin`,
        drive: 0,
      },
    ]);
    const pauses = h.toJob.filter((e) => e.type === 'disc.paused' || e.type === 'disc.resumed').map((e) => e.type);
    expect(pauses).toEqual(['disc.paused', 'disc.resumed']);
    finish(h);
  });

  it('an operation given up while the disc went to the reject slide: the rules finish clearing it, the first cause stands', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    loadBlank(h);
    h.stimulate({ type: 'recorder.finished', result: 'writeError', detail: 'write error at 37%' });
    h.perform('FAILED'); // UNLOAD_DRIVE to=200
    h.answer({ state: '0', syserr: '0', phase: 'IDLE', op: '0', bins: '0,25', tray: 'I' });
    h.answer({ type: 'DVD-R', id: 'SIM-000001', blank: '0' }); // still in drive 0
    h.perform();
    h.refuse(525, 'PTROBOT_NO_MEDIA');
    expect(commandsAfter(h, h.sent.length - 5)).toEqual(['UNLOAD_DRIVE drive=0 to=200', 'GET_STATUS', 'MEDIA_INFO drive=0', 'UNLOAD_DRIVE drive=0 to=200', 'MEDIA_INFO drive=1']);
    expect(outcomes(h)).toEqual([{ type: 'disc.rejected', discId: 'job-1/1.1', cause: 'write', reason: 'writeError: write error at 37%', drive: 0 }]);
    expect(h.value()).toBe('idle');
    finish(h);
  });

  it('a crashed link driver leaves the robot offline with its queue', () => {
    const h = startRobot();
    connect(h);
    h.stimulate({ type: 'xstate.error.actor.link', error: new Error('driver crashed') });
    expect(h.value()).toBe('offline');
    expect(h.robot.getSnapshot().status).toBe('active');
    make(h, 'job-1/1.1');
    expect(h.robot.getSnapshot().context.queue.map((r) => r.discId)).toEqual(['job-1/1.1']);
    finish(h);
  });
});

describe('robot machine: refusals and cancels', () => {
  it('a LOAD_DRIVE refused (503) rejects the disc naming verb and code; nothing to unload, the robot is idle', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    const before = h.sent.length;
    h.refuse(503, 'PTROBOT_INVALID_DRIVE');
    expect(commandsAfter(h, before)).toEqual([]);
    expect(outcomes(h)).toEqual([{ type: 'disc.rejected', discId: 'job-1/1.1', cause: 'notReady', reason: 'the robot refused LOAD_DRIVE (503 PTROBOT_INVALID_DRIVE)', drive: -1 }]);
    expect(h.value()).toBe('idle');
    finish(h);
  });

  it('ERR 506 (a drive tray did not move, nothing else did): the same verb once more with a new ref; a second 506 rejects the disc', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1', null);
    make(h, 'job-1/2.1', null);
    const first = h.last();
    h.refuse(506, 'PTROBOT_OPENCLOSE_FAILED');
    expect(h.last()).toEqual({ ...first, ref: first.ref + 1 });
    loadBlank(h); // the second try loads
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    h.perform();
    expect(delivered(h)).toMatchObject([{ discId: 'job-1/1.1', drive: 0 }]);

    const before = h.sent.length;
    h.refuse(506, 'PTROBOT_OPENCLOSE_FAILED');
    h.refuse(506, 'PTROBOT_OPENCLOSE_FAILED');
    expect(commandsAfter(h, before)).toEqual(['LOAD_DRIVE drive=1 from=0 clear=1']);
    expect(outcomes(h).at(-1)).toEqual({
      type: 'disc.rejected',
      discId: 'job-1/2.1',
      cause: 'notReady',
      reason: 'the robot refused LOAD_DRIVE (506 PTROBOT_OPENCLOSE_FAILED), sent twice',
      drive: -1,
    });
    expect(h.value()).toBe('idle');
    finish(h);
  });

  it('ERR 506 on the way to the reject slide: UNLOAD_DRIVE once more', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    loadBlank(h);
    h.stimulate({ type: 'recorder.finished', result: 'verifyError', detail: 'MD5 mismatch' });
    const first = h.last();
    h.refuse(506, 'PTROBOT_OPENCLOSE_FAILED');
    expect(h.last()).toEqual({ ...first, ref: first.ref + 1 });
    h.perform();
    expect(outcomes(h)).toEqual([{ type: 'disc.rejected', discId: 'job-1/1.1', cause: 'verify', reason: 'verifyError: MD5 mismatch', drive: 0 }]);
    finish(h);
  });

  it('a PRINT refused (511) sends the disc from the printer to the reject slide', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    loadBlank(h);
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    h.perform(); // LOAD_PRINTER_FROM_DRIVE
    h.refuse(511, 'PTROBOT_PRINTFILE_NOT_FOUND');
    expect(h.lastVerb()).toBe('UNLOAD_PRINTER to=200');
    h.perform();
    expect(outcomes(h)).toEqual([
      { type: 'disc.rejected', discId: 'job-1/1.1', cause: 'notReady', reason: 'the robot refused PRINT (511 PTROBOT_PRINTFILE_NOT_FOUND)', drive: 0 },
    ]);
    finish(h);
  });

  it('a queued disc is cancelled without ever being loaded', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    make(h, 'job-1/2.1');
    h.stimulate({ type: 'disc.cancel', discId: 'job-1/2.1' });
    expect(outcomes(h)).toEqual([{ type: 'disc.rejected', discId: 'job-1/2.1', cause: 'cancelled', reason: 'cancelled before the robot started it', drive: -1 }]);
    expect(h.robot.getSnapshot().context.queue).toEqual([]);
    expect(h.sent.filter((c) => c.verb === 'LOAD_DRIVE')).toHaveLength(1);
    finish(h);
  });

  it('the disc in hand with an operation pending: CANCEL, and the device puts it on the reject slide', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    make(h, 'job-1/2.1');
    const op = h.accept();
    h.stimulate({ type: 'disc.cancel', discId: 'job-1/1.1' });
    expect(h.lastVerb()).toBe('CANCEL');
    h.finish(op, 'CANCELLED');
    expect(outcomes(h)).toEqual([
      { type: 'disc.rejected', discId: 'job-1/1.1', cause: 'cancelled', reason: 'cancelled during LOAD_DRIVE; the disc went to the reject bin', drive: -1 },
    ]);
    expect(h.lastVerb()).toBe('LOAD_DRIVE drive=1 from=0 clear=1'); // the next disc starts
    finish(h);
  });

  it('CANCEL before the disc was fetched from the drive: the start-up rules find it there and reject it', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    loadBlank(h);
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    expect(h.last().verb).toBe('LOAD_PRINTER_FROM_DRIVE');
    const op = h.accept();
    h.stimulate({ type: 'disc.cancel', discId: 'job-1/1.1' });
    expect(h.lastVerb()).toBe('CANCEL');
    h.answer({ op: String(op) });
    // The device ended the move before it picked the disc: CANCELLED, the disc still in drive 0.
    h.finish(op, 'CANCELLED');
    expect(outcomes(h)).toEqual([]);
    expect(h.lastVerb()).toBe('GET_STATUS');
    h.answer({ state: '0', syserr: '0', phase: 'IDLE', op: '0', bins: '0,24', tray: 'I' });
    expect(h.lastVerb()).toBe('MEDIA_INFO drive=0');
    h.answer({ type: 'DVD-R', id: 'SIM-000001', blank: '0' });
    expect(h.lastVerb()).toBe('UNLOAD_DRIVE drive=0 to=200');
    h.perform();
    expect(h.lastVerb()).toBe('MEDIA_INFO drive=1');
    h.refuse(525, 'PTROBOT_NO_MEDIA');
    expect(outcomes(h)).toEqual([
      { type: 'disc.rejected', discId: 'job-1/1.1', cause: 'cancelled', reason: 'cancelled during LOAD_PRINTER_FROM_DRIVE; the start-up rules sent the disc from the drive to the reject bin', drive: 0 },
    ]);
    expect(h.value()).toBe('idle');
    finish(h);
  });

  it('CANCEL too late: the load finished, so the disc is unloaded to the reject slide', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    const op = h.accept();
    h.stimulate({ type: 'disc.cancel', discId: 'job-1/1.1' });
    h.finish(op, 'OK');
    expect(h.lastVerb()).toBe('UNLOAD_DRIVE drive=0 to=200');
    h.perform();
    expect(outcomes(h)).toMatchObject([{ discId: 'job-1/1.1', cause: 'cancelled' }]);
    finish(h);
  });

  it('the disc recording: the drive is let finish (it would refuse the unload), then the disc goes to the reject slide', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    loadBlank(h);
    const sent = h.sent.length;
    h.stimulate({ type: 'disc.cancel', discId: 'job-1/1.1' });
    expect(h.recorder.running).toBe(1);
    expect(h.sent.length).toBe(sent);
    expect(h.value()).toBe('busy.recording.burning');
    h.stimulate({ type: 'recorder.finished', result: 'ok', md5: MD5 });
    expect(h.recorder.running).toBe(0);
    expect(h.lastVerb()).toBe('UNLOAD_DRIVE drive=0 to=200');
    h.perform();
    expect(outcomes(h)).toEqual([
      { type: 'disc.rejected', discId: 'job-1/1.1', cause: 'cancelled', reason: 'cancelled while recording; the disc went to the reject bin', drive: 0 },
    ]);
    expect(delivered(h)).toEqual([]);
    expect(h.value()).toBe('idle');
    finish(h);
  });

  it.each([
    { name: 'waiting for media', at: (h: Harness) => h.perform() },
  ])('the disc in hand with no operation pending ($name): unloaded to the reject slide', ({ at }) => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    at(h);
    h.stimulate({ type: 'disc.cancel', discId: 'job-1/1.1' });
    expect(h.recorder.running).toBe(0);
    expect(h.lastVerb()).toBe('UNLOAD_DRIVE drive=0 to=200');
    h.perform();
    expect(outcomes(h)).toMatchObject([{ discId: 'job-1/1.1', cause: 'cancelled' }]);
    expect(h.value()).toBe('idle');
    finish(h);
  });

  it('cancelled while paused by an error: rejected once the robot goes on', () => {
    const h = startRobot();
    connect(h);
    make(h, 'job-1/1.1');
    h.perform(); // in the drive, waiting for media
    h.stimulate(deviceState({ state: 2, syserr: 15 }));
    h.stimulate({ type: 'disc.cancel', discId: 'job-1/1.1' });
    expect(outcomes(h)).toEqual([]);
    h.stimulate(deviceState({ state: 0 }));
    expect(h.lastVerb()).toBe('UNLOAD_DRIVE drive=0 to=200');
    h.perform();
    expect(outcomes(h)).toMatchObject([{ discId: 'job-1/1.1', cause: 'cancelled' }]);
    finish(h);
  });
});

describe('robot machine: contract', () => {
  it('defaults the options and keeps a JSON-only context that restores', () => {
    const h = startRobot({ name: 'xrp-3' });
    expect(h.robot.getSnapshot().context.options).toEqual({ maxMediaWaitMs: 30_000, mediaPollMs: 500, print: true, autoAcknowledgeInkLow: false });
    expect(DEFAULT_ROBOT_OPTIONS).toEqual(h.robot.getSnapshot().context.options);
    connect(h);
    make(h, 'job-1/1.1');
    make(h, 'job-1/2.1');
    h.accept();
    h.stimulate(deviceState({ state: 2, syserr: 15 }));
    const persisted = JSON.parse(JSON.stringify(h.robot.getPersistedSnapshot()));
    const restored = createActor(robotMachine, { snapshot: persisted, input: { name: 'xrp-3' } }).start();
    expect(restored.getSnapshot().value).toEqual({ error: 'operator' });
    expect(restored.getSnapshot().context).toEqual(h.robot.getSnapshot().context);
    restored.stop();
    finish(h);
  });

  it('exports the actor sources, delays and event types the machine uses', () => {
    const nodes = [robotMachine.root, ...getStateNodes(robotMachine.root)];
    const sources = new Set(nodes.flatMap((n) => n.invoke.map((i) => i.src as string)));
    const events = new Set(nodes.flatMap((n) => [...n.transitions.keys()]).filter((type) => !type.startsWith('xstate.')));
    const delays = new Set(nodes.flatMap((n) => n.after.map((t) => String(t.delay))));
    expect(new Set(ROBOT_ACTOR_SOURCES)).toEqual(sources);
    expect(new Set(ROBOT_EVENT_TYPES)).toEqual(events);
    expect(new Set(ROBOT_DELAYS)).toEqual(delays);
  });
});

afterAll(() => {
  coverage.assertComplete();
});
