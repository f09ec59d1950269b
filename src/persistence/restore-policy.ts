// What to do, at restart, with each persisted actor: the rule that hardware work is never resumed
// blindly (xstate-serialport.md §1.4-1.5). Restoring a snapshot re-runs no entry action but restarts
// every invoked promise, and after: timers are not re-armed; a robot that lost power forgot its queue
// and may hold a half-made disc. So:
// - disc jobs: decideDiscJobRestore maps every state of the disc job machine to resume, interrupt or
//   keep (one table, checked by the compiler and by a test that reads the machine's states);
// - robots: never restored mid-operation (decideRobotRestore): a fresh robot actor starts offline and
//   its start-up rules send any disc left in a drive or the printer to the reject bin.
// Pure: it reads snapshots, it restores nothing itself.
import type { SnapshotFrom, StateValue } from 'xstate';
import type { DiscJobCommand, discJobMachine } from '../../machines/disc-job.machine.ts';
import type { RobotContext } from '../../machines/robot.machine.ts';

/** 'queued' | 'mastering' | 'disc.burning' | ...: the dotted path of every atomic state, from the machine's own types. */
type StatePaths<V> = V extends string ? V : { [K in keyof V & string]: `${K}.${StatePaths<V[K]>}` }[keyof V & string];
export type DiscJobStatePath = StatePaths<SnapshotFrom<typeof discJobMachine>['value']>;

export type DiscJobRestoreDecision =
  /** Restore and let it go on: it touches no hardware, or what it re-runs is idempotent. */
  | { action: 'resume'; state: DiscJobStatePath; why: string }
  /** Restore, then send `send` at once: the disc's fate at the robot is unknown. */
  | { action: 'interrupt'; state: DiscJobStatePath; send: Extract<DiscJobCommand, { type: 'job.interrupted' }>; why: string }
  /** Restore as it is: finished, or waiting for a person (or the publisher's retry). */
  | { action: 'keep'; state: DiscJobStatePath; why: string };

type Rule = { action: 'resume' | 'interrupt' | 'keep'; why: string };

const AT_THE_ROBOT = 'a disc of this job was at the robot, which restarts empty-handed: its fate is unknown, so it never counts; '
  + 'the job goes to interrupted, the robot\'s start-up rules send the disc to the reject bin, and the copy is made again on a new disc';

const JOB_RULES: Record<DiscJobStatePath, Rule> = {
  queued: { action: 'resume', why: 'nothing was asked of anyone yet; the publisher starts it as it would a new job' },
  mastering: {
    action: 'resume',
    why: 'the invoked master actor runs again on restore, which is safe: mastering is idempotent (it reads the stored instances, '
      + 'builds the image in a work folder and renames it into place only when complete) and touches no hardware',
  },
  // The request sits in the robot's queue, which the restart emptied: no robot will ever answer it.
  'disc.waitingForRobot': { action: 'interrupt', why: `the disc request was lost with the robot's queue; ${AT_THE_ROBOT}` },
  'disc.loading': { action: 'interrupt', why: AT_THE_ROBOT },
  'disc.burning': { action: 'interrupt', why: AT_THE_ROBOT },
  'disc.finalizing': { action: 'interrupt', why: AT_THE_ROBOT },
  'disc.verifying': { action: 'interrupt', why: AT_THE_ROBOT },
  'disc.printing': { action: 'interrupt', why: AT_THE_ROBOT },
  'disc.delivering': { action: 'interrupt', why: AT_THE_ROBOT },
  'disc.rejecting': { action: 'interrupt', why: AT_THE_ROBOT },
  // Paused on a robot fault: disc.resumed can only come from the robot that held the disc, and it is gone.
  paused: { action: 'interrupt', why: `paused on a robot fault that the restart ended; ${AT_THE_ROBOT}` },
  // The machine takes job.interrupted here straight to cancelled: the restarted robot clears the disc itself.
  cancelling: { action: 'interrupt', why: 'a cancel was under way at the robot; the restarted robot clears the disc, so the job ends cancelled' },
  interrupted: { action: 'keep', why: 'already interrupted: it waits for its retry, nothing is at the robot' },
  failed: { action: 'keep', why: 'failed: it waits for an operator (retry or cancel), nothing is at the robot' },
  done: { action: 'keep', why: 'finished: every copy was delivered verified and is never made again' },
  cancelled: { action: 'keep', why: 'finished: cancelled' },
};

/** The dotted path of the atomic state a state value rests in ({ disc: 'burning' } → 'disc.burning'). */
export function statePathOf(value: StateValue): string {
  if (typeof value === 'string') return value;
  const entries = Object.entries(value);
  const [key, child] = entries[0] ?? [];
  if (entries.length !== 1 || key === undefined || child === undefined) {
    throw new Error(`state value ${JSON.stringify(value)} is not one atomic state: discrobot's machines have no parallel states`);
  }
  return `${key}.${statePathOf(child)}`;
}

function isJobStatePath(path: string): path is DiscJobStatePath {
  return Object.hasOwn(JOB_RULES, path);
}

/** What to do with a persisted disc job. A state without a rule is refused, never resumed blindly. */
export function decideDiscJobRestore(snapshot: { value: StateValue }): DiscJobRestoreDecision {
  const state = statePathOf(snapshot.value);
  if (!isJobStatePath(state)) throw new Error(`no restore rule for disc job state '${state}': refusing to restore it blindly`);
  const { action, why } = JOB_RULES[state];
  if (action === 'interrupt') return { action, state, send: { type: 'job.interrupted' }, why };
  return { action, state, why };
}

export interface RobotRestoreDecision {
  /** Always: a new robot actor from its input, offline, never the snapshot. */
  action: 'startFresh';
  /** Disc ids the saved robot had in hand or queued: their jobs must have been interrupted. */
  abandonedDiscs: string[];
  why: string;
}

/** What to do with a persisted robot: nothing of it is restored (the snapshot is for the record). */
export function decideRobotRestore(snapshot: { context: Pick<RobotContext, 'disc' | 'queue'> } | undefined): RobotRestoreDecision {
  const inHand = snapshot?.context.disc ? [snapshot.context.disc.request.discId] : [];
  const queued = snapshot?.context.queue.map((request) => request.discId) ?? [];
  return {
    action: 'startFresh',
    abandonedDiscs: [...new Set([...inHand, ...queued])],
    why: 'robots are never restored mid-operation: the device may have moved, finished or lost the disc in hand while we were down; '
      + 'a fresh robot starts offline, connects, and its start-up rules send any disc left in a drive or the printer to the reject bin',
  };
}
