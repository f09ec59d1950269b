// Association negotiation for the Storage SCP (conformance statement 4.2.1.4, PS3.8 7.1 and 9.3):
// a pure function from what the peer proposed and our policy to the A-ASSOCIATE-AC or -RJ we answer.

import { acceptedStorageSopClasses } from './sop-classes.ts';
import { APPLICATION_CONTEXT_DICOM, TRANSFER_SYNTAX_PREFERENCE, VERIFICATION_SOP_CLASS } from './uid.ts';

export interface ProposedPresentationContext {
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

/** What the peer asked for in its A-ASSOCIATE-RQ. */
export interface AssociationRequest {
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContextName: string;
  /** The largest PDU the peer can receive; 0 means unlimited (PS3.8 D.1). */
  maxPduLength: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  presentationContexts: ProposedPresentationContext[];
}

export interface AssociationPolicy {
  /** Our AE titles; empty means the called AE title is not checked (statement 4.2.1.4.1). */
  aeTitles: string[];
  /** Accept the structured report classes of statement Table 5. */
  acceptStructuredReports: boolean;
  /** The largest PDU we receive and send (statement 4.2.1.2.1: 16384). */
  maxPduLength: number;
  /** Calling AE titles this listener accepts (dicom.listeners[].allow.callingAeTitles); null or absent: any. */
  callingAeTitles?: readonly string[] | null;
  /**
   * Set by the listener when, at accept time, this connection was over an association limit: the
   * A-ASSOCIATE-RQ is then answered with a transient rejection, so the peer may try again later.
   */
  limitExceeded?: AssociationLimitExceeded | null;
}

/** Which of the listener's limits a connection was over (dicom.maxAssociations / maxAssociationsPerPeer). */
export interface AssociationLimitExceeded {
  limit: 'maxAssociations' | 'maxAssociationsPerPeer';
  value: number;
}

/** PS3.8 9.3.3.2 Result/Reason of a presentation context in the A-ASSOCIATE-AC. */
export const ContextResult = {
  Acceptance: 0,
  UserRejection: 1,
  NoReason: 2,
  AbstractSyntaxNotSupported: 3,
  TransferSyntaxesNotSupported: 4,
} as const;
export type ContextResultCode = (typeof ContextResult)[keyof typeof ContextResult];

export interface NegotiatedContext {
  id: number;
  abstractSyntax: string;
  result: ContextResultCode;
  /** Set only when accepted. */
  transferSyntax?: string;
}

export interface NegotiationAccept {
  kind: 'accept';
  /** One answer per proposed context, in proposal order. */
  contexts: NegotiatedContext[];
  /** What we advertise in the A-ASSOCIATE-AC: always our own limit, never 0 (unlimited). */
  maxPduLength: number;
  /** The largest PDU we may send: the peer's limit capped at ours; the peer's 0 (unlimited) becomes ours. */
  peerMaxPduLength: number;
}

/** PS3.8 9.3.4 A-ASSOCIATE-RJ: result 1 permanent / 2 transient; source 1 user, 2 ACSE provider, 3 presentation provider. */
export interface NegotiationReject {
  kind: 'reject';
  result: 1 | 2;
  source: 1 | 2 | 3;
  reason: number;
  explanation: string;
}

export type NegotiationResult = NegotiationAccept | NegotiationReject;

/** PS3.8 Table 9-21, source 1 (service user). */
export const RejectReason = {
  NoReasonGiven: 1,
  ApplicationContextNameNotSupported: 2,
  CallingAeTitleNotRecognized: 3,
  CalledAeTitleNotRecognized: 7,
} as const;

/** PS3.8 Table 9-21, source 3 (service provider, presentation related function). */
export const ProviderRejectReason = {
  TemporaryCongestion: 1,
  LocalLimitExceeded: 2,
} as const;

const supportedCache = new Map<boolean, ReadonlySet<string>>();

/** Verification plus every storage class the policy accepts. */
function supportedAbstractSyntaxes(acceptStructuredReports: boolean): ReadonlySet<string> {
  let supported = supportedCache.get(acceptStructuredReports);
  if (!supported) {
    supported = new Set([VERIFICATION_SOP_CLASS, ...acceptedStorageSopClasses(acceptStructuredReports).map((c) => c.uid)]);
    supportedCache.set(acceptStructuredReports, supported);
  }
  return supported;
}

/** UIDs on the wire may carry a trailing NUL pad (PS3.5 9.1); AE titles carry space padding. */
const cleanUid = (uid: string): string => uid.replace(/\0+$/, '').trim();

function reject(reason: number, explanation: string, source: 1 | 2 = 1): NegotiationReject {
  return { kind: 'reject', result: 1, source, reason, explanation };
}

/** Over a limit is a passing state: rejected-transient (2), presentation provider (3), local-limit-exceeded (2). */
function rejectOverLimit({ limit, value }: AssociationLimitExceeded): NegotiationReject {
  return { kind: 'reject', result: 2, source: 3, reason: ProviderRejectReason.LocalLimitExceeded, explanation: `local limit exceeded: dicom.${limit} (${value})` };
}

export function negotiate(request: AssociationRequest, policy: AssociationPolicy): NegotiationResult {
  const applicationContext = cleanUid(request.applicationContextName);
  if (applicationContext !== APPLICATION_CONTEXT_DICOM) {
    return reject(RejectReason.ApplicationContextNameNotSupported, `application context name '${applicationContext}' not supported`);
  }

  // The statement's Table 8 says reason 3 here; PS3.8 Table 9-21 defines 3 as *calling* AE, so we send 7.
  // AE titles are case-sensitive (PS3.5 6.2, VR AE); only the padding is insignificant.
  const called = request.calledAeTitle.trim();
  if (policy.aeTitles.length > 0 && !policy.aeTitles.some((title) => title.trim() === called)) {
    return reject(RejectReason.CalledAeTitleNotRecognized, `called AE title '${called}' not recognized`);
  }

  const calling = request.callingAeTitle.trim();
  if (policy.callingAeTitles && !policy.callingAeTitles.some((title) => title.trim() === calling)) {
    return reject(RejectReason.CallingAeTitleNotRecognized, `calling AE title '${calling}' not recognized`);
  }

  // A presentation context ID names one context (PS3.8 7.1.1.13, 9.3.2.2): with a duplicate, the AC could
  // not answer each proposal unambiguously. The RQ is malformed rather than refused by policy, so the
  // rejection comes from the ACSE service provider (source 2, reason 1 no-reason-given). Even IDs are
  // tolerated: they break 9.3.2.2's "odd" rule but stay unambiguous.
  const seen = new Set<number>();
  for (const { id } of request.presentationContexts) {
    if (seen.has(id)) return reject(RejectReason.NoReasonGiven, `presentation context ID ${id} proposed twice`, 2);
    seen.add(id);
  }

  const supported = supportedAbstractSyntaxes(policy.acceptStructuredReports);
  const contexts = request.presentationContexts.map((proposal) => negotiateContext(proposal, supported));
  if (!contexts.some((c) => c.result === ContextResult.Acceptance)) {
    return reject(RejectReason.NoReasonGiven, 'no acceptable presentation context');
  }

  // Last: a peer that would be refused anyway gets the permanent answer, not "try again later".
  if (policy.limitExceeded) return rejectOverLimit(policy.limitExceeded);

  const ours = policy.maxPduLength;
  const peer = request.maxPduLength;
  return { kind: 'accept', contexts, maxPduLength: ours, peerMaxPduLength: peer === 0 ? ours : Math.min(peer, ours) };
}

/** Chooses among all proposed transfer syntaxes by our preference, not the peer's order or the first one. */
function negotiateContext(proposal: ProposedPresentationContext, supported: ReadonlySet<string>): NegotiatedContext {
  const { id } = proposal;
  const abstractSyntax = cleanUid(proposal.abstractSyntax);
  if (!supported.has(abstractSyntax)) return { id, abstractSyntax, result: ContextResult.AbstractSyntaxNotSupported };
  const proposed = new Set(proposal.transferSyntaxes.map(cleanUid));
  const transferSyntax = TRANSFER_SYNTAX_PREFERENCE.find((ts) => proposed.has(ts));
  if (!transferSyntax) return { id, abstractSyntax, result: ContextResult.TransferSyntaxesNotSupported };
  return { id, abstractSyntax, result: ContextResult.Acceptance, transferSyntax };
}
