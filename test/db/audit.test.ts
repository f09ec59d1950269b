// The audit trail on a real SQLite file: entries go in with who, what and to what; they are found by
// subject and by time, and read in id order by the outputs fed from them; and nothing, not even raw
// SQL, can change or delete one once written.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditTrail, auditSubject } from '../../adapters/db/audit.ts';
import { manualClock, openTempDb, type TempDb } from './temp-db.ts';

const STUDY = '1.2.826.0.1.3680043.8.498.5.30';

describe('AuditTrail', () => {
  let t: TempDb;
  let clock: ReturnType<typeof manualClock>;
  let audit: AuditTrail;
  let start: number;
  beforeEach(() => {
    t = openTempDb('audit');
    clock = manualClock();
    start = clock.now();
    audit = new AuditTrail(t.db, { now: clock.now });
    audit.append({ actor: 'modality:CT1', action: 'instance.received', subject: auditSubject.study(STUDY), details: { sopInstanceUid: `${STUDY}.1.1`, bytes: 1024 } });
    clock.advance(1_000);
    audit.append({ actor: 'system', action: 'job.created', subject: auditSubject.job('j1'), details: { study: STUDY, instances: 1, copies: 2 } });
    clock.advance(1_000);
    audit.append({ actor: 'system', action: 'disc.delivered', subject: auditSubject.disc('j1/1.1'), details: { job: 'j1', location: 'bin1' } });
    clock.advance(1_000);
    audit.append({ actor: 'operator:alice', action: 'study.released', subject: auditSubject.study(STUDY) });
  });
  afterEach(() => t.cleanup());

  it('finds what happened to one subject, in order, with its details', () => {
    expect(audit.forSubject(`study:${STUDY}`)).toEqual([
      { id: 1, atMs: start, actor: 'modality:CT1', action: 'instance.received', subject: `study:${STUDY}`, details: { sopInstanceUid: `${STUDY}.1.1`, bytes: 1024 } },
      { id: 4, atMs: start + 3_000, actor: 'operator:alice', action: 'study.released', subject: `study:${STUDY}`, details: {} },
    ]);
    expect(audit.forSubject(`study:${STUDY}`, { fromMs: start + 1 }).map((e) => e.id)).toEqual([4]);
    expect(audit.forSubject('job:j1').map((e) => e.action)).toEqual(['job.created']);
    expect(audit.forSubject('job:j2')).toEqual([]);
  });

  it('finds what happened in a time range, both ends included', () => {
    expect(audit.between({ fromMs: start + 1_000, toMs: start + 2_000 }).map((e) => e.action)).toEqual(['job.created', 'disc.delivered']);
    expect(audit.between({ toMs: start }).map((e) => e.id)).toEqual([1]);
    expect(audit.between({}).map((e) => e.id)).toEqual([1, 2, 3, 4]);
  });

  it('hands the entries after an id to the outputs it feeds, a page at a time', () => {
    expect(audit.entriesAfter(0, 2).map((e) => e.id)).toEqual([1, 2]);
    expect(audit.entriesAfter(2, 2).map((e) => e.id)).toEqual([3, 4]);
    expect(audit.entriesAfter(4)).toEqual([]);
  });

  it('is append-only: UPDATE and DELETE are refused, the rows stay as written', () => {
    const before = audit.between({});
    expect(() => t.db.prepare("UPDATE audit SET actor = 'operator:mallory' WHERE id = 1").run()).toThrow('audit is append-only: an entry is never changed');
    expect(() => t.db.prepare('DELETE FROM audit WHERE id = 2').run()).toThrow('audit is append-only: an entry is never deleted');
    expect(() => t.db.prepare('DELETE FROM audit').run()).toThrow('audit is append-only');
    expect(audit.between({})).toEqual(before);
    // The refusals leave the trail writable.
    expect(audit.append({ actor: 'system', action: 'publisher.started', subject: 'publisher' })).toBe(5);
  });

  it('refuses an actor that names nobody', () => {
    for (const actor of ['modality:', 'operator:', 'root', '']) {
      expect(() => audit.append({ actor: actor as 'system', action: 'x', subject: 'y' })).toThrow(/CHECK/);
    }
    expect(audit.between({})).toHaveLength(4);
  });

  it('keeps the entries across a reopen, and commits an entry with the change it records', () => {
    const db = t.reopen();
    const reopened = new AuditTrail(db);
    expect(reopened.between({}).map((e) => e.id)).toEqual([1, 2, 3, 4]);
    // A failing transaction takes its audit entry with it: the trail never tells of a change that did not happen.
    expect(() => db.transaction(() => {
      reopened.append({ actor: 'operator:bob', action: 'job.cancelled', subject: auditSubject.job('j1') });
      throw new Error('the cancel failed');
    })()).toThrow('the cancel failed');
    expect(reopened.forSubject('job:j1').map((e) => e.action)).toEqual(['job.created']);
  });
});
