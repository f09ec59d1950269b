// The job queue and history: what each disc job is doing, for which study, on which robot, its
// copies, the burn and verify progress, and the fault it is paused on with its hint.
import { h, progressBar, show, table, time } from './dom.js';
import { stateBadge } from './words.js';

export function renderJobs(container, jobs, { choose, chosen }) {
  const rows = jobs.map((job) =>
    h('tr', {
      dataset: { jobId: job.jobId, studyUid: job.studyInstanceUid ?? '' },
      class: chosen === `job:${job.jobId}` ? 'chosen' : '',
      tabindex: '0',
      onclick: () => choose({ kind: 'job', id: job.jobId }),
      onkeydown: (event) => event.key === 'Enter' && choose({ kind: 'job', id: job.jobId }),
    },
    h('td', {}, job.jobId, h('br'), h('small', {}, job.kind)),
    h('td', {}, stateBadge(job.state)),
    h('td', { dataset: { field: 'robot' } }, job.robot ?? ''),
    h('td', { dataset: { field: 'copies' } }, `${job.copiesDone} / ${job.copies}`, job.media ? h('br') : null, job.media ? h('small', {}, job.media) : null),
    h('td', { dataset: { field: 'progress' } }, job.progress ? progressBar(job.progress.pct, job.progress.phase) : ''),
    h('td', { dataset: { field: 'pause' } }, job.pause ? h('span', { class: 'why' }, `${job.pause.name}: ${job.pause.hint}`) : (job.reason ?? '')),
    h('td', {}, time(job.createdAtMs))));
  show(container, table(['Job', 'State', 'Robot', 'Copies', 'Progress', 'Paused or why', 'Created'], rows, 'No disc job yet.'));
}
