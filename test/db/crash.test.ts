// A writer process is SIGKILLed while it commits unit after unit of work. After reopening the
// file: every unit it reported committed is there, whole; no unit is there in part (each job has
// all its instances, its disc, its snapshot and its audit entry, or the job is not there at all);
// and the database passes SQLite's integrity check.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditTrail } from '../../adapters/db/audit.ts';
import { JobRepository } from '../../adapters/db/jobs.ts';
import { SnapshotRepository } from '../../adapters/db/snapshots.ts';
import { StudyRepository } from '../../adapters/db/studies.ts';
import { openTempDb, type TempDb } from './temp-db.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const WRITER = path.join(HERE, 'crash-writer.ts');
const INSTANCES_PER_JOB = 3;
/** Units to see committed before the kill: enough that the kill lands among writes. */
const UNITS_BEFORE_KILL = 25;

/** Runs the writer until it reported `units` commits, then SIGKILLs it; resolves with the reported numbers. */
function writeThenKill(file: string, units: number): Promise<{ reported: number[]; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, String(INSTANCES_PER_JOB)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const reported: number[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^committed (\d+)$/.exec(line);
        if (match) reported.push(Number(match[1]));
      }
      if (reported.length >= units && !child.killed) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    // 'close', not 'exit': every line the writer got out before the kill is read by then.
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the writer ended by itself (code ${code}): ${stderr}`));
      else resolve({ reported, signal });
    });
  });
}

describe('crash while writing', () => {
  let t: TempDb;
  afterEach(() => t.cleanup());

  it('keeps every committed unit whole after SIGKILL, and no torn one', async () => {
    t = openTempDb('crash');
    t.db.close();
    const { reported, signal } = await writeThenKill(t.file, UNITS_BEFORE_KILL);
    expect(signal).toBe('SIGKILL');
    expect(reported.slice(0, UNITS_BEFORE_KILL)).toEqual(Array.from({ length: UNITS_BEFORE_KILL }, (_, i) => i + 1));

    const db = t.reopen();
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const jobs = new JobRepository(db);
    const snapshots = new SnapshotRepository(db);
    const audit = new AuditTrail(db);
    const studies = new StudyRepository(db);
    const present = jobs.list().map((job) => Number(job.jobId.slice(1))).sort((a, b) => a - b);
    // Every reported unit survived, none is missing in between; units that committed while their
    // line was still on its way may be there too.
    expect(present).toEqual(Array.from({ length: present.length }, (_, i) => i + 1));
    expect(present.length).toBeGreaterThanOrEqual(Math.max(...reported));
    for (const n of present) {
      const job = jobs.get(`j${n}`)!;
      expect(jobs.instanceIds(job.jobId)).toHaveLength(INSTANCES_PER_JOB);
      expect(jobs.discs(job.jobId)).toMatchObject([{ discId: `j${n}/1.1`, outcome: 'delivered' }]);
      expect(job.copiesDone).toBe(1);
      expect(studies.get(job.studyInstanceUid!)?.state).toBe('queued');
      expect(snapshots.load(`job:j${n}`, [{ id: 'discJob', version: '1' }])?.snapshot).toEqual({ value: 'done', n });
      expect(audit.forSubject(`disc:j${n}/1.1`)).toHaveLength(1);
    }
    // Nothing of a unit that did not commit: no stray rows beside the whole units.
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(count('instances')).toBe(present.length * INSTANCES_PER_JOB);
    expect(count('studies')).toBe(present.length);
    expect(count('discs')).toBe(present.length);
    expect(count('actor_snapshots')).toBe(present.length);
    expect(count('audit')).toBe(present.length);
  });
});
