// LiveActors, the dashboard's view of the actor system, fed by the inspection events of real xstate
// actors: a publisher-like root with nested states that spawns disc-job-like children (ids such as
// `job:1`), which burn, verify, reach a final state, get stopped by their parent or fail. Timers are
// vitest's fake ones, so a coalescing window and a sweep pass exactly when the test says.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assign, createActor, fromCallback, setup, stopChild, type Actor, type AnyActorRef } from 'xstate';
import type { LiveActorState } from '../../src/api/live-feed.ts';
import { activePaths, LiveActors } from '../../src/publisher/live-actors.ts';

const COALESCE_MS = 50;
const SWEEP_MS = 1_000;
/** MAX_CHANGES_PER_ACTOR of live-actors.ts: how many changes of one actor one message carries. */
const BOUND = 20;
/** Patient data the actors hold in their context and events; no message may carry it. */
const PATIENT = 'SECRET^PATIENT^ZX81';
const PATIENT_ID = 'PID-LIVE-0042';

const jobMachine = setup({
  types: {
    context: {} as { patientName: string; touches: number },
    input: {} as { patientName: string },
    events: {} as
      | { type: 'START'; patientId: string }
      | { type: 'BURNT' }
      | { type: 'REBURN' }
      | { type: 'VERIFIED' }
      | { type: 'TOUCH' }
      | { type: 'BOOM' },
  },
  actions: {
    touch: assign({ touches: ({ context }) => context.touches + 1 }),
    explode: () => {
      throw new Error('the drive caught fire');
    },
  },
}).createMachine({
  id: 'discJob',
  context: ({ input }) => ({ patientName: input.patientName, touches: 0 }),
  initial: 'queued',
  on: { TOUCH: { actions: 'touch' }, BOOM: { actions: 'explode' } },
  states: {
    queued: { on: { START: 'disc' } },
    disc: {
      initial: 'burning',
      states: {
        burning: { on: { BURNT: 'verifying' } },
        verifying: { on: { REBURN: 'burning', VERIFIED: '#discJob.delivered' } },
      },
    },
    delivered: { type: 'final' },
  },
});

const jobId = (n: number) => `job:${n}`;

const publisherMachine = setup({
  types: {
    context: {} as { patientName: string; jobs: number; failures: number },
    events: {} as
      | { type: 'OPEN_JOB'; job: number }
      | { type: 'DROP_JOB'; job: number }
      | { type: 'WATCH' }
      | { type: 'BUSY' }
      | { type: 'IDLE' }
      | { type: 'REMEMBER'; patientName: string }
      | { type: `xstate.error.actor.${string}`; error: unknown },
  },
  actors: { job: jobMachine, watcher: fromCallback(() => () => {}) },
}).createMachine({
  id: 'publisher',
  context: { patientName: PATIENT, jobs: 0, failures: 0 },
  initial: 'running',
  states: {
    running: {
      initial: 'idle',
      states: { idle: { on: { BUSY: 'busy' } }, busy: { on: { IDLE: 'idle' } } },
    },
  },
  on: {
    OPEN_JOB: {
      actions: assign({
        jobs: ({ context, event, spawn }) => {
          spawn('job', { id: jobId(event.job), systemId: jobId(event.job), input: { patientName: context.patientName } });
          return context.jobs + 1;
        },
      }),
    },
    DROP_JOB: { actions: stopChild(({ event }) => jobId(event.job)) },
    // An actor that is not a state machine: it has no states to draw.
    WATCH: {
      actions: assign({
        jobs: ({ context, spawn }) => {
          spawn('watcher', { id: 'watcher:1', systemId: 'watcher:1' });
          return context.jobs;
        },
      }),
    },
    REMEMBER: { actions: assign({ patientName: ({ event }) => event.patientName }) },
    // A child that failed tells its parent; the parent carries on.
    'xstate.error.actor.*': { actions: assign({ failures: ({ context }) => context.failures + 1 }) },
  },
});

interface System {
  live: LiveActors;
  root: Actor<typeof publisherMachine>;
  /** Every message subscribers heard, in order. */
  heard: LiveActorState[][];
  job(n: number): AnyActorRef;
  /** Lets one coalescing window pass. */
  endWindow(): void;
  /** Lets a sweep pass, and the window it opens. */
  passSweep(): void;
}

function startSystem(rootOptions: { id?: string } = { id: 'publisher' }): System {
  let clock = 1_000_000;
  // Every reading of the clock is a new instant, so each change is told apart by its atMs.
  const live = new LiveActors({ coalesceMs: COALESCE_MS, sweepMs: SWEEP_MS, now: () => ++clock });
  const root = createActor(publisherMachine, { ...rootOptions, systemId: 'publisher', inspect: (event) => live.inspect(event) });
  const heard: LiveActorState[][] = [];
  live.subscribe((changed) => heard.push([...changed]));
  root.start();
  return {
    live,
    root,
    heard,
    job: (n) => {
      const ref = root.system.get(jobId(n)) as AnyActorRef | undefined;
      if (!ref) throw new Error(`no actor ${jobId(n)}`);
      return ref;
    },
    endWindow: () => vi.advanceTimersByTime(COALESCE_MS),
    passSweep: () => vi.advanceTimersByTime(SWEEP_MS + COALESCE_MS),
  };
}

/** id and state of each change, for comparing messages by what they say. */
const brief = (changes: readonly LiveActorState[]) => changes.map((change) => [change.id, change.status, change.state.at(-1)]);

let systems: System[] = [];
function system(rootOptions?: { id?: string }): System {
  const started = startSystem(rootOptions);
  systems.push(started);
  return started;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  for (const { root, live } of systems) {
    root.stop();
    live.close();
  }
  systems = [];
  vi.useRealTimers();
});

describe('activePaths', () => {
  it('names every active state, ancestors first, dotted from the root', () => {
    expect(activePaths('idle')).toEqual(['idle']);
    expect(activePaths({ busy: { recording: 'burning' } })).toEqual(['busy', 'busy.recording', 'busy.recording.burning']);
    expect(activePaths({ link: 'up', work: { disc: 'printing' } })).toEqual(['link', 'link.up', 'work', 'work.disc', 'work.disc.printing']);
  });
});

describe('LiveActors over real actors', () => {
  it('lists every machine actor by its id, machine, active paths and status, and tells them in the first message', () => {
    const s = system();
    s.root.send({ type: 'OPEN_JOB', job: 1 });
    s.root.send({ type: 'OPEN_JOB', job: 2 });
    s.job(2).send({ type: 'START', patientId: PATIENT_ID });

    const expected = [
      { id: 'job:1', machine: 'discJob', state: ['queued'], status: 'active', atMs: expect.any(Number) },
      { id: 'job:2', machine: 'discJob', state: ['disc', 'disc.burning'], status: 'active', atMs: expect.any(Number) },
      { id: 'publisher', machine: 'publisher', state: ['running', 'running.idle'], status: 'active', atMs: expect.any(Number) },
    ];
    expect(s.live.list()).toEqual(expected);
    expect(s.live.get('job:2')?.state).toEqual(['disc', 'disc.burning']);
    expect(s.heard).toEqual([]); // gathered, not yet told

    s.endWindow();
    expect(s.heard).toHaveLength(1);
    expect(brief(s.heard[0]!)).toEqual([
      ['publisher', 'active', 'running.idle'],
      ['job:1', 'active', 'queued'],
      ['job:2', 'active', 'queued'],
      ['job:2', 'active', 'disc.burning'],
    ]);
  });

  it('lists the root actor under its systemId when it was created without an id (as serve() creates the publisher)', () => {
    const s = system({});
    expect(s.live.list().map((actor) => actor.id)).toEqual(['publisher']);
  });

  it('tells every change of state in order, even several inside one window, in one message', () => {
    const s = system();
    s.root.send({ type: 'OPEN_JOB', job: 1 });
    s.endWindow();
    s.heard.length = 0;

    s.job(1).send({ type: 'START', patientId: PATIENT_ID });
    s.root.send({ type: 'BUSY' });
    s.job(1).send({ type: 'BURNT' });
    s.job(1).send({ type: 'REBURN' });
    s.root.send({ type: 'IDLE' });
    expect(s.heard).toEqual([]);

    s.endWindow();
    expect(s.heard).toHaveLength(1);
    expect(s.heard[0]!.map((change) => [change.id, change.state])).toEqual([
      ['job:1', ['disc', 'disc.burning']],
      ['publisher', ['running', 'running.busy']],
      ['job:1', ['disc', 'disc.verifying']],
      ['job:1', ['disc', 'disc.burning']],
      ['publisher', ['running', 'running.idle']],
    ]);
    const times = s.heard[0]!.map((change) => change.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // The next window's changes are the next message.
    s.job(1).send({ type: 'BURNT' });
    s.endWindow();
    expect(s.heard.map(brief)).toEqual([brief(s.heard[0]!), [['job:1', 'active', 'disc.verifying']]]);
  });

  it('does not tell a snapshot whose states did not change (a context-only change)', () => {
    const s = system();
    s.root.send({ type: 'OPEN_JOB', job: 1 });
    s.endWindow();
    const before = s.live.list();
    s.heard.length = 0;

    s.job(1).send({ type: 'TOUCH' });
    s.job(1).send({ type: 'TOUCH' });
    s.root.send({ type: 'REMEMBER', patientName: 'OTHER^NAME' });
    s.passSweep();
    expect(s.heard).toEqual([]);
    expect(s.live.list()).toEqual(before);

    s.job(1).send({ type: 'START', patientId: PATIENT_ID });
    s.endWindow();
    expect(brief(s.heard.flat())).toEqual([['job:1', 'active', 'disc.burning']]);
  });

  it('does not list an actor that is not a state machine', () => {
    const s = system();
    s.root.send({ type: 'WATCH' });
    expect(s.root.system.get('watcher:1')).toBeDefined();
    s.endWindow();
    expect(s.live.list().map((actor) => actor.id)).toEqual(['publisher']);
    expect(s.heard.flat().map((change) => change.id)).toEqual(['publisher']);
  });

  it('bounds the changes of one actor per message to its first ones and its last one', () => {
    const s = system();
    s.root.send({ type: 'OPEN_JOB', job: 1 });
    s.root.send({ type: 'OPEN_JOB', job: 2 });
    s.endWindow();
    s.heard.length = 0;

    const job = s.job(1);
    job.send({ type: 'START', patientId: PATIENT_ID });
    const flips = BOUND * 2;
    for (let i = 0; i < flips; i += 1) {
      job.send({ type: i % 2 === 0 ? 'BURNT' : 'REBURN' });
      if (i === 5) s.job(2).send({ type: 'START', patientId: PATIENT_ID });
    }
    s.root.send({ type: 'BUSY' });
    const lastAtMs = s.live.get('job:1')!.atMs;
    s.endWindow();

    expect(s.heard).toHaveLength(1);
    const told = s.heard[0]!;
    const jobChanges = told.filter((change) => change.id === 'job:1');
    const totalChanges = 1 + flips; // START, then every flip
    expect(totalChanges).toBeGreaterThan(BOUND);
    expect(jobChanges).toHaveLength(BOUND);
    // Its first ones, without a gap: each change read the clock once, in order.
    const first = jobChanges.slice(0, BOUND - 1);
    expect(first.map((change) => change.atMs - first[0]!.atMs)).toEqual(
      first.map((_, i) => i + (i > 6 ? 1 : 0)), // job:2 read the clock between flips 5 and 6
    );
    expect(first[0]!.state).toEqual(['disc', 'disc.burning']);
    // And its latest one, where it is now.
    expect(jobChanges.at(-1)).toEqual(s.live.get('job:1'));
    expect(jobChanges.at(-1)!.atMs).toBe(lastAtMs);
    // The other actors' changes are all told, in their place.
    expect(brief(told.filter((change) => change.id !== 'job:1'))).toEqual([
      ['job:2', 'active', 'disc.burning'],
      ['publisher', 'active', 'running.busy'],
    ]);
    expect(told.findIndex((change) => change.id === 'job:2')).toBe(7);
    expect(told.at(-1)!.id).toBe('publisher');
  });

  it('tells an actor that reached its final state as done, once, and forgets it', () => {
    const s = system();
    s.root.send({ type: 'OPEN_JOB', job: 1 });
    s.endWindow();
    s.heard.length = 0;

    const job = s.job(1);
    job.send({ type: 'START', patientId: PATIENT_ID });
    job.send({ type: 'BURNT' });
    job.send({ type: 'VERIFIED' });
    expect(s.live.get('job:1')?.status).toBe('done');
    s.endWindow();

    expect(s.heard).toHaveLength(1);
    expect(s.heard[0]!.at(-1)).toMatchObject({ id: 'job:1', machine: 'discJob', state: ['delivered'], status: 'done' });
    expect(s.live.list().map((actor) => actor.id)).toEqual(['publisher']);
    expect(s.live.get('job:1')).toBeUndefined();

    vi.advanceTimersByTime(SWEEP_MS * 3);
    expect(s.heard).toHaveLength(1);
  });

  it('tells an actor stopped by its parent as stopped, in the state it was in, once, and forgets it', () => {
    const s = system();
    s.root.send({ type: 'OPEN_JOB', job: 1 });
    s.root.send({ type: 'OPEN_JOB', job: 2 });
    s.job(1).send({ type: 'START', patientId: PATIENT_ID });
    s.endWindow();
    s.heard.length = 0;

    s.root.send({ type: 'DROP_JOB', job: 1 });
    expect(s.root.system.get('job:1')).toBeUndefined();
    s.passSweep();

    expect(s.heard.flat()).toEqual([
      { id: 'job:1', machine: 'discJob', state: ['disc', 'disc.burning'], status: 'stopped', atMs: expect.any(Number) },
    ]);
    expect(s.live.list().map((actor) => actor.id)).toEqual(['job:2', 'publisher']);

    vi.advanceTimersByTime(SWEEP_MS * 3);
    expect(s.heard).toHaveLength(1);
  });

  it('notices, at its sweep, an actor that ended without a last snapshot (an action of it threw)', () => {
    const s = system();
    s.root.send({ type: 'OPEN_JOB', job: 1 });
    s.job(1).send({ type: 'START', patientId: PATIENT_ID });
    s.endWindow();
    s.heard.length = 0;

    const job = s.job(1);
    job.send({ type: 'BOOM' });
    expect(job.getSnapshot().status).toBe('error');
    expect(s.root.getSnapshot().context.failures).toBe(1);
    s.endWindow();
    expect(s.heard).toEqual([]); // xstate sent no snapshot of the failure
    expect(s.live.get('job:1')?.status).toBe('active');

    s.passSweep();
    expect(s.heard.flat()).toEqual([
      { id: 'job:1', machine: 'discJob', state: ['disc', 'disc.burning'], status: 'error', atMs: expect.any(Number) },
    ]);
    expect(s.live.get('job:1')).toBeUndefined();

    vi.advanceTimersByTime(SWEEP_MS * 3);
    expect(s.heard).toHaveLength(1);
  });

  it('keeps listing a new actor that took the id of one that ended inside the same window', () => {
    const s = system();
    s.root.send({ type: 'OPEN_JOB', job: 1 });
    s.job(1).send({ type: 'START', patientId: PATIENT_ID });
    s.endWindow();
    s.heard.length = 0;

    s.root.send({ type: 'DROP_JOB', job: 1 });
    s.root.send({ type: 'OPEN_JOB', job: 1 });
    expect(s.job(1).getSnapshot().status).toBe('active');
    s.endWindow();

    expect(brief(s.heard.flat())).toEqual([
      ['job:1', 'stopped', 'disc.burning'],
      ['job:1', 'active', 'queued'],
    ]);
    expect(s.live.get('job:1')).toMatchObject({ state: ['queued'], status: 'active' });
  });

  it('a subscriber that throws does not keep the others from hearing', () => {
    const s = system();
    s.endWindow();
    const failing = vi.fn(() => {
      throw new Error('the connection is gone');
    });
    const others: LiveActorState[][] = [];
    s.live.subscribe(failing);
    s.live.subscribe((changed) => others.push([...changed]));

    s.root.send({ type: 'BUSY' });
    s.endWindow();
    s.root.send({ type: 'IDLE' });
    s.endWindow();

    expect(failing).toHaveBeenCalledTimes(2);
    expect(others.map(brief)).toEqual([[['publisher', 'active', 'running.busy']], [['publisher', 'active', 'running.idle']]]);
  });

  it('stops telling a subscriber that unsubscribed', () => {
    const s = system();
    const mine: LiveActorState[][] = [];
    const unsubscribe = s.live.subscribe((changed) => mine.push([...changed]));
    s.endWindow();
    expect(mine).toHaveLength(1);

    unsubscribe();
    s.root.send({ type: 'BUSY' });
    s.endWindow();
    expect(mine).toHaveLength(1);
    expect(s.heard.flat().at(-1)?.state).toEqual(['running', 'running.busy']);
  });

  it('close() stops its timers: no message after it, even of changes it had gathered', () => {
    const s = system();
    s.root.send({ type: 'OPEN_JOB', job: 1 });
    s.job(1).send({ type: 'START', patientId: PATIENT_ID });
    expect(vi.getTimerCount()).toBeGreaterThan(0);

    s.live.close();
    expect(vi.getTimerCount()).toBe(0);
    s.job(1).send({ type: 'BOOM' }); // would be noticed by a sweep
    vi.advanceTimersByTime(SWEEP_MS * 5);
    expect(s.heard).toEqual([]);
  });

  it('never carries context or event data: ids, machine names and state names only', () => {
    const s = system();
    s.root.send({ type: 'OPEN_JOB', job: 1 });
    s.root.send({ type: 'OPEN_JOB', job: 2 });
    s.root.send({ type: 'OPEN_JOB', job: 3 });
    s.endWindow();
    expect(s.job(1).getSnapshot().context.patientName).toBe(PATIENT);
    const seen: LiveActorState[][] = [s.live.list()];

    s.job(1).send({ type: 'START', patientId: PATIENT_ID });
    s.job(1).send({ type: 'TOUCH' });
    s.job(1).send({ type: 'BURNT' });
    s.job(1).send({ type: 'VERIFIED' });
    s.job(2).send({ type: 'START', patientId: PATIENT_ID });
    s.job(3).send({ type: 'BOOM' });
    s.root.send({ type: 'DROP_JOB', job: 2 });
    s.root.send({ type: 'BUSY' });
    seen.push(s.live.list());
    s.passSweep();
    seen.push(s.live.list());

    const told = [...s.heard.flat(), ...seen.flat()];
    expect(new Set(s.heard.flat().map((change) => change.status))).toEqual(new Set(['active', 'done', 'stopped', 'error']));
    for (const change of told) expect(Object.keys(change).sort()).toEqual(['atMs', 'id', 'machine', 'state', 'status']);
    const text = JSON.stringify(told);
    expect(text).not.toContain(PATIENT);
    expect(text).not.toContain('PATIENT');
    expect(text).not.toContain(PATIENT_ID);
  });
});
