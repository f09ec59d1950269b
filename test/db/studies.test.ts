// The studies repository on a real SQLite file: the whole record is written each time, created_at
// stays, JSON columns come back as written, and a settling study's deadline survives a reopen.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StudyRepository, type StudyRecord } from '../../adapters/db/studies.ts';
import { manualClock, openTempDb, type TempDb } from './temp-db.ts';

const UID_A = '1.2.826.0.1.3680043.8.498.5.10';
const UID_B = '1.2.826.0.1.3680043.8.498.5.11';

// Interfaces, as the study machine declares its own: the repository takes them as they are.
interface Route {
  name: string;
  media: string;
  copies: number;
  robots: string[];
  quietPeriodMs: number;
}
interface HoldReason {
  code: string;
  message: string;
}

const ROUTE: Route = { name: 'ct-to-dvd', media: 'dvd', copies: 2, robots: ['robot:a', 'robot:b'], quietPeriodMs: 30_000 };

describe('StudyRepository', () => {
  let t: TempDb;
  let clock: ReturnType<typeof manualClock>;
  let studies: StudyRepository<Route, HoldReason>;
  beforeEach(() => {
    t = openTempDb('studies');
    clock = manualClock();
    studies = new StudyRepository<Route, HoldReason>(t.db, { now: clock.now });
  });
  afterEach(() => t.cleanup());

  it('creates a study and reads it back whole', () => {
    const record: StudyRecord<Route, HoldReason> = { studyInstanceUid: UID_A, state: 'collecting', route: ROUTE, holdReasons: [], quietDeadlineMs: null };
    studies.upsert(record);
    expect(studies.get(UID_A)).toEqual({ ...record, createdAtMs: clock.now(), updatedAtMs: clock.now() });
    expect(studies.get(UID_B)).toBeUndefined();
  });

  it('replaces state, deadline and hold reasons on upsert, keeping when it was created', () => {
    const created = clock.now();
    studies.upsert({ studyInstanceUid: UID_A, state: 'collecting', route: ROUTE, holdReasons: [], quietDeadlineMs: null });
    clock.advance(5_000);
    const deadline = clock.now() + 30_000;
    studies.upsert({ studyInstanceUid: UID_A, state: 'settling', route: ROUTE, holdReasons: [], quietDeadlineMs: deadline });
    expect(studies.get(UID_A)).toMatchObject({ state: 'settling', quietDeadlineMs: deadline, createdAtMs: created, updatedAtMs: created + 5_000 });
    clock.advance(1_000);
    const reasons: HoldReason[] = [{ code: 'patient-mismatch', message: 'Patient ID PAT5: name Test^Five and Test^Fiv' }, { code: 'no-patient-id', message: 'an instance has no Patient ID' }];
    studies.upsert({ studyInstanceUid: UID_A, state: 'held', route: null, holdReasons: reasons, quietDeadlineMs: null });
    expect(studies.get(UID_A)).toEqual({
      studyInstanceUid: UID_A, state: 'held', route: null, holdReasons: reasons, quietDeadlineMs: null, createdAtMs: created, updatedAtMs: created + 6_000,
    });
    expect(studies.list()).toHaveLength(1);
  });

  it('lists every study oldest first and finds the studies in one state', () => {
    studies.upsert({ studyInstanceUid: UID_B, state: 'settling', route: ROUTE, holdReasons: [], quietDeadlineMs: clock.now() + 30_000 });
    clock.advance(1);
    studies.upsert({ studyInstanceUid: UID_A, state: 'collecting', route: ROUTE, holdReasons: [], quietDeadlineMs: null });
    clock.advance(1);
    studies.upsert({ studyInstanceUid: '1.2.3', state: 'settling', route: ROUTE, holdReasons: [], quietDeadlineMs: clock.now() + 10_000 });
    expect(studies.list().map((s) => s.studyInstanceUid)).toEqual([UID_B, UID_A, '1.2.3']);
    expect(studies.inState('settling').map((s) => s.studyInstanceUid)).toEqual([UID_B, '1.2.3']);
    expect(studies.inState('published')).toEqual([]);
  });

  it('keeps a settling study and its deadline across a reopen', () => {
    const deadline = clock.now() + 45_000;
    studies.upsert({ studyInstanceUid: UID_A, state: 'settling', route: ROUTE, holdReasons: [], quietDeadlineMs: deadline });
    const reopened = new StudyRepository<Route, HoldReason>(t.reopen());
    expect(reopened.inState('settling')).toEqual([expect.objectContaining({ studyInstanceUid: UID_A, quietDeadlineMs: deadline, route: ROUTE })]);
  });
});
