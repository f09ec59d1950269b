// DOT → SVG with Graphviz compiled to WebAssembly (@viz-js/viz: nothing downloaded, nothing spawned).
// The server serves these SVGs to the dashboard and scripts/gen-docs.ts writes them to docs/diagrams/.
import { instance, type Viz } from '@viz-js/viz';
import type { AnyStateMachine } from 'xstate';
import { diagramMachine } from './machines.ts';
import { statechartDot } from './statechart-dot.ts';

// Starting the wasm module takes a while, so one instance is made on first use and kept.
let vizInstance: Promise<Viz> | undefined;

function viz(): Promise<Viz> {
  vizInstance ??= instance().catch((error: unknown) => {
    vizInstance = undefined; // let the next call try again
    throw error;
  });
  return vizInstance;
}

/**
 * The SVG Graphviz draws for `dot`. Any message from Graphviz fails it: a warning here means a
 * diagram drawn wrongly (e.g. an edge that cannot be clipped at its cluster), which should not be published.
 * The DOCTYPE is dropped so the document names no external resource (its DTD URL).
 */
export async function renderDotToSvg(dot: string): Promise<string> {
  const result = (await viz()).render(dot, { format: 'svg', engine: 'dot' });
  if (result.status !== 'success' || result.errors.length > 0) {
    const messages = result.errors.map((e) => `${e.level ?? 'error'}: ${e.message.trim()}`).join('; ');
    throw new Error(`Graphviz could not render the diagram cleanly: ${messages || 'no output'}`);
  }
  return result.output.replace(/<!DOCTYPE[^>]*>\n?/, '');
}

/** The drawing's size in points, from the root <svg width=".." height="..">. */
function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg);
  if (!match) throw new Error('Graphviz SVG without a width and height in points');
  return { width: Number(match[1]), height: Number(match[2]) };
}

/**
 * The machine's statechart as SVG, rendered anew each call. Drawn both top to bottom and left to
 * right, and the one whose longer side is shorter is kept: machines differ (a long chain of states
 * reads best top to bottom, many sibling states left to right), and this needs no tuning per machine.
 */
export async function renderStatechartSvg(machine: AnyStateMachine): Promise<string> {
  const candidates = [await renderDotToSvg(statechartDot(machine, 'TB')), await renderDotToSvg(statechartDot(machine, 'LR'))];
  const longerSide = (svg: string) => Math.max(svgSize(svg).width, svgSize(svg).height);
  return candidates.reduce((best, svg) => (longerSide(svg) < longerSide(best) ? svg : best));
}

// Definitions do not change while the process runs, so each machine is rendered once.
const rendered = new Map<string, Promise<string>>();

/** The statechart SVG of the machine whose id is `machineId`; throws for a machine not drawn (see DIAGRAM_MACHINE_IDS). */
export function renderMachineSvg(machineId: string): Promise<string> {
  const machine = diagramMachine(machineId);
  if (!machine) return Promise.reject(new Error(`no statechart diagram for machine ${JSON.stringify(machineId)}`));
  let svg = rendered.get(machineId);
  if (!svg) {
    svg = renderStatechartSvg(machine);
    svg.catch(() => rendered.delete(machineId));
    rendered.set(machineId, svg);
  }
  return svg;
}
