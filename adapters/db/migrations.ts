// Numbered schema migrations; append only, never edit one that has shipped.
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE instances (
     id INTEGER PRIMARY KEY,
     sop_instance_uid TEXT NOT NULL,
     sop_class_uid TEXT NOT NULL,
     study_instance_uid TEXT NOT NULL,
     series_instance_uid TEXT NOT NULL,
     patient_id TEXT,
     patient_name TEXT,
     patient_birth_date TEXT,
     patient_sex TEXT,
     study_date TEXT,
     study_time TEXT,
     study_id TEXT,
     accession_number TEXT,
     study_description TEXT,
     series_number TEXT,
     modality TEXT,
     instance_number TEXT,
     specific_character_set TEXT,
     path TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     received_transfer_syntax TEXT NOT NULL,
     calling_ae_title TEXT NOT NULL,
     called_ae_title TEXT NOT NULL,
     received_at TEXT NOT NULL,
     header_json TEXT NOT NULL,
     job_id TEXT,
     -- a second object with an already stored SOP Instance UID whose first copy is on a disc job:
     -- kept apart, never replacing what a disc may already carry, and flagged for a person
     duplicate_of INTEGER REFERENCES instances(id)
   );
   CREATE UNIQUE INDEX instances_current_sop ON instances(sop_instance_uid) WHERE duplicate_of IS NULL;
   CREATE INDEX instances_study ON instances(study_instance_uid);
   CREATE INDEX instances_patient ON instances(patient_id);`,
];
