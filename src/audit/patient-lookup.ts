// Which patients an audit subject concerns: a study's, a job's (through the instances it carries) or
// a disc's (through its job). Only the security audit log asks: its records may name patients because
// they go only to destinations a site configured (docs/security.md); the ordinary log never does.
import type { Db } from '../../adapters/db/database.ts';

export interface AuditPatient {
  id: string | null;
  name: string | null;
}

/** More than this on one subject is a publish job of many patients: the first ones are named. */
const MAX_PATIENTS = 10;

export class PatientLookup {
  private readonly ofStudy;
  private readonly ofJob;
  private readonly jobOfDisc;
  private readonly studyOfJob;

  constructor(db: Db) {
    const distinct = 'SELECT DISTINCT i.patient_id AS id, i.patient_name AS name FROM instances i';
    this.ofStudy = db.prepare(`${distinct} WHERE i.study_instance_uid = ? AND i.duplicate_of IS NULL LIMIT ${MAX_PATIENTS}`);
    this.ofJob = db.prepare(`${distinct} JOIN job_instances ji ON ji.instance_id = i.id WHERE ji.job_id = ? LIMIT ${MAX_PATIENTS}`);
    this.jobOfDisc = db.prepare('SELECT job_id AS jobId FROM discs WHERE disc_id = ?');
    this.studyOfJob = db.prepare('SELECT study_instance_uid AS uid FROM jobs WHERE job_id = ?');
  }

  /** The patients and the study of an audit subject (study:, job:, disc:), or nothing for other subjects. */
  forSubject(subject: string): { patients: AuditPatient[]; studyInstanceUid: string | null } | undefined {
    const [kind, ...rest] = subject.split(':');
    const id = rest.join(':');
    if (kind === 'study') return { patients: this.ofStudy.all(id) as AuditPatient[], studyInstanceUid: id };
    const jobId = kind === 'job' ? id : kind === 'disc' ? (this.jobOfDisc.get(id) as { jobId: string } | undefined)?.jobId : undefined;
    if (jobId === undefined) return undefined;
    const uid = (this.studyOfJob.get(jobId) as { uid: string | null } | undefined)?.uid ?? null;
    let patients = this.ofJob.all(jobId) as AuditPatient[];
    if (patients.length === 0 && uid !== null) patients = this.ofStudy.all(uid) as AuditPatient[];
    return { patients, studyInstanceUid: uid };
  }
}
