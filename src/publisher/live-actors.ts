// What every actor of the system is doing now, for the dashboard's live statecharts: it watches the
// actor system's inspection events, keeps each actor's active state paths, and tells subscribers
// every change of state, in order, gathered over a short window so a burst of snapshots (an
// association storing hundreds of images) is one message, not hundreds. A state held for a moment
// is still told (the dashboard shows an actor's path, not only where it is now), up to a bound
// per actor and window. It carries ids, machine names and state names only: no context, so no
// patient data.
import type { AnyActorRef, InspectionEvent, StateValue } from 'xstate';
import type { LiveActorFeed, LiveActorState, LiveActorsListener } from '../api/live-feed.ts';

export interface LiveActorsOptions {
  /** How long changes are gathered before subscribers hear of them. */
  coalesceMs?: number;
  /** How often actors that ended without a last snapshot (stopped by their parent) are noticed. */
  sweepMs?: number;
  now?: () => number;
}

interface Entry {
  view: LiveActorState;
  ref: AnyActorRef;
}

/** 'busy' | { busy: { recording: 'burning' } } → ['busy', 'busy.recording', 'busy.recording.burning']. */
export function activePaths(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  return Object.entries(value).flatMap(([key, child]) => [
    prefix + key,
    ...(child === undefined ? [] : activePaths(child, `${prefix}${key}.`)),
  ]);
}

export class LiveActors implements LiveActorFeed {
  private readonly entries = new Map<string, Entry>();
  /** Changes not yet told, in the order they happened. */
  private pending: LiveActorState[] = [];
  private readonly listeners = new Set<LiveActorsListener>();
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly coalesceMs: number;
  private readonly now: () => number;

  constructor(options: LiveActorsOptions = {}) {
    this.coalesceMs = options.coalesceMs ?? 100;
    this.now = options.now ?? Date.now;
    this.sweepTimer = setInterval(() => this.sweep(), options.sweepMs ?? 2_000);
    this.sweepTimer.unref();
  }

  /** The inspection callback (wired beside persistence in the composition root). */
  inspect(event: InspectionEvent): void {
    if (event.type !== '@xstate.snapshot') return;
    const ref = event.actorRef as AnyActorRef;
    const id = systemIdOf(ref);
    const snapshot = event.snapshot as { status?: string; value?: StateValue; machine?: { id?: string } };
    if (id === undefined || snapshot.value === undefined || snapshot.machine?.id === undefined) return;
    const state = activePaths(snapshot.value);
    const status = snapshot.status ?? 'active';
    const known = this.entries.get(id);
    if (known && known.view.status === status && sameList(known.view.state, state)) return;
    const view = { id, machine: snapshot.machine.id, state, status, atMs: this.now() };
    this.entries.set(id, { ref, view });
    this.markChanged(view);
  }

  /** Every actor known now, in id order. */
  list(): LiveActorState[] {
    return [...this.entries.values()].map((entry) => entry.view).sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): LiveActorState | undefined {
    return this.entries.get(id)?.view;
  }

  /** Hears of every change from now on; returns the unsubscribe function. */
  subscribe(listener: LiveActorsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    clearInterval(this.sweepTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.listeners.clear();
  }

  private markChanged(view: LiveActorState): void {
    this.pending.push(view);
    this.flushTimer ??= setTimeout(() => this.flush(), this.coalesceMs);
  }

  private flush(): void {
    this.flushTimer = null;
    const views = boundPerActor(this.pending, MAX_CHANGES_PER_ACTOR);
    this.pending = [];
    // An ended actor is told once, then forgotten: the dashboard keeps its history from the API.
    // (Only if the id's latest actor ended: a new actor may have taken the id inside this window.)
    for (const view of views) if (this.entries.get(view.id)?.view.status !== 'active') this.entries.delete(view.id);
    for (const listener of this.listeners) {
      try {
        listener(views);
      } catch {
        // A subscriber's failure (a closed connection) must not stop the others.
      }
    }
  }

  /** Actors stopped by their parent send no last snapshot: notice them by asking. */
  private sweep(): void {
    for (const entry of this.entries.values()) {
      const status = entry.ref.getSnapshot()?.status as string | undefined;
      if (entry.view.status !== 'active' || status === 'active') continue;
      entry.view = { ...entry.view, status: status ?? 'stopped', atMs: this.now() };
      this.markChanged(entry.view);
    }
  }
}

/** At most this many changes of one actor per message: its first ones and its latest ones. */
const MAX_CHANGES_PER_ACTOR = 20;

/** Keeps each actor's first (bound - 1) changes and its last one, in order. */
function boundPerActor(changes: readonly LiveActorState[], bound: number): LiveActorState[] {
  const total = new Map<string, number>();
  for (const change of changes) total.set(change.id, (total.get(change.id) ?? 0) + 1);
  const seen = new Map<string, number>();
  return changes.filter((change) => {
    const n = (seen.get(change.id) ?? 0) + 1;
    seen.set(change.id, n);
    return n < bound || n === total.get(change.id);
  });
}

function systemIdOf(ref: AnyActorRef): string | undefined {
  // The root has a systemId but a session id as its id; spawned actors carry their systemId as id too.
  const id = (ref as { systemId?: unknown }).systemId ?? (ref as { id?: unknown }).id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
