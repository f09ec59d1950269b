// A data folder and a real SQLite database holding studies the way the publisher leaves them: stored
// instance files under <data>/store/<study>/<series>/<sop>.dcm with their rows, study rows with a
// publication time, and disc jobs with a mastered image and label under <data>/jobs/<jobId>/ and
// their discs recorded. Log lines are collected so tests can read what retention said.
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { InstanceIndex } from '../../adapters/db/instances.ts';
import { JobRepository } from '../../adapters/db/jobs.ts';
import { StudyRepository } from '../../adapters/db/studies.ts';
import { instanceRecord, manualClock, openTempDb, type TempDb } from '../db/temp-db.ts';

export const DAY_MS = 86_400_000;

export interface StudyFiles {
  uid: string;
  instanceIds: number[];
  files: string[];
  bytes: number;
}

export interface JobSpec {
  jobId: string;
  instanceIds: readonly number[];
  copies?: number;
  /** Copies recorded delivered verified (default: all). */
  delivered?: number;
  /** Default true: the job reached its end (done or cancelled). */
  finished?: boolean;
  kind?: 'study' | 'followUp' | 'reburn' | 'reprint';
}

export class RetentionFixture {
  readonly t: TempDb;
  readonly dataDir: string;
  readonly clock = manualClock();
  readonly logLines: Record<string, unknown>[] = [];
  readonly logger: Logger;
  private nextInstance = 1;

  constructor() {
    this.t = openTempDb('retention');
    this.dataDir = path.join(this.t.dir, 'data');
    fs.mkdirSync(path.join(this.dataDir, 'store'), { recursive: true });
    this.logger = pino({ level: 'info' }, { write: (text: string) => void this.logLines.push(JSON.parse(text) as Record<string, unknown>) });
  }

  get db() {
    return this.t.db;
  }

  studyDir(uid: string): string {
    return path.join(this.dataDir, 'store', uid);
  }

  jobDir(jobId: string): string {
    return path.join(this.dataDir, 'jobs', jobId);
  }

  /** A study row in the given state, published the given number of days before the clock (null: never). */
  study(uid: string, state: string, publishedDaysAgo: number | null): void {
    new StudyRepository(this.db, { now: this.clock.now }).upsert({ studyInstanceUid: uid, state, route: null, holdReasons: [], quietDeadlineMs: null });
    this.publishedAt(uid, publishedDaysAgo === null ? null : this.clock.now() - publishedDaysAgo * DAY_MS);
  }

  publishedAt(uid: string, atMs: number | null): void {
    this.db.prepare('UPDATE studies SET published_at_ms = ? WHERE study_instance_uid = ?').run(atMs, uid);
  }

  setState(uid: string, state: string): void {
    this.db.prepare('UPDATE studies SET state = ? WHERE study_instance_uid = ?').run(state, uid);
  }

  /** Stores count instances of the study in one series: files with as many bytes as their rows say. */
  instances(uid: string, count: number): StudyFiles {
    const index = new InstanceIndex(this.db);
    const result: StudyFiles = { uid, instanceIds: [], files: [], bytes: 0 };
    for (let i = 0; i < count; i += 1) {
      const record = instanceRecord(this.nextInstance, uid);
      this.nextInstance += 1;
      record.path = path.join(this.studyDir(uid), record.seriesInstanceUid, `${record.sopInstanceUid}.dcm`);
      fs.mkdirSync(path.dirname(record.path), { recursive: true });
      fs.writeFileSync(record.path, Buffer.alloc(record.bytes, 0x42));
      result.instanceIds.push(index.add(record));
      result.files.push(record.path);
      result.bytes += record.bytes;
    }
    return result;
  }

  /** A second object under the SOP Instance UID of instanceId, kept apart next to it as the store does. */
  keptApartDuplicate(instanceId: number): string {
    const index = new InstanceIndex(this.db);
    const first = index.all().find((row) => row.id === instanceId)!;
    const file = first.path.replace(/\.dcm$/, '.dup1.dcm');
    fs.writeFileSync(file, Buffer.alloc(first.bytes, 0x43));
    index.addKeptApart({ ...first, path: file }, instanceId);
    return file;
  }

  /** A disc job of the study with its image and label files, its discs recorded, finished or not. */
  job(uid: string, spec: JobSpec): { image: string; label: string } {
    const jobs = new JobRepository(this.db, { now: this.clock.now });
    const copies = spec.copies ?? 1;
    jobs.create({ jobId: spec.jobId, studyInstanceUid: uid, robot: 'robot:a', copies, instanceIds: spec.instanceIds, media: 'cd' });
    if (spec.kind) this.db.prepare('UPDATE jobs SET kind = ? WHERE job_id = ?').run(spec.kind, spec.jobId);
    const dir = this.jobDir(spec.jobId);
    fs.mkdirSync(dir, { recursive: true });
    const image = path.join(dir, 'disc.iso');
    const label = path.join(dir, 'label.svg');
    fs.writeFileSync(image, Buffer.alloc(4096, 0x44));
    fs.writeFileSync(label, '<svg/>');
    jobs.setImage(spec.jobId, { imagePath: image, labelPath: label, media: 'cd' });
    for (let copy = 1; copy <= (spec.delivered ?? copies); copy += 1) {
      jobs.recordDisc({ discId: `${spec.jobId}/${copy}.1`, jobId: spec.jobId, copy, attempt: 1, outcome: 'delivered', location: 'bin1' });
    }
    const finished = spec.finished ?? true;
    jobs.setState(spec.jobId, finished ? 'done' : 'queued', { finished });
    return { image, label };
  }

  finishJob(jobId: string): void {
    new JobRepository(this.db, { now: this.clock.now }).setState(jobId, 'done', { finished: true });
  }

  /** A published study older than its retention, every instance on a finished job with every copy delivered. */
  expiredStudy(uid: string, count = 3, daysAgo = 40): StudyFiles & { jobId: string } {
    this.study(uid, 'published', daysAgo);
    const files = this.instances(uid, count);
    const jobId = `job-${uid.split('.').at(-1)}`;
    this.job(uid, { jobId, instanceIds: files.instanceIds, copies: 2 });
    return { ...files, jobId };
  }

  purgedAt(instanceIds: readonly number[]): (number | null)[] {
    const statement = this.db.prepare('SELECT purged_at_ms AS purgedAtMs FROM instances WHERE id = ?');
    return instanceIds.map((id) => (statement.get(id) as { purgedAtMs: number | null }).purgedAtMs);
  }

  cleanup(): void {
    this.t.cleanup();
  }
}

export function exists(file: string): boolean {
  return fs.existsSync(file);
}
