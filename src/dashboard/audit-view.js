// The newest entries of the audit trail: who did what to which study, job or robot.
import { h, show, table, time } from './dom.js';

export function renderAudit(container, entries) {
  const rows = entries.map((entry) =>
    h('tr', {},
      h('td', {}, time(entry.atMs)),
      h('td', {}, entry.actor),
      h('td', {}, entry.action),
      h('td', {}, entry.subject)));
  show(container, table(['When', 'Who', 'What', 'Subject'], rows, 'Nothing recorded yet.'));
}
