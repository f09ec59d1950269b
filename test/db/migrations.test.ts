// Migrations on a real SQLite file: an empty database gets every table; a database left at
// migration 1 by an earlier release (with stored instances) is upgraded and keeps its rows; a
// second open changes nothing; shipped migrations are never edited.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../adapters/db/database.ts';
import { JobRepository } from '../../adapters/db/jobs.ts';
import { MIGRATIONS } from '../../adapters/db/migrations.ts';
import { instanceRecord, tempDir } from './temp-db.ts';

// sha256 of each migration as committed: editing one breaks every database already at that version.
const SHIPPED = [
  'f8270f4942442d3f617bfa858defb6a53917023996e5c51397f6dcd79ad9cc86',
  '24110b591306d8a78fc0807dfa1c63a3fa64139811210da925eaacbcc68fc9ab',
  '321b5b2b4425722ad6f0604920cdae1d3af363e8c1d191df3c924b42871d3cbc',
  '4efb5eb5bc7e8e4b9bfb18956d9e808c9d67768577ddb7db0d9c8d37eb071257',
];

const NEW_TABLES = ['actor_snapshots', 'audit', 'discs', 'job_instances', 'jobs', 'studies'];
const NEW_TRIGGERS = ['audit_no_delete', 'audit_no_update', 'discs_copy_already_delivered', 'discs_copy_beyond_job'];

function names(db: Db, type: 'table' | 'trigger'): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name").all(type) as { name: string }[])
    .map((row) => row.name);
}

function schemaVersion(db: Db): number {
  return (db.prepare('SELECT version FROM schema_version').get() as { version: number }).version;
}

/** The database an earlier release left: what openDatabase did when MIGRATIONS had one entry. */
function databaseAtMigration1(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
  db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  db.transaction(() => {
    db.exec(MIGRATIONS[0]!);
    db.prepare('UPDATE schema_version SET version = 1').run();
  })();
  // Migration 1's columns only: today's InstanceIndex writes columns later migrations added.
  const columns = Object.keys(instanceRecord(1)).filter((key) => key !== 'contentDigest');
  const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const insert = db.prepare(
    `INSERT INTO instances (${columns.map(snake).join(', ')}, duplicate_of) VALUES (${columns.map((k) => `@${k}`).join(', ')}, @duplicateOf)`,
  );
  const add = (record: object, duplicateOf: number | null) => Number(insert.run({ ...record, duplicateOf }).lastInsertRowid);
  const first = add(instanceRecord(1), null);
  add(instanceRecord(2), null);
  add({ ...instanceRecord(1), path: '/data/dup1.dcm' }, first);
  db.close();
}

describe('database migrations', () => {
  const dirs: string[] = [];
  const dbs: Db[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) if (db.open) db.close();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  function file(): string {
    const dir = tempDir('migrations');
    dirs.push(dir);
    return path.join(dir, 'db.sqlite');
  }
  function open(at: string): Db {
    const db = openDatabase(at, { durable: true });
    dbs.push(db);
    return db;
  }

  it('never edits a shipped migration', () => {
    const hashes = MIGRATIONS.map((sql) => createHash('sha256').update(sql).digest('hex'));
    expect(hashes.slice(0, SHIPPED.length)).toEqual(SHIPPED);
  });

  it('gives an empty database every table and trigger, in WAL mode', () => {
    const db = open(file());
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(names(db, 'table')).toEqual(expect.arrayContaining(['instances', 'schema_version', ...NEW_TABLES]));
    expect(names(db, 'trigger')).toEqual(NEW_TRIGGERS);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('upgrades a database at migration 1 and keeps its instance rows', () => {
    const at = file();
    databaseAtMigration1(at);
    const before = new Database(at, { readonly: true });
    const rowsBefore = before.prepare('SELECT * FROM instances ORDER BY id').all();
    expect(names(before, 'table')).not.toContain('jobs');
    before.close();
    expect(rowsBefore).toHaveLength(3);

    const db = open(at);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    // Every old column keeps its value; the columns of later migrations start empty.
    expect(db.prepare('SELECT * FROM instances ORDER BY id').all()).toEqual(
      rowsBefore.map((row) => ({ ...(row as object), content_digest: null, purged_at_ms: null })),
    );
    expect(names(db, 'table')).toEqual(expect.arrayContaining(NEW_TABLES));
    // The new tables reach the old rows: a job takes the stored instances.
    const ids = (rowsBefore as { id: number; duplicate_of: number | null }[]).filter((r) => r.duplicate_of === null).map((r) => r.id);
    new JobRepository(db).create({ jobId: 'j-upgrade', studyInstanceUid: null, robot: null, copies: 1, instanceIds: ids });
    expect(new JobRepository(db).instanceIds('j-upgrade')).toEqual(ids);
  });

  it('changes nothing when opened again', () => {
    const at = file();
    const first = open(at);
    new JobRepository(first).create({ jobId: 'j1', studyInstanceUid: null, robot: 'robot:a', copies: 2, instanceIds: [] });
    const schema = first.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
    first.close();
    const again = open(at);
    expect(schemaVersion(again)).toBe(MIGRATIONS.length);
    expect(again.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all()).toEqual(schema);
    expect(new JobRepository(again).get('j1')?.copies).toBe(2);
  });

  it('rolls a failing migration back whole: the version stays and no half of it remains', () => {
    const at = file();
    databaseAtMigration1(at);
    // A table that migration 2 creates already exists: migration 2 fails part-way through.
    const blocker = new Database(at);
    blocker.exec('CREATE TABLE audit (x INTEGER)');
    blocker.close();
    expect(() => openDatabase(at, { durable: true })).toThrow(/audit already exists/);
    const after = new Database(at, { readonly: true });
    expect(schemaVersion(after)).toBe(1);
    expect(names(after, 'table')).not.toContain('studies');
    after.close();
  });
});
