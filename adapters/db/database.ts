// The embedded SQLite database: the one durable store besides the DICOM files themselves.
// Schema changes are numbered migrations applied in order at open.
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

/**
 * How long a statement waits for a write lock another process holds (a backup tool, an operator's
 * sqlite3 shell) before it fails with SQLITE_BUSY. better-sqlite3 waits synchronously: the whole
 * process stands still meanwhile. This default is for writers that cannot try again later (a job
 * row written inside an actor's action, an operator's audit entry): they wait this bounded time.
 */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * The wait of writers that try again on their own without blocking the process (withBusyTimeout):
 * the instance store (for a bounded time, then that one C-STORE is refused A700) and the
 * persistence observer (until its write lands). Short, so a locked database does not stall every
 * association and the HTTP API once per attempt.
 */
export const RETRYING_BUSY_TIMEOUT_MS = 50;

/** Runs fn with the connection's busy timeout set to ms, and puts the one before back. */
export function withBusyTimeout<T>(db: Db, ms: number, fn: () => T): T {
  const before = Number(db.pragma('busy_timeout', { simple: true }));
  db.pragma(`busy_timeout = ${ms}`);
  try {
    return fn();
  } finally {
    db.pragma(`busy_timeout = ${before}`);
  }
}

/** True for SQLite's "another connection holds the lock" errors, which go away once it lets go. */
export function isDatabaseBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** True when SQLite could not grow its file or journal: the disk is full. */
export function isDatabaseFull(err: unknown): boolean {
  return (err as { code?: unknown } | undefined)?.code === 'SQLITE_FULL';
}

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
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(db);
  } catch (err) {
    // A failed migration must not leave the file open (and locked) behind the error.
    db.close();
    throw err;
  }
  return db;
}

/**
 * Runs fn in one transaction committed without its own fsync (synchronous=NORMAL for this commit),
 * waiting only briefly for a lock another process holds (its caller, the persistence observer,
 * tries again later; see RETRYING_BUSY_TIMEOUT_MS):
 * for state that can be rebuilt from rows that were committed durably (actor snapshots beside the
 * instance rows). WAL keeps it consistent; a process crash loses nothing, since the write is in the
 * operating system's hands; only a power cut may lose the last such commits, and the next durable
 * commit (the next stored instance) syncs them too.
 */
export function commitRelaxed<T>(db: Db, fn: () => T): T {
  const durable = db.pragma('synchronous', { simple: true }) === 2;
  if (!durable) return withBusyTimeout(db, RETRYING_BUSY_TIMEOUT_MS, () => db.transaction(fn)());
  db.pragma('synchronous = NORMAL');
  try {
    return withBusyTimeout(db, RETRYING_BUSY_TIMEOUT_MS, () => db.transaction(fn)());
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
