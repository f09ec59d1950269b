// The studies: each with its patient, state, received count and, while it settles, the time left
// of its quiet period (counted down in the page between refreshes). Choosing one opens its details.
import { duration, h, show, table } from './dom.js';
import { stateBadge } from './words.js';

function shortUid(uid) {
  return uid.length > 24 ? `…${uid.slice(-20)}` : uid;
}

/** Time left until the quiet period ends, as text; the page ticks these every second. */
export function deadlineText(deadlineMs) {
  return deadlineMs === null || deadlineMs === undefined ? '' : `publishes in ${duration(deadlineMs - Date.now())}`;
}

export function renderStudies(container, studies, { choose, chosen }) {
  const rows = studies.map((study) =>
    h('tr', {
      dataset: { studyUid: study.studyInstanceUid },
      class: chosen === `study:${study.studyInstanceUid}` ? 'chosen' : '',
      tabindex: '0',
      onclick: () => choose({ kind: 'study', id: study.studyInstanceUid }),
      onkeydown: (event) => event.key === 'Enter' && choose({ kind: 'study', id: study.studyInstanceUid }),
    },
    h('td', { title: study.studyInstanceUid }, shortUid(study.studyInstanceUid)),
    h('td', { dataset: { field: 'patient' } }, study.patientName ?? '', h('br'), h('small', {}, study.patientId ?? 'no Patient ID')),
    h('td', {}, study.accessionNumber ?? ''),
    h('td', {}, stateBadge(study.state), study.holdReasons.length > 0 ? h('small', { class: 'why' }, study.holdReasons.map((r) => r.message).join('; ')) : null),
    h('td', { dataset: { field: 'received' } }, `${study.instances}`, study.lateArrivals > 0 ? ` (+${study.lateArrivals} late)` : ''),
    h('td', { dataset: { field: 'deadline', deadlineMs: study.quietDeadlineMs ?? '' } }, deadlineText(study.quietDeadlineMs))));
  show(container, table(['Study', 'Patient', 'Accession', 'State', 'Images', 'Quiet period'], rows, 'No study yet.'));
}
