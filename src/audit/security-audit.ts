// The security audit's interface: what the parts of discrobot that see security-relevant events
// (the DICOM listener, the association actors, the HTTP API) call. They know nothing of files or
// syslog; src/audit/audit-log.ts turns each call into one record (audit-record.ts).

export interface PeerAddress {
  address: string;
  port: number;
}

/** The TLS session of a DICOM connection: null on a plain TCP listener. */
export interface TlsFacts {
  /** e.g. TLSv1.3 */
  protocol: string | null;
  cipher: string | null;
  /** The client certificate's subject (e.g. "CN=CT1,O=Hospital"), or null when none was presented. */
  clientCertificateSubject: string | null;
}

export interface AssociationFacts {
  /** The association actor's id (association:N); absent when refused before one existed. */
  associationId?: string;
  peer: PeerAddress;
  listener: { host: string; port: number };
  callingAeTitle?: string;
  calledAeTitle?: string;
  tls: TlsFacts | null;
}

export type AssociationRefusalReason =
  | 'calledAeNotRecognized'
  | 'callingAeNotAllowed'
  | 'peerAddressNotAllowed'
  | 'limitExceeded'
  | 'tlsHandshakeFailed'
  /** Refused by negotiation for another reason (application context, no acceptable presentation context). */
  | 'negotiationRefused';

export interface AssociationRefusal extends AssociationFacts {
  reason: AssociationRefusalReason;
  /** A sentence for a person, e.g. "called AE title 'X' not recognized" (never patient data). */
  explanation?: string;
}

export interface AssociationEnding extends AssociationFacts {
  /** How it ended: released, aborted, failed (association.machine.ts AssociationEndState). */
  state: string;
  reason: string;
  counters: { stored: number; failed: number; bytes: number; echoes: number };
}

export interface AuthenticationFailure {
  peer: PeerAddress;
  method: string;
  /** The path without the query (a query may hold patient names). */
  path: string;
  /** Why: no Authorization header, or a wrong token. Never the token. */
  reason: string;
}

export interface SecurityAudit {
  associationAccepted(facts: AssociationFacts): void;
  associationRefused(refusal: AssociationRefusal): void;
  associationEnded(ending: AssociationEnding): void;
  authenticationFailed(failure: AuthenticationFailure): void;
}

/** A SecurityAudit that records nothing: the default where none is given (tests, tools). */
export const noSecurityAudit: SecurityAudit = {
  associationAccepted: () => {},
  associationRefused: () => {},
  associationEnded: () => {},
  authenticationFailed: () => {},
};
