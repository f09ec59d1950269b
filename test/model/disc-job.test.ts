// Model-based test of the disc job actor: xstate/graph walks the machine (one path per transition)
// and each path is replayed on a real job actor in a real actor system, beside a fake robot that
// records what the job asks of it (registered under the robot's systemId, as the job expects) and
// replies the way a robot does: to the replyTo of the job's request, looked up in the system. The
// 'master' actor is a promise the test settles. Each step is checked against an oracle written
// from the job's rules (which disc is asked for next, when the job fails, what every disc became),
// not read from the machine. afterAll fails on any state or transition no test exercised.

import { afterAll, describe, expect, it } from 'vitest';
import {
  __unsafe_getAllOwnEventDescriptors,
  createActor,
  fromCallback,
  fromPromise,
  waitFor,
  type Actor,
  type AnyActorScope,
  type AnyEventObject,
  type SnapshotFrom,
  type StateValue,
} from 'xstate';
import { TestModel } from 'xstate/graph';
import {
  discJobMachine,
  discJobSystemId,
  type DiscJobCommand,
  type DiscJobInput,
  type DiscRecord,
  type MasteredImage,
  type MasterInput,
} from '../../machines/disc-job.machine.ts';
import type { DiscPhase, DiscRequest, RejectCause, RobotFault, RobotPortCommand, RobotPortEvent } from '../../machines/robot-port.ts';
import { systemError } from '../../src/robot/syserr.ts';
import { createModelCoverage } from '../support/model-coverage.ts';

type Snapshot = SnapshotFrom<typeof discJobMachine>;

const JOB = 'j1';
const ROBOT = 'robot:test';
// The port's phases, as robot-port.ts lists them.
const PHASES: DiscPhase[] = ['loading', 'burning', 'finalizing', 'verifying', 'printing', 'delivering', 'rejecting'];
// The job treats every cause but 'cancelled' alike, so the model tries one of them (the scenarios the others).
const MODEL_CAUSES: RejectCause[] = ['verify', 'cancelled'];

const MASTERED: MasteredImage = { imagePath: '/data/jobs/j1/disc1.iso', imageBytes: 412_331_008, media: 'cd', labelPath: '/data/jobs/j1/label1.jpg' };
const SOURCE = { study: '1.2.826.0.1.3680043.2.1125.1', instances: 212 };

/** Two copies and two attempts: every limit and every "one more copy" branch is in reach of short paths. */
const MODEL_INPUT: DiscJobInput = { jobId: JOB, robot: ROBOT, copies: 2, maxAttemptsPerCopy: 2, maxRejectsInARow: 2, print: true, source: SOURCE };

function fault(code: number): RobotFault {
  const { name, kind, hint } = systemError(code);
  return { robot: ROBOT, kind, code, name, hint };
}
const COVER_OPEN = fault(15);
const INPUT_EMPTY = fault(3);

// ---- the harness: a real job actor, a fake robot in the same system, a settleable master ---------

const coverage = createModelCoverage(discJobMachine);

type JobActor = Actor<typeof discJobMachine>;

interface Harness {
  job: JobActor;
  /** Everything the job sent the robot, in order. */
  inbox: RobotPortCommand[];
  masterInputs: MasterInput[];
  finishMastering(output: MasteredImage): Promise<void>;
  failMastering(error: Error): Promise<void>;
  /** The robot reports, to the replyTo of the job's last request, found in the actor system. */
  robotSays(event: RobotPortEvent): void;
  operator(event: DiscJobCommand): void;
  requests(): DiscRequest[];
}

function startJob(input: DiscJobInput, options: { robotRegistered?: boolean } = {}): Harness {
  const inbox: RobotPortCommand[] = [];
  const masterInputs: MasterInput[] = [];
  const pending: { resolve: (image: MasteredImage) => void; reject: (error: Error) => void }[] = [];
  // The root owns the system and its inspection; robot and job are created in it, as the publisher does.
  const root = createActor(fromCallback(() => undefined), { inspect: (event) => coverage.inspect(event) }).start();
  if (options.robotRegistered ?? true) {
    createActor(
      fromCallback<RobotPortCommand>(({ receive }) => {
        receive((command) => inbox.push(command));
      }),
      { parent: root, systemId: input.robot },
    ).start();
  }
  const master = fromPromise<MasteredImage, MasterInput>(({ input: masterInput }) => {
    masterInputs.push(masterInput);
    return new Promise((resolve, reject) => pending.push({ resolve, reject }));
  });
  const job = createActor(discJobMachine.provide({ actors: { master } }), { parent: root, systemId: discJobSystemId(input.jobId), input }).start();
  const leftMastering = () => waitFor(job, (s) => !s.matches('mastering'), { timeout: 10_000 }).then(() => undefined);
  const requests = () => inbox.flatMap((c) => (c.type === 'disc.make' ? [c.request] : []));
  return {
    job,
    inbox,
    masterInputs,
    finishMastering(output) {
      pending.at(-1)!.resolve(output);
      return leftMastering();
    },
    failMastering(error) {
      pending.at(-1)!.reject(error);
      return leftMastering();
    },
    robotSays(event) {
      const replyTo = requests().at(-1)?.replyTo;
      if (!replyTo) throw new Error(`the robot cannot answer ${event.type}: it was never asked for a disc`);
      const target = root.system.get(replyTo);
      if (!target) throw new Error(`replyTo ${replyTo} is not in the actor system`);
      target.send(event);
    },
    operator(event) {
      job.send(event);
    },
    requests,
  };
}

// ---- the oracle: what the job's rules say each step must do --------------------------------------

const path = (value: StateValue): string =>
  typeof value === 'string' ? value : Object.entries(value).map(([k, v]) => `${k}.${path(v as StateValue)}`).join(',');

interface Expectation {
  commands: RobotPortCommand[];
  /** The state the step must reach, when the rules decide it. */
  to?: string;
  /** An event about another disc: nothing may change. */
  stale?: boolean;
}

class Oracle {
  readonly requests: DiscRequest[] = [];
  readonly history: DiscRecord[] = [];
  delivered = 0;
  rejectsInARow = 0;
  /** The current disc's last reported phase; null while it is only queued. */
  phase: DiscPhase | null = null;
  /** What the dashboard shows: progress within the phase, and the fault the disc waits on. */
  progress: { phase: DiscPhase; pct: number } | null = null;
  pause: RobotFault | null = null;
  private image: MasteredImage | null;

  constructor(private readonly input: DiscJobInput) {
    this.image = input.image ? { imagePath: input.image.path, imageBytes: input.image.bytes, media: input.image.media, labelPath: input.image.labelPath } : null;
  }

  private get current(): DiscRequest | undefined {
    return this.requests.at(-1);
  }

  /** The next disc: the copy after the delivered ones, the attempt after the last one tried for it. */
  private make(): RobotPortCommand[] {
    const copy = this.delivered + 1;
    const attempt = Math.max(0, ...this.requests.filter((r) => r.copy === copy).map((r) => r.attempt)) + 1;
    const image = this.image!;
    const request: DiscRequest = {
      discId: `${this.input.jobId}/${copy}.${attempt}`,
      jobId: this.input.jobId,
      copy,
      attempt,
      imagePath: image.imagePath,
      imageBytes: image.imageBytes,
      media: image.media,
      labelPath: this.input.print ? image.labelPath : null,
      replyTo: `job:${this.input.jobId}`,
    };
    this.requests.push(request);
    this.phase = null;
    this.progress = null;
    this.pause = null;
    return [{ type: 'disc.make', request }];
  }

  /** What became of the current disc; it no longer shows progress or a fault. */
  private record(outcome: DiscRecord['outcome'], extra: Partial<DiscRecord> = {}): void {
    const { discId, copy, attempt } = this.current!;
    if (outcome !== 'cancelled') this.progress = null;
    this.pause = null;
    this.history.push({ discId, copy, attempt, outcome, ...extra });
  }

  step(from: string, event: AnyEventObject): Expectation {
    const atRobot = from.startsWith('disc.') || from === 'paused';
    switch (event.type) {
      case 'job.start':
        return this.image ? { commands: this.make(), to: 'disc.waitingForRobot' } : { commands: [], to: 'mastering' };
      case 'xstate.done.actor.master':
        this.image = event.output as MasteredImage;
        return { commands: this.make(), to: 'disc.waitingForRobot' };
      case 'xstate.error.actor.master':
        return { commands: [], to: 'failed' };
      case 'job.retry':
        this.rejectsInARow = 0;
        this.phase = null;
        this.progress = null;
        return this.image ? { commands: this.make(), to: 'disc.waitingForRobot' } : { commands: [], to: 'mastering' };
      case 'job.cancel': {
        if (!atRobot) return { commands: [], to: 'cancelled' };
        const cancel: RobotPortCommand = { type: 'disc.cancel', discId: this.current!.discId };
        if (this.phase !== null) return { commands: [cancel], to: 'cancelling' };
        this.record('cancelled');
        return { commands: [cancel], to: 'cancelled' };
      }
      case 'job.interrupted': {
        // At the robot the disc is cancelled there too: a robot that comes back with it must not deliver it.
        const commands: RobotPortCommand[] = atRobot && this.current ? [{ type: 'disc.cancel', discId: this.current.discId }] : [];
        this.record('interrupted');
        return { commands, to: from === 'cancelling' ? 'cancelled' : 'interrupted' };
      }
    }

    const robotEvent = event as RobotPortEvent;
    if (robotEvent.discId !== this.current?.discId) return { commands: [], stale: true };
    switch (robotEvent.type) {
      case 'disc.queued':
        return { commands: [] };
      case 'disc.progress':
        this.progress = { phase: robotEvent.phase, pct: robotEvent.pct };
        return { commands: [] };
      case 'disc.phase': {
        // A repeated report changes nothing, unless it ends a pause.
        if (robotEvent.phase === this.phase && from.startsWith('disc.')) return { commands: [], to: from };
        this.phase = robotEvent.phase;
        this.progress = null;
        this.pause = null;
        return { commands: [], to: from === 'cancelling' ? 'cancelling' : `disc.${robotEvent.phase}` };
      }
      case 'disc.paused':
        this.pause = robotEvent.fault;
        return { commands: [], to: from === 'cancelling' ? 'cancelling' : 'paused' };
      case 'disc.resumed':
        this.pause = null;
        if (from !== 'paused') return { commands: [], to: from };
        return { commands: [], to: this.phase ? `disc.${this.phase}` : 'disc.waitingForRobot' };
      case 'disc.delivered':
        if ((robotEvent as { verified: unknown }).verified !== true) {
          this.record('unverified', { location: robotEvent.location, drive: robotEvent.drive });
          return { commands: [], to: 'failed' };
        }
        this.record('delivered', { location: robotEvent.location, drive: robotEvent.drive });
        this.delivered++;
        this.rejectsInARow = 0;
        if (from === 'cancelling') return { commands: [], to: 'cancelled' };
        if (this.delivered === this.input.copies) return { commands: [], to: 'done' };
        return { commands: this.make(), to: 'disc.waitingForRobot' };
      case 'disc.rejected': {
        this.record('rejected', { cause: robotEvent.cause, drive: robotEvent.drive });
        // Every failed disc counts, even one rejected while we cancel; a disc cancelled on request does not.
        if (robotEvent.cause !== 'cancelled') this.rejectsInARow++;
        if (from === 'cancelling') return { commands: [], to: 'cancelled' };
        if (robotEvent.cause === 'cancelled') return { commands: [], to: 'failed' };
        const limit = Math.min(this.input.maxAttemptsPerCopy ?? 3, this.input.maxRejectsInARow ?? 3);
        if (this.rejectsInARow >= limit) return { commands: [], to: 'failed' };
        return { commands: this.make(), to: 'disc.waitingForRobot' };
      }
    }
  }
}

// ---- the model -----------------------------------------------------------------------------------

const labels = new WeakMap<object, string>();
function labelled<T extends object>(event: T, label: string): T {
  labels.set(event, label);
  return event;
}
const label = (event: AnyEventObject) => labels.get(event) ?? event.type;

/** Robot events about a disc other than the current one. */
const staleEvents = new WeakSet<object>();
/** Preferably the job's own previous disc: the one a late event would really be about. */
const staleDiscId = (s: Snapshot) => s.context.history.at(-1)?.discId ?? 'j0/1.1';

const MASTER_ERROR = new Error('xorriso: image larger than the largest medium');

/** Each event the state accepts, in the variants that lead to different transitions, plus one about a stale disc. */
function eventsFor(snapshot: Snapshot): AnyEventObject[] {
  if (snapshot.status !== 'active') return [];
  const discId = snapshot.context.discId ?? '';
  const stale = <T extends AnyEventObject>(event: T) => {
    const copy = labelled({ ...event, discId: staleDiscId(snapshot) }, `${label(event)} (stale)`);
    staleEvents.add(copy);
    return copy;
  };
  return __unsafe_getAllOwnEventDescriptors(snapshot).flatMap((type): AnyEventObject[] => {
    switch (type) {
      case 'job.start':
      case 'job.cancel':
      case 'job.retry':
      case 'job.interrupted':
        return [{ type }];
      case 'xstate.done.actor.master':
        return [{ type, output: MASTERED }];
      case 'xstate.error.actor.master':
        return [labelled({ type, error: MASTER_ERROR }, 'mastering failed')];
      case 'disc.queued': {
        const event = labelled({ type, discId, robot: ROBOT, position: 3 }, 'disc.queued');
        return [event, stale(event)];
      }
      case 'disc.phase': {
        const events = PHASES.map((phase) => labelled({ type, discId, phase }, `disc.phase ${phase}`));
        return [...events, stale(events[1]!)];
      }
      case 'disc.progress': {
        const event = labelled({ type, discId, phase: snapshot.context.phase ?? 'loading', pct: 42 }, 'disc.progress');
        return [event, stale(event)];
      }
      case 'disc.delivered': {
        const verified = labelled({ type, discId, verified: true, location: 'bin 2', drive: 1 }, 'disc.delivered');
        return [verified, labelled({ ...verified, verified: false }, 'disc.delivered unverified'), stale(verified)];
      }
      case 'disc.rejected': {
        // A disc cancelled before its load finished never reached a drive.
        const events = MODEL_CAUSES.map((cause) => labelled({ type, discId, cause, reason: `${cause} error`, drive: cause === 'cancelled' ? -1 : 0 }, `disc.rejected ${cause}`));
        return [...events, stale(events[0]!)];
      }
      case 'disc.paused': {
        const event = labelled({ type, discId, fault: COVER_OPEN }, 'disc.paused');
        return [event, stale(event)];
      }
      case 'disc.resumed': {
        const event = labelled({ type, discId }, 'disc.resumed');
        return [event, stale(event)];
      }
    }
    throw new Error(`no stimulus for event '${type}': add one to eventsFor`);
  });
}

// xstate/graph computes the model with a mock actor scope whose system is empty, where the job would
// find no robot. The model runs the machine's own transitions in a system that has one, as the real
// job's has; the robot's mailbox there is never used (the mock scope executes no actions).
const modelSystem = createActor(fromCallback(() => undefined), { systemId: ROBOT }).system;
const withRobot = (scope: AnyActorScope): AnyActorScope => ({ ...scope, system: modelSystem });
const modelLogic = Object.create(discJobMachine, {
  getInitialSnapshot: { value: (scope: AnyActorScope, input: DiscJobInput) => discJobMachine.getInitialSnapshot(withRobot(scope), input) },
  transition: { value: (snapshot: Snapshot, event: AnyEventObject, scope: AnyActorScope) => discJobMachine.transition(snapshot, event as never, withRobot(scope)) },
}) as typeof discJobMachine;

// The vertex keeps what the guards read (copies done, rejects so far, the disc's phase, whether an
// image exists), whether a fault is shown, and the incoming transition, so every transition gets its own path. Disc ids,
// attempts and history stay out (the graph stays finite): a vertex reached by two routes keeps the
// first one's, so the executors address the real job's current disc, and the oracle checks those.
const guarded = (s: Snapshot) => ({
  copiesDone: s.context.copiesDone,
  copy: s.context.copy,
  rejectsInARow: s.context.rejectsInARow,
  phase: s.context.phase,
  image: s.context.image,
});
const vertex = (s: Snapshot) =>
  `${path(s.value)}|done ${s.context.copiesDone}|rejects ${s.context.rejectsInARow}|phase ${s.context.phase ?? '-'}|${s.context.image ? 'image' : 'no image'}` +
  (s.context.pause ? '|fault' : '');
const model = new TestModel(modelLogic, {
  input: MODEL_INPUT,
  events: eventsFor,
  serializeState: (state: Snapshot, event: AnyEventObject | undefined, prev?: Snapshot) =>
    vertex(state) + (event && prev ? ` via ${label(event)} from ${path(prev.value)}` : ''),
} as never);
const paths = model.getShortestPaths();

describe('disc job machine: model paths', () => {
  it('has paths to walk', () => {
    expect(paths.length).toBeGreaterThan(100);
  });

  for (const p of paths) {
    const steps = p.steps.map((s) => s.event as AnyEventObject).filter((e) => e.type !== 'xstate.init');
    it(`${path(p.state.value)} ← ${steps.map(label).join(' → ')}`, async () => {
      const h = startJob(MODEL_INPUT);
      const oracle = new Oracle(MODEL_INPUT);
      let step: { from: string; before: Snapshot; inboxBefore: number; expected: Expectation } | undefined;

      const execute = async ({ event: modelEvent }: { event: AnyEventObject }) => {
        const before = h.job.getSnapshot();
        const from = path(before.value);
        // The same stimulus, about the real job's current disc (or a disc it no longer has).
        const event = 'discId' in modelEvent ? { ...modelEvent, discId: staleEvents.has(modelEvent) ? staleDiscId(before) : before.context.discId } : modelEvent;
        step = { from, before, inboxBefore: h.inbox.length, expected: oracle.step(from, event) };
        if (event.type === 'xstate.done.actor.master') await h.finishMastering(event.output as MasteredImage);
        else if (event.type === 'xstate.error.actor.master') await h.failMastering(event.error as Error);
        else if (event.type.startsWith('job.')) h.operator(event as DiscJobCommand);
        else h.robotSays(event as RobotPortEvent);
      };
      const executors = Object.fromEntries([...new Set(steps.map((e) => e.type))].map((type) => [type, execute]));

      await p.test({
        events: executors as never,
        states: {
          '*': (expected: Snapshot) => {
            const snapshot = h.job.getSnapshot();
            expect(snapshot.value).toEqual(expected.value);
            expect(guarded(snapshot)).toEqual(guarded(expected));
            if (!step) return; // the initial state: nothing sent yet
            const { from, before, inboxBefore, expected: want } = step;
            const what = `after ${label(p.steps.find((s) => s.state === expected)?.event as AnyEventObject)} from ${from}`;
            expect(h.inbox.slice(inboxBefore), `robot commands ${what}`).toEqual(want.commands);
            if (want.stale) {
              expect(snapshot.value, `a stale event moved the job ${what}`).toEqual(before.value);
              expect(snapshot.context, `a stale event changed the job ${what}`).toEqual(before.context);
            }
            if (want.to) expect(path(snapshot.value), what).toBe(want.to);
            expect(snapshot.context.history, `disc history ${what}`).toEqual(oracle.history);
            expect(snapshot.context.copiesDone).toBe(oracle.delivered);
            expect(snapshot.context.rejectsInARow).toBe(oracle.rejectsInARow);
            expect(snapshot.context.progress, `progress ${what}`).toEqual(oracle.progress);
            expect(snapshot.context.pause, `pause ${what}`).toEqual(oracle.pause);
            if (path(snapshot.value) === 'paused') expect(snapshot.context.pause).toEqual(COVER_OPEN);
            if (snapshot.matches('mastering')) expect(h.masterInputs.at(-1)).toEqual({ jobId: JOB, source: SOURCE });
            // Never done unless every copy was delivered verified.
            if (snapshot.matches('done')) {
              expect(oracle.delivered).toBe(MODEL_INPUT.copies);
              expect(snapshot.output).toEqual({ jobId: JOB, copies: MODEL_INPUT.copies, copiesDone: MODEL_INPUT.copies, discs: oracle.history });
            }
            expect(snapshot.status).toBe(snapshot.matches('done') || snapshot.matches('cancelled') ? 'done' : 'active');
          },
        },
      });
      // Every disc asked for has its own id.
      const ids = h.requests().map((r) => r.discId);
      expect(new Set(ids).size).toBe(ids.length);
    });
  }
});

// ---- behaviour, told as scenarios ----------------------------------------------------------------

const INPUT: DiscJobInput = { jobId: JOB, robot: ROBOT, copies: 1, print: true, source: SOURCE };

async function mastered(input: DiscJobInput): Promise<Harness> {
  const h = startJob(input);
  h.operator({ type: 'job.start' });
  await h.finishMastering(MASTERED);
  return h;
}

function currentDisc(h: Harness): string {
  return h.requests().at(-1)!.discId;
}

/** The robot takes the current disc through these phases. */
function phases(h: Harness, ...list: DiscPhase[]): void {
  for (const phase of list) h.robotSays({ type: 'disc.phase', discId: currentDisc(h), phase });
}

function deliver(h: Harness, drive = 0): void {
  phases(h, 'loading', 'burning', 'finalizing', 'verifying', 'printing', 'delivering');
  h.robotSays({ type: 'disc.delivered', discId: currentDisc(h), verified: true, location: 'bin 2', drive });
}

function reject(h: Harness, cause: RejectCause, drive = 0): void {
  phases(h, 'loading', 'burning', 'rejecting');
  h.robotSays({ type: 'disc.rejected', discId: currentDisc(h), cause, reason: `${cause} error`, drive });
}

describe('disc job machine: scenarios', () => {
  it('two copies with a verify reject in between: three requests j1/1.1, j1/1.2, j1/2.1, then done', async () => {
    const h = await mastered({ ...INPUT, copies: 2 });
    expect(h.masterInputs).toEqual([{ jobId: JOB, source: SOURCE }]);
    reject(h, 'verify', 0);
    deliver(h, 1);
    deliver(h, 0);
    expect(h.requests().map((r) => r.discId)).toEqual(['j1/1.1', 'j1/1.2', 'j1/2.1']);
    expect(h.requests().map((r) => [r.copy, r.attempt])).toEqual([[1, 1], [1, 2], [2, 1]]);
    expect(h.requests().every((r) => r.replyTo === 'job:j1' && r.imagePath === MASTERED.imagePath && r.labelPath === MASTERED.labelPath)).toBe(true);
    const snapshot = h.job.getSnapshot();
    expect(snapshot.value).toBe('done');
    expect(snapshot.output).toEqual({
      jobId: JOB,
      copies: 2,
      copiesDone: 2,
      discs: [
        { discId: 'j1/1.1', copy: 1, attempt: 1, outcome: 'rejected', cause: 'verify', drive: 0 },
        { discId: 'j1/1.2', copy: 1, attempt: 2, outcome: 'delivered', location: 'bin 2', drive: 1 },
        { discId: 'j1/2.1', copy: 2, attempt: 1, outcome: 'delivered', location: 'bin 2', drive: 0 },
      ],
    });
  });

  it('three rejects in a row fail the job, naming the cause and the counts', async () => {
    const h = await mastered(INPUT);
    reject(h, 'write');
    reject(h, 'media');
    expect(h.job.getSnapshot().value).toEqual({ disc: 'waitingForRobot' });
    reject(h, 'verify');
    const snapshot = h.job.getSnapshot();
    expect(snapshot.value).toBe('failed');
    expect(h.requests().map((r) => r.discId)).toEqual(['j1/1.1', 'j1/1.2', 'j1/1.3']);
    expect(snapshot.context.reason).toBe('disc j1/1.3 rejected (verify: verify error); copy 1 used 3 of 3 attempts, 3 rejects in a row (limit 3)');
    expect(snapshot.context.rejectsInARow).toBe(3);
  });

  it.each(['write', 'verify', 'media', 'notReady', 'robot'] as const)('a disc rejected for %s is made again on a new blank; the history keeps cause and drive', async (cause) => {
    const h = await mastered(INPUT);
    reject(h, cause, 1);
    expect(h.job.getSnapshot().value).toEqual({ disc: 'waitingForRobot' });
    expect(h.requests().map((r) => r.discId)).toEqual(['j1/1.1', 'j1/1.2']);
    deliver(h, 0);
    expect(h.job.getSnapshot().output?.discs).toEqual([
      { discId: 'j1/1.1', copy: 1, attempt: 1, outcome: 'rejected', cause, drive: 1 },
      { discId: 'j1/1.2', copy: 1, attempt: 2, outcome: 'delivered', location: 'bin 2', drive: 0 },
    ]);
  });

  it('the rejects-in-a-row limit applies on its own when it is the lower one', async () => {
    const h = await mastered({ ...INPUT, maxAttemptsPerCopy: 5, maxRejectsInARow: 2 });
    reject(h, 'notReady');
    reject(h, 'notReady');
    expect(h.job.getSnapshot().value).toBe('failed');
    expect(h.job.getSnapshot().context.reason).toBe('disc j1/1.2 rejected (notReady: notReady error); 2 rejects in a row (limit 2)');
  });

  it('a delivered disc clears the rejects in a row: the next copy has the full limit', async () => {
    const h = await mastered({ ...INPUT, copies: 2, maxAttemptsPerCopy: 2, maxRejectsInARow: 2 });
    reject(h, 'write');
    deliver(h);
    expect(h.job.getSnapshot().context.rejectsInARow).toBe(0);
    reject(h, 'write');
    expect(h.job.getSnapshot().value).toEqual({ disc: 'waitingForRobot' });
    deliver(h);
    expect(h.job.getSnapshot().value).toBe('done');
    expect(h.requests().map((r) => r.discId)).toEqual(['j1/1.1', 'j1/1.2', 'j1/2.1', 'j1/2.2']);
  });

  it('follows the phases in the order the robot reports them; a repeated report changes nothing', async () => {
    const h = await mastered(INPUT);
    phases(h, 'loading', 'printing', 'burning');
    h.robotSays({ type: 'disc.progress', discId: 'j1/1.1', phase: 'burning', pct: 63 });
    const before = h.job.getSnapshot();
    phases(h, 'burning');
    expect(h.job.getSnapshot().value).toEqual({ disc: 'burning' });
    expect(h.job.getSnapshot().context).toEqual(before.context);
    expect(before.context.progress).toEqual({ phase: 'burning', pct: 63 });
    phases(h, 'verifying');
    expect(h.job.getSnapshot().context.progress).toBeNull();
  });

  it('after a retry the copy gets a fresh set of attempts, with new disc ids', async () => {
    const h = await mastered({ ...INPUT, maxAttemptsPerCopy: 2, maxRejectsInARow: 2 });
    reject(h, 'media');
    reject(h, 'media');
    expect(h.job.getSnapshot().value).toBe('failed');
    h.operator({ type: 'job.retry' });
    reject(h, 'media');
    expect(h.job.getSnapshot().value).toEqual({ disc: 'waitingForRobot' });
    deliver(h);
    expect(h.job.getSnapshot().value).toBe('done');
    expect(h.requests().map((r) => r.discId)).toEqual(['j1/1.1', 'j1/1.2', 'j1/1.3', 'j1/1.4']);
  });

  it('ignores events about a disc that is no longer the current one', async () => {
    const h = await mastered({ ...INPUT, copies: 2 });
    reject(h, 'write');
    phases(h, 'loading', 'burning');
    const before = h.job.getSnapshot();
    const inboxBefore = h.inbox.length;
    const old = 'j1/1.1';
    h.robotSays({ type: 'disc.phase', discId: old, phase: 'delivering' });
    h.robotSays({ type: 'disc.progress', discId: old, phase: 'burning', pct: 99 });
    h.robotSays({ type: 'disc.paused', discId: old, fault: COVER_OPEN });
    h.robotSays({ type: 'disc.delivered', discId: old, verified: true, location: 'bin 2', drive: 0 });
    h.robotSays({ type: 'disc.rejected', discId: old, cause: 'verify', reason: 'late', drive: 0 });
    const after = h.job.getSnapshot();
    expect(after.value).toEqual({ disc: 'burning' });
    expect(after.context).toEqual(before.context);
    expect(h.inbox.length).toBe(inboxBefore);
  });

  it('a robot fault pauses the job with its cause; resuming returns to the phase it was in', async () => {
    const h = await mastered(INPUT);
    phases(h, 'loading', 'burning');
    h.robotSays({ type: 'disc.progress', discId: 'j1/1.1', phase: 'burning', pct: 40 });
    h.robotSays({ type: 'disc.paused', discId: 'j1/1.1', fault: COVER_OPEN });
    expect(h.job.getSnapshot().value).toBe('paused');
    expect(h.job.getSnapshot().context.pause).toEqual(COVER_OPEN);
    expect(h.job.getSnapshot().context.pause?.hint).toBe('The cover is open: close it.');
    h.robotSays({ type: 'disc.paused', discId: 'j1/1.1', fault: INPUT_EMPTY });
    expect(h.job.getSnapshot().context.pause).toEqual(INPUT_EMPTY);
    h.robotSays({ type: 'disc.resumed', discId: 'j1/0.9' });
    expect(h.job.getSnapshot().value).toBe('paused');
    h.robotSays({ type: 'disc.resumed', discId: 'j1/1.1' });
    expect(h.job.getSnapshot().value).toEqual({ disc: 'burning' });
    expect(h.job.getSnapshot().context.pause).toBeNull();
    expect(h.job.getSnapshot().context.progress).toEqual({ phase: 'burning', pct: 40 });

    // Paused again; the robot goes on without a resumed event and reports the next phase.
    h.robotSays({ type: 'disc.paused', discId: 'j1/1.1', fault: COVER_OPEN });
    h.robotSays({ type: 'disc.phase', discId: 'j1/1.1', phase: 'verifying' });
    expect(h.job.getSnapshot().value).toEqual({ disc: 'verifying' });
    expect(h.job.getSnapshot().context.pause).toBeNull();
    expect(h.requests()).toHaveLength(1);
  });

  it('a disc still in the robot queue when paused resumes into waiting, without asking twice', async () => {
    const h = await mastered(INPUT);
    h.robotSays({ type: 'disc.queued', discId: 'j1/1.1', robot: ROBOT, position: 4 });
    expect(h.job.getSnapshot().context.queuedPosition).toBe(4);
    h.robotSays({ type: 'disc.paused', discId: 'j1/1.1', fault: INPUT_EMPTY });
    h.robotSays({ type: 'disc.resumed', discId: 'j1/1.1' });
    expect(h.job.getSnapshot().value).toEqual({ disc: 'waitingForRobot' });
    expect(h.inbox).toHaveLength(1);
  });

  it('cancel mid-burn sends disc.cancel and ends when the robot has rejected the disc', async () => {
    const h = await mastered(INPUT);
    phases(h, 'loading', 'burning');
    h.operator({ type: 'job.cancel' });
    expect(h.inbox.at(-1)).toEqual({ type: 'disc.cancel', discId: 'j1/1.1' });
    expect(h.job.getSnapshot().value).toBe('cancelling');
    h.robotSays({ type: 'disc.phase', discId: 'j1/1.1', phase: 'rejecting' });
    expect(h.job.getSnapshot().value).toBe('cancelling');
    h.robotSays({ type: 'disc.rejected', discId: 'j1/1.1', cause: 'cancelled', reason: 'cancelled on request', drive: 0 });
    const snapshot = h.job.getSnapshot();
    expect(snapshot.value).toBe('cancelled');
    expect(snapshot.status).toBe('done');
    expect(snapshot.output).toEqual({
      jobId: JOB,
      copies: 1,
      copiesDone: 0,
      discs: [{ discId: 'j1/1.1', copy: 1, attempt: 1, outcome: 'rejected', cause: 'cancelled', drive: 0 }],
    });
  });

  it('cancel while the disc is only queued drops it from the robot queue and ends at once', async () => {
    const h = await mastered(INPUT);
    h.operator({ type: 'job.cancel' });
    expect(h.inbox.map((c) => c.type)).toEqual(['disc.make', 'disc.cancel']);
    expect(h.job.getSnapshot().value).toBe('cancelled');
    expect(h.job.getSnapshot().context.history).toEqual([{ discId: 'j1/1.1', copy: 1, attempt: 1, outcome: 'cancelled' }]);
  });

  it('is never done without verification: an unverified delivery fails the job, a retry makes a new disc', async () => {
    const h = await mastered(INPUT);
    phases(h, 'loading', 'burning', 'delivering');
    h.robotSays({ type: 'disc.delivered', discId: 'j1/1.1', verified: false as true, location: 'bin 2', drive: 0 });
    let snapshot = h.job.getSnapshot();
    expect(snapshot.value).toBe('failed');
    expect(snapshot.status).toBe('active');
    expect(snapshot.output).toBeUndefined();
    expect(snapshot.context.copiesDone).toBe(0);
    expect(snapshot.context.reason).toBe('disc j1/1.1 was reported delivered without verification: take it out of the output bin');
    h.operator({ type: 'job.retry' });
    expect(currentDisc(h)).toBe('j1/1.2');
    deliver(h);
    snapshot = h.job.getSnapshot();
    expect(snapshot.value).toBe('done');
    expect(snapshot.output?.discs.map((d) => d.outcome)).toEqual(['unverified', 'delivered']);
  });

  it('after a restart an interrupted job retries the copy in hand and never repeats a finished one', async () => {
    const h = await mastered({ ...INPUT, copies: 2 });
    deliver(h);
    phases(h, 'loading', 'burning');
    h.operator({ type: 'job.interrupted' });
    expect(h.job.getSnapshot().value).toBe('interrupted');
    expect(h.job.getSnapshot().context.reason).toBe('disc j1/2.1 was at the robot when discrobot stopped');
    h.operator({ type: 'job.retry' });
    expect(h.requests().map((r) => r.discId)).toEqual(['j1/1.1', 'j1/2.1', 'j1/2.2']);
    deliver(h);
    expect(h.job.getSnapshot().output).toEqual({
      jobId: JOB,
      copies: 2,
      copiesDone: 2,
      discs: [
        { discId: 'j1/1.1', copy: 1, attempt: 1, outcome: 'delivered', location: 'bin 2', drive: 0 },
        { discId: 'j1/2.1', copy: 2, attempt: 1, outcome: 'interrupted' },
        { discId: 'j1/2.2', copy: 2, attempt: 2, outcome: 'delivered', location: 'bin 2', drive: 0 },
      ],
    });
  });

  it('a job given its image skips mastering; without printing it asks for no label', () => {
    const image = { path: '/data/jobs/j2/disc.iso', bytes: 1_000_000, media: 'dvd' as const, labelPath: '/data/jobs/j2/label.jpg' };
    const h = startJob({ ...INPUT, jobId: 'j2', print: false, image });
    expect(h.job.getSnapshot().value).toBe('queued');
    h.operator({ type: 'job.start' });
    expect(h.masterInputs).toEqual([]);
    expect(h.requests()).toEqual([
      { discId: 'j2/1.1', jobId: 'j2', copy: 1, attempt: 1, imagePath: image.path, imageBytes: image.bytes, media: 'dvd', labelPath: null, replyTo: 'job:j2' },
    ]);
    deliver(h);
    expect(h.job.getSnapshot().value).toBe('done');
  });

  it('fails with a clear reason when its robot is not in the actor system', async () => {
    const h = startJob({ ...INPUT, robot: 'robot:absent' }, { robotRegistered: false });
    h.operator({ type: 'job.start' });
    await h.finishMastering(MASTERED);
    const snapshot = h.job.getSnapshot();
    expect(snapshot.value).toBe('failed');
    expect(snapshot.context.reason).toBe('robot robot:absent is not configured');
    expect(snapshot.context.discId).toBeNull();
    h.operator({ type: 'job.retry' });
    expect(h.job.getSnapshot().value).toBe('failed');
    h.operator({ type: 'job.cancel' });
    expect(h.job.getSnapshot().value).toBe('cancelled');
  });

  it('a failed mastering is retried by mastering again', async () => {
    const h = startJob(INPUT);
    h.operator({ type: 'job.start' });
    await h.failMastering(new Error('no space left on device'));
    expect(h.job.getSnapshot().value).toBe('failed');
    expect(h.job.getSnapshot().context.reason).toBe('mastering failed: no space left on device');
    h.operator({ type: 'job.retry' });
    expect(h.job.getSnapshot().value).toBe('mastering');
    await h.finishMastering(MASTERED);
    expect(h.masterInputs).toHaveLength(2);
    expect(h.requests().map((r) => r.discId)).toEqual(['j1/1.1']);
  });

  it('keeps a JSON-only context: a persisted snapshot survives JSON and restores', async () => {
    const h = await mastered(INPUT);
    phases(h, 'loading', 'burning');
    h.robotSays({ type: 'disc.paused', discId: 'j1/1.1', fault: COVER_OPEN });
    const persisted = JSON.parse(JSON.stringify(h.job.getPersistedSnapshot()));
    const restored = createActor(discJobMachine, { snapshot: persisted, input: INPUT }).start();
    expect(restored.getSnapshot().value).toBe('paused');
    expect(restored.getSnapshot().context).toEqual(h.job.getSnapshot().context);
    restored.send({ type: 'job.interrupted' });
    expect(restored.getSnapshot().value).toBe('interrupted');
    restored.stop();
  });

  it('refuses an input without a whole number of copies', () => {
    const errors: unknown[] = [];
    const actor = createActor(discJobMachine, { input: { ...INPUT, copies: 0 } });
    actor.subscribe({ error: (error) => errors.push(error) });
    actor.start();
    expect(actor.getSnapshot().status).toBe('error');
    expect(String(errors[0])).toContain('copies must be a whole number of at least 1, not 0');
  });
});

afterAll(() => {
  coverage.assertComplete();
});
