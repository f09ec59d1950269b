// Saves the simulator's world under its data folder (<data>/sim/world.sqlite) after every change,
// so that a restarted simulator with the same folder finds the discs where they were. SQLite is the
// project's only durable store besides the DICOM files: one row holds the world as a JSON document
// with its schema version and a revision that counts the saves.

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { World } from './world.ts';

export const WORLD_SCHEMA = 1;

export class WorldStore {
  private readonly db: Database.Database;
  private readonly saveStatement: Database.Statement;
  private revision = 0;

  /** Opens (creating) <simDir>/world.sqlite. */
  constructor(readonly simDir: string) {
    fs.mkdirSync(simDir, { recursive: true });
    this.db = new Database(path.join(simDir, 'world.sqlite'));
    this.db.pragma('journal_mode = WAL');
    // NORMAL: a save survives a crash of the simulator; a power loss of the host may lose the last one.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS world (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      schema INTEGER NOT NULL,
      revision INTEGER NOT NULL,
      doc TEXT NOT NULL,
      saved_at TEXT NOT NULL)`);
    this.saveStatement = this.db.prepare(`INSERT INTO world (id, schema, revision, doc, saved_at) VALUES (1, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET schema = excluded.schema, revision = excluded.revision, doc = excluded.doc, saved_at = excluded.saved_at`);
  }

  /** The saved world, or null when the folder holds none yet. */
  load(): World | null {
    const row = this.db.prepare('SELECT schema, revision, doc FROM world WHERE id = 1').get() as { schema: number; revision: number; doc: string } | undefined;
    if (!row) return null;
    if (row.schema !== WORLD_SCHEMA) throw new Error(`${this.simDir}/world.sqlite holds a world of schema ${row.schema}; this simulator reads ${WORLD_SCHEMA}`);
    this.revision = row.revision;
    return JSON.parse(row.doc) as World;
  }

  save(world: World): void {
    this.revision++;
    this.saveStatement.run(WORLD_SCHEMA, this.revision, JSON.stringify(world), new Date().toISOString());
  }

  get savedRevision(): number {
    return this.revision;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
