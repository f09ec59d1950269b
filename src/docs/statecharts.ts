// docs/statecharts.md: every machine's states and transitions, generated from the machine
// definitions so the documentation never drifts from the code.
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { DOCUMENTED_MACHINES } from './machine-list.ts';
import { eventName, guardName } from './transition-labels.ts';

function nodes(root: AnyStateNode): AnyStateNode[] {
  return Object.values(root.states as Record<string, AnyStateNode>).flatMap((child) => [child, ...nodes(child)]);
}

function name(node: AnyStateNode): string {
  return node.path.length === 0 ? '(root)' : node.path.join('.');
}

function actionNames(t: AnyTransitionDefinition): string {
  return (t.actions as unknown[])
    .map((a) => (typeof a === 'string' ? a : typeof a === 'object' && a !== null && 'type' in a ? String((a as { type: unknown }).type) : ''))
    .filter((a) => a && !a.startsWith('xstate.'))
    .join(', ');
}

function rows(machine: AnyStateMachine): string[][] {
  const all = [machine.root, ...nodes(machine.root)];
  // Eventless (always) transitions are kept apart from node.transitions by XState.
  return all.flatMap((node) =>
    [...[...(node.transitions as Map<string, AnyTransitionDefinition[]>).values()].flat(), ...((node.always ?? []) as AnyTransitionDefinition[])].map((t) => [
      name(t.source),
      eventName(t.eventType),
      guardName(t),
      (t.target ?? []).map(name).join(', ') || '(stays)',
      actionNames(t),
    ]),
  );
}

function mermaid(machine: AnyStateMachine): string {
  const id = (node: AnyStateNode) => node.path.join('_') || 'root';
  const lines = ['stateDiagram-v2'];
  const walk = (parent: AnyStateNode, indent: string) => {
    const children = Object.values(parent.states as Record<string, AnyStateNode>);
    const initial = (parent.config as { initial?: string }).initial;
    if (initial) lines.push(`${indent}[*] --> ${id(parent.states[initial] as AnyStateNode)}`);
    for (const child of children) {
      if (Object.keys(child.states).length > 0) {
        lines.push(`${indent}state ${id(child)} {`);
        walk(child, indent + '  ');
        lines.push(`${indent}}`);
      }
      if (child.type === 'final') lines.push(`${indent}${id(child)} --> [*]`);
    }
  };
  walk(machine.root, '  ');
  for (const [source = '', event = '', guard = '', target = ''] of rows(machine)) {
    if (target === '(stays)' || source === '(root)') continue;
    for (const t of target.split(', ')) {
      lines.push(`  ${source.replaceAll('.', '_')} --> ${t.replaceAll('.', '_')}: ${event}${guard ? ` [${guard}]` : ''}`);
    }
  }
  return lines.join('\n');
}

export function renderStatecharts(): string {
  const out = [
    '# Statecharts',
    '',
    'Generated from the machine definitions in `machines/` by `npx tsx scripts/gen-docs.ts`; do not edit.',
    'Each machine has a model-based test that visits every state and takes every transition listed here.',
    'The pictures are `docs/diagrams/<machine>.svg` (`npm run diagrams`), the same the dashboard highlights live.',
    '',
  ];
  for (const { machine, role } of DOCUMENTED_MACHINES) {
    out.push(`## ${machine.id}`, '', role, '', `![The ${machine.id} statechart](diagrams/${machine.id}.svg)`, '', '```mermaid', mermaid(machine), '```', '');
    out.push('| from | event | guard | to | actions |', '|---|---|---|---|---|');
    for (const row of rows(machine)) out.push(`| ${row.map((c) => c.replaceAll('|', '\\|') || ' ').join(' | ')} |`);
    out.push('');
  }
  return out.join('\n');
}
