// Child process of crash.test.ts: writes one whole unit of work per transaction (a study, a job with
// its instances, a disc, a snapshot, an audit entry) and says "committed N" on stdout only after the
// transaction committed; it goes on until it is killed (bounded, so a lost parent cannot leave it
// running). Usage: node --import tsx test/db/crash-writer.ts DB_FILE INSTANCES_PER_JOB
import { AuditTrail } from '../../adapters/db/audit.ts';
import { openDatabase } from '../../adapters/db/database.ts';
import { JobRepository } from '../../adapters/db/jobs.ts';
import { SnapshotRepository } from '../../adapters/db/snapshots.ts';
import { StudyRepository } from '../../adapters/db/studies.ts';
import { addInstances } from './temp-db.ts';

const MAX_UNITS = 100_000;

const [file, perJob] = process.argv.slice(2);
const instancesPerJob = Number(perJob);
if (!file || !Number.isInteger(instancesPerJob)) throw new Error('usage: crash-writer.ts DB_FILE INSTANCES_PER_JOB');
const db = openDatabase(file, { durable: true });
const studies = new StudyRepository(db);
const jobs = new JobRepository(db);
const snapshots = new SnapshotRepository(db);
const audit = new AuditTrail(db);

const unit = db.transaction((n: number) => {
  const study = `1.2.826.0.1.3680043.8.498.5.9.${n}`;
  studies.upsert({ studyInstanceUid: study, state: 'queued', route: { copies: 1 }, holdReasons: [], quietDeadlineMs: null });
  const instanceIds = addInstances(db, instancesPerJob, study);
  jobs.create({ jobId: `j${n}`, studyInstanceUid: study, robot: 'robot:a', copies: 1, instanceIds });
  jobs.recordDisc({ discId: `j${n}/1.1`, jobId: `j${n}`, copy: 1, attempt: 1, outcome: 'delivered', location: 'bin1' });
  snapshots.saveSnapshot({ systemId: `job:j${n}`, machineId: 'discJob', machineVersion: '1', snapshot: { value: 'done', n } });
  audit.append({ actor: 'system', action: 'disc.delivered', subject: `disc:j${n}/1.1`, details: { job: `j${n}` } });
});

let n = 0;
function next(): void {
  n += 1;
  unit(n);
  // Only now is the unit durable (synchronous=FULL): the parent may count on it.
  process.stdout.write(`committed ${n}\n`);
  if (n < MAX_UNITS) setImmediate(next);
}
next();
