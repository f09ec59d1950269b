// Rows of the instances table: what was stored, where, the keys a DICOMDIR needs, and the content
// digest that tells a resend of a SOP Instance UID from a different object under it.
import { RETRYING_BUSY_TIMEOUT_MS, withBusyTimeout, type Db } from './database.ts';

export interface InstanceRecord {
  sopInstanceUid: string;
  sopClassUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  patientId: string | null;
  patientName: string | null;
  patientBirthDate: string | null;
  patientSex: string | null;
  studyDate: string | null;
  studyTime: string | null;
  studyId: string | null;
  accessionNumber: string | null;
  studyDescription: string | null;
  seriesNumber: string | null;
  modality: string | null;
  instanceNumber: string | null;
  specificCharacterSet: string | null;
  path: string;
  bytes: number;
  receivedTransferSyntax: string;
  callingAeTitle: string;
  calledAeTitle: string;
  receivedAt: string;
  headerJson: string;
  /**
   * SHA-256 (hex) of the data set as written, File Meta Information excluded: equal digests mean the
   * same object sent again. Null or absent: not known (rows written before migration 3).
   */
  contentDigest?: string | null;
}

/** What the store needs of a row already holding a SOP Instance UID to decide about a newcomer. */
export interface StoredInstanceRow {
  id: number;
  path: string;
  jobId: string | null;
  contentDigest: string | null;
}

const COLUMNS: Record<keyof InstanceRecord, string> = {
  sopInstanceUid: 'sop_instance_uid',
  sopClassUid: 'sop_class_uid',
  studyInstanceUid: 'study_instance_uid',
  seriesInstanceUid: 'series_instance_uid',
  patientId: 'patient_id',
  patientName: 'patient_name',
  patientBirthDate: 'patient_birth_date',
  patientSex: 'patient_sex',
  studyDate: 'study_date',
  studyTime: 'study_time',
  studyId: 'study_id',
  accessionNumber: 'accession_number',
  studyDescription: 'study_description',
  seriesNumber: 'series_number',
  modality: 'modality',
  instanceNumber: 'instance_number',
  specificCharacterSet: 'specific_character_set',
  path: 'path',
  bytes: 'bytes',
  receivedTransferSyntax: 'received_transfer_syntax',
  callingAeTitle: 'calling_ae_title',
  calledAeTitle: 'called_ae_title',
  receivedAt: 'received_at',
  headerJson: 'header_json',
  contentDigest: 'content_digest',
};
const keys = Object.keys(COLUMNS) as (keyof InstanceRecord)[];

export class InstanceIndex {
  private readonly findCurrent;
  private readonly insert;
  private readonly insertDuplicate;
  private readonly findKeptApart;
  private readonly countKeptApart;

  constructor(private readonly db: Db) {
    this.findCurrent = db.prepare(
      'SELECT id, path, job_id AS jobId, content_digest AS contentDigest FROM instances WHERE sop_instance_uid = ? AND duplicate_of IS NULL',
    );
    this.findKeptApart = db.prepare(
      `SELECT id, path, job_id AS jobId, content_digest AS contentDigest FROM instances
       WHERE sop_instance_uid = ? AND duplicate_of IS NOT NULL AND content_digest = ? ORDER BY id LIMIT 1`,
    );
    const cols = keys.map((k) => COLUMNS[k]).join(', ');
    const params = keys.map((k) => `@${k}`).join(', ');
    this.insert = db.prepare(`INSERT INTO instances (${cols}) VALUES (${params})`);
    this.insertDuplicate = db.prepare(`INSERT INTO instances (${cols}, duplicate_of) VALUES (${params}, @duplicateOf)`);
    this.countKeptApart = db.prepare('SELECT count(*) AS n FROM instances WHERE sop_instance_uid = ? AND duplicate_of IS NOT NULL');
  }

  current(sopInstanceUid: string): StoredInstanceRow | undefined {
    return this.findCurrent.get(sopInstanceUid) as StoredInstanceRow | undefined;
  }

  /** A copy kept apart earlier with exactly this content, if there is one. */
  keptApartWithDigest(sopInstanceUid: string, contentDigest: string): StoredInstanceRow | undefined {
    return this.findKeptApart.get(sopInstanceUid, contentDigest) as StoredInstanceRow | undefined;
  }

  keptApartCount(sopInstanceUid: string): number {
    return (this.countKeptApart.get(sopInstanceUid) as { n: number }).n;
  }

  /** The row of a stored object. A database locked by another process fails fast: the store retries without blocking. */
  add(record: InstanceRecord): number {
    return withBusyTimeout(this.db, RETRYING_BUSY_TIMEOUT_MS, () => Number(this.insert.run(withDigest(record)).lastInsertRowid));
  }

  /** A second object under a SOP Instance UID already stored: its own row, flagged, never replacing the first. */
  addKeptApart(record: InstanceRecord, duplicateOf: number): number {
    return withBusyTimeout(this.db, RETRYING_BUSY_TIMEOUT_MS, () => Number(this.insertDuplicate.run({ ...withDigest(record), duplicateOf }).lastInsertRowid));
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM instances').get() as { n: number }).n;
  }

  all(): (InstanceRecord & { id: number; duplicateOf: number | null; jobId: string | null })[] {
    const select = keys.map((k) => `${COLUMNS[k]} AS ${k}`).join(', ');
    return this.db.prepare(`SELECT id, ${select}, duplicate_of AS duplicateOf, job_id AS jobId FROM instances ORDER BY id`).all() as never;
  }
}

/** Every named parameter must be bound: a record without a digest is stored as "not known". */
function withDigest(record: InstanceRecord): InstanceRecord & { contentDigest: string | null } {
  return { ...record, contentDigest: record.contentDigest ?? null };
}
