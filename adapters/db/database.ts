// The embedded SQLite database: the one durable store besides the DICOM files themselves.
// Schema changes are numbered migrations applied in order at open.
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** fsync every commit (synchronous=FULL); off only for benchmarks. */
  durable: boolean;
}

export function openDatabase(path: string, options: OpenDatabaseOptions): Db {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.durable ? 'FULL' : 'OFF'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (err) {
    // A failed migration must not leave the file open (and locked) behind the error.
    db.close();
    throw err;
  }
  return db;
}

/**
 * Runs fn in one transaction committed without its own fsync (synchronous=NORMAL for this commit):
 * for state that can be rebuilt from rows that were committed durably (actor snapshots beside the
 * instance rows). WAL keeps it consistent; a process crash loses nothing, since the write is in the
 * operating system's hands; only a power cut may lose the last such commits, and the next durable
 * commit (the next stored instance) syncs them too.
 */
export function commitRelaxed<T>(db: Db, fn: () => T): T {
  const durable = db.pragma('synchronous', { simple: true }) === 2;
  if (!durable) return db.transaction(fn)();
  db.pragma('synchronous = NORMAL');
  try {
    return db.transaction(fn)();
  } finally {
    db.pragma('synchronous = FULL');
  }
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  let version = row?.version ?? 0;
  if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  for (const migration of MIGRATIONS.slice(version)) {
    db.transaction(() => {
      db.exec(migration);
      version += 1;
      db.prepare('UPDATE schema_version SET version = ?').run(version);
    })();
  }
}
