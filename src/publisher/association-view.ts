// The associations in progress as the API shows them: the publisher's live association actors
// (its children `association:<id>`), with who sends, to whom, how much and how fast. The machine
// keeps no start time, so this remembers when it first saw each actor (and forgets it once gone).
// No patient data: AE titles, addresses, counts and the SOP class only.
import type { AnyActorRef, StateValue } from 'xstate';
import type { AssociationContext } from '../../machines/association.machine.ts';
import { findStorageSopClass } from '../dicom/sop-classes.ts';
import { statePathOf } from '../persistence/restore-policy.ts';
import type { AssociationView } from '../api/publisher-api.ts';

const ASSOCIATION_PREFIX = 'association:';

type AssociationSnapshot = { value: StateValue; context: AssociationContext; status: string };

export interface AssociationViews {
  /** Note the associations among the children, so their start is known before anyone asks. */
  notice(children: Readonly<Record<string, AnyActorRef | undefined>>): void;
  list(children: Readonly<Record<string, AnyActorRef | undefined>>): AssociationView[];
}

/** Stored objects per second since `startedAtMs`, to two decimals (0 in the first instant). */
export function ratePerSecond(stored: number, startedAtMs: number, nowMs: number): number {
  const seconds = (nowMs - startedAtMs) / 1000;
  return seconds > 0 ? Math.round((stored / seconds) * 100) / 100 : 0;
}

function viewOf(id: string, snapshot: AssociationSnapshot, startedAtMs: number, nowMs: number): AssociationView {
  const { context } = snapshot;
  const current = context.currentStore;
  return {
    id,
    peerAddress: context.peer.address,
    peerPort: context.peer.port,
    callingAeTitle: context.request?.callingAeTitle ?? null,
    calledAeTitle: context.request?.calledAeTitle ?? null,
    state: statePathOf(snapshot.value),
    startedAtMs,
    stored: context.counters.stored,
    failed: context.counters.failed,
    bytes: context.counters.bytes,
    echoes: context.counters.echoes,
    ratePerSecond: ratePerSecond(context.counters.stored, startedAtMs, nowMs),
    currentSopClass: current ? { uid: current.sopClassUid, name: findStorageSopClass(current.sopClassUid)?.name ?? null } : null,
  };
}

export function createAssociationViews(now: () => number = Date.now): AssociationViews {
  /** First sighting (epoch ms) by child id; pruned when the child is gone. */
  const firstSeen = new Map<string, number>();

  function notice(children: Readonly<Record<string, AnyActorRef | undefined>>): string[] {
    const live = Object.keys(children).filter((key) => key.startsWith(ASSOCIATION_PREFIX) && children[key] !== undefined);
    const at = now();
    for (const key of live) if (!firstSeen.has(key)) firstSeen.set(key, at);
    for (const key of firstSeen.keys()) if (!(key in children) || children[key] === undefined) firstSeen.delete(key);
    return live;
  }

  return {
    notice,
    list(children) {
      const at = now();
      return notice(children)
        .map((key) => ({ key, snapshot: children[key]!.getSnapshot() as AssociationSnapshot }))
        // A final state lasts until the publisher stops the actor: it is no longer in progress.
        .filter(({ snapshot }) => snapshot.status === 'active')
        .map(({ key, snapshot }) => viewOf(key.slice(ASSOCIATION_PREFIX.length), snapshot, firstSeen.get(key)!, at))
        .sort((a, b) => a.startedAtMs - b.startedAtMs || a.id.localeCompare(b.id));
    },
  };
}
