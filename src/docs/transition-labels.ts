// How a transition's event and guard are named in the documentation: the tables and Mermaid charts of
// docs/statecharts.md and the edge labels of the statechart diagrams use these, so both read alike.
import type { AnyTransitionDefinition } from 'xstate';

/** The guard's name ('' when unguarded, 'inline' for an anonymous function). */
export function guardName(t: AnyTransitionDefinition): string {
  const guard = t.guard as unknown;
  if (!guard) return '';
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String((guard as { type: unknown }).type);
  return 'inline';
}

/** `(always)` for an eventless transition, `after <delay>` for a delayed one, else the event type. */
export function eventName(type: string): string {
  if (type === '') return '(always)';
  const after = /^xstate\.after\.([^.]+)\./.exec(type);
  return after ? `after ${after[1]}` : type;
}
