// Small DOM helpers. Every text goes in through textContent, never as HTML: patient names and
// anything else from the publisher can hold any characters.

/** h('td', { class: 'x', dataset: { field: 'state' } }, 'text', child) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces an element's children. */
export function show(container, ...children) {
  container.replaceChildren(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
}

export function table(headings, rows, emptyText) {
  if (rows.length === 0) return h('p', { class: 'hint' }, emptyText);
  return h('table', {}, h('thead', {}, h('tr', {}, headings.map((text) => h('th', {}, text)))), h('tbody', {}, rows));
}

export function time(ms) {
  return ms === null || ms === undefined ? '' : new Date(ms).toLocaleString();
}

export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function bytes(n) {
  if (!Number.isFinite(n)) return '';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** A progress bar with its percentage as text, for burn and verify. */
export function progressBar(pct, label) {
  const clamped = Math.max(0, Math.min(100, Math.round(pct)));
  return h('span', { class: 'progress', title: `${label} ${clamped}%` },
    h('progress', { max: '100', value: String(clamped) }), ` ${label} ${clamped}%`);
}

/** A button for an action; a second click within a few seconds confirms a destructive one. */
export function actionButton(label, action, run, { confirm = false, disabled = false } = {}) {
  const button = h('button', { type: 'button', dataset: { action }, disabled });
  button.textContent = label;
  let armed = null;
  button.addEventListener('click', () => {
    if (confirm && armed === null) {
      button.textContent = `Really ${label.toLowerCase()}?`;
      armed = setTimeout(() => {
        armed = null;
        button.textContent = label;
      }, 4000);
      return;
    }
    if (armed !== null) clearTimeout(armed);
    armed = null;
    button.textContent = label;
    run();
  });
  return button;
}
