// One security audit record: what the audit file holds one per line and what each syslog message
// carries. `event` uses the IHE ATNA / DICOM PS3.15 A.5 audit event names where one fits (null where
// none does); `action` is discrobot's own, finer name; `outcome` follows ATNA's four outcomes.

/** ATNA EventOutcomeIndicator: 0 success, 4 minor failure, 8 serious failure, 12 major failure. */
export type AuditOutcome = 'success' | 'minorFailure' | 'seriousFailure' | 'majorFailure';

/** DICOM PS3.16 CID 400 audit event IDs (DCM codes) by name: the names records use. */
export const ATNA_EVENTS = {
  'Application Activity': '110100',
  'Begin Transferring DICOM Instances': '110102',
  'DICOM Instances Accessed': '110103',
  'DICOM Instances Transferred': '110104',
  'DICOM Study Deleted': '110105',
  Export: '110106',
  'Security Alert': '110113',
  'User Authentication': '110114',
} as const;

export type AtnaEvent = keyof typeof ATNA_EVENTS;

export interface AuditRecord {
  /** ISO 8601, UTC. */
  time: string;
  /** This machine's host name. */
  host: string;
  event: AtnaEvent | null;
  /** e.g. association.accepted, http.authenticationFailed, disc.delivered, study.heldByOperator. */
  action: string;
  outcome: AuditOutcome;
  /** system, modality:<calling AE>, operator:<name>, peer:<address> (an unauthenticated caller). */
  actor: string;
  /** What it happened to: association:<id>, study:<uid>, job:<id>, disc:<id>, robot:<name>, http:<path>. */
  subject: string;
  details: Record<string, unknown>;
}

export type AuditRecordInput = Omit<AuditRecord, 'time' | 'host'>;
