// The statechart SVG of every machine, against its definition walked here independently of
// src/diagrams/: one `state:<path>` id per state on the state's <g> (node or cluster) and on nothing
// else, one edge per transition with a target (source, target and "event [guard]" label), one
// initial edge per compound state, final states doubled; the SVG well-formed, self-contained and the
// same on every render.
import { fileURLToPath } from 'node:url';
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIAGRAM_MACHINE_IDS, DIAGRAM_MACHINES } from '../../src/diagrams/machines.ts';
import { renderMachineSvg, renderStatechartSvg } from '../../src/diagrams/render-svg.ts';
import { ANY_STATE_NODE, clusterAnchorNode, ROOT_INITIAL_NODE } from '../../src/diagrams/statechart-dot.ts';
import { parseSvg, type ParsedSvg, type SvgGroup } from './parse-svg.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function descendants(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states as Record<string, AnyStateNode>).flatMap((child) => [child, ...descendants(child)]);
}

const pathOf = (node: AnyStateNode) => (node.path.length === 0 ? '(root)' : node.path.join('.'));
const isCompound = (node: AnyStateNode) => node.type === 'compound' || node.type === 'parallel';

/** "event [guard]" as docs/statecharts.md names them: (always), after <delay>, the guard's type. */
function expectedLabel(t: AnyTransitionDefinition): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(t.eventType);
  const event = t.eventType === '' ? '(always)' : after ? `after ${after[1]}` : t.eventType;
  const guard = t.guard as unknown;
  const guardText =
    typeof guard === 'string' ? guard : typeof guard === 'function' ? 'inline' : guard && typeof guard === 'object' && 'type' in guard ? String(guard.type) : '';
  return guardText ? `${event} [${guardText}]` : event;
}

/** `source|target|label` of every transition with a target, identical ones once. */
function expectedTransitions(machine: AnyStateMachine): string[] {
  const keys = new Set<string>();
  for (const node of [machine.root, ...descendants(machine.root)]) {
    const transitions = [...[...node.transitions.values()].flat(), ...(node.always ?? [])] as AnyTransitionDefinition[];
    for (const t of transitions) for (const target of t.target ?? []) keys.add(`${pathOf(node)}|${pathOf(target)}|${expectedLabel(t)}`);
  }
  return [...keys].sort();
}

function expectedInitialEdges(machine: AnyStateMachine): string[] {
  return [machine.root, ...descendants(machine.root)]
    .filter((node) => node.type === 'compound')
    .flatMap((node) => (node.initial.target as AnyStateNode[]).map((target) => `${pathOf(node)}|${pathOf(target)}`))
    .sort();
}

/** The state each diagram node stands for, by the node's <title> (its DOT name). */
function statesByNodeTitle(machine: AnyStateMachine): Map<string, string> {
  const titles = new Map<string, string>([
    [ROOT_INITIAL_NODE, '(root)'],
    [ANY_STATE_NODE, '(root)'],
  ]);
  for (const node of descendants(machine.root)) titles.set(isCompound(node) ? clusterAnchorNode(pathOf(node)) : pathOf(node), pathOf(node));
  return titles;
}

function edgeEnds(edge: SvgGroup, titles: Map<string, string>): string {
  const [tail = '', head = '', ...rest] = (edge.title ?? '').split('->');
  expect(rest, `edge title ${edge.title}`).toEqual([]);
  expect(titles.has(tail) && titles.has(head), `edge ${edge.title} joins nodes that are no states`).toBe(true);
  return `${titles.get(tail)}|${titles.get(head)}`;
}

describe.each(DIAGRAM_MACHINES.map((machine) => [machine.id, machine] as const))('statechart of %s', (machineId, machine) => {
  let svg: string;
  let parsed: ParsedSvg;
  const states = descendants(machine.root);
  beforeAll(async () => {
    svg = await renderMachineSvg(machineId);
    parsed = parseSvg(svg);
  });
  const group = (id: string) => parsed.groups.find((g) => g.id === id);

  it('carries a state: id for exactly every state, each once, on that state\'s <g>', () => {
    const stateIds = parsed.elements.filter((e) => e.id?.startsWith('state:'));
    expect(stateIds.map((e) => e.id).sort()).toEqual(states.map((s) => `state:${pathOf(s)}`).sort());
    expect(stateIds.every((e) => e.tag === 'g')).toBe(true);
    for (const state of states) {
      const classes = group(`state:${pathOf(state)}`)?.classes ?? [];
      expect(classes, pathOf(state)).toContain(isCompound(state) ? 'cluster' : 'node');
    }
  });

  it('labels every compound state\'s cluster with its name and doubles the border of final states only', () => {
    for (const state of states) {
      const g = group(`state:${pathOf(state)}`);
      if (isCompound(state)) {
        expect(g?.texts[0], pathOf(state)).toBe(state.type === 'parallel' ? `${state.key} (parallel)` : state.key);
      } else if (state.type !== 'history') {
        expect(g?.texts, pathOf(state)).toEqual([state.key]);
        expect((g?.paths.length ?? 0) + (g?.polygons.length ?? 0) + (g?.ellipses ?? 0), `outlines of ${pathOf(state)}`).toBe(state.type === 'final' ? 2 : 1);
      }
    }
  });

  it('draws one edge per transition with a target, from its source to its target, labelled "event [guard]"', () => {
    const titles = statesByNodeTitle(machine);
    const drawn = parsed.groups
      .filter((g) => g.classes.includes('edge') && !g.classes.includes('initial'))
      .map((edge) => `${edgeEnds(edge, titles)}|${edge.texts.join(' ')}`)
      .sort();
    const expected = expectedTransitions(machine);
    expect(expected.length).toBeGreaterThan(0);
    expect(drawn).toEqual(expected);
  });

  it('marks the initial state of the machine and of each compound state with an edge from a point', () => {
    const titles = statesByNodeTitle(machine);
    const initial = parsed.groups.filter((g) => g.classes.includes('edge') && g.classes.includes('initial'));
    expect(initial.map((edge) => edgeEnds(edge, titles)).sort()).toEqual(expectedInitialEdges(machine));
    expect(initial.every((edge) => edge.texts.length === 0)).toBe(true);
  });

  it('is self-contained: no DOCTYPE, link, image, script, style, URL or local path', () => {
    expect(svg).not.toContain('<!DOCTYPE');
    expect(svg).not.toContain(ROOT);
    const forbidden = ['a', 'image', 'use', 'script', 'style', 'foreignObject'];
    expect(parsed.elements.filter((e) => forbidden.includes(e.tag)).map((e) => e.tag)).toEqual([]);
    expect(parsed.elements.flatMap((e) => e.values).filter((v) => /:\/\/|url\(/.test(v))).toEqual([]);
  });

  it('renders byte-identical twice', async () => {
    const again = await renderStatechartSvg(machine);
    const third = await renderStatechartSvg(machine);
    expect(again).toBe(svg);
    expect(third).toBe(again);
  });
});

describe('renderMachineSvg', () => {
  it('draws the machines of the dashboard contract, by machine.id', () => {
    expect([...DIAGRAM_MACHINE_IDS].sort()).toEqual(['association', 'discJob', 'ptburnRobot', 'publisher', 'robot', 'study']);
  });

  it('rejects a machine id it does not draw', async () => {
    await expect(renderMachineSvg('toaster')).rejects.toThrow(/no statechart diagram for machine "toaster"/);
  });
});
