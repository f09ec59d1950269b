// The chosen study or job in full, with what a person can do to it. Every action is a request to
// the publisher API, which records it in the audit trail under the operator's name.
import { get, post, segment } from './api.js';
import { actionButton, duration, h, show, table, time } from './dom.js';
import { deadlineText } from './studies-view.js';
import { stateBadge } from './words.js';

function field(label, value, name) {
  return value === null || value === undefined || value === '' ? [] : [h('dt', {}, label), h('dd', { dataset: { field: name } }, value)];
}

function studyDetail(study, { act, select }) {
  const uid = study.studyInstanceUid;
  const path = `/api/studies/${segment(uid)}`;
  const reason = h('input', { dataset: { input: 'hold-reason' }, maxlength: '500', placeholder: 'why (for the audit trail)', 'aria-label': 'Hold reason' });
  const waiting = study.state === 'collecting' || study.state === 'settling';
  const releasable = study.state === 'held' || study.state === 'failed';
  return h('article', { dataset: { detail: 'study', studyUid: uid } },
    h('h3', {}, study.patientName ?? '(no name)', ' ', stateBadge(study.state)),
    h('dl', {},
      field('Patient ID', study.patientId, 'patient-id'),
      field('Study', study.studyInstanceUid, 'study-uid'),
      field('Accession', study.accessionNumber, 'accession'),
      field('Description', study.studyDescription, 'description'),
      field('Date', study.studyDate, 'date'),
      field('Images', String(study.instances), 'received'),
      field('Not on a disc yet', String(study.unpublished), 'unpublished'),
      study.quietDeadlineMs === null ? [] : [h('dt', {}, 'Quiet period'), h('dd', { dataset: { field: 'deadline', deadlineMs: study.quietDeadlineMs } }, deadlineText(study.quietDeadlineMs))],
      field('Route', study.route, 'route'),
      field('Files purged', study.purged ? 'yes (no re-burn possible)' : '', 'purged')),
    study.holdReasons.length > 0
      ? h('div', { class: 'fault', dataset: { field: 'hold-reasons' } }, h('strong', {}, 'Held: '), study.holdReasons.map((r) => h('p', {}, r.message)),
        study.operatorHold ? h('p', { dataset: { field: 'operator-hold' } }, `${study.operatorHold.by} at ${time(study.operatorHold.atMs)}: ${study.operatorHold.why}`) : null)
      : null,
    h('div', { class: 'actions' },
      waiting ? actionButton('Release now', 'release-now', () => act('Released now', () => post(`${path}/release-now`))) : null,
      releasable ? actionButton('Release', 'release', () => act('Released', () => post(`${path}/release`))) : null,
      !releasable && study.state !== 'published' ? h('span', { class: 'row' }, reason,
        actionButton('Hold', 'hold', () => act('Held', () => post(`${path}/hold`, { reason: reason.value.trim() || 'held from the dashboard' })))) : null,
      h('button', { type: 'button', dataset: { action: 'show-statechart' }, onclick: () => select(`study:${uid}`) }, 'Statechart')),
    h('h4', {}, 'Disc jobs'),
    table(['Job', 'Kind', 'State', 'Copies'], study.jobs.map((job) => h('tr', {}, h('td', {}, job.jobId), h('td', {}, job.kind), h('td', {}, stateBadge(job.state)), h('td', {}, `${job.copiesDone} / ${job.copies}`))), 'None yet.'));
}

function jobDetail(job, { act, select }) {
  const id = job.jobId;
  const path = `/api/jobs/${segment(id)}`;
  const copies = h('input', { type: 'number', min: '1', max: '20', value: String(job.copies), dataset: { input: 'reburn-copies' }, 'aria-label': 'Copies' });
  const finished = ['done', 'failed', 'cancelled', 'interrupted'].includes(job.state);
  return h('article', { dataset: { detail: 'job', jobId: id } },
    h('h3', {}, `Job ${id} `, stateBadge(job.state)),
    h('dl', {},
      field('Kind', job.kind, 'kind'),
      field('Study', job.studyInstanceUid, 'study-uid'),
      field('Robot', job.robot, 'robot'),
      field('Media', job.media, 'media'),
      field('Copies', `${job.copiesDone} of ${job.copies} done`, 'copies'),
      field('Created', time(job.createdAtMs), 'created'),
      field('Finished', job.finishedAtMs ? `${time(job.finishedAtMs)} (took ${duration(job.finishedAtMs - job.createdAtMs)})` : '', 'finished'),
      field('Why', job.reason, 'reason'),
      field('Images', String(job.instanceIds.length), 'images')),
    job.pause ? h('div', { class: 'fault', role: 'alert', dataset: { field: 'pause' } }, h('strong', {}, `Paused: ${job.pause.name}`), h('p', {}, job.pause.hint)) : null,
    h('div', { class: 'actions' },
      !finished ? actionButton('Cancel', 'cancel', () => act('Cancelled', () => post(`${path}/cancel`)), { confirm: true }) : null,
      job.state === 'failed' || job.state === 'interrupted' ? actionButton('Retry', 'retry', () => act('Retrying', () => post(`${path}/retry`))) : null,
      finished ? h('span', { class: 'row' }, copies, actionButton('Re-burn', 'reburn', () => act('Re-burn queued', () => post(`${path}/reburn`, { copies: Number(copies.value) })))) : null,
      job.state === 'done' ? actionButton('Reprint label', 'reprint', () => act('Reprint queued', () => post(`${path}/reprint`))) : null,
      h('button', { type: 'button', dataset: { action: 'show-statechart' }, onclick: () => select(`job:${id}`) }, 'Statechart')),
    h('h4', {}, 'Discs'),
    table(['Disc', 'Copy', 'Attempt', 'Outcome', 'Cause', 'Where', 'Robot', 'When'], job.discs.map((disc) =>
      h('tr', { dataset: { discId: disc.discId } },
        h('td', {}, disc.discId), h('td', {}, String(disc.copy)), h('td', {}, String(disc.attempt)),
        h('td', { dataset: { field: 'outcome' } }, disc.outcome), h('td', {}, disc.cause ?? ''), h('td', {}, disc.location ?? ''),
        h('td', {}, disc.robot ?? ''), h('td', {}, time(disc.atMs)))), 'No disc finished yet.'));
}

// What the panel shows now: redrawn only when the answer changed, so typed values survive refreshes.
let shown = '';

export async function renderDetail(container, chosen, context) {
  if (chosen === null) return;
  try {
    const path = chosen.kind === 'study' ? `/api/studies/${segment(chosen.id)}` : `/api/jobs/${segment(chosen.id)}`;
    const view = await get(path);
    const key = JSON.stringify([chosen, view]);
    if (key === shown) return;
    shown = key;
    show(container, chosen.kind === 'study' ? studyDetail(view, context) : jobDetail(view, context));
  } catch (err) {
    shown = '';
    show(container, h('p', { class: 'error' }, err.message));
  }
}
