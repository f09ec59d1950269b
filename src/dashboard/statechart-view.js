// The chosen actor's statechart, drawn from its machine's definition (an SVG the server renders
// with Graphviz), with the states the actor is in now highlighted. Each state's group in the SVG
// has the id "state:<dotted path>"; the live feed names the active paths.
import { h, show, time } from './dom.js';
import { stateWords } from './words.js';

const drawings = new Map();
let drawnMachine = null;

function drawingOf(machine) {
  if (!drawings.has(machine)) {
    drawings.set(machine, fetch(`/dashboard/diagrams/${encodeURIComponent(machine)}.svg`, { cache: 'no-store' })
      .then((response) => {
        if (!response.ok) throw new Error(`no statechart for ${machine} (${response.status})`);
        return response.text();
      })
      .then((text) => new DOMParser().parseFromString(text, 'image/svg+xml').documentElement)
      .catch((err) => {
        drawings.delete(machine);
        throw err;
      }));
  }
  return drawings.get(machine);
}

/** Shows the actor's machine (fetched once per machine) and marks its active states. */
export async function drawStatechart(container, label, actor) {
  if (!actor) {
    drawnMachine = null;
    show(label, '');
    show(container, h('p', { class: 'hint' }, 'Choose an actor to see its statechart.'));
    return;
  }
  const leaf = actor.state.at(-1) ?? '';
  show(label, h('span', { dataset: { actor: actor.id, state: leaf, status: actor.status } },
    `${actor.id} is ${actor.status === 'active' ? stateWords(leaf) : actor.status}`));
  if (drawnMachine !== actor.machine) {
    try {
      const svg = await drawingOf(actor.machine);
      show(container, document.importNode(svg, true));
      drawnMachine = actor.machine;
    } catch (err) {
      show(container, h('p', { class: 'error' }, err.message));
      return;
    }
  }
  const active = new Set(actor.state.map((path) => `state:${path}`));
  for (const group of container.querySelectorAll('g[id^="state:"]')) {
    group.classList.toggle('active', active.has(group.id));
    group.classList.toggle('leaf', group.id === `state:${leaf}`);
  }
}

/** The actor's states in the order the feed told them: a job's way through burning, a robot's errors. */
export function renderHistory(list, path) {
  show(list, path.map((step) => h('li', { dataset: { state: step.state } }, h('small', {}, time(step.atMs)), ' ', stateWords(step.state) || step.state)));
}
