// The contract between the live dashboard feed (adapters/http/event-stream.ts) and the running
// actor system (src/publisher/live-actors.ts): which actor is in which state, as it changes. Ids,
// machine names and state names only: never context, so never patient data.

export interface LiveActorState {
  /** The actor's system id: publisher, association:<n>, study:<uid>, job:<id>, robot:<name>. */
  id: string;
  /** The machine's id (the statechart to draw): publisher, association, study, discJob, robot, ptburnRobot. */
  machine: string;
  /** Every active state path, ancestors first ('busy', 'busy.recording', 'busy.recording.burning'). */
  state: string[];
  /** active, done, error or stopped. */
  status: string;
  atMs: number;
}

export type LiveActorsListener = (changed: readonly LiveActorState[]) => void;

export interface LiveActorFeed {
  /** Every actor known now. */
  list(): LiveActorState[];
  /** Hears of every change from now on; returns the unsubscribe function. */
  subscribe(listener: LiveActorsListener): () => void;
}
