// One card per robot: its state and phase, the disc in hand, bins, ink, cover and drives, the
// current error with its recovery hint in plain words, and what a person can do about it. A
// simulated robot also has the simulator's controls (the operator's hands on a robot that is not
// there: faults, bins, cover, cartridges).
import { get, post, segment } from './api.js';
import { actionButton, h, progressBar, show } from './dom.js';
import { stateBadge, stateWords as stepWords } from './words.js';

const faultLists = new Map();
// The simulator controls of each robot are made once and moved into each new card, so an open
// panel and half-typed values survive the refreshes.
const controls = new Map();

async function faultsOf(robot) {
  if (!faultLists.has(robot)) {
    faultLists.set(robot, get(`/api/robots/${segment(robot)}/simulator/faults`).then((answer) => answer.faults, () => []));
  }
  return faultLists.get(robot);
}

function facts(robot) {
  const rows = [];
  const add = (label, value, field) => {
    if (value === undefined || value === null || value === '') return;
    rows.push(h('dt', {}, label), h('dd', { dataset: { field } }, value));
  };
  add('Model', robot.model, 'model');
  add('Phase', robot.phase, 'phase');
  add('Job', robot.jobId, 'job');
  if (robot.disc) {
    const disc = robot.disc;
    const where = disc.where === 'drive' && disc.drive !== null ? `in drive ${disc.drive}` : `in the ${disc.where}`;
    add('Disc', [`${disc.discId} (copy ${disc.copy}, attempt ${disc.attempt}) ${stepWords(disc.step)} ${where}${disc.paused ? ', paused' : ''}`,
      disc.progress ? h('br') : null, disc.progress ? progressBar(disc.progress.pct, disc.progress.phase) : null], 'disc');
  }
  add('Bins', robot.bins.map((bin) => `bin ${bin.bin}: ${bin.count === null ? 'not counted yet' : `${bin.count} discs`}`).join(' · '), 'bins');
  add('Cover', robot.cover, 'cover');
  add('Printer tray', robot.printerTray === null ? null : stepWords(robot.printerTray), 'printer-tray');
  if (robot.ink.length > 0) {
    add('Ink', robot.ink.map((ink) => `slot ${ink.slot} ${ink.cartridge}: ${ink.pct === null ? '?' : `${ink.pct}%`}`).join(' · '), 'ink');
  }
  if (robot.drives.length > 0) {
    add('Drives', robot.drives.map((drive) => `${drive.index}: ${drive.name} (${stepWords(drive.activity)})`).join(' · '), 'drives');
  }
  if (robot.info) add('Unit', `${robot.info.description}, firmware ${robot.info.firmware}, ${robot.info.connection}`, 'info');
  return h('dl', {}, rows);
}

function errorBox(robot, act) {
  if (!robot.error) return null;
  return h('div', { class: 'fault', dataset: { field: 'error' }, role: 'alert' },
    h('strong', {}, `${robot.error.name} (${robot.error.kind})`),
    h('p', { dataset: { field: 'hint' } }, robot.error.hint),
    // PTBurn's errors are cleared at the unit (its button), not from here.
    robot.kind === 'ptburn'
      ? h('p', { class: 'hint' }, 'PTBurn clears this at the unit: fix the cause, then press its left (Cartridge) button.')
      : actionButton('Clear error', 'clear-error', () => act('Error cleared', () => post(`/api/robots/${segment(robot.name)}/clear-error`))),
    // Ink low (SYSERR 5 to 7) is a warning: the operator may go on printing with the cartridge as it is.
    robot.error.code >= 5 && robot.error.code <= 7
      ? actionButton('Go on with low ink', 'acknowledge-ink-low', () => act('Low ink acknowledged', () => post(`/api/robots/${segment(robot.name)}/acknowledge-ink-low`)))
      : null);
}

function simulatorControls(robot, act) {
  const simulator = (body, done) => act(done, () => post(`/api/robots/${segment(robot.name)}/simulator`, body));
  const faultSelect = h('select', { dataset: { input: 'fault-code' }, 'aria-label': 'Fault' });
  const trigger = h('select', { dataset: { input: 'fault-trigger' }, 'aria-label': 'When' });
  let faults = [];
  // A fault fires now, or at the next step of the robot where it can happen (its phases).
  const offerTriggers = () => {
    const fault = faults.find((f) => f.id === faultSelect.value);
    trigger.replaceChildren(h('option', { value: 'now' }, 'now'),
      ...(fault?.phases ?? []).map((phase) => h('option', { value: `next:${phase}` }, `at the next ${phase.toLowerCase().replaceAll('_', ' ')}`)));
  };
  faultSelect.addEventListener('change', offerTriggers);
  void faultsOf(robot.name).then((list) => {
    faults = list;
    faultSelect.replaceChildren(...faults.map((fault) => h('option', { value: fault.id }, `${fault.id}: ${fault.consequence}`)));
    offerTriggers();
  });
  const bins = robot.bins.length > 0 ? robot.bins.map((bin) => bin.bin) : Array.from({ length: robot.info?.bins ?? 1 }, (_, i) => i + 1);
  const binSelect = h('select', { dataset: { input: 'fill-bin' }, 'aria-label': 'Bin' }, bins.map((index) => h('option', { value: String(index) }, `bin ${index}`)));
  const count = h('input', { type: 'number', min: '0', max: '10000', value: String(robot.info?.maxPerBin ?? 50), dataset: { input: 'fill-bin-count' }, 'aria-label': 'Discs' });
  const slot = h('input', { type: 'number', min: '1', max: '99', value: '1', dataset: { input: 'cartridge-slot' }, 'aria-label': 'Cartridge slot' });
  const cartridge = h('select', { dataset: { input: 'cartridge-type' }, 'aria-label': 'Cartridge' },
    h('option', { value: 'colour' }, 'colour'), h('option', { value: 'black' }, 'black'));
  return h('details', { class: 'simulator' },
    h('summary', {}, 'Simulator controls'),
    h('div', { class: 'row' }, faultSelect, trigger,
      actionButton('Inject fault', 'inject-fault', () => simulator({ kind: 'fault', code: faultSelect.value, trigger: trigger.value }, `Fault ${faultSelect.value} armed`))),
    h('div', { class: 'row' }, binSelect, count,
      actionButton('Fill bin', 'fill-bin', () => simulator({ kind: 'fillBin', bin: Number(binSelect.value), count: Number(count.value) }, `Bin ${binSelect.value} filled`))),
    h('div', { class: 'row' },
      actionButton('Open cover', 'cover-open', () => simulator({ kind: 'cover', open: true }, 'Cover opened')),
      actionButton('Close cover', 'cover-close', () => simulator({ kind: 'cover', open: false }, 'Cover closed'))),
    h('div', { class: 'row' }, slot, cartridge,
      actionButton('Change cartridge', 'change-cartridge', () => simulator({ kind: 'cartridge', slot: Number(slot.value), type: cartridge.value }, 'Cartridge changed'))),
  );
}

export function renderRobots(container, robots, { act, select }) {
  show(container, robots.length === 0 ? h('p', { class: 'hint' }, 'No robot is configured.') : robots.map((robot) =>
    h('article', { class: 'robot card', dataset: { robot: robot.name } },
      h('header', {},
        h('h3', {}, robot.name),
        stateBadge(robot.state),
        h('button', { type: 'button', class: 'link', dataset: { action: 'show-statechart' }, onclick: () => select(`robot:${robot.name}`) }, 'statechart')),
      errorBox(robot, act),
      facts(robot),
      robot.kind === 'sim' ? controlsOf(robot, act) : null)));
}

function controlsOf(robot, act) {
  if (!controls.has(robot.name)) controls.set(robot.name, simulatorControls(robot, act));
  return controls.get(robot.name);
}
