// Actor logic that starts from a persisted snapshot when its input says so. XState's spawn() takes
// no snapshot, only input; the publisher spawns a restored study or job with `restoreFrom` in its
// input, and this wrapper (provided at the composition root) restores the snapshot instead of
// starting afresh. Restoring runs no entry action and restarts invoked actors (a settling study's
// deadline, a job's mastering), which is what the restore policy relies on
// (src/persistence/restore-policy.ts).
import type { AnyActorLogic } from 'xstate';

export interface RestorableInput {
  /** A snapshot from actor.getPersistedSnapshot(), checked against the machine's version by the caller. */
  restoreFrom?: unknown;
}

export function restorable<T extends AnyActorLogic>(logic: T): T {
  const restoreSnapshot = logic.restoreSnapshot?.bind(logic);
  if (!restoreSnapshot) throw new Error('restorable(): this actor logic cannot restore snapshots');
  // A prototype chain keeps the machine's own methods (a StateMachine is a class instance).
  const wrapped = Object.create(logic) as T;
  wrapped.getInitialSnapshot = (actorScope, input) => {
    const from = (input as RestorableInput | undefined)?.restoreFrom;
    return from === undefined ? logic.getInitialSnapshot(actorScope, input) : restoreSnapshot(from as never, actorScope);
  };
  return wrapped;
}
