// Security audit records of associations, read from the association actors' snapshots (the
// publisher's inspect): accepted once negotiation accepted, refused when negotiation rejected, ended
// with its counts otherwise. Refusals before an association exists (peer address, limits, TLS) are
// the listener's to report, through SecurityAudit.associationRefused.
import type { AssociationContext } from '../../machines/association.machine.ts';
import { RejectReason } from '../dicom/negotiation.ts';
import type { AssociationFacts, AssociationRefusalReason, SecurityAudit, TlsFacts } from './security-audit.ts';

interface AssociationSnapshotLike {
  status?: string;
  context?: Partial<AssociationContext>;
}

export interface AssociationAuditor {
  /** Feeds one snapshot of an association actor (its id is association:N). */
  observe(actorId: string, snapshot: AssociationSnapshotLike): void;
}

/** PS3.8 Table 9-21: source 3 (presentation provider) reason 2 is local-limit-exceeded. */
const PROVIDER_SOURCE = 3;
const LOCAL_LIMIT_EXCEEDED = 2;

function refusalReason(source: number, reason: number): AssociationRefusalReason {
  if (source === PROVIDER_SOURCE) return reason === LOCAL_LIMIT_EXCEEDED ? 'limitExceeded' : 'negotiationRefused';
  if (source !== 1) return 'negotiationRefused';
  if (reason === RejectReason.CalledAeTitleNotRecognized) return 'calledAeNotRecognized';
  if (reason === RejectReason.CallingAeTitleNotRecognized) return 'callingAeNotAllowed';
  return 'negotiationRefused';
}

/** `tlsOf` answers the TLS session of an association's connection (null on plain TCP). */
export function associationAuditor(audit: SecurityAudit, tlsOf: (associationId: string) => TlsFacts | null = () => null): AssociationAuditor {
  /** The TLS facts of the associations accepted and not yet ended (the connection may be gone at the end). */
  const accepted = new Map<string, TlsFacts | null>();

  const facts = (actorId: string, context: Partial<AssociationContext>): AssociationFacts => ({
    associationId: actorId,
    peer: context.peer ?? { address: 'unknown', port: 0 },
    listener: context.listener ?? { host: 'unknown', port: 0 },
    callingAeTitle: context.request?.callingAeTitle?.trim(),
    calledAeTitle: context.request?.calledAeTitle?.trim(),
    tls: accepted.get(actorId) ?? tlsOf(context.id ?? actorId),
  });

  return {
    observe(actorId, snapshot) {
      const context = snapshot.context;
      if (!context) return;
      if (context.negotiation?.kind === 'accept' && !accepted.has(actorId)) {
        const accepting = facts(actorId, context);
        accepted.set(actorId, accepting.tls);
        audit.associationAccepted(accepting);
      }
      if (snapshot.status !== 'done' || !context.outcome) return;
      const ending = facts(actorId, context);
      accepted.delete(actorId);
      const negotiation = context.negotiation;
      if (context.outcome.state === 'rejected' && negotiation?.kind === 'reject') {
        audit.associationRefused({ ...ending, reason: refusalReason(negotiation.source, negotiation.reason), explanation: negotiation.explanation });
        return;
      }
      audit.associationEnded({
        ...ending,
        state: context.outcome.state,
        reason: context.outcome.reason,
        counters: context.counters ?? { stored: 0, failed: 0, bytes: 0, echoes: 0 },
      });
    },
  };
}
