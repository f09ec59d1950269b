// The audit trail (table audit): who sent what, which disc carried which instances, what operators
// did. It is the one audit store; other outputs (syslog, files) are fed from it in id order
// (entriesAfter), so they can always catch up. Append-only: triggers refuse UPDATE and DELETE, so an
// entry once written stays as written.
import type { Db } from './database.ts';

/** Who did it: a sending modality by its calling AE title, a person, or discrobot itself. */
export type AuditActor = `modality:${string}` | `operator:${string}` | 'system';

export interface AuditEntry {
  actor: AuditActor;
  /** What happened, e.g. 'instance.received', 'disc.delivered', 'job.cancelled'. */
  action: string;
  /** What it happened to: see auditSubject. */
  subject: string;
  /** Plain JSON data (stored as JSON text). */
  details?: Readonly<Record<string, unknown>>;
}

export interface StoredAuditEntry extends Required<AuditEntry> {
  id: number;
  atMs: number;
}

/** Subjects name their kind, so a study UID and a job id can never be mistaken for each other. */
export const auditSubject = {
  study: (studyInstanceUid: string) => `study:${studyInstanceUid}`,
  job: (jobId: string) => `job:${jobId}`,
  disc: (discId: string) => `disc:${discId}`,
  robot: (name: string) => `robot:${name}`,
};

export interface TimeRange {
  /** Epoch ms, inclusive; default: the beginning. */
  fromMs?: number;
  /** Epoch ms, inclusive; default: the end. */
  toMs?: number;
}

interface AuditRow {
  id: number;
  atMs: number;
  actor: AuditActor;
  action: string;
  subject: string;
  detailsJson: string;
}

const SELECT = 'SELECT id, at_ms AS atMs, actor, action, subject, details_json AS detailsJson FROM audit';

function fromRow({ detailsJson, ...row }: AuditRow): StoredAuditEntry {
  return { ...row, details: JSON.parse(detailsJson) as StoredAuditEntry['details'] };
}

function bounds(range: TimeRange): { fromMs: number; toMs: number } {
  return { fromMs: range.fromMs ?? 0, toMs: range.toMs ?? Number.MAX_SAFE_INTEGER };
}

/** Who hears of appends, per database: every AuditTrail on one Db (the publisher's, retention's) tells them. */
const appendListeners = new WeakMap<Db, Set<(id: number) => void>>();

/**
 * Calls `listener` with the id of each entry appended to this database's trail, at once (possibly
 * inside the caller's transaction, so a listener reads committed entries later, with entriesAfter).
 * Returns the unsubscribe function. The security audit log mirrors the trail through this.
 */
export function onAuditAppended(db: Db, listener: (id: number) => void): () => void {
  const listeners = appendListeners.get(db) ?? new Set();
  appendListeners.set(db, listeners);
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export interface AuditTrailOptions {
  now?: () => number;
}

export class AuditTrail {
  private readonly now: () => number;
  private readonly insert;
  private readonly bySubject;
  private readonly byTime;
  private readonly afterId;

  constructor(private readonly db: Db, options: AuditTrailOptions = {}) {
    this.now = options.now ?? Date.now;
    this.insert = db.prepare('INSERT INTO audit (at_ms, actor, action, subject, details_json) VALUES (@atMs, @actor, @action, @subject, @detailsJson)');
    this.bySubject = db.prepare(`${SELECT} WHERE subject = @subject AND at_ms BETWEEN @fromMs AND @toMs ORDER BY id`);
    this.byTime = db.prepare(`${SELECT} WHERE at_ms BETWEEN @fromMs AND @toMs ORDER BY id`);
    this.afterId = db.prepare(`${SELECT} WHERE id > ? ORDER BY id LIMIT ?`);
  }

  /** Writes one entry; returns its id. Inside a caller's transaction it commits with the change it records. */
  append(entry: AuditEntry): number {
    const detailsJson = JSON.stringify(entry.details ?? {});
    const result = this.insert.run({ atMs: this.now(), actor: entry.actor, action: entry.action, subject: entry.subject, detailsJson });
    const id = Number(result.lastInsertRowid);
    for (const listener of appendListeners.get(this.db) ?? []) listener(id);
    return id;
  }

  /** Everything that happened to one subject, in the order it was written. */
  forSubject(subject: string, range: TimeRange = {}): StoredAuditEntry[] {
    return (this.bySubject.all({ subject, ...bounds(range) }) as AuditRow[]).map(fromRow);
  }

  /** Everything in a time range, in the order it was written. */
  between(range: TimeRange): StoredAuditEntry[] {
    return (this.byTime.all(bounds(range)) as AuditRow[]).map(fromRow);
  }

  /** The entries written after the given id (0: from the start): how the other audit outputs catch up. */
  entriesAfter(id: number, limit = 1000): StoredAuditEntry[] {
    return (this.afterId.all(id, limit) as AuditRow[]).map(fromRow);
  }
}
