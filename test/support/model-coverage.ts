// State and transition coverage of one machine, measured on the running actors through inspection.
// Model tests create one per machine, pass `coverage.inspect` to createActor (or system.inspect),
// and call `coverage.assertComplete()` in afterAll: a state never entered or a transition never
// taken fails the suite, named.

import {
  getStateNodes as activeStateNodes,
  type AnyStateMachine,
  type AnyStateNode,
  type AnyTransitionDefinition,
  type InspectionEvent,
  type StateValue,
} from 'xstate';
import { getStateNodes as descendantStateNodes } from 'xstate/graph';

export interface ModelCoverage {
  /** Every state id of the machine (the root excluded: it is always active). */
  readonly states: ReadonlySet<string>;
  /** Every transition key of the machine, see transitionKey(). */
  readonly transitions: ReadonlySet<string>;
  readonly visitedStates: ReadonlySet<string>;
  readonly takenTransitions: ReadonlySet<string>;
  /** An inspection observer; it ignores actors of other machines. */
  inspect(event: InspectionEvent): void;
  gaps(): { states: string[]; transitions: string[] };
  /** e.g. 'association: states 14/14, transitions 52/52' */
  summary(): string;
  /** Throws, naming every state not visited and every transition not taken. */
  assertComplete(): void;
}

/** `source --event[guard]--> target(s)`; a targetless transition shows `(self)`. */
export function transitionKey(transition: AnyTransitionDefinition): string {
  const guard = transition.guard as unknown;
  let guardName = '';
  if (typeof guard === 'string') guardName = guard;
  else if (typeof guard === 'function') guardName = guard.name || 'inline';
  else if (guard && typeof guard === 'object' && 'type' in guard) guardName = String(guard.type);
  const targets = (transition.target ?? []).map((node) => node.id).join(',') || '(self)';
  const event = transition.eventType === '' ? '(always)' : transition.eventType;
  return `${transition.source.id} --${event}${guardName ? `[${guardName}]` : ''}--> ${targets}`;
}

function allTransitions(node: AnyStateNode): AnyTransitionDefinition[] {
  return [...[...node.transitions.values()].flat(), ...(node.always ?? [])];
}

interface MachineSnapshotLike {
  machine: AnyStateMachine;
  value: StateValue;
}

function asMachineSnapshot(snapshot: unknown): MachineSnapshotLike | undefined {
  const s = snapshot as Partial<MachineSnapshotLike> | undefined;
  return s?.machine && s.value !== undefined ? (s as MachineSnapshotLike) : undefined;
}

export function createModelCoverage(machine: AnyStateMachine): ModelCoverage {
  const rootId = machine.root.id;
  const nodes = descendantStateNodes(machine.root);
  const states = new Set(nodes.map((node) => node.id));
  const transitions = new Set([machine.root, ...nodes].flatMap(allTransitions).map(transitionKey));
  const visitedStates = new Set<string>();
  const takenTransitions = new Set<string>();
  const unknownTransitions = new Set<string>();

  const visit = (snapshot: MachineSnapshotLike) => {
    for (const node of activeStateNodes(snapshot.machine.root, snapshot.value)) if (node.id !== rootId) visitedStates.add(node.id);
  };

  return {
    states,
    transitions,
    visitedStates,
    takenTransitions,
    inspect(event) {
      if (event.type !== '@xstate.snapshot' && event.type !== '@xstate.microstep') return;
      const snapshot = asMachineSnapshot(event.snapshot);
      if (!snapshot || snapshot.machine.root.id !== rootId) return;
      visit(snapshot);
      if (event.type !== '@xstate.microstep') return;
      for (const transition of event._transitions) {
        const key = transitionKey(transition);
        (transitions.has(key) ? takenTransitions : unknownTransitions).add(key);
      }
    },
    gaps() {
      return {
        states: [...states].filter((id) => !visitedStates.has(id)),
        transitions: [...transitions].filter((key) => !takenTransitions.has(key)),
      };
    },
    summary() {
      return `${rootId}: states ${visitedStates.size}/${states.size}, transitions ${takenTransitions.size}/${transitions.size}`;
    },
    assertComplete() {
      const { states: missingStates, transitions: missingTransitions } = this.gaps();
      const problems = [
        ...missingStates.map((id) => `state never visited: ${id}`),
        ...missingTransitions.map((key) => `transition never taken: ${key}`),
        // Only happens if this helper and the machine disagree on what a transition is.
        ...[...unknownTransitions].map((key) => `transition taken but not in the machine definition: ${key}`),
      ];
      if (problems.length > 0) throw new Error(`model coverage gaps (${this.summary()}):\n  ${problems.join('\n  ')}`);
    },
  };
}
