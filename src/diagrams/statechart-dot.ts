// A machine definition as Graphviz DOT: atomic states are nodes, compound states clusters (parallel
// ones and their regions marked), every transition with a target an edge labelled like
// docs/statecharts.md (event, then [guard] on a second line to keep the drawing narrow). The SVG
// rendered from it carries the dashboard's id convention: each state's <g> has
// id="state:<dotted path>" and nothing else has a `state:` id.
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { eventName, guardName } from '../docs/transition-labels.ts';

// "Helvetica" is a font Graphviz has metrics for (so boxes fit their text) and it writes it to the
// SVG as font-family="Helvetica,sans-Serif": a generic family, nothing is loaded.
const FONT = 'Helvetica';

/**
 * A DOT double-quoted string: backslashes doubled (Graphviz reads `\N`, `\l`... as escapes), quotes
 * escaped, and `&` written `&amp;` because Graphviz copies anything that looks like an entity (`&lt;`)
 * into the SVG as it stands, so a name containing one would come out changed. (Node names, shown
 * only as the SVG <title> tooltip, are not unescaped by Graphviz: a `\` there shows doubled.)
 */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/&/g, '&amp;').replace(/\r\n|\r|\n/g, '\\n')}"`;
}

function attributes(attrs: Record<string, string | number | undefined>): string {
  const parts = Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'number' ? value : dotString(value)}`);
  return parts.length > 0 ? ` [${parts.join(', ')}]` : '';
}

/**
 * DOT names of the nodes that are not states (they show as the <title> of their SVG <g>); a state's
 * node is named by its dotted path. Exported so tests can tell which state an edge starts or ends at.
 */
export const ROOT_INITIAL_NODE = '[*]';
export const ANY_STATE_NODE = '(any state)';
export const clusterAnchorNode = (dottedPath: string): string => `[*] ${dottedPath}`;

function children(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states as Record<string, AnyStateNode>);
}

const isRoot = (node: AnyStateNode) => node.path.length === 0;
const isCluster = (node: AnyStateNode) => !isRoot(node) && (node.type === 'compound' || node.type === 'parallel');
const dotted = (node: AnyStateNode) => node.path.join('.');
/** True when `node` is `ancestor` or lies inside it. */
const within = (node: AnyStateNode, ancestor: AnyStateNode) => ancestor.path.every((key, i) => node.path[i] === key);

function allTransitions(node: AnyStateNode): AnyTransitionDefinition[] {
  // Eventless (always) transitions are kept apart from node.transitions by XState.
  return [...[...(node.transitions as Map<string, AnyTransitionDefinition[]>).values()].flat(), ...((node.always ?? []) as AnyTransitionDefinition[])];
}

/** The edge label: the event as docs/statecharts.md names it, and the guard in brackets below it. */
export function transitionLabel(t: AnyTransitionDefinition): string {
  const guard = guardName(t);
  return `${eventName(t.eventType)}${guard ? `\n[${guard}]` : ''}`;
}

/** DOT names of the graph's nodes; a clash (e.g. a state key containing a dot) is an error, not a merged node. */
class NodeNames {
  private readonly taken = new Set<string>();

  claim(name: string): string {
    if (this.taken.has(name)) throw new Error(`statechart: two diagram nodes would be named ${JSON.stringify(name)}`);
    this.taken.add(name);
    return name;
  }
}

/** Where edges start and end for each state: an atomic state's own node, a cluster's anchor point. */
interface Endpoint {
  readonly node: string;
  readonly cluster?: string;
}

class StatechartDot {
  private readonly lines: string[] = [];
  private readonly edges: string[] = [];
  private readonly endpoints = new Map<AnyStateNode, Endpoint>();
  private readonly names = new NodeNames();
  private readonly stateIds = new Set<string>();
  private anyState: Endpoint | undefined;

  constructor(
    private readonly machine: AnyStateMachine,
    private readonly direction: RankDirection,
  ) {}

  render(): string {
    const root = this.machine.root as AnyStateNode;
    this.lines.push(
      `digraph ${dotString(this.machine.id)} {`,
      `  graph${attributes({ compound: 'true', rankdir: this.direction, newrank: 'true', fontname: FONT, fontsize: 16, label: this.machine.id, labelloc: 't', labeljust: 'l', nodesep: 0.35, ranksep: 0.5, pad: 0.2 })};`,
      `  node${attributes({ fontname: FONT, fontsize: 11, shape: 'box', style: 'rounded', height: 0.35, margin: '0.12,0.04' })};`,
      `  edge${attributes({ fontname: FONT, fontsize: 9, arrowsize: 0.7 })};`,
    );
    // Only a compound root has an initial state; otherwise the point is kept, invisible, as an anchor.
    const rootPoint = root.type === 'compound' ? { shape: 'point', width: 0.12, class: 'initial' } : { shape: 'point', style: 'invis', width: 0.01 };
    this.endpoints.set(root, { node: this.names.claim(ROOT_INITIAL_NODE) });
    this.lines.push(`  ${dotString(ROOT_INITIAL_NODE)}${attributes(rootPoint)};`);
    this.addChildren(root, '  ');
    this.addInitialEdge(root);
    this.addTransitions(root);
    return [...this.lines, ...this.edges, '}', ''].join('\n');
  }

  private addChildren(parent: AnyStateNode, indent: string): void {
    for (const child of children(parent)) {
      if (isCluster(child)) this.addCluster(parent, child, indent);
      else this.addStateNode(child, indent);
    }
  }

  private stateId(node: AnyStateNode): string {
    const id = `state:${dotted(node)}`;
    if (this.stateIds.has(id)) throw new Error(`statechart ${this.machine.id}: two states have the id ${JSON.stringify(id)}`);
    this.stateIds.add(id);
    return id;
  }

  private addStateNode(node: AnyStateNode, indent: string): void {
    const name = this.names.claim(dotted(node));
    this.endpoints.set(node, { node: name });
    const key = node.key as string;
    const shape =
      node.type === 'final'
        ? { peripheries: 2, class: 'state final' }
        : node.type === 'history'
          ? { label: node.history === 'deep' ? 'H*' : 'H', shape: 'circle', style: 'solid', width: 0.3, fixedsize: 'true', class: 'state history' }
          : { class: 'state' };
    this.lines.push(`${indent}${dotString(name)}${attributes({ id: this.stateId(node), label: key, ...shape })};`);
  }

  private addCluster(parent: AnyStateNode, node: AnyStateNode, indent: string): void {
    const cluster = `cluster:${dotted(node)}`;
    const isRegion = parent.type === 'parallel';
    const label = node.type === 'parallel' ? `${node.key as string} (parallel)` : (node.key as string);
    const style = isRegion ? 'rounded,dashed' : node.type === 'parallel' ? 'rounded,bold' : 'rounded';
    const classes = ['state', node.type === 'parallel' ? 'parallel' : '', isRegion ? 'region' : ''].filter(Boolean).join(' ');
    this.lines.push(`${indent}subgraph ${dotString(cluster)} {`);
    this.lines.push(`${indent}  graph${attributes({ id: this.stateId(node), label, style, class: classes, fontsize: 12, margin: 10 })};`);
    // Edges from or to the state attach to its cluster through this point (ltail/lhead clip them at
    // the border). It is the initial-state marker; a parallel state has none, so it gets an invisible one.
    const anchor = this.names.claim(clusterAnchorNode(dotted(node)));
    this.endpoints.set(node, { node: anchor, cluster });
    const anchorStyle = node.type === 'parallel' ? { shape: 'point', style: 'invis', width: 0.01 } : { shape: 'point', width: 0.1, class: 'initial' };
    this.lines.push(`${indent}  ${dotString(anchor)}${attributes(anchorStyle)};`);
    this.addChildren(node, `${indent}  `);
    this.lines.push(`${indent}}`);
    this.addInitialEdge(node);
  }

  private endpoint(node: AnyStateNode): Endpoint {
    const endpoint = this.endpoints.get(node);
    if (!endpoint) throw new Error(`statechart ${this.machine.id}: no diagram node for state ${JSON.stringify(dotted(node))}`);
    return endpoint;
  }

  /** An edge; Graphviz can only clip at a cluster the other end lies outside of. */
  private addEdge(source: AnyStateNode, target: AnyStateNode, attrs: Record<string, string | undefined>, from = this.endpoint(source)): void {
    const to = this.endpoint(target);
    const ltail = from.cluster && !within(target, source) ? from.cluster : undefined;
    const lhead = to.cluster && !within(source, target) ? to.cluster : undefined;
    this.edges.push(`  ${dotString(from.node)} -> ${dotString(to.node)}${attributes({ ...attrs, ltail, lhead })};`);
  }

  private addInitialEdge(node: AnyStateNode): void {
    if (node.type !== 'compound') return;
    for (const target of node.initial.target as AnyStateNode[]) this.addEdge(node, target, { class: 'initial' });
  }

  /** Every transition with a target, once per (source, target, label); targetless ones (stays) are not drawn. */
  private addTransitions(root: AnyStateNode): void {
    const drawn = new Set<string>();
    const visit = (node: AnyStateNode) => {
      for (const t of allTransitions(node)) {
        const label = transitionLabel(t);
        for (const target of (t.target ?? []) as AnyStateNode[]) {
          const key = JSON.stringify([dotted(node), dotted(target), label]);
          if (drawn.has(key)) continue;
          drawn.add(key);
          const from = isRoot(node) ? this.anyStateNode() : undefined;
          this.addEdge(node, target, { label, class: 'transition' }, from);
        }
      }
      children(node).forEach(visit);
    };
    visit(root);
  }

  /** A transition of the root applies in every state: drawn from an "any state" box outside all clusters. */
  private anyStateNode(): Endpoint {
    if (!this.anyState) {
      this.anyState = { node: this.names.claim(ANY_STATE_NODE) };
      this.lines.push(`  ${dotString(this.anyState.node)}${attributes({ style: 'dashed,rounded', class: 'any-state' })};`);
    }
    return this.anyState;
  }
}

/** Graphviz rankdir: states laid out top to bottom or left to right. */
export type RankDirection = 'TB' | 'LR';

/** The machine's statechart as DOT text; the same definition always gives the same text. */
export function statechartDot(machine: AnyStateMachine, direction: RankDirection = 'TB'): string {
  return new StatechartDot(machine, direction).render();
}
