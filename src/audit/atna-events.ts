// Which ATNA event and outcome an audit-trail action (adapters/db/audit.ts) becomes in the security
// audit log. The trail names what happened finely; ATNA groups it: a disc and its job are an Export,
// instances received a DICOM Instances Transferred, a purge a DICOM Study Deleted, an operator's
// decision on a study a DICOM Instances Accessed. Robot and simulator actions have no ATNA event.
import type { AtnaEvent, AuditOutcome } from './audit-record.ts';

export interface EventClass {
  event: AtnaEvent | null;
  outcome: AuditOutcome;
}

/** Outcomes other than success, by the trail's action. */
const FAILURES: Readonly<Record<string, AuditOutcome>> = {
  'disc.rejected': 'seriousFailure',
  'disc.unverified': 'seriousFailure',
  'disc.cancelled': 'minorFailure',
  'disc.interrupted': 'minorFailure',
  'job.failed': 'seriousFailure',
  'job.cancelled': 'minorFailure',
  'job.withdrawn': 'minorFailure',
  'study.held': 'minorFailure',
};

function eventOf(action: string): AtnaEvent | null {
  if (action === 'instances.received') return 'DICOM Instances Transferred';
  if (action === 'study.purged') return 'DICOM Study Deleted';
  if (action === 'study.published' || action.startsWith('disc.') || action.startsWith('job.')) return 'Export';
  if (action.startsWith('study.')) return 'DICOM Instances Accessed';
  return null;
}

export function classifyTrailAction(action: string): EventClass {
  return { event: eventOf(action), outcome: FAILURES[action] ?? 'success' };
}
