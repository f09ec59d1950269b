// Rows of the studies table: each study's state, its route, why it is held and the end of its quiet
// period. The deadline is stored here because XState after: timers are not restored on restart: a
// settling study found here after a restart waits only for what is left of its quiet period.
import type { Db } from './database.ts';

/**
 * One study as stored. Route and hold reasons are the study machine's own types (plain JSON data,
 * stored as JSON text); they are type parameters so this file does not depend on the machine.
 */
export interface StudyRecord<Route = unknown, HoldReason = unknown> {
  studyInstanceUid: string;
  state: string;
  /** The routing rule chosen for the study (media, copies, robots, ...), or null before one is chosen. */
  route: Route | null;
  /** Why the study is held for review; empty when it is not held. */
  holdReasons: readonly HoldReason[];
  /** Epoch ms when the quiet period ends, or null when the study is not settling. */
  quietDeadlineMs: number | null;
}

export interface StoredStudy<Route = unknown, HoldReason = unknown> extends StudyRecord<Route, HoldReason> {
  createdAtMs: number;
  updatedAtMs: number;
}

interface StudyRow {
  studyInstanceUid: string;
  state: string;
  routeJson: string;
  holdReasonsJson: string;
  quietDeadlineMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
}

const SELECT = `SELECT study_instance_uid AS studyInstanceUid, state, route_json AS routeJson, hold_reasons_json AS holdReasonsJson,
  quiet_deadline_ms AS quietDeadlineMs, created_at_ms AS createdAtMs, updated_at_ms AS updatedAtMs FROM studies`;

function fromRow<Route, HoldReason>(row: StudyRow): StoredStudy<Route, HoldReason> {
  return {
    studyInstanceUid: row.studyInstanceUid,
    state: row.state,
    route: JSON.parse(row.routeJson) as Route | null,
    holdReasons: JSON.parse(row.holdReasonsJson) as HoldReason[],
    quietDeadlineMs: row.quietDeadlineMs,
    createdAtMs: row.createdAtMs,
    updatedAtMs: row.updatedAtMs,
  };
}

export interface StudyRepositoryOptions {
  /** Epoch ms; injectable so tests can tell created from updated. */
  now?: () => number;
}

export class StudyRepository<Route = unknown, HoldReason = unknown> {
  private readonly now: () => number;
  private readonly upsertStatement;
  private readonly getStatement;
  private readonly publishedStatement;
  private readonly listStatement;
  private readonly byStateStatement;

  constructor(db: Db, options: StudyRepositoryOptions = {}) {
    this.now = options.now ?? Date.now;
    // The whole record each time: the study actor owns all of it, so a partial write could only lose.
    this.upsertStatement = db.prepare(
      `INSERT INTO studies (study_instance_uid, state, route_json, hold_reasons_json, quiet_deadline_ms, created_at_ms, updated_at_ms)
       VALUES (@studyInstanceUid, @state, @routeJson, @holdReasonsJson, @quietDeadlineMs, @at, @at)
       ON CONFLICT (study_instance_uid) DO UPDATE SET state = excluded.state, route_json = excluded.route_json,
         hold_reasons_json = excluded.hold_reasons_json, quiet_deadline_ms = excluded.quiet_deadline_ms, updated_at_ms = excluded.updated_at_ms`,
    );
    this.getStatement = db.prepare(`${SELECT} WHERE study_instance_uid = ?`);
    this.publishedStatement = db.prepare('UPDATE studies SET published_at_ms = ? WHERE study_instance_uid = ?');
    this.listStatement = db.prepare(`${SELECT} ORDER BY created_at_ms, study_instance_uid`);
    this.byStateStatement = db.prepare(`${SELECT} WHERE state = ? ORDER BY created_at_ms, study_instance_uid`);
  }

  /** Creates the study or replaces its state, route, hold reasons and deadline; created_at stays. */
  upsert(study: StudyRecord<Route, HoldReason>): void {
    this.upsertStatement.run({
      studyInstanceUid: study.studyInstanceUid,
      state: study.state,
      routeJson: JSON.stringify(study.route),
      holdReasonsJson: JSON.stringify(study.holdReasons),
      quietDeadlineMs: study.quietDeadlineMs,
      at: this.now(),
    });
  }

  /** The study became published now (retention counts from the latest publication). */
  markPublished(studyInstanceUid: string): void {
    this.publishedStatement.run(this.now(), studyInstanceUid);
  }

  get(studyInstanceUid: string): StoredStudy<Route, HoldReason> | undefined {
    const row = this.getStatement.get(studyInstanceUid) as StudyRow | undefined;
    return row && fromRow<Route, HoldReason>(row);
  }

  /** Every study, oldest first. */
  list(): StoredStudy<Route, HoldReason>[] {
    return (this.listStatement.all() as StudyRow[]).map((row) => fromRow<Route, HoldReason>(row));
  }

  /** The studies in one state (e.g. every settling study at restart), oldest first. */
  inState(state: string): StoredStudy<Route, HoldReason>[] {
    return (this.byStateStatement.all(state) as StudyRow[]).map((row) => fromRow<Route, HoldReason>(row));
  }
}
