// A real SQLite file in a fresh temp folder, opened the way the server opens it (WAL, foreign keys,
// migrations), plus the instance rows a job needs. Each test gets its own folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../../adapters/db/database.ts';
import { InstanceIndex, type InstanceRecord } from '../../adapters/db/instances.ts';

export interface TempDb {
  dir: string;
  file: string;
  db: Db;
  /** Closes the connection and opens the file again: what a restart sees. */
  reopen(): Db;
  cleanup(): void;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

export function openTempDb(prefix = 'discrobot-db'): TempDb {
  const dir = tempDir(prefix);
  const file = path.join(dir, 'db.sqlite');
  const handle: TempDb = {
    dir,
    file,
    db: openDatabase(file, { durable: true }),
    reopen() {
      handle.db.close();
      handle.db = openDatabase(file, { durable: true });
      return handle.db;
    },
    cleanup() {
      if (handle.db.open) handle.db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** An instance row as the store writes it; n makes its UIDs and path unique. */
export function instanceRecord(n: number, study = '1.2.826.0.1.3680043.8.498.5.1'): InstanceRecord {
  return {
    sopInstanceUid: `${study}.1.${n}`,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    studyInstanceUid: study,
    seriesInstanceUid: `${study}.1`,
    patientId: 'PAT5',
    patientName: 'Test^Five',
    patientBirthDate: '19800101',
    patientSex: 'O',
    studyDate: '20260101',
    studyTime: '120000',
    studyId: 'S5',
    accessionNumber: 'A5',
    studyDescription: 'CT Head',
    seriesNumber: '1',
    modality: 'CT',
    instanceNumber: String(n),
    specificCharacterSet: null,
    path: `/data/studies/${study}/${n}.dcm`,
    bytes: 1000 + n,
    receivedTransferSyntax: '1.2.840.10008.1.2.1',
    callingAeTitle: 'CT1',
    calledAeTitle: 'DISCROBOT',
    receivedAt: '2026-01-01T12:00:00.000Z',
    headerJson: '{}',
  };
}

/** Adds count instance rows of one study; returns their row ids. */
export function addInstances(db: Db, count: number, study?: string, first = 1): number[] {
  const index = new InstanceIndex(db);
  return Array.from({ length: count }, (_, i) => index.add(instanceRecord(first + i, study)));
}

/** A clock the test moves: every call returns the current value. */
export function manualClock(start = 1_767_268_800_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
}
