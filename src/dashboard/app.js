// The dashboard page: follows the live feed, keeps the views fresh (a view is fetched again when
// an actor of its kind changes state, and every few seconds for progress and rates), and routes
// the person's choices and actions.
import { get, operatorName, setOperatorName, setToken, whenUnauthorized } from './api.js';
import { renderAssociations } from './associations-view.js';
import { renderAudit } from './audit-view.js';
import { renderDetail } from './detail-view.js';
import { h, show } from './dom.js';
import { renderJobs } from './jobs-view.js';
import { followLiveFeed } from './live.js';
import { renderRobots } from './robots-view.js';
import { drawStatechart, renderHistory } from './statechart-view.js';
import { deadlineText, renderStudies } from './studies-view.js';

const $ = (id) => document.getElementById(id);

const page = {
  /** Live actors by id, as the feed last told. */
  actors: new Map(),
  /** The actor whose statechart is shown, and its last known state (kept after it ends). */
  selected: 'publisher',
  selectedView: null,
  /** The study or job whose details are shown. */
  chosen: null,
  /** Each actor's states as the feed told them since the page opened (newest last, bounded). */
  history: new Map(),
};

const HISTORY_LENGTH = 50;

function remember(actor) {
  const path = page.history.get(actor.id) ?? [];
  const leaf = actor.status === 'active' ? actor.state.at(-1) ?? '' : actor.status;
  if (path.at(-1)?.state !== leaf) path.push({ state: leaf, atMs: actor.atMs });
  if (path.length > HISTORY_LENGTH) path.splice(0, path.length - HISTORY_LENGTH);
  page.history.set(actor.id, path);
}

function drawSelected() {
  void drawStatechart($('statechart'), $('actor-state'), page.selectedView);
  renderHistory($('actor-history'), page.history.get(page.selected) ?? []);
}

function say(text, isError = false) {
  const box = $('message');
  box.hidden = false;
  box.className = isError ? 'error' : 'ok';
  box.textContent = text;
}

/** Runs an action; its refusal is shown in the publisher's words, and every view is refreshed. */
async function act(done, run) {
  try {
    await run();
    say(done);
  } catch (err) {
    say(err.message, true);
  }
  schedule(Object.keys(REFRESH));
}

function select(actorId) {
  page.selected = actorId;
  page.selectedView = page.actors.get(actorId) ?? null;
  updateActorSelect();
  drawSelected();
  $('statechart-panel').scrollIntoView({ block: 'nearest' });
}

function choose(chosen) {
  page.chosen = chosen;
  select(`${chosen.kind}:${chosen.id}`);
  schedule(['detail', 'studies', 'jobs']);
}

const context = { act, select, choose, get chosen() { return page.chosen ? `${page.chosen.kind}:${page.chosen.id}` : null; } };

function query(input) {
  const q = input.value.trim();
  return q === '' ? '' : `?q=${encodeURIComponent(q)}`;
}

const REFRESH = {
  robots: async () => renderRobots($('robots'), (await get('/api/robots')).robots, context),
  associations: async () => renderAssociations($('associations'), (await get('/api/associations')).associations, context),
  studies: async () => renderStudies($('studies'), (await get(`/api/studies${query($('studies-search'))}`)).studies, context),
  jobs: async () => renderJobs($('jobs'), (await get(`/api/jobs${query($('jobs-search'))}`)).jobs, context),
  audit: async () => renderAudit($('audit'), (await get('/api/audit?limit=30')).audit),
  detail: async () => renderDetail($('detail'), page.chosen, context),
};

const due = new Set();
const running = new Set();
let timer = null;

/** Fetches the named views again soon; a burst of changes is one fetch per view. */
function schedule(views) {
  for (const view of views) due.add(view);
  timer ??= setTimeout(flush, 150);
}

function flush() {
  timer = null;
  for (const view of [...due]) {
    if (running.has(view)) continue;
    due.delete(view);
    running.add(view);
    REFRESH[view]()
      .catch((err) => {
        if (err.status !== 401) say(`${view}: ${err.message}`, true);
      })
      .finally(() => {
        running.delete(view);
        if (due.has(view)) schedule([]);
      });
  }
}

/** Which views an actor's change affects. */
function viewsFor(actorId) {
  if (actorId.startsWith('robot:')) return ['robots', 'jobs', 'detail'];
  if (actorId.startsWith('job:')) return ['jobs', 'robots', 'detail', 'audit'];
  if (actorId.startsWith('study:')) return ['studies', 'detail', 'audit'];
  if (actorId.startsWith('association:')) return ['associations', 'studies'];
  return ['studies', 'jobs'];
}

function updateActorSelect() {
  const ids = [...page.actors.keys()].sort();
  if (!ids.includes(page.selected)) ids.unshift(page.selected);
  const box = $('actor-select');
  const current = [...box.options].map((option) => option.value);
  if (current.join('\n') !== ids.join('\n')) box.replaceChildren(...ids.map((id) => h('option', { value: id }, id)));
  box.value = page.selected;
}

function onActors(actors, { full }) {
  if (full) page.actors.clear();
  const views = new Set(full ? Object.keys(REFRESH) : []);
  for (const actor of actors) {
    remember(actor);
    if (actor.status === 'active') page.actors.set(actor.id, actor);
    else page.actors.delete(actor.id);
    if (actor.id === page.selected) page.selectedView = actor;
    for (const view of viewsFor(actor.id)) views.add(view);
  }
  if (page.selectedView === null) page.selectedView = page.actors.get(page.selected) ?? null;
  updateActorSelect();
  drawSelected();
  schedule([...views]);
}

function onConnection(state) {
  const badge = $('connection');
  badge.textContent = state === 'live' ? 'live' : state === 'unauthorized' ? 'sign in needed' : 'reconnecting…';
  badge.className = `badge ${state === 'live' ? 'good' : 'warn'}`;
  badge.dataset.connection = state;
}

function start() {
  const operator = $('operator');
  operator.value = operatorName();
  operator.addEventListener('change', () => setOperatorName(operator.value.trim()));

  let tokenTried = false;
  whenUnauthorized(() => {
    $('login').hidden = false;
    $('login-error').textContent = tokenTried ? 'That token was not accepted.' : '';
  });
  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    tokenTried = true;
    setToken($('token').value.trim());
    $('login').hidden = true;
    schedule(Object.keys(REFRESH));
  });

  // The chart fits the panel; at actual size it scrolls, with the actor's state brought into view.
  $('zoom').addEventListener('click', () => {
    const zoomed = $('statechart').classList.toggle('actual-size');
    $('zoom').setAttribute('aria-pressed', String(zoomed));
    $('zoom').textContent = zoomed ? 'Fit to panel' : 'Actual size';
    if (zoomed) $('statechart').querySelector('g.leaf')?.scrollIntoView({ block: 'center', inline: 'center' });
  });

  $('actor-select').addEventListener('change', (event) => select(event.target.value));
  $('studies-search').addEventListener('input', () => schedule(['studies']));
  $('jobs-search').addEventListener('input', () => schedule(['jobs']));

  // Countdowns tick in the page; progress, rates and bins are fetched again every two seconds.
  setInterval(() => {
    for (const cell of document.querySelectorAll('[data-deadline-ms]')) {
      const ms = Number(cell.dataset.deadlineMs);
      if (cell.dataset.deadlineMs !== '' && Number.isFinite(ms)) cell.textContent = deadlineText(ms);
    }
  }, 1000);
  setInterval(() => schedule(['robots', 'jobs', 'associations']), 2000);

  followLiveFeed({ onActors, onConnection });
  schedule(Object.keys(REFRESH));
  show($('statechart'), h('p', { class: 'hint' }, 'Waiting for the live feed…'));
}

start();
