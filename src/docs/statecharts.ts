// docs/statecharts.md: every machine's states and transitions, generated from the machine
// definitions so the documentation never drifts from the code.
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { associationMachine } from '../../machines/association.machine.ts';
import { publisherMachine } from '../../machines/publisher.machine.ts';
import { robotMachine } from '../../machines/robot.machine.ts';
import { discJobMachine } from '../../machines/disc-job.machine.ts';
import { studyMachine } from '../../machines/study.machine.ts';

const MACHINES: readonly { machine: AnyStateMachine; role: string }[] = [
  { machine: publisherMachine, role: 'Root of the actor system: spawns one association actor per connection, one study actor per Study Instance UID, one robot actor per configured robot and one disc job actor per job; queues job orders and gives each to an available robot the route allows, moves a job off a robot that stays unavailable, restores studies and jobs at start-up, and forwards operator commands.' },
  { machine: associationMachine, role: 'One per TCP connection of the storage SCP; never persisted.' },
  { machine: robotMachine, role: 'One per robot (`robot:<name>`): its link to the device, start-up rules, one disc at a time through the drive, recorder, printer and output, errors that pause the operation in hand.' },
  { machine: studyMachine, role: 'One per Study Instance UID (`study:<uid>`): collects instances, settles for a quiet period on a stored deadline, holds a study whose patient data disagree, asks for discs and follow-up discs; an operator releases, holds or splits it.' },
  { machine: discJobMachine, role: 'One per job (`job:<id>`): mastering, then each copy through a robot; rejected discs are retried with a new blank up to a limit; never done unless every disc verified.' },
];

function nodes(root: AnyStateNode): AnyStateNode[] {
  return Object.values(root.states as Record<string, AnyStateNode>).flatMap((child) => [child, ...nodes(child)]);
}

function name(node: AnyStateNode): string {
  return node.path.length === 0 ? '(root)' : node.path.join('.');
}

function guardName(t: AnyTransitionDefinition): string {
  const guard = t.guard as unknown;
  if (!guard) return '';
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String((guard as { type: unknown }).type);
  return 'inline';
}

function actionNames(t: AnyTransitionDefinition): string {
  return (t.actions as unknown[])
    .map((a) => (typeof a === 'string' ? a : typeof a === 'object' && a !== null && 'type' in a ? String((a as { type: unknown }).type) : ''))
    .filter((a) => a && !a.startsWith('xstate.'))
    .join(', ');
}

function eventName(type: string): string {
  if (type === '') return '(always)';
  const after = /^xstate\.after\.([^.]+)\./.exec(type);
  return after ? `after ${after[1]}` : type;
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
    '',
  ];
  for (const { machine, role } of MACHINES) {
    out.push(`## ${machine.id}`, '', role, '', '```mermaid', mermaid(machine), '```', '');
    out.push('| from | event | guard | to | actions |', '|---|---|---|---|---|');
    for (const row of rows(machine)) out.push(`| ${row.map((c) => c.replaceAll('|', '\\|') || ' ').join(' | ')} |`);
    out.push('');
  }
  return out.join('\n');
}
