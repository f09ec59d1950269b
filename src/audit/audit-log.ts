// The security audit log: turns each security-relevant event into one AuditRecord and hands it to
// the destinations a site configured (the audit file, a syslog server). It implements SecurityAudit
// for the listener, the association actors and the HTTP API, and `record` for the audit-trail mirror.
import type { AuditFile } from './audit-file.ts';
import type { AuditRecord, AuditRecordInput } from './audit-record.ts';
import type {
  AssociationEnding, AssociationFacts, AssociationRefusal, AuthenticationFailure, SecurityAudit,
} from './security-audit.ts';
import { formatSyslogMessage, type SyslogIdentity } from './syslog-format.ts';
import type { SyslogSender } from './syslog-sender.ts';

export interface AuditLogOptions {
  host: string;
  file: AuditFile | null;
  syslog: { sender: SyslogSender; identity: SyslogIdentity } | null;
  now?: () => number;
}

function associationSubject(facts: AssociationFacts): string {
  return facts.associationId ?? `peer:${facts.peer.address}:${facts.peer.port}`;
}

function associationDetails(facts: AssociationFacts): Record<string, unknown> {
  return {
    peer: facts.peer,
    listener: facts.listener,
    callingAeTitle: facts.callingAeTitle ?? null,
    calledAeTitle: facts.calledAeTitle ?? null,
    tls: facts.tls,
  };
}

function modalityActor(facts: AssociationFacts): string {
  return facts.callingAeTitle ? `modality:${facts.callingAeTitle}` : `peer:${facts.peer.address}`;
}

export class SecurityAuditLog implements SecurityAudit {
  private readonly now: () => number;

  constructor(private readonly options: AuditLogOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Writes one record to every destination. Never throws: an audit destination must not stop the publisher. */
  record(input: AuditRecordInput): AuditRecord {
    const record: AuditRecord = { time: new Date(this.now()).toISOString(), host: this.options.host, ...input };
    this.options.file?.write(JSON.stringify(record));
    const syslog = this.options.syslog;
    syslog?.sender.send(formatSyslogMessage(record, syslog.identity));
    return record;
  }

  associationAccepted(facts: AssociationFacts): void {
    this.record({
      event: 'Begin Transferring DICOM Instances', action: 'association.accepted', outcome: 'success',
      actor: modalityActor(facts), subject: associationSubject(facts), details: associationDetails(facts),
    });
  }

  associationRefused(refusal: AssociationRefusal): void {
    this.record({
      event: 'Security Alert', action: 'association.refused', outcome: 'minorFailure',
      actor: modalityActor(refusal), subject: associationSubject(refusal),
      details: { ...associationDetails(refusal), reason: refusal.reason, explanation: refusal.explanation ?? null },
    });
  }

  associationEnded(ending: AssociationEnding): void {
    const outcome = ending.state === 'released' ? (ending.counters.failed > 0 ? 'minorFailure' : 'success') : ending.state === 'aborted' ? 'minorFailure' : 'seriousFailure';
    this.record({
      event: 'DICOM Instances Transferred', action: 'association.ended', outcome,
      actor: modalityActor(ending), subject: associationSubject(ending),
      details: { ...associationDetails(ending), state: ending.state, reason: ending.reason, counters: ending.counters },
    });
  }

  authenticationFailed(failure: AuthenticationFailure): void {
    this.record({
      event: 'User Authentication', action: 'http.authenticationFailed', outcome: 'minorFailure',
      actor: `peer:${failure.peer.address}`, subject: `http:${failure.path}`,
      details: { peer: failure.peer, method: failure.method, path: failure.path, reason: failure.reason },
    });
  }
}
