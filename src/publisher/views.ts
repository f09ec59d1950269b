// The database's side of the API views: studies with the patient keys of their instances, a
// study's instance rows, and search by patient name, Patient ID or accession number. Read-only SQL.
import type { Db } from '../../adapters/db/database.ts';
import type { InstanceView, StudySummaryView } from '../api/publisher-api.ts';
import type { InstanceFacts } from '../study/patient-safety.ts';

/** What the instance rows say of a study, as its summary view shows it. */
export type StudyKeys = Pick<
  StudySummaryView,
  'studyInstanceUid' | 'patientId' | 'patientName' | 'accessionNumber' | 'studyDate' | 'studyDescription' | 'instances' | 'purged'
>;

export class PublisherViews {
  private readonly keysStatement;
  private readonly keysOfStatement;
  private readonly instancesStatement;
  private readonly factsStatement;
  private readonly matchingStatement;

  constructor(db: Db) {
    // The first instance's keys name the study (a study of two patients is held, and shows both in its detail).
    this.keysStatement = db.prepare(
      `SELECT study_instance_uid AS studyInstanceUid, patient_id AS patientId, patient_name AS patientName, accession_number AS accessionNumber,
         study_date AS studyDate, study_description AS studyDescription, count(*) AS instances, max(purged_at_ms IS NOT NULL) AS purged
       FROM (SELECT * FROM instances ORDER BY id) GROUP BY study_instance_uid`,
    );
    this.keysOfStatement = db.prepare(
      `SELECT study_instance_uid AS studyInstanceUid, patient_id AS patientId, patient_name AS patientName, accession_number AS accessionNumber,
         study_date AS studyDate, study_description AS studyDescription, count(*) AS instances, max(purged_at_ms IS NOT NULL) AS purged
       FROM (SELECT * FROM instances WHERE study_instance_uid = ? ORDER BY id) GROUP BY study_instance_uid`,
    );
    // An instance's job: the study's own disc (first or follow-up) that carries it and still stands.
    this.instancesStatement = db.prepare(
      `SELECT id, sop_instance_uid AS sopInstanceUid, sop_class_uid AS sopClassUid, series_instance_uid AS seriesInstanceUid, patient_id AS patientId,
         patient_name AS patientName, patient_birth_date AS patientBirthDate, modality, calling_ae_title AS callingAeTitle, received_at AS receivedAt,
         (SELECT ji.job_id FROM job_instances ji JOIN jobs j ON j.job_id = ji.job_id
          WHERE ji.instance_id = i.id AND j.state <> 'cancelled' AND j.kind IN ('study', 'followUp')
          ORDER BY j.created_at_ms DESC, j.job_id DESC LIMIT 1) AS jobId,
         duplicate_of AS duplicateOf
       FROM instances i WHERE study_instance_uid = ? ORDER BY id`,
    );
    this.factsStatement = db.prepare(
      `SELECT sop_instance_uid AS sopInstanceUid, study_instance_uid AS studyInstanceUid, patient_id AS patientId, patient_name AS patientName,
         patient_birth_date AS patientBirthDate, coalesce(content_digest, 'row ' || id) AS contentDigest
       FROM instances WHERE study_instance_uid = ? ORDER BY id`,
    );
    this.matchingStatement = db.prepare(
      `SELECT DISTINCT study_instance_uid AS uid FROM instances
       WHERE patient_name LIKE @q ESCAPE '\\' OR patient_id LIKE @q ESCAPE '\\' OR accession_number LIKE @q ESCAPE '\\'`,
    );
  }

  /** The keys of one study (undefined when it has no instance row). */
  keysOf(studyUid: string): StudyKeys | undefined {
    const row = this.keysOfStatement.get(studyUid) as (Omit<StudyKeys, 'purged'> & { purged: number }) | undefined;
    return row && row.instances > 0 ? { ...row, purged: row.purged === 1 } : undefined;
  }

  studyKeys(): Map<string, StudyKeys> {
    const rows = this.keysStatement.all() as (Omit<StudyKeys, 'purged'> & { purged: number })[];
    return new Map(rows.map((row) => [row.studyInstanceUid, { ...row, purged: row.purged === 1 }]));
  }

  instances(studyUid: string): InstanceView[] {
    return this.instancesStatement.all(studyUid) as InstanceView[];
  }

  /** For checkStudy(): a row stored before content digests counts as different from every other. */
  facts(studyUid: string): InstanceFacts[] {
    return this.factsStatement.all(studyUid) as InstanceFacts[];
  }

  /** Study UIDs whose patient name, Patient ID or accession number contains q (case-insensitive for ASCII). */
  studiesMatching(q: string): Set<string> {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return new Set((this.matchingStatement.all({ q: pattern }) as { uid: string }[]).map((row) => row.uid));
  }
}
