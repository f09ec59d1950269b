// States in plain words: the machines' names ('disc.waitingForRobot') as a radiographer reads them
// ('waiting for robot'). The exact state stays in a data-state attribute for tests and support.
import { h } from './dom.js';

export function stateWords(path) {
  if (!path) return '';
  const last = path.split('.').at(-1);
  return last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

const TONE = [
  [/^(done|published|idle)$/, 'good'],
  [/(error|failed|rejecting|interrupted)/, 'bad'],
  [/(paused|held|offline|cancel)/, 'warn'],
];

/** A state badge: plain words shown, the machine's path in data-state and the tooltip. */
export function stateBadge(path, field = 'state') {
  const tone = TONE.find(([pattern]) => pattern.test(path ?? ''))?.[1] ?? 'busy';
  return h('span', { class: `badge ${tone}`, title: path, dataset: { field, state: path ?? '' } }, stateWords(path));
}
