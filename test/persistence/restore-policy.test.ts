// The restart rules, checked on real actors. Every state of the disc job machine is read from the
// machine definition (xstate/graph getStateNodes), reached by real events beside a fake robot,
// persisted through JSON, restored, and handled as its decision says: resumed states go on, kept
// states stay (and restart nothing), interrupted states leave the robot's phases and never count
// the disc they lost. The expected decision is derived from what each state waits for, so a state
// added to the machine without a decision (or a way here to reach it) fails this test, and so does a
// decision that leaves a job waiting for a robot that forgot it. Robots are never restored: the
// decision always starts a fresh, offline robot.
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise, type Actor, type AnyActorRef, type AnyStateNode, type Snapshot, type StateValue } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import { SnapshotRepository } from '../../adapters/db/snapshots.ts';
import { discJobMachine, discJobSystemId, type DiscJobInput, type MasteredImage, type MasterInput } from '../../machines/disc-job.machine.ts';
import type { RobotFault, RobotPortCommand } from '../../machines/robot-port.ts';
import { robotMachine, type LinkInput } from '../../machines/robot.machine.ts';
import type { LinkCommand } from '../../machines/robot-link.ts';
import { decideDiscJobRestore, decideRobotRestore, statePathOf, type DiscJobRestoreDecision } from '../../src/persistence/restore-policy.ts';
import { systemError } from '../../src/robot/syserr.ts';
import { openTempDb } from '../db/temp-db.ts';

const ROBOT = 'robot:a';
const IMAGE = { path: '/data/jobs/j1/disc.iso', bytes: 650_000_000, media: 'cd' as const, labelPath: '/data/jobs/j1/label.jpg' };
const MASTERED: MasteredImage = { imagePath: IMAGE.path, imageBytes: IMAGE.bytes, media: IMAGE.media, labelPath: IMAGE.labelPath };
const BASE: DiscJobInput = { jobId: 'j1', robot: ROBOT, copies: 2, maxRejectsInARow: 1, print: true, source: { study: '1.2.3' }, image: IMAGE };
const { image: _image, ...UNMASTERED } = BASE;
const { code, name, kind, hint } = systemError(15);
const COVER_OPEN: RobotFault = { robot: ROBOT, kind, code, name, hint };
const FIRST_DISC = 'j1/1.1';
// Outcomes built apart from the send, so they fit robot-port.ts with or without its drive field.
const DELIVERED = { type: 'disc.delivered', discId: FIRST_DISC, verified: true, location: 'bin1', drive: 0 } as const;
const REJECTED = { type: 'disc.rejected', discId: FIRST_DISC, cause: 'verify', reason: 'MD5 differs', drive: 0 } as const;

type JobActor = Actor<typeof discJobMachine>;

/** The publisher's layout: a root, a fake robot that records what it is asked, the job by its systemId. */
class World {
  readonly inbox: RobotPortCommand[] = [];
  readonly masterInputs: MasterInput[] = [];
  readonly root: AnyActorRef;
  readonly job: JobActor;
  private readonly finishers: ((image: MasteredImage) => void)[] = [];

  constructor(input: DiscJobInput, snapshot?: Snapshot<unknown>) {
    this.root = createActor(fromCallback(() => undefined)).start();
    createActor(fromCallback<RobotPortCommand>(({ receive }) => receive((c) => this.inbox.push(c))), { parent: this.root, systemId: ROBOT }).start();
    const master = fromPromise<MasteredImage, MasterInput>(({ input: masterInput }) => {
      this.masterInputs.push(masterInput);
      return new Promise((resolve) => this.finishers.push(resolve));
    });
    this.job = createActor(discJobMachine.provide({ actors: { master } }), {
      parent: this.root, systemId: discJobSystemId(input.jobId), input, ...(snapshot ? { snapshot } : {}),
    }).start();
  }

  finishMastering(): void {
    this.finishers.at(-1)!(MASTERED);
  }

  /** What a restart sees: the snapshot as JSON, as the database stores it. */
  persisted(): Snapshot<unknown> {
    return JSON.parse(JSON.stringify(this.job.getPersistedSnapshot())) as Snapshot<unknown>;
  }

  stop(): void {
    this.root.stop();
  }
}

const worlds: World[] = [];
function world(input: DiscJobInput, snapshot?: Snapshot<unknown>): World {
  const w = new World(input, snapshot);
  worlds.push(w);
  return w;
}
afterEach(() => {
  for (const w of worlds.splice(0)) w.stop();
});

const phase = (p: 'loading' | 'burning' | 'finalizing' | 'verifying' | 'printing' | 'delivering' | 'rejecting') =>
  (w: World) => w.job.send({ type: 'disc.phase', discId: FIRST_DISC, phase: p });

/** How to bring a job into each state by the events it takes in production. */
const REACH: Record<string, { input: DiscJobInput; steps: ((w: World) => void)[] }> = {
  queued: { input: BASE, steps: [] },
  mastering: { input: UNMASTERED, steps: [(w) => w.job.send({ type: 'job.start' })] },
  'disc.waitingForRobot': { input: BASE, steps: [(w) => w.job.send({ type: 'job.start' })] },
  ...Object.fromEntries((['loading', 'burning', 'finalizing', 'verifying', 'printing', 'delivering', 'rejecting'] as const).map((p) => [
    `disc.${p}`, { input: BASE, steps: [(w: World) => w.job.send({ type: 'job.start' }), phase('loading'), phase(p)] },
  ])),
  paused: {
    input: BASE,
    steps: [(w) => w.job.send({ type: 'job.start' }), phase('burning'), (w) => w.job.send({ type: 'disc.paused', discId: FIRST_DISC, fault: COVER_OPEN })],
  },
  cancelling: { input: BASE, steps: [(w) => w.job.send({ type: 'job.start' }), phase('burning'), (w) => w.job.send({ type: 'job.cancel' })] },
  interrupted: { input: BASE, steps: [(w) => w.job.send({ type: 'job.start' }), phase('burning'), (w) => w.job.send({ type: 'job.interrupted' })] },
  failed: {
    input: BASE,
    steps: [(w) => w.job.send({ type: 'job.start' }), (w) => w.job.send(REJECTED)],
  },
  done: {
    input: { ...BASE, copies: 1 },
    steps: [(w) => w.job.send({ type: 'job.start' }), (w) => w.job.send(DELIVERED)],
  },
  cancelled: { input: BASE, steps: [(w) => w.job.send({ type: 'job.cancel' })] },
};

/** Every event type a state node takes, its ancestors' included. */
function eventsTaken(node: AnyStateNode | undefined): string[] {
  return node ? [...node.transitions.keys(), ...eventsTaken(node.parent)] : [];
}

/** Every state a job can rest in, from the machine definition, with what it waits for. */
const LEAF_STATES = getStateNodes(discJobMachine)
  .filter((node) => node.type === 'atomic' || node.type === 'final')
  .map((node) => ({
    path: node.path.join('.'),
    final: node.type === 'final',
    invokes: node.invoke.length > 0,
    /** It waits for the robot to report on its disc (machines/robot-port.ts events). */
    hearsFromRobot: eventsTaken(node).some((type) => type.startsWith('disc.')),
    waitsForStart: eventsTaken(node).includes('job.start'),
  }));

/**
 * What the restart rules of issue 5 ask, derived from what each state waits for: the restarted
 * robot reports on no disc of before, so a state waiting for that is interrupted; a state that
 * waits for the publisher's go or runs the (idempotent) mastering goes on; the rest wait for a
 * person or are finished, and stay as they are.
 */
function expectedAction(state: (typeof LEAF_STATES)[number]): DiscJobRestoreDecision['action'] {
  if (state.final) return 'keep';
  if (state.hearsFromRobot) return 'interrupt';
  if (state.invokes || state.waitsForStart) return 'resume';
  return 'keep';
}

/** A job in the state, persisted; the world it ran in is stopped, as a crash would. */
function persistedIn(path: string): { snapshot: Snapshot<unknown>; input: DiscJobInput; before: ReturnType<JobActor['getSnapshot']>; asked: number } {
  const how = REACH[path];
  if (!how) throw new Error(`no way to reach disc job state ${path} in this test: add one`);
  const w = world(how.input);
  for (const step of how.steps) step(w);
  expect(statePathOf(w.job.getSnapshot().value)).toBe(path);
  const result = { snapshot: w.persisted(), input: how.input, before: w.job.getSnapshot(), asked: w.masterInputs.length };
  w.stop();
  return result;
}

describe('disc job restore decisions', () => {
  it('reads the states from the machine, with what they wait for', () => {
    const byPath = new Map(LEAF_STATES.map((s) => [s.path, s]));
    expect([...byPath.keys()]).toEqual(expect.arrayContaining(['queued', 'mastering', 'disc.burning', 'paused', 'cancelling', 'done']));
    expect(LEAF_STATES.length).toBeGreaterThanOrEqual(Object.keys(REACH).length);
    // The derived expectations see the machine as the issue describes it.
    expect(expectedAction(byPath.get('disc.burning')!)).toBe('interrupt');
    expect(expectedAction(byPath.get('paused')!)).toBe('interrupt');
    expect(expectedAction(byPath.get('mastering')!)).toBe('resume');
    expect(expectedAction(byPath.get('failed')!)).toBe('keep');
    expect(expectedAction(byPath.get('done')!)).toBe('keep');
  });

  describe.each(LEAF_STATES)('state $path', (state) => {
    it('has the decision the restart rules ask for', () => {
      const decision = decideDiscJobRestore({ value: persistedIn(state.path).before.value });
      expect(decision.state).toBe(state.path);
      expect(decision.action).toBe(expectedAction(state));
      expect(decision.why.length).toBeGreaterThan(0);
    });

    it('is handled safely when restored as the decision says', async () => {
      const { snapshot, input, before, asked } = persistedIn(state.path);
      const decision = decideDiscJobRestore(snapshot as unknown as { value: StateValue });
      const w = world(input, snapshot);
      if (decision.action === 'interrupt') {
        w.job.send(decision.send);
        const after = w.job.getSnapshot();
        // Out of the robot's phases; the disc it lost is on record and never counts.
        expect(['interrupted', 'cancelled']).toContain(after.value);
        expect(after.context.history.at(-1)).toMatchObject({ discId: FIRST_DISC, outcome: 'interrupted' });
        expect(after.context.copiesDone).toBe(before.context.copiesDone);
        // The robot is only told to cancel the lost disc (a fresh robot knows none; one that kept
        // it must not deliver it); nothing is made.
        // (cancelling asked for the cancel before the restart already).
        const lost = before.value === 'cancelling' ? null : before.context.discId;
        expect(w.inbox).toEqual(lost === null ? [] : [{ type: 'disc.cancel', discId: lost }]);
        return;
      }
      // Restored as it was; restoring asks nothing of the robot.
      expect(w.job.getSnapshot().value).toEqual(before.value);
      expect(w.job.getSnapshot().context).toEqual(before.context);
      expect(w.inbox).toEqual([]);
      if (decision.action === 'keep') {
        // Nothing runs again: a kept state invokes nothing.
        expect(state.invokes).toBe(false);
        expect(w.masterInputs).toEqual([]);
        return;
      }
      if (state.invokes) {
        // The invoked mastering starts again on restore (it is idempotent) and the job goes on.
        expect(asked).toBe(1);
        expect(w.masterInputs).toEqual([{ jobId: 'j1', source: input.source }]);
        w.finishMastering();
        await expect.poll(() => w.inbox.length).toBe(1);
      } else {
        w.job.send({ type: 'job.start' });
      }
      expect(w.inbox).toEqual([{ type: 'disc.make', request: expect.objectContaining({ discId: FIRST_DISC, copy: 1, attempt: 1 }) }]);
    });
  });

  it('after an interruption, a retry makes the same copy again on a new disc', () => {
    const { snapshot, input } = persistedIn('disc.burning');
    const w = world(input, snapshot);
    const decision = decideDiscJobRestore(snapshot as unknown as { value: StateValue });
    expect(decision.action).toBe('interrupt');
    if (decision.action === 'interrupt') w.job.send(decision.send);
    w.job.send({ type: 'job.retry' });
    expect(w.job.getSnapshot().value).toEqual({ disc: 'waitingForRobot' });
    expect(w.inbox).toEqual([
      { type: 'disc.cancel', discId: 'j1/1.1' },
      { type: 'disc.make', request: expect.objectContaining({ discId: 'j1/1.2', copy: 1, attempt: 2 }) },
    ]);
  });

  it('goes through the database: saved burning, reopened, restored, interrupted', () => {
    const t = openTempDb('restore');
    try {
      const { snapshot, input } = persistedIn('disc.burning');
      new SnapshotRepository(t.db).saveSnapshot({ systemId: 'job:j1', machineId: discJobMachine.id, machineVersion: discJobMachine.version!, snapshot });
      const [stored] = new SnapshotRepository(t.reopen()).loadAll([discJobMachine, robotMachine]);
      const restoredSnapshot = stored!.snapshot as Snapshot<unknown> & { value: StateValue };
      const decision = decideDiscJobRestore(restoredSnapshot);
      expect(decision).toMatchObject({ action: 'interrupt', state: 'disc.burning', send: { type: 'job.interrupted' } });
      const w = world(input, restoredSnapshot);
      if (decision.action === 'interrupt') w.job.send(decision.send);
      expect(w.job.getSnapshot().value).toBe('interrupted');
    } finally {
      t.cleanup();
    }
  });

  it('refuses a state it has no rule for, and a value that is not one state', () => {
    expect(() => decideDiscJobRestore({ value: 'teleporting' })).toThrow("no restore rule for disc job state 'teleporting': refusing to restore it blindly");
    expect(() => decideDiscJobRestore({ value: { disc: 'spinning' } })).toThrow("no restore rule for disc job state 'disc.spinning'");
    expect(() => statePathOf({ a: 'x', b: 'y' })).toThrow('is not one atomic state');
    expect(statePathOf({ disc: 'burning' })).toBe('disc.burning');
    expect(statePathOf('queued')).toBe('queued');
  });
});

describe('robot restore decision', () => {
  const quietLink = fromCallback<LinkCommand, LinkInput>(() => undefined);

  it('starts a robot fresh when nothing was saved', () => {
    expect(decideRobotRestore(undefined)).toMatchObject({ action: 'startFresh', abandonedDiscs: [] });
  });

  it('never restores a robot with discs: it names the discs it abandons and a fresh robot starts offline, empty', () => {
    const robot = createActor(robotMachine.provide({ actors: { link: quietLink } }), { input: { name: 'a' } }).start();
    for (const [copy, jobId] of [[1, 'j1'], [1, 'j2']] as const) {
      robot.send({
        type: 'disc.make',
        request: { discId: `${jobId}/${copy}.1`, jobId, copy, attempt: 1, imagePath: IMAGE.path, imageBytes: IMAGE.bytes, media: 'cd', labelPath: null, replyTo: discJobSystemId(jobId) },
      });
    }
    const saved = JSON.parse(JSON.stringify(robot.getPersistedSnapshot())) as Parameters<typeof decideRobotRestore>[0] & object;
    robot.stop();
    expect(saved.context.queue).toHaveLength(2);

    const decision = decideRobotRestore(saved);
    expect(decision.action).toBe('startFresh');
    expect(decision.abandonedDiscs).toEqual(['j1/1.1', 'j2/1.1']);
    expect(decision.why).toContain('reject bin');

    // The first disc taken in hand (in a drive), the other still queued: both are named.
    const [first, ...rest] = saved.context.queue;
    const disc = { request: first!, drive: 0, clear: true, where: 'drive' as const, step: null, md5: null, cancelRequested: false, rejection: null, pausedFor: null, binsAtDelivery: null };
    const inHand = { ...saved.context, queue: rest, disc };
    expect(decideRobotRestore({ context: inHand }).abandonedDiscs).toEqual(['j1/1.1', 'j2/1.1']);

    const fresh = createActor(robotMachine.provide({ actors: { link: quietLink } }), { input: { name: 'a' } }).start();
    expect(fresh.getSnapshot().value).toBe('offline');
    expect(fresh.getSnapshot().context.queue).toEqual([]);
    expect(fresh.getSnapshot().context.disc).toBeNull();
    fresh.stop();
  });
});
