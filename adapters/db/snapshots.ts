// Rows of the actor_snapshots table: the latest persisted snapshot of each durable actor (studies,
// disc jobs, robots), keyed by its systemId, in a versioned envelope. XState's persisted snapshot has
// no version of its own, so the machine's id and version are stored beside it; a snapshot saved by
// another version of the machine is refused at load, never restored into a machine that may read it
// differently, and never dropped without a word: someone migrates or discards it deliberately.
import type { Db } from './database.ts';

export interface SnapshotEnvelope {
  /** The actor's systemId, e.g. 'job:j1'. */
  systemId: string;
  /** The machine's id (machine.id), e.g. 'discJob'. */
  machineId: string;
  /** The machine's version (machine.version) that made the snapshot. */
  machineVersion: string;
  /** actor.getPersistedSnapshot(): plain JSON. */
  snapshot: unknown;
}

export interface StoredSnapshot extends SnapshotEnvelope {
  savedAtMs: number;
}

/** What a snapshot's envelope says, without the snapshot. */
export type SnapshotSummary = Omit<StoredSnapshot, 'snapshot'>;

/** A running machine as XState describes it: createMachine({ id, version }). */
export interface RunningMachine {
  id: string;
  version?: string;
}

export interface VersionMismatch {
  systemId: string;
  machineId: string;
  storedVersion: string;
  /** null when no running machine has that id. */
  runningVersion: string | null;
}

/** Snapshots that the running machines must not restore. */
export class SnapshotVersionError extends Error {
  constructor(readonly mismatches: VersionMismatch[]) {
    super(mismatches.map(describeMismatch).join('; '));
    this.name = 'SnapshotVersionError';
  }
}

function describeMismatch({ systemId, machineId, storedVersion, runningVersion }: VersionMismatch): string {
  const running = runningVersion === null ? `no running machine is called ${machineId}` : `the running ${machineId} machine is version ${runningVersion}`;
  return `actor snapshot ${systemId} was saved by ${machineId} machine version ${storedVersion}, but ${running}: refused to restore it (migrate or discard it deliberately)`;
}

interface SnapshotRow {
  systemId: string;
  machineId: string;
  machineVersion: string;
  snapshotJson: string;
  savedAtMs: number;
}

const SUMMARY_COLUMNS = 'system_id AS systemId, machine_id AS machineId, machine_version AS machineVersion, saved_at_ms AS savedAtMs';

export interface SnapshotRepositoryOptions {
  now?: () => number;
}

export class SnapshotRepository {
  private readonly now: () => number;
  private readonly upsertStatement;
  private readonly getStatement;
  private readonly allStatement;
  private readonly summaryStatement;
  private readonly deleteStatement;

  constructor(db: Db, options: SnapshotRepositoryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.upsertStatement = db.prepare(
      `INSERT INTO actor_snapshots (system_id, machine_id, machine_version, snapshot_json, saved_at_ms)
       VALUES (@systemId, @machineId, @machineVersion, @snapshotJson, @at)
       ON CONFLICT (system_id) DO UPDATE SET machine_id = excluded.machine_id, machine_version = excluded.machine_version,
         snapshot_json = excluded.snapshot_json, saved_at_ms = excluded.saved_at_ms`,
    );
    this.getStatement = db.prepare(`SELECT ${SUMMARY_COLUMNS}, snapshot_json AS snapshotJson FROM actor_snapshots WHERE system_id = ?`);
    this.allStatement = db.prepare(`SELECT ${SUMMARY_COLUMNS}, snapshot_json AS snapshotJson FROM actor_snapshots ORDER BY system_id`);
    this.summaryStatement = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM actor_snapshots ORDER BY system_id`);
    this.deleteStatement = db.prepare('DELETE FROM actor_snapshots WHERE system_id = ?');
  }

  /** Replaces the actor's snapshot with this one. */
  saveSnapshot(envelope: SnapshotEnvelope): void {
    const snapshotJson = JSON.stringify(envelope.snapshot);
    if (snapshotJson === undefined) throw new Error(`actor snapshot ${envelope.systemId}: nothing to save`);
    this.upsertStatement.run({ systemId: envelope.systemId, machineId: envelope.machineId, machineVersion: envelope.machineVersion, snapshotJson, at: this.now() });
  }

  /** The actor's snapshot if the running machine may restore it; throws SnapshotVersionError if not. */
  load(systemId: string, machines: readonly RunningMachine[]): StoredSnapshot | undefined {
    const row = this.getStatement.get(systemId) as SnapshotRow | undefined;
    return row && this.checked([row], machines)[0];
  }

  /** Every stored snapshot, checked against the running machines; one SnapshotVersionError names every refusal. */
  loadAll(machines: readonly RunningMachine[]): StoredSnapshot[] {
    return this.checked(this.allStatement.all() as SnapshotRow[], machines);
  }

  /** The envelopes without the snapshots and without a version check: for an operator deciding what to discard. */
  summaries(): SnapshotSummary[] {
    return this.summaryStatement.all() as SnapshotSummary[];
  }

  /** Forgets the actor's snapshot; true when there was one. */
  delete(systemId: string): boolean {
    return this.deleteStatement.run(systemId).changes > 0;
  }

  private checked(rows: SnapshotRow[], machines: readonly RunningMachine[]): StoredSnapshot[] {
    const running = new Map(machines.map((machine) => [machine.id, machine.version]));
    const mismatches: VersionMismatch[] = [];
    for (const row of rows) {
      const runningVersion = running.has(row.machineId) ? running.get(row.machineId) ?? '' : null;
      if (runningVersion !== row.machineVersion) {
        mismatches.push({ systemId: row.systemId, machineId: row.machineId, storedVersion: row.machineVersion, runningVersion });
      }
    }
    if (mismatches.length > 0) throw new SnapshotVersionError(mismatches);
    return rows.map(({ snapshotJson, ...summary }) => ({ ...summary, snapshot: JSON.parse(snapshotJson) as unknown }));
  }
}
