// Model-based test of the PTBurn robot actor: xstate/graph walks the real machine (its invoke
// kept), and each path is replayed on a real actor whose `hotFolder` is a scripted fake that
// records what the machine asks of it, whose job is a fake job actor found by systemId, and whose
// parent records availability. Stimuli go in the way production sends them (the hot folder's
// sendBack, the job's and the operator's send). Each step is checked against the pure model's
// snapshot and against rules that must hold for any input: one JRQ per disc, ABORT only when asked
// and once, nothing delivered that PTBurn did not complete, one outcome per disc, a pause before
// every resume, each availability change announced once. Scenarios then pin the exact exchanges.
// afterAll fails on any state or transition the tests did not exercise.

import { afterAll, describe, expect, it } from 'vitest';
import { __unsafe_getAllOwnEventDescriptors, createActor, createEmptyActor, fromCallback, type AnyEventObject, type SnapshotFrom, type StateValue } from 'xstate';
import { TestModel } from 'xstate/graph';
import {
  PTBURN_ROBOT_EVENT_TYPES,
  ptburnRobotMachine,
  type HotFolderCommand,
  type HotFolderEvent,
  type HotFolderInput,
  type PtburnJobReading,
  type PtburnRobotInput,
} from '../../machines/ptburn-robot.machine.ts';
import type { DiscRequest, RobotAvailabilityEvent, RobotPortEvent } from '../../machines/robot-port.ts';
import { createModelCoverage, transitionKey } from '../support/model-coverage.ts';

type Snapshot = SnapshotFrom<typeof ptburnRobotMachine>;
type StatusRead = Extract<HotFolderEvent, { type: 'status.read' }>;

const JOB = 'job:J000012';
const INPUT: PtburnRobotInput = { name: 'ptb-1' };
const coverage = createModelCoverage(ptburnRobotMachine);

function discRequest(attempt: number, labelPath: string | null = '/spool/J000012.jpg'): DiscRequest {
  return { discId: `J000012/1.${attempt}`, jobId: 'J000012', copy: 1, attempt, imagePath: '/spool/J000012.iso', imageBytes: 1_000_000, media: 'cd', labelPath, replyTo: JOB };
}

// ---- readings, as the hot folder sends them ----------------------------------------------------

function reading(change: { sysError?: number; stalled?: boolean; partial?: boolean; job?: PtburnJobReading; serverError?: number } = {}): StatusRead {
  const sysError = change.sysError ?? 0;
  return {
    type: 'status.read',
    partial: change.partial ?? false,
    system: { tickCount: 1749, stalled: change.stalled ?? false, sysErrorNumber: change.serverError ?? 0, sysErrorString: null },
    robot: {
      name: 'Disc Publisher XRP', sysErrorNumber: sysError, sysErrorString: sysError ? `error ${sysError}` : 'No Errors', systemStatus: 'System OK',
      discsInLeftBin: 6, discsInRightBin: 4, cartridges: [{ index: 0, type: 2, fill: 96 }], drives: [{ index: 0, location: 'Top Recorder', state: 0, percent: 0, job: 'None' }],
    },
    ...(change.job ? { job: change.job } : {}),
  };
}

function jobAt(name: string, fields: Partial<PtburnJobReading>): PtburnJobReading {
  return {
    name, jobState: 1, currentStatusState: null, currentStatus: null, jobsAhead: 0, jobErrorNumber: null, jobErrorString: null, discErrors: [], percent: null, drive: 0, ...fields,
  };
}

// ---- stimuli: what the model may send in each snapshot -------------------------------------------

const labels = new WeakMap<object, string>();
function labelled<T extends AnyEventObject>(event: T, name: string): T {
  labels.set(event, name);
  return event;
}
const label = (event: AnyEventObject) => labels.get(event) ?? event.type;
const valuePath = (value: StateValue): string =>
  typeof value === 'string' ? value : Object.entries(value).map(([k, v]) => `${k}.${valuePath(v as StateValue)}`).join(',');

const STIMULATED = new Set<string>([...PTBURN_ROBOT_EVENT_TYPES, 'xstate.error.actor.hotFolder']);

/** The job's status section in each of the ways the robot reads it. */
const JOB_READINGS: Array<[string, Partial<PtburnJobReading>]> = [
  ['queued behind another job', { jobState: 0, jobsAhead: 1, currentStatusState: 14 }],
  ['loading', { currentStatusState: 4 }],
  ['burning 40%', { currentStatusState: 0, percent: 40 }],
  ['burning 80%', { currentStatusState: 0, percent: 80 }],
  ['finishing disc', { currentStatusState: 8 }],
  ['verifying 50%', { currentStatusState: 2, percent: 50 }],
  ['printing', { currentStatusState: 3 }],
  ['waiting for printer', { currentStatusState: 6 }],
  ['unloading', { currentStatusState: 5 }],
  ['rejecting', { currentStatusState: 9 }],
  ['completed', { jobState: 2, currentStatusState: 10 }],
  ['failed: verify error', { jobState: 3, currentStatusState: 15, discErrors: [{ number: 19, string: 'Error verifying the disc' }] }],
  ['failed: not blank', { jobState: 3, currentStatusState: 15, discErrors: [{ number: 12, string: null }] }],
  ['failed: aborted', { jobState: 3, currentStatusState: 13, jobErrorNumber: 16, jobErrorString: 'The job was aborted.' }],
  ['failed: print file', { jobState: 3, currentStatusState: 15, jobErrorNumber: 7 }],
];

function eventsFor(snapshot: Snapshot): AnyEventObject[] {
  for (const type of __unsafe_getAllOwnEventDescriptors(snapshot)) {
    if (!STIMULATED.has(type)) throw new Error(`no stimulus for event '${type}': add one to eventsFor`);
  }
  const c = snapshot.context;
  const at = (state: string) => snapshot.matches(state as never);
  const events: AnyEventObject[] = [];
  const add = (event: AnyEventObject, name: string) => events.push(labelled(event, name));
  const disc = c.disc;

  // The hot folder's readings.
  add(reading(), 'status ok');
  if (!at('offline')) add(reading({ stalled: true }), 'status stalled');
  if (!at('connecting') && !at('offline')) add(reading({ partial: true, sysError: 15 }), 'status partial');
  if (at('connecting') || at('idle') || at('busy') || at('error')) {
    add(reading({ sysError: 15 }), 'status cover open');
    add(reading({ sysError: 6 }), 'status black ink low');
  }
  if (at('idle')) add(reading({ serverError: 12 }), 'status server error');
  add({ type: 'folder.unreachable', error: 'EACCES: permission denied' }, 'folder.unreachable');
  if (at('idle')) add({ type: 'xstate.error.actor.hotFolder', error: new Error('hot folder crashed') }, 'hot folder crashed');

  // The job's section and file, for the disc in hand.
  if (disc?.written) {
    const inProcess = at('busy.inProcess') || at('busy.queued') || at('busy.cancelling');
    for (const [name, fields] of JOB_READINGS) {
      const ending = fields.jobState === 2 || fields.jobState === 3;
      if (inProcess || (ending && (at('offline') || at('error')))) add(reading({ job: jobAt(disc.jobName, fields) }), `status job ${name}`);
    }
    if (at('busy.queued')) add({ type: 'job.fileState', name: disc.jobName, state: 'queued' }, 'file queued');
    if (at('busy.queued')) add({ type: 'job.fileState', name: disc.jobName, state: 'in-process' }, 'file in-process');
    if (at('busy.inProcess') || at('offline')) add({ type: 'job.fileState', name: disc.jobName, state: 'done' }, 'file done');
    if (at('busy.inProcess') || at('busy.cancelling')) add({ type: 'job.fileState', name: disc.jobName, state: 'failed' }, 'file failed');
  } else if (disc?.submitSent && at('busy.submitting')) {
    add({ type: 'job.fileState', name: disc.jobName, state: 'submitted' }, 'file submitted');
    add({ type: 'job.fileState', name: disc.jobName, state: 'failed', reason: 'job request not written: PrintLabel: must be a .STD, .JPG, .BMP or .PRN file' }, 'file refused');
  }

  // The job and the operator.
  const discs = c.queue.length + (disc ? 1 : 0);
  if (discs === 0 && (at('idle') || at('offline') || at('connecting'))) {
    add({ type: 'disc.make', request: discRequest(1) }, 'disc.make');
    if (at('idle')) add({ type: 'disc.make', request: discRequest(1, null) }, 'disc.make (no label)');
  } else if (discs === 1 && (at('busy.queued') || at('error'))) {
    add({ type: 'disc.make', request: discRequest(2) }, 'disc.make (queued behind)');
  }
  if (c.queue[0] && disc) add({ type: 'disc.cancel', discId: c.queue[0].discId }, 'disc.cancel (queued)');
  if (disc && !disc.cancelRequested) add({ type: 'disc.cancel', discId: disc.request.discId }, 'disc.cancel (in hand)');
  if (at('error')) add({ type: 'robot.acknowledgeInkLow' }, 'robot.acknowledgeInkLow');
  return events;
}

// ---- the harness: a real actor, a fake hot folder, a fake job, a recording parent ---------------

/** Rules for any input, checked on everything the robot sends. */
class Monitor {
  readonly violations: string[] = [];
  private readonly outcomes = new Set<string>();
  private readonly submitted = new Set<string>();
  private readonly aborted = new Set<string>();
  private readonly cancelAsked = new Set<string>();
  private readonly paused = new Set<string>();
  private readonly phases = new Map<string, string>();
  /** Job names whose last status said completed, or whose file is .DON. */
  private readonly completed = new Set<string>();
  private lastAvailability: string | null = null;

  fromRobotToJob(event: RobotPortEvent, jobNameOf: (discId: string) => string | undefined): void {
    const id = event.discId;
    if (this.outcomes.has(id)) this.violations.push(`${event.type} after the outcome of ${id}`);
    if (event.type === 'disc.delivered' || event.type === 'disc.rejected') this.outcomes.add(id);
    if (event.type === 'disc.delivered') {
      const name = jobNameOf(id);
      if (!name || !this.completed.has(name.toLowerCase())) this.violations.push(`${id} delivered without PTBurn completing its job`);
      if (event.verified !== true) this.violations.push(`${id} delivered unverified`);
    }
    if (event.type === 'disc.paused') this.paused.add(id);
    if (event.type === 'disc.resumed') {
      if (!this.paused.has(id)) this.violations.push(`${id} resumed without a pause`);
      this.paused.delete(id);
    }
    if (event.type === 'disc.phase') this.phases.set(id, event.phase);
    if (event.type === 'disc.progress' && this.phases.get(id) !== event.phase) this.violations.push(`progress of ${event.phase} outside that phase`);
  }

  toHotFolder(command: HotFolderCommand): void {
    if (command.type === 'folder.submit') {
      if (this.submitted.has(command.jobName)) this.violations.push(`${command.jobName} submitted twice`);
      this.submitted.add(command.jobName);
      if (command.request.replyTo !== JOB) this.violations.push('a request not from the job');
    } else if (command.ptm.message === 'ABORT') {
      const name = command.jobName ?? '';
      if (this.aborted.has(name)) this.violations.push(`${name} aborted twice`);
      if (!this.cancelAsked.has(name)) this.violations.push(`${name} aborted unasked`);
      if (!this.submitted.has(name)) this.violations.push(`${name} aborted before it was submitted`);
      this.aborted.add(name);
    }
  }

  toRobot(event: AnyEventObject, jobNameOf: (discId: string) => string | undefined): void {
    if (event.type === 'disc.cancel') {
      const name = jobNameOf((event as unknown as { discId: string }).discId);
      if (name) this.cancelAsked.add(name);
    }
    if (event.type === 'status.read' && !(event as StatusRead).partial && (event as StatusRead).job?.jobState === 2) this.completed.add((event as StatusRead).job!.name.toLowerCase());
    if (event.type === 'job.fileState' && (event as unknown as { state: string }).state === 'done') this.completed.add((event as unknown as { name: string }).name.toLowerCase());
  }

  toParent(event: RobotAvailabilityEvent): void {
    const what = event.type === 'robot.available' ? 'available' : event.why;
    if (what === this.lastAvailability) this.violations.push(`${what} announced twice in a row`);
    this.lastAvailability = what;
  }
}

function startRobot(input: PtburnRobotInput = INPUT) {
  const toHotFolder: HotFolderCommand[] = [];
  const toJob: RobotPortEvent[] = [];
  const toParent: RobotAvailabilityEvent[] = [];
  const monitor = new Monitor();
  const hotFolder = { sendBack: undefined as ((event: AnyEventObject) => void) | undefined, inputs: [] as HotFolderInput[], running: 0 };
  const jobNames = new Map<string, string>();
  const jobNameOf = (discId: string) => jobNames.get(discId);

  const fakeHotFolder = fromCallback<HotFolderCommand, HotFolderInput>(({ sendBack, receive, input: folderInput }) => {
    hotFolder.inputs.push(folderInput);
    hotFolder.sendBack = sendBack;
    hotFolder.running++;
    receive((command) => {
      if ((command as { type: string }).type === 'test.crash') {
        hotFolder.running--; // XState runs no cleanup for a callback actor that threw
        throw new Error('hot folder crashed');
      }
      if (command.type === 'folder.submit') jobNames.set(command.request.discId, command.jobName);
      toHotFolder.push(command);
      monitor.toHotFolder(command);
    });
    return () => {
      hotFolder.running--;
    };
  });
  // The job, found by systemId as production jobs are, is also the robot's parent (the publisher's
  // place), hearing robot.available / robot.unavailable.
  const job = createActor(
    fromCallback<AnyEventObject>(({ receive }) => {
      receive((event) => {
        if (event.type === 'robot.available' || event.type === 'robot.unavailable') {
          toParent.push(event as RobotAvailabilityEvent);
          monitor.toParent(event as RobotAvailabilityEvent);
        } else if (!event.type.startsWith('xstate.')) {
          toJob.push(event as RobotPortEvent);
          monitor.fromRobotToJob(event as RobotPortEvent, jobNameOf);
        }
      });
    }),
    { systemId: JOB, inspect: (event) => coverage.inspect(event) },
  ).start();
  const robot = createActor(ptburnRobotMachine.provide({ actors: { hotFolder: fakeHotFolder } }), { input, parent: job }).start();

  function stimulate(event: AnyEventObject): void {
    monitor.toRobot(event, jobNameOf);
    if (event.type === 'xstate.error.actor.hotFolder') robot.getSnapshot().children.hotFolder!.send({ type: 'test.crash' } as never);
    else if (event.type === 'status.read' || event.type === 'job.fileState' || event.type === 'folder.unreachable') hotFolder.sendBack!(event);
    else robot.send(event as never);
  }
  const value = () => valuePath(robot.getSnapshot().value);
  /** The job is the root of this little system: stopping it stops the robot. */
  const stop = () => job.stop();
  return { robot, stop, toHotFolder, toJob, toParent, hotFolder, monitor, stimulate, value, jobNameOf };
}
type Harness = ReturnType<typeof startRobot>;

// ---- the model paths ---------------------------------------------------------------------------

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

/**
 * A vertex is the transition the event took and the chain of state values it went through (its
 * microsteps, so every eventless branch of routing and tracking counts), plus the little context that decides where
 * the machine can go next: whether a disc is in hand, written, cancelled, aborted, paused, and a
 * disc queued behind it. Ids, readings and progress stay out, so the graph stays small.
 */
function serializeVertex(state: Snapshot, event: AnyEventObject | undefined, prev: Snapshot | undefined): string {
  const taken = event && prev ? ptburnRobotMachine.getTransitionData(prev, event as never).map(transitionKey).join(' + ') : '';
  const chain = event && prev ? ptburnRobotMachine.microstep(prev, event as never, scope as never).map((s) => valuePath(s.value)).join('>') : '';
  const { disc, queue, fault } = state.context;
  const discKey = disc ? `disc:${disc.written ? 'w' : ''}${disc.cancelRequested ? 'c' : ''}${disc.abortSent ? 'a' : ''}${disc.pausedFor ? 'p' : ''}${disc.phase ?? ''}` : 'none';
  return `${valuePath(state.value)}|${discKey}|q${queue.length}|${fault?.name ?? ''}|${state.context.inkAcknowledged ? 'ack' : ''}${chain ? ` via ${taken} from ${prev ? valuePath(prev.value) : ''}:${chain}` : ''}`;
}

type PathStep = { state: Snapshot; event: AnyEventObject };

/** Breadth-first, one path per vertex, each path keeping the snapshots its own events produced. */
function breadthFirstPaths(input: PtburnRobotInput, events: (snapshot: Snapshot) => AnyEventObject[]) {
  return () => {
    const initial = ptburnRobotMachine.getInitialSnapshot(scope as never, input);
    const paths: { state: Snapshot; steps: PathStep[]; weight: number }[] = [];
    const seen = new Set([serializeVertex(initial, undefined, undefined)]);
    const queue: PathStep[][] = [[{ state: initial, event: { type: 'xstate.init' } }]];
    while (queue.length > 0) {
      const steps = queue.shift()!;
      const { state } = steps.at(-1)!;
      paths.push({ state, steps, weight: steps.length - 1 });
      for (const event of events(state)) {
        const next = ptburnRobotMachine.transition(state, event as never, scope as never);
        const key = serializeVertex(next, event, state);
        if (seen.has(key)) continue;
        seen.add(key);
        queue.push([...steps, { state: next, event }]);
      }
    }
    return paths;
  };
}

function runPaths(title: string, input: PtburnRobotInput, events: (snapshot: Snapshot) => AnyEventObject[] = eventsFor) {
  describe(title, () => {
    const model = new TestModel(ptburnRobotMachine, { input, events, serializeState: (state: Snapshot) => valuePath(state.value) } as never);
    const paths = model.getPaths(breadthFirstPaths(input, events) as never);
    paths.forEach((p, index) => {
      const steps = p.steps.map((s) => s.event as AnyEventObject).filter((e) => e.type !== 'xstate.init');
      it(`#${index} ${valuePath(p.state.value)} ← ${steps.map(label).join(' → ')}`, async () => {
        const h = startRobot(input);
        expect(h.hotFolder.inputs).toEqual([{ robot: input.name }]);
        const executors = Object.fromEntries([...new Set(steps.map((e) => e.type))].map((type) => [type, ({ event }: { event: AnyEventObject }) => h.stimulate(event)]));
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
              // The context stays plain JSON.
              expect(JSON.parse(JSON.stringify(snapshot.context))).toEqual(snapshot.context);
            },
          },
        });
        h.stop();
      });
    });
  });
}

runPaths('PTBurn robot machine: model paths', INPUT);
// Ink low acknowledged automatically, printing off: only the stimuli those options change.
const OPTIONS_STIMULI = new Set(['status ok', 'disc.make', 'file submitted', 'status black ink low', 'status job burning 40%', 'status job completed']);
runPaths('PTBurn robot machine: model paths (autoAcknowledgeInkLow, print off)', { name: 'ptb-2', options: { autoAcknowledgeInkLow: true, print: false } }, (snapshot) =>
  eventsFor(snapshot).filter((event) => OPTIONS_STIMULI.has(label(event))),
);

// ---- scenarios: the exact exchanges ---------------------------------------------------------------

function connect(h: Harness) {
  h.stimulate(reading());
  expect(h.value()).toBe('idle');
}

/** disc.make, the JRQ in place; returns the job name. */
function makeDisc(h: Harness, attempt = 1, labelPath: string | null = '/spool/J000012.jpg'): string {
  h.stimulate({ type: 'disc.make', request: discRequest(attempt, labelPath) });
  const submit = h.toHotFolder.at(-1)!;
  expect(submit).toEqual({ type: 'folder.submit', jobName: `J000012-1-${attempt}`, request: discRequest(attempt, labelPath) });
  h.stimulate({ type: 'job.fileState', name: `J000012-1-${attempt}`, state: 'submitted' });
  return `J000012-1-${attempt}`;
}

const jobStatus = (h: Harness, name: string, fields: Partial<PtburnJobReading>, change: { sysError?: number } = {}) =>
  h.stimulate(reading({ ...change, job: jobAt(name, fields) }));

describe('PTBurn robot machine: scenarios', () => {
  it('makes a disc: queued, PTBurn\'s phases and progress, delivered verified, available throughout', () => {
    const h = startRobot();
    expect(h.value()).toBe('connecting');
    connect(h);
    const name = makeDisc(h);
    expect(h.value()).toBe('busy.queued');
    h.stimulate({ type: 'job.fileState', name, state: 'queued' });
    jobStatus(h, name, { currentStatusState: 4 });
    jobStatus(h, name, { currentStatusState: 0, percent: 30 });
    jobStatus(h, name, { currentStatusState: 0, percent: 30 });
    jobStatus(h, name, { currentStatusState: 0, percent: 90 });
    jobStatus(h, name, { currentStatusState: 2, percent: 60 });
    jobStatus(h, name, { currentStatusState: 3 });
    jobStatus(h, name, { currentStatusState: 5 });
    expect(h.value()).toBe('busy.inProcess.delivering');
    jobStatus(h, name, { jobState: 2, currentStatusState: 10, drive: -1 });
    expect(h.value()).toBe('idle');
    const id = 'J000012/1.1';
    expect(h.toJob).toEqual([
      { type: 'disc.queued', discId: id, robot: 'ptb-1', position: 1 },
      { type: 'disc.phase', discId: id, phase: 'loading' },
      { type: 'disc.phase', discId: id, phase: 'burning' },
      { type: 'disc.progress', discId: id, phase: 'burning', pct: 30 },
      { type: 'disc.progress', discId: id, phase: 'burning', pct: 90 },
      { type: 'disc.phase', discId: id, phase: 'verifying' },
      { type: 'disc.progress', discId: id, phase: 'verifying', pct: 60 },
      { type: 'disc.phase', discId: id, phase: 'printing' },
      { type: 'disc.phase', discId: id, phase: 'delivering' },
      { type: 'disc.delivered', discId: id, verified: true, location: 'output', drive: 0 },
    ]);
    expect(h.toParent).toEqual([{ type: 'robot.unavailable', robot: 'ptb-1', why: 'offline' }, { type: 'robot.available', robot: 'ptb-1' }]);
    expect(h.toHotFolder).toHaveLength(1);
    h.stop();
  });

  it('a verify failure and a not-blank disc are rejected with their causes; the next attempt is a new JRQ', () => {
    const h = startRobot();
    connect(h);
    let name = makeDisc(h, 1);
    jobStatus(h, name, { currentStatusState: 2, percent: 10 });
    jobStatus(h, name, { currentStatusState: 9 });
    jobStatus(h, name, { jobState: 3, discErrors: [{ number: 19, string: 'Error verifying the disc, see the log file for further information.' }] });
    expect(h.toJob.at(-1)).toEqual({ type: 'disc.rejected', discId: 'J000012/1.1', cause: 'verify', reason: 'PTBurn disc error 19: Error verifying the disc, see the log file for further information.', drive: 0 });
    name = makeDisc(h, 2);
    expect(name).toBe('J000012-1-2');
    jobStatus(h, name, { jobState: 3, discErrors: [{ number: 12, string: null }] });
    expect(h.toJob.at(-1)).toMatchObject({ type: 'disc.rejected', discId: 'J000012/1.2', cause: 'media', reason: 'PTBurn disc error 12: The media (CD/DVD) is not blank.' });
    expect(h.value()).toBe('idle');
    h.stop();
  });

  it('a job that ends with only its file (the status no longer lists it) is reported by the file', () => {
    const h = startRobot();
    connect(h);
    const name = makeDisc(h);
    h.stimulate({ type: 'job.fileState', name, state: 'in-process' });
    expect(h.value()).toBe('busy.inProcess.loading');
    h.stimulate({ type: 'job.fileState', name, state: 'done' });
    expect(h.toJob.at(-1)).toMatchObject({ type: 'disc.delivered', verified: true });
    const second = makeDisc(h, 2);
    h.stimulate({ type: 'job.fileState', name: second, state: 'failed' });
    expect(h.toJob.at(-1)).toMatchObject({ type: 'disc.rejected', cause: 'robot', reason: 'PTBurn failed the job without saying why' });
    h.stop();
  });

  it('cancels with one ABORT carrying the JRQ\'s ClientID; PTBurn\'s abort is reported cancelled', () => {
    const h = startRobot();
    connect(h);
    const name = makeDisc(h);
    jobStatus(h, name, { currentStatusState: 0, percent: 10 });
    h.stimulate({ type: 'disc.cancel', discId: 'J000012/1.1' });
    expect(h.value()).toBe('busy.cancelling');
    expect(h.toHotFolder.at(-1)).toEqual({ type: 'folder.command', ptm: { message: 'ABORT', clientId: 'discrobot' }, jobName: name });
    jobStatus(h, name, { currentStatusState: 0, percent: 20 });
    expect(h.toHotFolder.filter((c) => c.type === 'folder.command')).toHaveLength(1);
    jobStatus(h, name, { jobState: 3, jobErrorNumber: 16 });
    expect(h.toJob.at(-1)).toMatchObject({ type: 'disc.rejected', cause: 'cancelled' });
    h.stop();
  });

  it('a cancel while a system error stands sends ABORT at once; the disc is reported cancelled', () => {
    const h = startRobot();
    connect(h);
    const name = makeDisc(h);
    jobStatus(h, name, { currentStatusState: 4 }, { sysError: 15 });
    expect(h.value()).toBe('error');
    h.stimulate({ type: 'disc.cancel', discId: 'J000012/1.1' });
    expect(h.toHotFolder.at(-1)).toEqual({ type: 'folder.command', ptm: { message: 'ABORT', clientId: 'discrobot' }, jobName: name });
    jobStatus(h, name, { jobState: 3, jobErrorNumber: 16 }, { sysError: 15 });
    expect(h.toJob.at(-1)).toMatchObject({ type: 'disc.rejected', cause: 'cancelled', reason: 'cancelled: PTBurn aborted the job' });
    expect(h.value()).toBe('error');
    expect(h.toHotFolder.filter((c) => c.type === 'folder.command')).toHaveLength(1);
    h.stop();
  });

  it('a disc cancelled while its JRQ is being written is aborted once the JRQ is in place', () => {
    const h = startRobot();
    connect(h);
    h.stimulate({ type: 'disc.make', request: discRequest(1) });
    h.stimulate({ type: 'disc.cancel', discId: 'J000012/1.1' });
    expect(h.value()).toBe('busy.submitting');
    h.stimulate({ type: 'job.fileState', name: 'J000012-1-1', state: 'submitted' });
    expect(h.value()).toBe('busy.cancelling');
    expect(h.toHotFolder.at(-1)).toMatchObject({ type: 'folder.command', ptm: { message: 'ABORT' } });
    h.stop();
  });

  it('cover open pauses the disc with PTBurn\'s hint, closing it resumes; ink low is acknowledged with IGNORE_INKLOW', () => {
    const h = startRobot();
    connect(h);
    const name = makeDisc(h);
    jobStatus(h, name, { currentStatusState: 0, percent: 50 });
    jobStatus(h, name, { currentStatusState: 0, percent: 50 }, { sysError: 15 });
    expect(h.value()).toBe('error');
    expect(h.toJob.at(-1)).toEqual({
      type: 'disc.paused', discId: 'J000012/1.1',
      fault: { robot: 'ptb-1', kind: 'operator', code: 15, name: 'JPSYSERR_COVER_OPEN', hint: 'The cover is open: close it.' },
    });
    expect(h.toParent.at(-1)).toEqual({ type: 'robot.unavailable', robot: 'ptb-1', why: 'error' });
    jobStatus(h, name, { currentStatusState: 0, percent: 50 }, { sysError: 6 });
    expect(h.toJob.at(-1)).toMatchObject({ type: 'disc.paused', fault: { kind: 'consumable', code: 6, name: 'JPSYSERR_BLK_EMPTY' } });
    h.stimulate({ type: 'robot.acknowledgeInkLow' });
    expect(h.toHotFolder.at(-1)).toEqual({ type: 'folder.command', ptm: { message: 'IGNORE_INKLOW' }, jobName: null });
    jobStatus(h, name, { currentStatusState: 0, percent: 60 });
    expect(h.value()).toBe('busy.inProcess.burning');
    expect(h.toJob.slice(-2)).toEqual([
      { type: 'disc.resumed', discId: 'J000012/1.1' },
      { type: 'disc.progress', discId: 'J000012/1.1', phase: 'burning', pct: 60 },
    ]);
    expect(h.toParent.at(-1)).toEqual({ type: 'robot.available', robot: 'ptb-1' });
    h.stop();
  });

  it('PTBurn stopped mid-job (tick frozen): offline, the disc paused; back: resumed where PTBurn is', () => {
    const h = startRobot();
    connect(h);
    const name = makeDisc(h);
    jobStatus(h, name, { currentStatusState: 0, percent: 50 });
    h.stimulate(reading({ stalled: true, job: jobAt(name, { currentStatusState: 0, percent: 50 }) }));
    expect(h.value()).toBe('offline');
    expect(h.toJob.at(-1)).toMatchObject({ type: 'disc.paused', fault: { kind: 'communication', name: 'PTBURN_STOPPED' } });
    expect(h.toParent.at(-1)).toEqual({ type: 'robot.unavailable', robot: 'ptb-1', why: 'offline' });
    h.stimulate(reading({ stalled: true }));
    h.stimulate({ type: 'folder.unreachable', error: 'EIO' });
    expect(h.toJob.at(-1)).toMatchObject({ type: 'disc.paused', fault: { name: 'PTBURN_FOLDER_UNREACHABLE' } });
    jobStatus(h, name, { currentStatusState: 2, percent: 5 });
    expect(h.value()).toBe('busy.inProcess.verifying');
    expect(h.toJob.slice(-3).map((e) => e.type)).toEqual(['disc.resumed', 'disc.phase', 'disc.progress']);
    h.stop();
  });

  it('a job that ended while PTBurn could not be heard is reported when it returns', () => {
    const h = startRobot();
    connect(h);
    const name = makeDisc(h);
    jobStatus(h, name, { currentStatusState: 0, percent: 50 });
    h.stimulate({ type: 'folder.unreachable', error: 'ENOENT' });
    jobStatus(h, name, { jobState: 2 });
    expect(h.toJob.slice(-2)).toEqual([
      { type: 'disc.paused', discId: 'J000012/1.1', fault: expect.objectContaining({ name: 'PTBURN_FOLDER_UNREACHABLE' }) },
      { type: 'disc.delivered', discId: 'J000012/1.1', verified: true, location: 'output', drive: 0 },
    ]);
    expect(h.value()).toBe('idle');
    h.stop();
  });

  it('ink low is acknowledged automatically when configured; a label is not sent when printing is off', () => {
    const h = startRobot({ name: 'ptb-3', options: { autoAcknowledgeInkLow: true, print: false } });
    connect(h);
    h.stimulate({ type: 'disc.make', request: discRequest(1) });
    expect(h.toHotFolder.at(-1)).toMatchObject({ type: 'folder.submit', request: { labelPath: null } });
    h.stimulate(reading({ sysError: 7 }));
    h.stimulate(reading({ sysError: 7 }));
    expect(h.toHotFolder.filter((c) => c.type === 'folder.command')).toEqual([{ type: 'folder.command', ptm: { message: 'IGNORE_INKLOW' }, jobName: null }]);
    h.stop();
  });
});

afterAll(() => {
  coverage.assertComplete();
});
