// Mirrors the audit trail (SQLite, adapters/db/audit.ts) into the security audit log: every entry
// any part of discrobot appends (operator actions, discs, jobs, study holds and releases, purges)
// becomes one record, with the patients it concerns. Entries are read back after the append's
// transaction has ended, in id order, so a rolled-back entry is never mirrored and none is skipped.
import type { Logger } from 'pino';
import { AuditTrail, onAuditAppended, type StoredAuditEntry } from '../../adapters/db/audit.ts';
import type { Db } from '../../adapters/db/database.ts';
import { classifyTrailAction } from './atna-events.ts';
import type { SecurityAuditLog } from './audit-log.ts';
import { PatientLookup } from './patient-lookup.ts';

export interface TrailMirror {
  stop(): void;
}

function maxAuditId(db: Db): number {
  return (db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM audit').get() as { id: number }).id;
}

export function mirrorAuditTrail(db: Db, log: SecurityAuditLog, logger: Logger): TrailMirror {
  const trail = new AuditTrail(db);
  const patients = new PatientLookup(db);
  // Entries of earlier runs were mirrored then (or predate the audit log): start after them.
  let cursor = maxAuditId(db);
  let scheduled = false;
  let stopped = false;

  const mirror = (entry: StoredAuditEntry) => {
    const { event, outcome } = classifyTrailAction(entry.action);
    const concerns = patients.forSubject(entry.subject);
    log.record({
      event, action: entry.action, outcome, actor: entry.actor, subject: entry.subject,
      details: { ...entry.details, auditId: entry.id, ...(concerns ?? {}) },
    });
  };

  const drain = () => {
    scheduled = false;
    if (stopped || !db.open) return;
    try {
      for (let batch = trail.entriesAfter(cursor); batch.length > 0; batch = trail.entriesAfter(cursor)) {
        for (const entry of batch) {
          cursor = entry.id;
          mirror(entry);
        }
      }
    } catch (err) {
      // Runs in a microtask: a throw here would end the process. The next append tries again.
      logger.error({ err }, 'could not mirror the audit trail to the security audit log');
    }
  };

  const unsubscribe = onAuditAppended(db, () => {
    if (scheduled) return;
    scheduled = true;
    // better-sqlite3 transactions are synchronous: by the next microtask the append's transaction is over.
    queueMicrotask(drain);
  });

  return {
    stop() {
      // What was appended last is still mirrored before the database closes.
      drain();
      stopped = true;
      unsubscribe();
    },
  };
}
