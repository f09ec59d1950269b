// Associations in progress: who is sending, how much has arrived and how fast.
import { bytes, h, show, table } from './dom.js';
import { stateBadge } from './words.js';

export function actorIdOfAssociation(id) {
  return String(id).startsWith('association:') ? String(id) : `association:${id}`;
}

export function renderAssociations(container, associations, { select }) {
  const rows = associations.map((association) =>
    h('tr', { dataset: { associationId: association.id }, onclick: () => select(actorIdOfAssociation(association.id)) },
      h('td', {}, association.callingAeTitle ?? '', ' → ', association.calledAeTitle ?? ''),
      h('td', {}, association.peerAddress ?? ''),
      h('td', {}, stateBadge(association.state)),
      h('td', { dataset: { field: 'stored' } }, String(association.stored ?? 0), association.failed ? ` (${association.failed} failed)` : ''),
      h('td', {}, bytes(association.bytes ?? 0)),
      h('td', {}, association.ratePerSecond === undefined || association.ratePerSecond === null ? '' : `${association.ratePerSecond.toFixed(1)}/s`)));
  show(container, table(['AE titles', 'Peer', 'State', 'Received', 'Bytes', 'Rate'], rows, 'None right now.'));
}
