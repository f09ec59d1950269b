// Model-based test of the study actor: xstate/graph walks the machine (one path per transition),
// once per late-arrival policy, and each path is replayed on a real study actor whose parent
// records what the study sends it and whose 'deadline' actor is a promise the test settles. Each
// step is checked against an oracle written from the study's rules (where every instance is
// counted, when the study holds and why, which disc request goes to the parent, what the timer
// waits for), not read from the machine. Scenarios then tell the behaviour: the moving quiet
// period, each hold reason with release and split, an operator's hold in every state, late
// arrivals under both policies, a restore in settling that keeps its deadline, and a context that
// does not grow with the study.
// afterAll fails on any state or transition no test exercised.

import { afterAll, describe, expect, it } from 'vitest';
import {
  __unsafe_getAllOwnEventDescriptors,
  createActor,
  fromCallback,
  fromPromise,
  waitFor,
  type Actor,
  type AnyEventObject,
  type AnyStateNode,
  type SnapshotFrom,
  type StateValue,
} from 'xstate';
import { getStateNodes, TestModel } from 'xstate/graph';
import {
  createDeadlineTimer,
  STUDY_MACHINE_VERSION,
  studyMachine,
  studySystemId,
  type DeadlineInput,
  type FollowUpPolicy,
  type InstanceAddedEvent,
  type SplitResolution,
  type StudyEvent,
  type StudyHoldCode,
  type StudyInput,
  type StudyParentEvent,
  type TimerClock,
} from '../../machines/study.machine.ts';
import {
  admitInstance,
  normaliseDate,
  normalisePatientId,
  normalisePersonName,
  summariseSafety,
  type ArrivingInstance,
} from '../../src/study/patient-safety.ts';
import { createModelCoverage } from '../support/model-coverage.ts';

type Snapshot = SnapshotFrom<typeof studyMachine>;
type StudyActor = Actor<typeof studyMachine>;

const STUDY = '1.2.826.0.1.3680043.2.1125.9.77';
const QUIET_MS = 30_000;
const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);
const inputFor = (followUp: FollowUpPolicy): StudyInput => ({ studyUid: STUDY, route: { quietPeriodMs: QUIET_MS, followUp }, now: T0 });

const JANE: ArrivingInstance = { patientId: 'PAT-001', patientName: 'Doe^Jane', patientBirthDate: '19700101' };
const JANET: ArrivingInstance = { ...JANE, patientName: 'DOE^JANET' };
const RICHARD: ArrivingInstance = { patientId: 'PAT-002', patientName: 'Roe^Richard', patientBirthDate: '19800202' };
const NO_ID: ArrivingInstance = { ...JANE, patientId: null };
/** Every patient value the stimuli carry: none may appear in a hold reason. */
const PATIENT_WORDS = ['PAT-001', 'PAT-002', 'DOE', 'JANE', 'JANET', 'ROE', 'RICHARD', '19700101', '19800202'];

/** The order reasons are shown in: safety findings, then the route's late-arrival policy, then a person's hold. */
const REASON_ORDER: StudyHoldCode[] = ['no-patient-id', 'study-under-two-patients', 'demographics-disagree', 'duplicate-sop-different-content', 'late-arrivals', 'operator'];
const JOB_FAILED = 'the disc job failed';

// ---- the harness: a real study, a parent that records, a deadline the test settles ----------------

const coverage = createModelCoverage(studyMachine);

interface Timer {
  input: DeadlineInput;
  signal: AbortSignal;
  settled: boolean;
  resolve(): void;
  reject(error: Error): void;
}

interface Harness {
  study: StudyActor;
  toParent: StudyParentEvent[];
  timers: Timer[];
  /** Timers not stopped by the study. */
  live(): Timer[];
  send(event: StudyEvent): void;
  /** The quiet period ends: the running timer resolves (or fails). */
  fireDeadline(error?: Error): Promise<void>;
  /** An instance at a time `ms` after the previous one; a new SOP unless it is a duplicate. */
  instance(facts: ArrivingInstance, ms?: number): InstanceAddedEvent;
  now(): number;
}

function startStudy(input: StudyInput, options: { parent?: boolean } = {}): Harness {
  const toParent: StudyParentEvent[] = [];
  const timers: Timer[] = [];
  const deadline = fromPromise<void, DeadlineInput>(
    ({ input: timerInput, signal }) =>
      new Promise<void>((resolve, reject) => {
        const timer: Timer = {
          input: timerInput,
          signal,
          settled: false,
          resolve: () => ((timer.settled = true), resolve()),
          reject: (error) => ((timer.settled = true), reject(error)),
        };
        timers.push(timer);
      }),
  );
  const parent =
    (options.parent ?? true)
      ? createActor(
          fromCallback<AnyEventObject>(({ receive }) => {
            receive((event) => {
              if (!event.type.startsWith('xstate.')) toParent.push(event as StudyParentEvent);
            });
          }),
          { inspect: (event) => coverage.inspect(event) },
        ).start()
      : undefined;
  const study = createActor(studyMachine.provide({ actors: { deadline } }), {
    input,
    parent,
    systemId: studySystemId(input.studyUid),
    ...(parent ? {} : { inspect: (event) => coverage.inspect(event) }),
  }).start();
  let clock = input.now ?? T0;
  let sop = 0;
  const live = () => timers.filter((t) => !t.signal.aborted && !t.settled);
  return {
    study,
    toParent,
    timers,
    live,
    send: (event) => study.send(event),
    async fireDeadline(error) {
      const running = live();
      if (running.length !== 1) throw new Error(`${running.length} deadline timers are running, not 1`);
      if (error) running[0]!.reject(error);
      else running[0]!.resolve();
      await waitFor(study, (s) => !s.matches('settling'), { timeout: 5_000 });
    },
    instance(facts, ms = 1_000) {
      clock += ms;
      if (facts.duplicate === undefined || sop === 0) sop++;
      const event: InstanceAddedEvent = { type: 'instance.added', sopInstanceUid: `${STUDY}.${sop}`, ...facts, at: clock };
      study.send(event);
      return event;
    },
    now: () => clock,
  };
}

// ---- the oracle: what the study's rules say each step must do --------------------------------------

interface OracleStep {
  state: string;
  toParent: StudyParentEvent[];
}

class Oracle {
  state = 'collecting';
  unpublished = 0;
  inJob = 0;
  onDisc = 0;
  resends = 0;
  lateArrivals = 0;
  requests = 0;
  lastInstanceAt: number | null = null;
  deadline: number | null = null;
  jobId: string | null = null;
  failure: string | null = null;
  holds = new Set<StudyHoldCode>();
  pending = new Set<StudyHoldCode>();
  /** The oracle's own memory of the patients: normalised Patient ID → stated names and birth dates. */
  private patients = new Map<string, { names: Set<string>; birthDates: Set<string> }>();
  private out: StudyParentEvent[] = [];

  constructor(private readonly followUp: FollowUpPolicy) {}

  /** One disc, one patient: what this instance shows that was not known. */
  private judge(i: ArrivingInstance): StudyHoldCode[] {
    const raised = new Set<StudyHoldCode>();
    if (i.duplicate === 'different') raised.add('duplicate-sop-different-content');
    const id = normalisePatientId(i.patientId);
    if (id === null) return [...raised, 'no-patient-id'];
    let known = this.patients.get(id);
    if (!known) {
      if (this.patients.size > 0) raised.add('study-under-two-patients');
      known = { names: new Set(), birthDates: new Set() };
      this.patients.set(id, known);
    }
    const name = normalisePersonName(i.patientName);
    const birthDate = normaliseDate(i.patientBirthDate);
    if (name && !known.names.has(name)) {
      if (known.names.size > 0) raised.add('demographics-disagree');
      known.names.add(name);
    }
    if (birthDate && !known.birthDates.has(birthDate)) {
      if (known.birthDates.size > 0) raised.add('demographics-disagree');
      known.birthDates.add(birthDate);
    }
    return [...raised];
  }

  private hold(codes: Iterable<StudyHoldCode>): void {
    for (const code of codes) this.holds.add(code);
    this.unpublished += this.inJob;
    this.inJob = 0;
    this.jobId = null;
    this.pending.clear();
    this.state = 'held';
    this.out.push({ type: 'study.held', studyUid: STUDY, reasons: [] /* checked by code below */ });
  }

  private complete(): void {
    if (this.unpublished === 0) {
      this.state = this.onDisc === 0 ? 'collecting' : 'published';
      return;
    }
    this.out.push(
      this.onDisc === 0
        ? { type: 'study.completed', studyUid: STUDY, instances: this.unpublished }
        : { type: 'study.followUp', studyUid: STUDY, lateArrivals: this.unpublished },
    );
    this.inJob = this.unpublished;
    this.unpublished = 0;
    this.requests++;
    this.jobId = null;
    this.failure = null;
    this.state = 'queued';
  }

  step(event: AnyEventObject): OracleStep {
    this.out = [];
    switch (event.type) {
      case 'instance.added':
        this.arrive(event as InstanceAddedEvent);
        break;
      case 'xstate.done.actor.deadline':
        this.complete();
        break;
      case 'xstate.error.actor.deadline':
        this.complete();
        break;
      case 'study.releaseNow':
        this.complete();
        break;
      case 'study.release':
        this.holds.clear();
        this.complete();
        break;
      case 'study.split':
        this.split(event as Extract<StudyEvent, { type: 'study.split' }>);
        break;
      case 'study.hold':
        this.operatorHold();
        break;
      case 'job.started':
        this.jobId = event.jobId as string;
        this.failure = null;
        this.state = 'publishing';
        break;
      case 'job.finished':
        this.jobEnded(event as Extract<StudyEvent, { type: 'job.finished' }>);
        break;
      default:
        throw new Error(`the oracle has no rule for ${event.type}`);
    }
    return { state: this.state, toParent: this.out };
  }

  private arrive(e: InstanceAddedEvent): void {
    const resend = e.duplicate === 'same';
    if (resend) this.resends++;
    else {
      if (e.duplicate === undefined) this.unpublished++;
      if (this.requests > 0) this.lateArrivals++;
    }
    this.lastInstanceAt = Math.max(this.lastInstanceAt ?? e.at, e.at);
    this.deadline = Math.max(this.deadline ?? 0, this.lastInstanceAt + QUIET_MS);
    const raised = resend ? [] : this.judge(e);
    switch (this.state) {
      case 'collecting':
      case 'settling':
        if (raised.length > 0) this.hold(raised);
        else this.state = 'settling';
        return;
      case 'held':
        raised.forEach((code) => this.holds.add(code));
        return;
      case 'publishing':
        // The disc in the making goes on; the hold comes when its job ends.
        if (resend) return;
        raised.forEach((code) => this.pending.add(code));
        if (raised.length === 0 && this.followUp === 'holdJob') this.pending.add('late-arrivals');
        return;
      default: // queued, published, failed
        if (resend) return;
        if (raised.length > 0) this.hold(raised);
        else if (this.followUp === 'holdJob') this.hold(['late-arrivals']);
        else if (this.state === 'published') this.state = 'settling';
    }
  }

  /** A person holds the study, whatever it is doing; only a disc in the making is let finish first. */
  private operatorHold(): void {
    if (this.state === 'publishing') this.pending.add('operator');
    else if (this.state === 'held') this.holds.add('operator');
    else this.hold(['operator']);
  }

  private jobEnded(e: Extract<StudyEvent, { type: 'job.finished' }>): void {
    if (this.state === 'queued') {
      if (e.ok) return;
      this.jobId = e.jobId;
      this.failure = e.reason ?? JOB_FAILED;
      this.state = 'failed';
      return;
    }
    if (e.jobId !== this.jobId) return;
    if (e.ok) {
      this.onDisc += this.inJob;
      this.inJob = 0;
      this.failure = null;
    } else {
      this.failure = e.reason ?? JOB_FAILED;
    }
    if (this.pending.size > 0) this.hold([...this.pending]);
    else if (!e.ok) this.state = 'failed';
    else this.state = this.unpublished > 0 ? 'settling' : 'published';
  }

  private split(e: Extract<StudyEvent, { type: 'study.split' }>): void {
    const facts = splitFacts.get(e.resolution);
    if (!facts) throw new Error('a split the oracle does not know the facts of');
    this.unpublished = e.resolution.unpublished;
    this.deadline = e.resolution.at + QUIET_MS;
    this.patients = new Map();
    const unsafe = new Set<StudyHoldCode>();
    for (const fact of facts) this.judge(fact).forEach((code) => unsafe.add(code));
    // Still unsafe: held for what is left, and late arrivals as before; the split ends an operator's hold.
    if (unsafe.size > 0) {
      const late = this.holds.has('late-arrivals');
      this.holds = new Set(unsafe);
      if (late) this.holds.add('late-arrivals');
      return;
    }
    this.holds.clear();
    if (this.unpublished > 0) this.state = 'settling';
    else this.complete();
  }
}

/** The instances a split left, behind each resolution the test hands the study. */
const splitFacts = new WeakMap<SplitResolution, ArrivingInstance[]>();
function resolution(facts: ArrivingInstance[], unpublished: number, at: number): SplitResolution {
  const r: SplitResolution = { unpublished, safety: summariseSafety(facts), at };
  splitFacts.set(r, facts);
  return r;
}

// ---- the model -----------------------------------------------------------------------------------

const labels = new WeakMap<object, string>();
function labelled<T extends object>(event: T, label: string): T {
  labels.set(event, label);
  return event;
}
const label = (event: AnyEventObject) => labels.get(event) ?? event.type;

const path = (value: StateValue): string =>
  typeof value === 'string' ? value : Object.entries(value).map(([k, v]) => `${k}.${path(v as StateValue)}`).join(',');

const added = (facts: ArrivingInstance, name: string) => labelled({ type: 'instance.added', sopInstanceUid: `${STUDY}.0`, ...facts, at: T0 } as InstanceAddedEvent, name);
// Every guard outcome an arrival can have: clean, resent, and holding for a reason that depends on
// what the study knows (another patient) or not (no Patient ID, different content). The other
// reasons take the same transitions; the scenarios below and test/study hold each of them.
const ARRIVALS: InstanceAddedEvent[] = [
  added(JANE, 'instance'),
  added({ ...JANE, duplicate: 'same' }, 'instance resent'),
  added(NO_ID, 'instance without Patient ID'),
  added(RICHARD, 'instance of another patient'),
  added({ ...JANE, duplicate: 'different' }, 'instance again, different content'),
];
/** The arrivals whose verdict depends on what the study knows (the others always or never hold). */
const JUDGED = [ARRIVALS[0]!, ARRIVALS[3]!];
/** Held takes every arrival alike (one transition): a clean one and one that adds a reason. */
const HELD_ARRIVALS = [ARRIVALS[0]!, ARRIVALS[3]!];

const SPLITS: { facts: ArrivingInstance[]; unpublished: number; name: string }[] = [
  { facts: [JANE, JANE], unpublished: 2, name: 'split leaving 2 instances' },
  { facts: [], unpublished: 0, name: 'split leaving none' },
  { facts: [JANE, RICHARD], unpublished: 2, name: 'split still under two patients' },
];

const STALE_JOB = 'job-stale';

function eventsFor(snapshot: Snapshot): AnyEventObject[] {
  if (snapshot.status !== 'active') return [];
  return __unsafe_getAllOwnEventDescriptors(snapshot).flatMap((type): AnyEventObject[] => {
    switch (type) {
      case 'instance.added':
        return snapshot.matches('held') ? HELD_ARRIVALS : ARRIVALS;
      case 'study.releaseNow':
      case 'study.release':
      case 'study.hold':
        return [{ type }];
      case 'study.split':
        return SPLITS.map((s) => labelled({ type, resolution: resolution(s.facts, s.unpublished, T0) }, s.name));
      case 'job.started':
        return [labelled({ type, jobId: 'job-1' }, 'job.started')];
      case 'job.finished':
        return [
          labelled({ type, jobId: snapshot.context.jobId ?? 'job-1', ok: true }, 'job.finished ok'),
          labelled({ type, jobId: snapshot.context.jobId ?? 'job-1', ok: false, reason: 'verify failed' }, 'job.finished failed'),
          // Only a study with a current job can tell another job's report from its own.
          ...(snapshot.matches('publishing') ? [labelled({ type, jobId: STALE_JOB, ok: true }, 'job.finished (another job)')] : []),
        ];
      case 'xstate.done.actor.deadline':
        return [labelled({ type, output: undefined }, 'quiet period over')];
      case 'xstate.error.actor.deadline':
        return [labelled({ type, error: new Error('clock adapter failed') }, 'timer failed')];
    }
    throw new Error(`no stimulus for event '${type}': add one to eventsFor`);
  });
}

// The vertex keeps what the guards read: whether instances wait or are on a disc, a pending hold,
// and for each judged arrival whether it would hold the study now. Counts and times stay out (the
// graph stays finite); the incoming transition stays in, so every transition gets its own path.
const vertex = (s: Snapshot) => {
  const c = s.context;
  const verdicts = JUDGED.map((e) => (admitInstance(c.safety, e).raised.length > 0 ? 'H' : '-')).join('');
  return `${path(s.value)}|u${Math.sign(c.unpublished)}d${Math.sign(c.onDisc)}|p${c.pendingHolds.length > 0 ? 1 : 0}|${verdicts}`;
};

function modelFor(followUp: FollowUpPolicy) {
  return new TestModel(studyMachine, {
    input: inputFor(followUp),
    events: eventsFor,
    serializeState: (state: Snapshot, event: AnyEventObject | undefined, prev?: Snapshot) =>
      vertex(state) + (event && prev ? ` via ${label(event)} from ${path(prev.value)}` : ''),
  } as never);
}

const sameMembers = (a: Iterable<string>, b: Iterable<string>) => [...a].sort().join(',') === [...b].sort().join(',');

for (const followUp of ['followUpDisc', 'holdJob'] as const) {
  const input = inputFor(followUp);
  const paths = modelFor(followUp).getShortestPaths();

  describe(`study machine: model paths, late arrivals ${followUp}`, () => {
    it('has paths to walk', () => {
      expect(paths.length).toBeGreaterThan(50);
    });

    for (const p of paths) {
      const steps = p.steps.map((s) => s.event as AnyEventObject).filter((e) => e.type !== 'xstate.init');
      it(`${path(p.state.value)} ← ${steps.map(label).join(' → ')}`, async () => {
        const h = startStudy(input);
        const oracle = new Oracle(followUp);
        let step: { event: AnyEventObject; parentBefore: number; expected: OracleStep } | undefined;

        const execute = async ({ event: modelEvent }: { event: AnyEventObject }) => {
          const before = h.study.getSnapshot();
          const parentBefore = h.toParent.length;
          // The same stimulus, with the real times and ids: new SOPs, a later clock, the real job's id.
          let event: AnyEventObject = modelEvent;
          if (modelEvent.type === 'instance.added') {
            const { patientId, patientName, patientBirthDate, duplicate } = modelEvent as InstanceAddedEvent;
            event = h.instance({ patientId, patientName, patientBirthDate, ...(duplicate ? { duplicate } : {}) });
            step = { event, parentBefore, expected: oracle.step(event) };
            return;
          } else if (modelEvent.type === 'job.started') {
            event = { ...modelEvent, jobId: `job-${before.context.requests}` };
          } else if (modelEvent.type === 'job.finished' && modelEvent.jobId !== STALE_JOB) {
            event = { ...modelEvent, jobId: before.context.jobId ?? `job-${before.context.requests}` };
          } else if (modelEvent.type === 'study.split') {
            const facts = splitFacts.get(modelEvent.resolution as SplitResolution)!;
            event = { ...modelEvent, resolution: resolution(facts, (modelEvent.resolution as SplitResolution).unpublished, h.now() + 1_000) };
          }
          step = { event, parentBefore, expected: oracle.step(event) };
          if (event.type === 'xstate.done.actor.deadline') await h.fireDeadline();
          else if (event.type === 'xstate.error.actor.deadline') await h.fireDeadline(event.error as Error);
          else h.send(event as StudyEvent);
        };
        const executors = Object.fromEntries([...new Set(steps.map((e) => e.type))].map((type) => [type, execute]));

        await p.test({
          events: executors as never,
          states: {
            '*': (expected: Snapshot) => {
              const snapshot = h.study.getSnapshot();
              expect(snapshot.value).toEqual(expected.value);
              expect(vertex(snapshot)).toBe(vertex(expected));
              const c = snapshot.context;
              // The timer: one while settling, waiting for the stored deadline; none otherwise.
              if (snapshot.matches('settling')) {
                expect(h.live().map((t) => t.input)).toEqual([{ at: c.deadline }]);
              } else {
                expect(h.live()).toEqual([]);
              }
              expect(snapshot.status).toBe('active');
              expect(JSON.parse(JSON.stringify(c))).toEqual(c);
              for (const reason of c.holdReasons) {
                for (const word of PATIENT_WORDS) expect(reason.message.toUpperCase()).not.toContain(word);
              }
              if (!step) return; // the initial state: nothing sent yet
              const { event, parentBefore, expected: want } = step;
              const what = `after ${label(p.steps.find((s) => s.state === expected)?.event as AnyEventObject)}`;
              expect(path(snapshot.value), what).toBe(want.state);
              expect(
                {
                  unpublished: c.unpublished,
                  inJob: c.inJob,
                  onDisc: c.onDisc,
                  resends: c.resends,
                  lateArrivals: c.lateArrivals,
                  requests: c.requests,
                  lastInstanceAt: c.lastInstanceAt,
                  deadline: c.deadline,
                  jobId: c.jobId,
                  failure: c.failure,
                },
                `counts ${what}`,
              ).toEqual({
                unpublished: oracle.unpublished,
                inJob: oracle.inJob,
                onDisc: oracle.onDisc,
                resends: oracle.resends,
                lateArrivals: oracle.lateArrivals,
                requests: oracle.requests,
                lastInstanceAt: oracle.lastInstanceAt,
                deadline: oracle.deadline,
                jobId: oracle.jobId,
                failure: oracle.failure,
              });
              expect(c.holdReasons.map((r) => r.code), `hold reasons ${what}`).toEqual(REASON_ORDER.filter((code) => oracle.holds.has(code)));
              expect(sameMembers(c.pendingHolds, oracle.pending), `pending holds ${what}: ${c.pendingHolds}`).toBe(true);
              if (snapshot.matches('held')) expect(c.holdReasons.length).toBeGreaterThan(0);
              else expect(c.holdReasons).toEqual([]);

              const sent = h.toParent.slice(parentBefore);
              // study.held carries the reasons the context shows at that moment.
              const wanted = want.toParent.map((e) => (e.type === 'study.held' ? { ...e, reasons: c.holdReasons } : e));
              expect(sent, `sent to the parent ${what} (${label(event)})`).toEqual(wanted);
            },
          },
        });
      });
    }
  });
}

// ---- behaviour, told as scenarios ----------------------------------------------------------------

const FOLLOW_UP = inputFor('followUpDisc');
const HOLD_JOB = inputFor('holdJob');

/** A settled, completed study whose first disc request is with the parent. */
async function queuedStudy(input: StudyInput, instances = 3): Promise<Harness> {
  const h = startStudy(input);
  for (let n = 0; n < instances; n++) h.instance(JANE);
  await h.fireDeadline();
  expect(h.study.getSnapshot().value).toBe('queued');
  return h;
}

async function publishedStudy(input: StudyInput, instances = 3): Promise<Harness> {
  const h = await queuedStudy(input, instances);
  h.send({ type: 'job.started', jobId: 'job-1' });
  h.send({ type: 'job.finished', jobId: 'job-1', ok: true });
  expect(h.study.getSnapshot().value).toBe('published');
  return h;
}

const typesSent = (h: Harness) => h.toParent.map((e) => e.type);

describe('study machine: the quiet period', () => {
  it('moves with each instance: the timer always waits for the last instance + the quiet period, and only then the study completes', async () => {
    const h = startStudy(FOLLOW_UP);
    expect(h.study.getSnapshot().value).toBe('collecting');
    const first = h.instance(JANE, 1_000);
    expect(h.live().map((t) => t.input.at)).toEqual([first.at + QUIET_MS]);
    const second = h.instance(JANE, 20_000);
    const third = h.instance(JANE, 25_000);
    expect(h.timers.map((t) => t.input.at)).toEqual([first.at + QUIET_MS, second.at + QUIET_MS, third.at + QUIET_MS]);
    // The earlier timers were stopped: settling them now changes nothing.
    expect(h.live().map((t) => t.input.at)).toEqual([third.at + QUIET_MS]);
    h.timers[0]!.resolve();
    h.timers[1]!.resolve();
    await Promise.resolve();
    expect(h.study.getSnapshot().value).toBe('settling');
    expect(h.study.getSnapshot().context.deadline).toBe(third.at + QUIET_MS);
    expect(h.toParent).toEqual([]);
    await h.fireDeadline();
    expect(h.study.getSnapshot().value).toBe('queued');
    expect(h.toParent).toEqual([{ type: 'study.completed', studyUid: STUDY, instances: 3 }]);
  });

  it('an instance reported out of order does not move the deadline back', () => {
    const h = startStudy(FOLLOW_UP);
    const late = h.instance(JANE, 10_000);
    h.instance(JANE, -5_000);
    expect(h.study.getSnapshot().context.deadline).toBe(late.at + QUIET_MS);
    expect(h.live().map((t) => t.input.at)).toEqual([late.at + QUIET_MS]);
  });

  it('releaseNow completes at once; with nothing collected it asks for no disc', () => {
    const empty = startStudy(FOLLOW_UP);
    empty.send({ type: 'study.releaseNow' });
    expect(empty.study.getSnapshot().value).toBe('collecting');
    expect(empty.toParent).toEqual([]);

    const h = startStudy(FOLLOW_UP);
    h.instance(JANE);
    h.instance(JANE);
    h.send({ type: 'study.releaseNow' });
    expect(h.study.getSnapshot().value).toBe('queued');
    expect(h.live()).toEqual([]);
    expect(h.toParent).toEqual([{ type: 'study.completed', studyUid: STUDY, instances: 2 }]);
  });

  it('a failing timer does not strand the study: it completes', async () => {
    const h = startStudy(FOLLOW_UP);
    h.instance(JANE);
    await h.fireDeadline(new Error('clock adapter failed'));
    expect(h.study.getSnapshot().value).toBe('queued');
    expect(h.study.getSnapshot().status).toBe('active');
    expect(h.toParent).toEqual([{ type: 'study.completed', studyUid: STUDY, instances: 1 }]);
  });

  it('a resend moves the quiet period but is no new instance', async () => {
    const h = startStudy(FOLLOW_UP);
    h.instance(JANE);
    const resend = h.instance({ ...JANE, duplicate: 'same' }, 5_000);
    expect(h.study.getSnapshot().context).toMatchObject({ unpublished: 1, resends: 1, deadline: resend.at + QUIET_MS });
    await h.fireDeadline();
    expect(h.toParent).toEqual([{ type: 'study.completed', studyUid: STUDY, instances: 1 }]);
  });
});

const HOLDS: { code: StudyHoldCode; trigger: ArrivingInstance; message: string }[] = [
  { code: 'no-patient-id', trigger: NO_ID, message: '1 instance has no Patient ID (0010,0020)' },
  { code: 'demographics-disagree', trigger: JANET, message: "instances with the same Patient ID (0010,0020) disagree on Patient's Name (0010,0010)" },
  { code: 'study-under-two-patients', trigger: RICHARD, message: 'the Study Instance UID (0020,000D) arrived under 2 different Patient IDs (0010,0020)' },
  { code: 'duplicate-sop-different-content', trigger: { ...JANE, duplicate: 'different' }, message: '1 SOP Instance UID (0008,0018) arrived again with different content' },
];

describe('study machine: patient-safety holds', () => {
  for (const { code, trigger, message } of HOLDS) {
    it(`${code}: held with the reason (no patient data), no disc asked; a release publishes it`, async () => {
      const h = startStudy(FOLLOW_UP);
      h.instance(JANE);
      h.instance(JANE);
      h.instance(trigger);
      const snapshot = h.study.getSnapshot();
      expect(snapshot.value).toBe('held');
      expect(snapshot.context.holdReasons).toEqual([{ code, message }]);
      expect(h.toParent).toEqual([{ type: 'study.held', studyUid: STUDY, reasons: [{ code, message }] }]);
      expect(h.live()).toEqual([]);
      // More instances still count while held; the hold does not end by itself.
      h.instance(JANE);
      expect(h.study.getSnapshot().value).toBe('held');
      h.send({ type: 'study.release' });
      expect(h.study.getSnapshot().value).toBe('queued');
      expect(h.study.getSnapshot().context.holdReasons).toEqual([]);
      const instances = trigger.duplicate === 'different' ? 3 : 4; // a different-content duplicate is kept apart
      expect(h.toParent.at(-1)).toEqual({ type: 'study.completed', studyUid: STUDY, instances });
    });

    it(`${code}: a split resumes the study with what is left, in a new quiet period`, async () => {
      const h = startStudy(FOLLOW_UP);
      h.instance(JANE);
      h.instance(trigger);
      expect(h.study.getSnapshot().value).toBe('held');
      const at = h.now() + 60_000;
      h.send({ type: 'study.split', resolution: { unpublished: 1, safety: summariseSafety([JANE]), at } });
      expect(h.study.getSnapshot().value).toBe('settling');
      expect(h.live().map((t) => t.input.at)).toEqual([at + QUIET_MS]);
      await h.fireDeadline();
      expect(h.toParent.map((e) => e.type)).toEqual(['study.held', 'study.completed']);
      expect(h.toParent.at(-1)).toEqual({ type: 'study.completed', studyUid: STUDY, instances: 1 });
    });
  }

  it('the first instance may hold the study; a split that leaves nothing returns to collecting', () => {
    const h = startStudy(FOLLOW_UP);
    h.instance(NO_ID);
    expect(h.study.getSnapshot().value).toBe('held');
    h.send({ type: 'study.split', resolution: { unpublished: 0, safety: summariseSafety([]), at: h.now() } });
    expect(h.study.getSnapshot().value).toBe('collecting');
    expect(h.toParent.map((e) => e.type)).toEqual(['study.held']);
  });

  it('a split that still leaves two patients keeps the study held, for what remains', () => {
    const h = startStudy(FOLLOW_UP);
    h.instance(JANE);
    h.instance(NO_ID);
    h.send({ type: 'study.split', resolution: { unpublished: 2, safety: summariseSafety([JANE, RICHARD]), at: h.now() } });
    expect(h.study.getSnapshot().value).toBe('held');
    expect(h.study.getSnapshot().context.holdReasons.map((r) => r.code)).toEqual(['study-under-two-patients']);
  });

  it('a released study is held again only for something new', async () => {
    const h = startStudy(FOLLOW_UP);
    h.instance(JANE);
    h.instance(JANET);
    h.send({ type: 'study.release' });
    expect(h.study.getSnapshot().value).toBe('queued');
    // The name a person accepted: no new hold.
    h.instance(JANET);
    expect(h.study.getSnapshot().value).toBe('queued');
    // A new birth date is new.
    h.instance({ ...JANE, patientBirthDate: '19700102' });
    expect(h.study.getSnapshot().value).toBe('held');
    expect(h.study.getSnapshot().context.holdReasons.map((r) => r.code)).toEqual(['demographics-disagree']);
  });

  it('reasons gather while held, worded from the current counts', () => {
    const h = startStudy(FOLLOW_UP);
    h.instance(NO_ID);
    h.instance(NO_ID);
    h.instance(RICHARD);
    expect(h.study.getSnapshot().context.holdReasons).toEqual([
      { code: 'no-patient-id', message: '2 instances have no Patient ID (0010,0020)' },
    ]);
    h.instance(JANE);
    expect(h.study.getSnapshot().context.holdReasons).toEqual([
      { code: 'no-patient-id', message: '2 instances have no Patient ID (0010,0020)' },
      { code: 'study-under-two-patients', message: 'the Study Instance UID (0020,000D) arrived under 2 different Patient IDs (0010,0020)' },
    ]);
    // Announced once, on entering held.
    expect(typesSent(h)).toEqual(['study.held']);
  });

  it('a Patient ID the Study UID had before (prior rows) counts: another one holds the first instance', () => {
    const h = startStudy({ ...FOLLOW_UP, priorPatientIds: ['PAT-002'] });
    h.instance(JANE);
    expect(h.study.getSnapshot().value).toBe('held');
    expect(h.study.getSnapshot().context.holdReasons.map((r) => r.code)).toEqual(['study-under-two-patients']);
  });

  it('a safety hold that comes while a disc is being made waits for the job to end, and that disc still counts', async () => {
    const h = await queuedStudy(FOLLOW_UP, 2);
    h.send({ type: 'job.started', jobId: 'job-1' });
    h.instance(RICHARD);
    expect(h.study.getSnapshot().value).toBe('publishing');
    expect(h.study.getSnapshot().context.pendingHolds).toEqual(['study-under-two-patients']);
    h.send({ type: 'job.finished', jobId: 'job-1', ok: true });
    const snapshot = h.study.getSnapshot();
    expect(snapshot.value).toBe('held');
    expect(snapshot.context).toMatchObject({ onDisc: 2, inJob: 0, unpublished: 1, pendingHolds: [] });
    expect(typesSent(h)).toEqual(['study.completed', 'study.held']);
    h.send({ type: 'study.release' });
    expect(h.toParent.at(-1)).toEqual({ type: 'study.followUp', studyUid: STUDY, lateArrivals: 1 });
  });
});

const OPERATOR = { code: 'operator', message: 'held by an operator for review' } as const;
const codes = (h: Harness) => h.study.getSnapshot().context.holdReasons.map((r) => r.code);

describe("study machine: an operator's hold", () => {
  it('collecting: a study with nothing yet is held, so that what comes later is not published unseen', () => {
    const h = startStudy(FOLLOW_UP);
    h.send({ type: 'study.hold' });
    expect(h.study.getSnapshot().value).toBe('held');
    expect(h.toParent).toEqual([{ type: 'study.held', studyUid: STUDY, reasons: [OPERATOR] }]);
    h.instance(JANE);
    h.instance(JANE);
    expect(h.study.getSnapshot().value).toBe('held');
    expect(h.live()).toEqual([]);
    expect(h.study.getSnapshot().context).toMatchObject({ unpublished: 2, holdReasons: [OPERATOR] });
    h.send({ type: 'study.release' });
    expect(h.study.getSnapshot().value).toBe('queued');
    expect(h.toParent.at(-1)).toEqual({ type: 'study.completed', studyUid: STUDY, instances: 2 });
  });

  it('collecting: released with nothing collected, the study collects again and asks for no disc', () => {
    const h = startStudy(FOLLOW_UP);
    h.send({ type: 'study.hold' });
    h.send({ type: 'study.release' });
    expect(h.study.getSnapshot().value).toBe('collecting');
    expect(h.study.getSnapshot().context.holdReasons).toEqual([]);
    expect(typesSent(h)).toEqual(['study.held']);
  });

  it('settling: the quiet period stops; a release publishes at once', () => {
    const h = startStudy(FOLLOW_UP);
    h.instance(JANE);
    h.instance(JANE);
    expect(h.live()).toHaveLength(1);
    h.send({ type: 'study.hold' });
    expect(h.study.getSnapshot().value).toBe('held');
    expect(h.live()).toEqual([]);
    expect(h.toParent).toEqual([{ type: 'study.held', studyUid: STUDY, reasons: [OPERATOR] }]);
    h.send({ type: 'study.release' });
    expect(h.study.getSnapshot().value).toBe('queued');
    expect(h.toParent.at(-1)).toEqual({ type: 'study.completed', studyUid: STUDY, instances: 2 });
  });

  it('queued: the job not started yet is withdrawn; its instances wait again, and a release asks for the disc again', async () => {
    const h = await queuedStudy(FOLLOW_UP, 3);
    h.send({ type: 'study.hold' });
    const snapshot = h.study.getSnapshot();
    expect(snapshot.value).toBe('held');
    expect(snapshot.context).toMatchObject({ unpublished: 3, inJob: 0, jobId: null, holdReasons: [OPERATOR] });
    expect(h.toParent.at(-1)).toEqual({ type: 'study.held', studyUid: STUDY, reasons: [OPERATOR] });
    // The withdrawn job may still report; the study has no job any more.
    h.send({ type: 'job.started', jobId: 'job-1' });
    expect(h.study.getSnapshot().value).toBe('held');
    h.send({ type: 'study.release' });
    expect(typesSent(h)).toEqual(['study.completed', 'study.held', 'study.completed']);
    expect(h.toParent.at(-1)).toEqual({ type: 'study.completed', studyUid: STUDY, instances: 3 });
  });

  it('publishing: the disc being made is not stopped; the study is held when its job ends, once however often it was asked', async () => {
    const h = await queuedStudy(FOLLOW_UP, 2);
    h.send({ type: 'job.started', jobId: 'job-1' });
    h.send({ type: 'study.hold' });
    h.send({ type: 'study.hold' });
    expect(h.study.getSnapshot().value).toBe('publishing');
    expect(h.study.getSnapshot().context).toMatchObject({ pendingHolds: ['operator'], holdReasons: [], inJob: 2 });
    expect(typesSent(h)).toEqual(['study.completed']);
    // Another job's end is not this study's.
    h.send({ type: 'job.finished', jobId: 'job-stale', ok: true });
    expect(h.study.getSnapshot().value).toBe('publishing');
    h.send({ type: 'job.finished', jobId: 'job-1', ok: true });
    const snapshot = h.study.getSnapshot();
    expect(snapshot.value).toBe('held');
    expect(snapshot.context).toMatchObject({ onDisc: 2, inJob: 0, unpublished: 0, pendingHolds: [], holdReasons: [OPERATOR] });
    expect(h.toParent.at(-1)).toEqual({ type: 'study.held', studyUid: STUDY, reasons: [OPERATOR] });
    // Everything is on a disc: a release asks for none.
    h.send({ type: 'study.release' });
    expect(h.study.getSnapshot().value).toBe('published');
    expect(typesSent(h)).toEqual(['study.completed', 'study.held']);
  });

  it('publishing: a job that fails after the hold leaves the study held, with the failure and its instances to publish', async () => {
    const h = await queuedStudy(FOLLOW_UP, 2);
    h.send({ type: 'job.started', jobId: 'job-1' });
    h.send({ type: 'study.hold' });
    h.send({ type: 'job.finished', jobId: 'job-1', ok: false, reason: 'disc job-1/1.1 rejected (verify)' });
    const snapshot = h.study.getSnapshot();
    expect(snapshot.value).toBe('held');
    expect(snapshot.context).toMatchObject({ onDisc: 0, inJob: 0, unpublished: 2, jobId: null, failure: 'disc job-1/1.1 rejected (verify)' });
    h.send({ type: 'study.release' });
    expect(h.toParent.at(-1)).toEqual({ type: 'study.completed', studyUid: STUDY, instances: 2 });
  });

  it('published: held; later instances wait for the person, and a release puts them on a follow-up disc', async () => {
    const h = await publishedStudy(FOLLOW_UP, 2);
    h.send({ type: 'study.hold' });
    expect(h.study.getSnapshot().value).toBe('held');
    expect(h.toParent.at(-1)).toEqual({ type: 'study.held', studyUid: STUDY, reasons: [OPERATOR] });
    // Under followUpDisc a late arrival would start a follow-up at once; held, it waits.
    h.instance(JANE);
    expect(h.study.getSnapshot().value).toBe('held');
    expect(h.live()).toEqual([]);
    h.send({ type: 'study.release' });
    expect(h.study.getSnapshot().value).toBe('queued');
    expect(h.toParent.at(-1)).toEqual({ type: 'study.followUp', studyUid: STUDY, lateArrivals: 1 });
  });

  it('failed: held instead of retried; the failed job is withdrawn and its instances wait again', async () => {
    const h = await queuedStudy(FOLLOW_UP, 2);
    h.send({ type: 'job.started', jobId: 'job-1' });
    h.send({ type: 'job.finished', jobId: 'job-1', ok: false });
    expect(h.study.getSnapshot().value).toBe('failed');
    h.send({ type: 'study.hold' });
    const snapshot = h.study.getSnapshot();
    expect(snapshot.value).toBe('held');
    expect(snapshot.context).toMatchObject({ unpublished: 2, inJob: 0, jobId: null, holdReasons: [OPERATOR] });
    // A retry of the withdrawn job does not reach a held study.
    h.send({ type: 'job.started', jobId: 'job-1' });
    expect(h.study.getSnapshot().value).toBe('held');
    h.send({ type: 'study.release' });
    expect(h.toParent.at(-1)).toEqual({ type: 'study.completed', studyUid: STUDY, instances: 2 });
  });

  it('held: the operator joins the reasons after the safety findings, once, and is not announced again', () => {
    const h = startStudy(FOLLOW_UP);
    h.instance(JANE);
    h.instance(RICHARD);
    h.send({ type: 'study.hold' });
    h.send({ type: 'study.hold' });
    expect(h.study.getSnapshot().value).toBe('held');
    expect(h.study.getSnapshot().context.holdReasons).toEqual([
      { code: 'study-under-two-patients', message: 'the Study Instance UID (0020,000D) arrived under 2 different Patient IDs (0010,0020)' },
      OPERATOR,
    ]);
    expect(typesSent(h)).toEqual(['study.held']);
    // A finding after the hold still comes before it.
    h.instance(NO_ID);
    expect(codes(h)).toEqual(['no-patient-id', 'study-under-two-patients', 'operator']);
    h.send({ type: 'study.release' });
    expect(h.study.getSnapshot().value).toBe('queued');
    expect(h.study.getSnapshot().context.holdReasons).toEqual([]);
  });

  it('the order is safety findings, late arrivals, operator, whatever order they came in', async () => {
    const h = await queuedStudy(HOLD_JOB, 2);
    h.send({ type: 'job.started', jobId: 'job-1' });
    h.send({ type: 'study.hold' });
    h.instance(JANE);
    h.instance(RICHARD);
    expect(h.study.getSnapshot().context.pendingHolds).toEqual(['operator', 'late-arrivals', 'study-under-two-patients']);
    h.send({ type: 'job.finished', jobId: 'job-1', ok: true });
    expect(h.study.getSnapshot().value).toBe('held');
    expect(codes(h)).toEqual(['study-under-two-patients', 'late-arrivals', 'operator']);
    expect(h.toParent.at(-1)).toEqual({ type: 'study.held', studyUid: STUDY, reasons: h.study.getSnapshot().context.holdReasons });
  });

  it('a split ends the operator\'s hold: what is left settles when it is safe', async () => {
    const h = startStudy(FOLLOW_UP);
    h.instance(JANE);
    h.instance(JANE);
    h.send({ type: 'study.hold' });
    const at = h.now() + 60_000;
    h.send({ type: 'study.split', resolution: { unpublished: 1, safety: summariseSafety([JANE]), at } });
    expect(h.study.getSnapshot().value).toBe('settling');
    expect(h.study.getSnapshot().context.holdReasons).toEqual([]);
    expect(h.live().map((t) => t.input.at)).toEqual([at + QUIET_MS]);
    await h.fireDeadline();
    expect(h.toParent.at(-1)).toEqual({ type: 'study.completed', studyUid: STUDY, instances: 1 });
  });

  it('a split that leaves findings keeps them and late arrivals, not the operator', async () => {
    const h = await queuedStudy(HOLD_JOB, 2);
    h.instance(JANE);
    h.send({ type: 'study.hold' });
    h.instance(NO_ID);
    expect(codes(h)).toEqual(['no-patient-id', 'late-arrivals', 'operator']);
    h.send({ type: 'study.split', resolution: { unpublished: 2, safety: summariseSafety([JANE, RICHARD]), at: h.now() } });
    expect(h.study.getSnapshot().value).toBe('held');
    expect(codes(h)).toEqual(['study-under-two-patients', 'late-arrivals']);
  });

  it('a study held by an operator restores held, with the reason, and is released as before', () => {
    const h = startStudy(FOLLOW_UP);
    h.instance(JANE);
    h.send({ type: 'study.hold' });
    const persisted = JSON.parse(JSON.stringify(h.study.getPersistedSnapshot()));
    const sent: StudyParentEvent[] = [];
    const restored = createActor(studyMachine, { snapshot: persisted, input: FOLLOW_UP, parent: recordingParent(sent) }).start();
    expect(restored.getSnapshot().value).toBe('held');
    expect(restored.getSnapshot().context.holdReasons).toEqual([OPERATOR]);
    expect(sent).toEqual([]);
    restored.send({ type: 'study.release' });
    expect(sent).toEqual([{ type: 'study.completed', studyUid: STUDY, instances: 1 }]);
  });
});

describe('study machine: late arrivals', () => {
  it('followUpDisc: instances after the request go on a follow-up disc once the job has ended and they have settled', async () => {
    const h = await queuedStudy(FOLLOW_UP, 3);
    h.instance(JANE);
    expect(h.study.getSnapshot().value).toBe('queued');
    h.send({ type: 'job.started', jobId: 'job-1' });
    const last = h.instance(JANE);
    h.instance({ ...JANE, duplicate: 'same' });
    expect(h.study.getSnapshot().context).toMatchObject({ lateArrivals: 2, unpublished: 2, inJob: 3, resends: 1 });
    h.send({ type: 'job.finished', jobId: 'job-1', ok: true });
    expect(h.study.getSnapshot().value).toBe('settling');
    expect(h.live().map((t) => t.input.at)).toEqual([last.at + 1_000 + QUIET_MS]);
    await h.fireDeadline();
    expect(h.toParent).toEqual([
      { type: 'study.completed', studyUid: STUDY, instances: 3 },
      { type: 'study.followUp', studyUid: STUDY, lateArrivals: 2 },
    ]);
    h.send({ type: 'job.started', jobId: 'job-2' });
    h.send({ type: 'job.finished', jobId: 'job-2', ok: true });
    expect(h.study.getSnapshot().value).toBe('published');
    expect(h.study.getSnapshot().context).toMatchObject({ onDisc: 5, inJob: 0, unpublished: 0, requests: 2 });
  });

  it('followUpDisc: a late arrival after the study was published starts a follow-up at once; a resend does not', async () => {
    const h = await publishedStudy(FOLLOW_UP, 3);
    h.instance({ ...JANE, duplicate: 'same' });
    expect(h.study.getSnapshot().value).toBe('published');
    h.instance(JANE);
    expect(h.study.getSnapshot().value).toBe('settling');
    await h.fireDeadline();
    expect(h.toParent.at(-1)).toEqual({ type: 'study.followUp', studyUid: STUDY, lateArrivals: 1 });
  });

  it('holdJob: a late arrival before the job started holds the study; the job is withdrawn and, on release, asked again with it', async () => {
    const h = await queuedStudy(HOLD_JOB, 3);
    h.instance(JANE);
    const snapshot = h.study.getSnapshot();
    expect(snapshot.value).toBe('held');
    expect(snapshot.context.holdReasons).toEqual([
      { code: 'late-arrivals', message: '1 instance arrived after the study was complete; the route holds late arrivals for review' },
    ]);
    expect(snapshot.context).toMatchObject({ unpublished: 4, inJob: 0, jobId: null, lateArrivals: 1 });
    expect(h.toParent.at(-1)).toEqual({ type: 'study.held', studyUid: STUDY, reasons: snapshot.context.holdReasons });
    // The withdrawn job may still report; the study has no job any more.
    h.send({ type: 'job.started', jobId: 'job-1' });
    h.send({ type: 'job.finished', jobId: 'job-1', ok: true });
    expect(h.study.getSnapshot().value).toBe('held');
    h.send({ type: 'study.release' });
    expect(h.toParent.at(-1)).toEqual({ type: 'study.completed', studyUid: STUDY, instances: 4 });
  });

  it('holdJob: a late arrival while the disc is being made holds the study when the job ends', async () => {
    const h = await queuedStudy(HOLD_JOB, 2);
    h.send({ type: 'job.started', jobId: 'job-1' });
    h.instance(JANE);
    expect(h.study.getSnapshot().value).toBe('publishing');
    h.send({ type: 'job.finished', jobId: 'job-1', ok: true });
    expect(h.study.getSnapshot().value).toBe('held');
    expect(h.study.getSnapshot().context.holdReasons.map((r) => r.code)).toEqual(['late-arrivals']);
    h.send({ type: 'study.release' });
    expect(h.toParent.at(-1)).toEqual({ type: 'study.followUp', studyUid: STUDY, lateArrivals: 1 });
  });

  it('holdJob: a late arrival after the study was published holds it at once', async () => {
    const h = await publishedStudy(HOLD_JOB, 2);
    h.instance(JANE);
    expect(h.study.getSnapshot().value).toBe('held');
    expect(typesSent(h)).toEqual(['study.completed', 'study.held']);
  });
});

describe('study machine: the disc job', () => {
  it('a failed job is retried: the study publishes when the retry delivers', async () => {
    const h = await queuedStudy(FOLLOW_UP, 2);
    h.send({ type: 'job.started', jobId: 'job-1' });
    h.send({ type: 'job.finished', jobId: 'job-stale', ok: true });
    expect(h.study.getSnapshot().value).toBe('publishing');
    h.send({ type: 'job.finished', jobId: 'job-1', ok: false, reason: 'disc job-1/1.3 rejected (verify)' });
    expect(h.study.getSnapshot().value).toBe('failed');
    expect(h.study.getSnapshot().context.failure).toBe('disc job-1/1.3 rejected (verify)');
    // A late arrival waits for the retried job.
    h.instance(JANE);
    expect(h.study.getSnapshot().value).toBe('failed');
    h.send({ type: 'job.started', jobId: 'job-1' });
    h.send({ type: 'job.finished', jobId: 'job-1', ok: true });
    expect(h.study.getSnapshot().value).toBe('settling');
    expect(h.study.getSnapshot().context).toMatchObject({ onDisc: 2, unpublished: 1, failure: null });
  });

  it('a job cancelled before it started fails the study, which keeps its instances for a retry', async () => {
    const h = await queuedStudy(FOLLOW_UP, 2);
    h.send({ type: 'job.finished', jobId: 'job-1', ok: false });
    expect(h.study.getSnapshot().value).toBe('failed');
    expect(h.study.getSnapshot().context).toMatchObject({ failure: JOB_FAILED, inJob: 2, jobId: 'job-1' });
  });
});

// ---- restore -------------------------------------------------------------------------------------

/** A clock the test moves by hand; its timers fire when it passes them. */
class ManualClock implements TimerClock {
  private timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;
  readonly waits: number[] = [];
  constructor(private time: number) {}
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): number {
    this.waits.push(ms);
    this.timers.set(this.nextId, { at: this.time + ms, callback });
    return this.nextId++;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  pending(): number {
    return this.timers.size;
  }
  advanceTo(time: number): void {
    this.time = time;
    for (const [id, timer] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > time) continue;
      this.timers.delete(id);
      timer.callback();
    }
  }
}

function recordingParent(into: StudyParentEvent[]) {
  return createActor(
    fromCallback<AnyEventObject>(({ receive }) => {
      receive((event) => {
        if (!event.type.startsWith('xstate.')) into.push(event as StudyParentEvent);
      });
    }),
    { inspect: (event) => coverage.inspect(event) },
  ).start();
}

describe('study machine: restore', () => {
  const hasAfter = (node: AnyStateNode) => node.after.length > 0;

  it('uses no after: timers, which XState would not restore', () => {
    expect(getStateNodes(studyMachine.root).filter(hasAfter).map((n) => n.id)).toEqual([]);
  });

  it('a snapshot persisted in settling keeps its deadline: restored with the clock past it, the study completes', async () => {
    const clock = new ManualClock(T0);
    const machine = studyMachine.provide({ actors: { deadline: createDeadlineTimer(clock) } });
    // A root actor, so that the test can stop it the way a dying process does.
    const original = createActor(machine, { input: FOLLOW_UP, inspect: (event) => coverage.inspect(event) }).start();
    original.send({ type: 'instance.added', sopInstanceUid: `${STUDY}.1`, ...JANE, at: T0 });
    original.send({ type: 'instance.added', sopInstanceUid: `${STUDY}.2`, ...JANE, at: T0 + 5_000 });
    expect(original.getSnapshot().value).toBe('settling');
    const deadline = T0 + 5_000 + QUIET_MS;
    expect(original.getSnapshot().context.deadline).toBe(deadline);
    const persisted = JSON.parse(JSON.stringify(original.getPersistedSnapshot()));
    original.stop(); // the process dies
    expect(clock.pending()).toBe(0);

    // Back up after the deadline has passed: nothing re-arms an `after:`, the invoked timer sees the stored deadline.
    clock.advanceTo(deadline + 60_000);
    const after: StudyParentEvent[] = [];
    const restored = createActor(machine, { snapshot: persisted, input: FOLLOW_UP, parent: recordingParent(after) }).start();
    await waitFor(restored, (s) => s.matches('queued'), { timeout: 5_000 });
    expect(after).toEqual([{ type: 'study.completed', studyUid: STUDY, instances: 2 }]);
    expect(restored.getSnapshot().context.deadline).toBe(deadline);
  });

  it('restored before its deadline, the study waits only for the rest of the quiet period', async () => {
    const clock = new ManualClock(T0);
    const machine = studyMachine.provide({ actors: { deadline: createDeadlineTimer(clock) } });
    const original = createActor(machine, { input: FOLLOW_UP, inspect: (event) => coverage.inspect(event) }).start();
    original.send({ type: 'instance.added', sopInstanceUid: `${STUDY}.1`, ...JANE, at: T0 });
    const persisted = JSON.parse(JSON.stringify(original.getPersistedSnapshot()));
    original.stop();

    clock.advanceTo(T0 + QUIET_MS - 7_000);
    const sent: StudyParentEvent[] = [];
    const restored = createActor(machine, { snapshot: persisted, input: FOLLOW_UP, parent: recordingParent(sent) }).start();
    expect(clock.waits.at(-1)).toBe(7_000);
    clock.advanceTo(T0 + QUIET_MS - 1);
    await Promise.resolve();
    expect(restored.getSnapshot().value).toBe('settling');
    clock.advanceTo(T0 + QUIET_MS);
    await waitFor(restored, (s) => s.matches('queued'), { timeout: 5_000 });
    expect(sent).toEqual([{ type: 'study.completed', studyUid: STUDY, instances: 1 }]);
  });

  it('a held study restores held, with its reasons, and is released as before', () => {
    const h = startStudy(FOLLOW_UP);
    h.instance(JANE);
    h.instance(RICHARD);
    const persisted = JSON.parse(JSON.stringify(h.study.getPersistedSnapshot()));
    const sent: StudyParentEvent[] = [];
    const restored = createActor(studyMachine, { snapshot: persisted, input: FOLLOW_UP, parent: recordingParent(sent) }).start();
    expect(restored.getSnapshot().value).toBe('held');
    expect(restored.getSnapshot().context).toEqual(h.study.getSnapshot().context);
    // Entry actions do not run again on restore: no second study.held.
    expect(sent).toEqual([]);
    restored.send({ type: 'study.release' });
    expect(sent).toEqual([{ type: 'study.completed', studyUid: STUDY, instances: 2 }]);
  });
});

describe('createDeadlineTimer', () => {
  it('resolves at once for a deadline already past, and waits in steps for one beyond what setTimeout holds', async () => {
    const clock = new ManualClock(T0);
    const ready = createActor(createDeadlineTimer(clock), { input: { at: T0 - 1 } }).start();
    await waitFor(ready, (s) => s.status === 'done', { timeout: 5_000 });
    expect(clock.waits).toEqual([]);

    const far = T0 + 30 * 24 * 3600_000; // 30 days: longer than 2^31 - 1 ms
    const waiting = createActor(createDeadlineTimer(clock), { input: { at: far } }).start();
    expect(clock.waits).toEqual([2_147_483_647]);
    clock.advanceTo(T0 + 2_147_483_647);
    expect(clock.waits).toEqual([2_147_483_647, far - (T0 + 2_147_483_647)]);
    expect(waiting.getSnapshot().status).toBe('active');
    clock.advanceTo(far);
    await waitFor(waiting, (s) => s.status === 'done', { timeout: 5_000 });
  });

  it('a stopped timer clears its timeout (a new instance moved the deadline)', () => {
    const clock = new ManualClock(T0);
    const timer = createActor(createDeadlineTimer(clock), { input: { at: T0 + QUIET_MS } }).start();
    expect(clock.pending()).toBe(1);
    timer.stop();
    expect(clock.pending()).toBe(0);
  });
});

// ---- size, JSON and input ------------------------------------------------------------------------

describe('study machine: context', () => {
  it('does not grow with the number of instances: 10,000 instances keep it under 1.5 kB', async () => {
    const h = startStudy(FOLLOW_UP);
    h.instance(JANE);
    const small = JSON.stringify(h.study.getSnapshot().context).length;
    for (let n = 1; n < 10_000; n++) h.instance(n % 10 === 0 ? { ...JANE, patientName: 'DOE^JANE^^' } : JANE, 10);
    const context = h.study.getSnapshot().context;
    expect(context.unpublished).toBe(10_000);
    const size = JSON.stringify(context).length;
    expect(size).toBeLessThan(1_500);
    // Only the digits of the counts and times may differ.
    expect(size - small).toBeLessThan(10);
    expect(JSON.stringify(h.study.getPersistedSnapshot()).length).toBeLessThan(2_000);
    await h.fireDeadline();
    expect(h.toParent).toEqual([{ type: 'study.completed', studyUid: STUDY, instances: 10_000 }]);
  });

  it('stays bounded for a hostile study too: 10,000 instances under as many Patient IDs and names', () => {
    const h = startStudy(FOLLOW_UP);
    for (let n = 0; n < 10_000; n++) h.instance({ patientId: `PAT-${n}`, patientName: `NAME^${n}`, patientBirthDate: '19700101' }, 10);
    const context = h.study.getSnapshot().context;
    expect(h.study.getSnapshot().value).toBe('held');
    expect(context.holdReasons.map((r) => r.code)).toEqual(['study-under-two-patients']);
    expect(JSON.stringify(context).length).toBeLessThan(1_500);
  });

  it('a standalone study (no parent) runs without sending anything', async () => {
    const h = startStudy(FOLLOW_UP, { parent: false });
    h.instance(JANE);
    await h.fireDeadline();
    h.instance(RICHARD);
    expect(h.study.getSnapshot().value).toBe('held');
    expect(h.study.getSnapshot().status).toBe('active');
  });

  it('declares its version for the snapshot envelope', () => {
    expect(studyMachine.version).toBe(STUDY_MACHINE_VERSION);
    expect(studyMachine.id).toBe('study');
    expect(studySystemId(STUDY)).toBe(`study:${STUDY}`);
  });

  it.each([
    [{ quietPeriodMs: -1, followUp: 'followUpDisc' }, 'quietPeriodMs must be a number of milliseconds of at least 0, not -1'],
    [{ quietPeriodMs: Number.NaN, followUp: 'followUpDisc' }, 'quietPeriodMs must be a number of milliseconds of at least 0, not NaN'],
    [{ quietPeriodMs: 1_000, followUp: 'burnAnyway' }, "followUp must be 'followUpDisc' or 'holdJob', not burnAnyway"],
  ])('refuses the route %j', (route, message) => {
    const errors: unknown[] = [];
    const actor = createActor(studyMachine, { input: { studyUid: STUDY, route: route as StudyInput['route'] } });
    actor.subscribe({ error: (error) => errors.push(error) });
    actor.start();
    expect(actor.getSnapshot().status).toBe('error');
    expect(String(errors[0])).toContain(message);
  });
});

afterAll(() => {
  coverage.assertComplete();
});
