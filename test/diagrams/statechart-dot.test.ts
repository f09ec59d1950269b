// statechartDot and renderDotToSvg on small machines made for the purpose: names that need DOT and
// XML escaping, transitions from and to a compound state clipped at its cluster's border, parallel
// regions and history states marked, stays and repeated transitions left out, and Graphviz messages
// or clashing state ids refused rather than drawn wrongly.
import { createMachine, setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import { renderDotToSvg, renderStatechartSvg } from '../../src/diagrams/render-svg.ts';
import { statechartDot } from '../../src/diagrams/statechart-dot.ts';
import { parseSvg, points, type SvgGroup } from './parse-svg.ts';

const transitionEdges = (groups: SvgGroup[]) => groups.filter((g) => g.classes.includes('edge') && g.classes.includes('transition'));
const edgeLabelled = (groups: SvgGroup[], label: string) => {
  const edge = transitionEdges(groups).find((g) => g.texts.join(' ') === label);
  if (!edge) throw new Error(`no edge labelled ${label}`);
  return edge;
};

describe('escaping', () => {
  const awkward = 'say "hi" \\N <b>&amp;';
  const machine = setup({ guards: { 'is "ok"': () => true } }).createMachine({
    id: 'quote "machine"',
    initial: awkward,
    states: {
      [awkward]: { on: { 'go "now"': { target: 'plain', guard: 'is "ok"' } } },
      plain: {},
    },
  });

  it('quotes and backslashes are escaped in the DOT text', () => {
    const dot = statechartDot(machine);
    expect(dot).toContain('"state:say \\"hi\\" \\\\N <b>&amp;amp;"');
    expect(dot).toContain('label="go \\"now\\"\\n[is \\"ok\\"]"');
  });

  it('the SVG is well-formed and shows the names as written, in ids and labels (no \\N expanded)', async () => {
    const { groups } = parseSvg(await renderStatechartSvg(machine));
    const state = groups.find((g) => g.id === `state:${awkward}`);
    expect(state?.texts).toEqual([awkward]);
    expect(edgeLabelled(groups, 'go "now" [is "ok"]').classes).toEqual(['edge', 'transition']);
  });
});

describe('transitions of a compound state', () => {
  const machine = createMachine({
    id: 'm',
    initial: 'a',
    states: {
      a: {
        initial: 'a1',
        on: { leave: 'b', inner: '.a2' },
        states: { a1: {}, a2: {} },
      },
      b: { on: { enter: 'a' } },
    },
  });

  /** Tests on points against cluster `a`'s box: more than 1pt inside it, or outside it by less than 2pt (its border). */
  async function layout() {
    const { groups } = parseSvg(await renderStatechartSvg(machine));
    const cluster = groups.find((g) => g.id === 'state:a');
    const corners = [...(cluster?.paths ?? []), ...(cluster?.polygons ?? [])].flatMap(points);
    expect(corners.length).toBeGreaterThan(0);
    const [minX, maxX] = [Math.min(...corners.map((p) => p[0])), Math.max(...corners.map((p) => p[0]))];
    const [minY, maxY] = [Math.min(...corners.map((p) => p[1])), Math.max(...corners.map((p) => p[1]))];
    const inside = ([x, y]: [number, number]) => x > minX + 1 && x < maxX - 1 && y > minY + 1 && y < maxY - 1;
    const nearBorder = ([x, y]: [number, number]) => Math.hypot(Math.max(minX - x, 0, x - maxX), Math.max(minY - y, 0, y - maxY)) < 2 && !inside([x, y]);
    const geometry = (label: string) => {
      const edge = edgeLabelled(groups, label);
      return { path: edge.paths.flatMap(points), arrow: edge.polygons.flatMap(points) };
    };
    return { inside, nearBorder, geometry };
  }

  it('an edge leaving the compound state starts on its cluster\'s border', async () => {
    const { inside, nearBorder, geometry } = await layout();
    const leave = geometry('leave');
    expect(nearBorder(leave.path[0]!), `starts at ${leave.path[0]}`).toBe(true);
    expect([...leave.path, ...leave.arrow].filter(inside)).toEqual([]);
  });

  it('an edge entering the compound state ends with its arrow on the cluster\'s border', async () => {
    const { inside, nearBorder, geometry } = await layout();
    const enter = geometry('enter');
    expect(enter.arrow.some(nearBorder), `arrow ${JSON.stringify(enter.arrow)}`).toBe(true);
    expect([...enter.path, ...enter.arrow].filter(inside)).toEqual([]);
  });

  it('an edge to a state inside the compound state starts inside its cluster', async () => {
    const { inside, geometry } = await layout();
    expect(inside(geometry('inner').path[0]!)).toBe(true);
  });
});

describe('what is drawn', () => {
  const machine = setup({ guards: { g: () => true }, actions: { note: () => {} }, delays: { soon: 10 } }).createMachine({
    id: 'shapes',
    type: 'parallel',
    states: {
      left: {
        initial: 'x',
        states: {
          x: { on: { go: [{ target: 'y', guard: 'g', actions: 'note' }, { target: 'y', guard: 'g' }], stay: { actions: 'note' } } },
          y: { after: { soon: 'z' } },
          z: { always: 'done' },
          done: { type: 'final' },
        },
      },
      right: {
        initial: 'u',
        states: {
          u: { on: { back: 'v' } },
          v: { initial: 'v1', states: { v1: { on: { out: '#shapes.right.hist' } } } },
          hist: { type: 'history', history: 'deep' },
        },
      },
    },
  });

  it('edges: an identical transition once, none for a stay, delays and eventless named like statecharts.md', async () => {
    const { groups } = parseSvg(await renderStatechartSvg(machine));
    expect(transitionEdges(groups).map((g) => g.texts.join(' ')).sort()).toEqual(['(always)', 'after soon', 'back', 'go [g]', 'out']);
  });

  it('a parallel state is a marked cluster, its regions dashed clusters, a history state a circle', async () => {
    const dot = statechartDot(machine);
    const { groups } = parseSvg(await renderStatechartSvg(machine));
    const byId = (id: string) => groups.find((g) => g.id === id);
    expect(byId('state:left')?.classes).toEqual(['cluster', 'state', 'region']);
    expect(byId('state:right.v')?.classes).toEqual(['cluster', 'state']);
    expect(dot).toMatch(/"cluster:left" \{\n\s+graph \[id="state:left", label="left", style="rounded,dashed"/);
    expect(byId('state:right.hist')?.texts).toEqual(['H*']);
    expect(byId('state:right.hist')?.ellipses).toBe(1);
    expect(byId('state:left.done')?.classes).toEqual(['node', 'state', 'final']);
  });

  it('a nested parallel state is labelled as parallel', async () => {
    const nested = createMachine({ id: 'n', initial: 'p', states: { p: { type: 'parallel', states: { r1: { initial: 'a', states: { a: {} } }, r2: { initial: 'b', states: { b: {} } } } } } });
    const { groups } = parseSvg(await renderStatechartSvg(nested));
    const p = groups.find((g) => g.id === 'state:p');
    expect(p?.texts[0]).toBe('p (parallel)');
    expect(p?.classes).toEqual(['cluster', 'state', 'parallel']);
  });
});

describe('refusals', () => {
  it('two states that would share an id are an error, not one merged node', () => {
    const clash = createMachine({ id: 'clash', initial: 'a', states: { a: { initial: 'b', states: { b: {} } }, 'a.b': {} } });
    expect(() => statechartDot(clash)).toThrow(/"a\.b"/);
  });

  it('renderDotToSvg rejects DOT that Graphviz cannot read, and a drawing Graphviz warns about', async () => {
    await expect(renderDotToSvg('digraph { a -> }')).rejects.toThrow(/Graphviz could not render/);
    await expect(renderDotToSvg('digraph { compound=true; a -> b [ltail="cluster_missing"] }')).rejects.toThrow(/warning/);
    await expect(renderDotToSvg('digraph { a -> b }')).resolves.toContain('<svg');
  });
});
