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

  // 2: durable publisher state (issue 5). Times are epoch milliseconds (columns ending _ms). Instance
  // lists live in job_instances rows, never in actor snapshots, so snapshots stay small.
  `CREATE TABLE studies (
     study_instance_uid TEXT PRIMARY KEY,
     state TEXT NOT NULL,
     route_json TEXT NOT NULL DEFAULT 'null',
     hold_reasons_json TEXT NOT NULL DEFAULT '[]',
     -- the end of the quiet period: stored because XState after: timers are not restored
     quiet_deadline_ms INTEGER,
     created_at_ms INTEGER NOT NULL,
     updated_at_ms INTEGER NOT NULL
   );
   CREATE INDEX studies_state ON studies(state);

   CREATE TABLE jobs (
     job_id TEXT PRIMARY KEY,
     -- null for a job that is not made from a study (discrobot publish)
     study_instance_uid TEXT REFERENCES studies(study_instance_uid),
     -- the robot actor's systemId; null until one is chosen, changed when a job moves to another
     robot TEXT,
     copies INTEGER NOT NULL CHECK (copies >= 1),
     copies_done INTEGER NOT NULL DEFAULT 0 CHECK (copies_done BETWEEN 0 AND copies),
     state TEXT NOT NULL,
     image_path TEXT,
     label_path TEXT,
     media TEXT,
     created_at_ms INTEGER NOT NULL,
     updated_at_ms INTEGER NOT NULL,
     finished_at_ms INTEGER
   );
   CREATE INDEX jobs_study ON jobs(study_instance_uid);
   CREATE INDEX jobs_state ON jobs(state);

   -- which instances a job's discs carry (every copy of a job carries the same image)
   CREATE TABLE job_instances (
     job_id TEXT NOT NULL REFERENCES jobs(job_id),
     instance_id INTEGER NOT NULL REFERENCES instances(id),
     PRIMARY KEY (job_id, instance_id)
   ) WITHOUT ROWID;
   CREATE INDEX job_instances_instance ON job_instances(instance_id);

   -- every disc a job asked for and what became of it
   CREATE TABLE discs (
     disc_id TEXT PRIMARY KEY,
     job_id TEXT NOT NULL REFERENCES jobs(job_id),
     copy INTEGER NOT NULL CHECK (copy >= 1),
     attempt INTEGER NOT NULL CHECK (attempt >= 1),
     outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'unverified', 'rejected', 'cancelled', 'interrupted')),
     cause TEXT,
     location TEXT,
     robot TEXT,
     verified_md5 TEXT,
     at_ms INTEGER NOT NULL
   );
   CREATE INDEX discs_job ON discs(job_id, copy);
   -- never burn a finished disc again: once a copy is delivered verified, no disc is recorded for it
   CREATE UNIQUE INDEX discs_delivered_copy ON discs(job_id, copy) WHERE outcome = 'delivered';
   CREATE TRIGGER discs_copy_already_delivered BEFORE INSERT ON discs
   WHEN EXISTS (SELECT 1 FROM discs WHERE job_id = NEW.job_id AND copy = NEW.copy AND outcome = 'delivered')
   BEGIN SELECT RAISE(ABORT, 'disc refused: this copy of the job was already delivered verified'); END;
   CREATE TRIGGER discs_copy_beyond_job BEFORE INSERT ON discs
   WHEN NEW.copy > (SELECT copies FROM jobs WHERE job_id = NEW.job_id)
   BEGIN SELECT RAISE(ABORT, 'disc refused: the job has fewer copies'); END;

   -- the latest persisted snapshot of each durable actor, in a versioned envelope
   CREATE TABLE actor_snapshots (
     system_id TEXT PRIMARY KEY,
     machine_id TEXT NOT NULL,
     machine_version TEXT NOT NULL,
     snapshot_json TEXT NOT NULL,
     saved_at_ms INTEGER NOT NULL
   );

   -- the audit trail: who sent what, which disc carried which instances, operator actions.
   -- Append-only; the other audit outputs (syslog, files) are fed from it by id.
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at_ms INTEGER NOT NULL,
     actor TEXT NOT NULL CHECK (actor = 'system' OR actor GLOB 'modality:?*' OR actor GLOB 'operator:?*'),
     action TEXT NOT NULL,
     subject TEXT NOT NULL,
     details_json TEXT NOT NULL DEFAULT '{}'
   );
   CREATE INDEX audit_subject ON audit(subject, at_ms);
   CREATE INDEX audit_at ON audit(at_ms);
   CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
   BEGIN SELECT RAISE(ABORT, 'audit is append-only: an entry is never changed'); END;
   CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
   BEGIN SELECT RAISE(ABORT, 'audit is append-only: an entry is never deleted'); END;`,

  // 3: what the publisher needs beside migration 2 (issue 5): a digest of each stored object's data
  // set, so a SOP Instance UID sent again is known as the same object or a different one (a hold);
  // when retention purged an instance's file; what kind of job a row is and why it ended; when a
  // study was last published (retention counts from it).
  `ALTER TABLE instances ADD COLUMN content_digest TEXT;
   ALTER TABLE instances ADD COLUMN purged_at_ms INTEGER;
   ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'study' CHECK (kind IN ('study', 'followUp', 'reburn', 'reprint', 'publish'));
   ALTER TABLE jobs ADD COLUMN reason TEXT;
   ALTER TABLE studies ADD COLUMN published_at_ms INTEGER;
   CREATE INDEX studies_published ON studies(published_at_ms) WHERE published_at_ms IS NOT NULL;`,

  // 4: where a simulated robot put a delivered disc's image (a file under the data folder), so the
  // API can name it; and the publisher's order for a job (what its actor is made from), so a job
  // waiting for a robot survives a restart.
  `ALTER TABLE discs ADD COLUMN image_file TEXT;
   ALTER TABLE jobs ADD COLUMN order_json TEXT;`,
];
