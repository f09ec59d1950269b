// The database locked by another process (a backup, an operator's sqlite3 shell) while `discrobot
// serve` runs: a Python process takes SQLite's write lock (BEGIN EXCLUSIVE) on the publisher's
// db.sqlite and holds it for as long as the test says.
// - A C-STORE whose row meets the lock waits for it, a bounded time, without stalling the process:
//   a lock let go within that time costs nothing. Held longer, the store fails with A700 (Refused:
//   Out of Resources: the database is a resource that comes back, and a sender may try again), with
//   a log line naming the database as busy; its file does not stay in the store; what was
//   acknowledged before stays; C-ECHO is answered; once the lock is gone the same object stores.
// - An association's audit entry written while locked: the process goes on, and the entry lands
//   once the lock is released (the persistence observer's retry of actor snapshots is proven in
//   test/publisher/persistence-locked.test.ts).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { echoscu, storeOneWithStatus } from '../support/dcmtk.ts';
import { lockDatabase, type DatabaseLock } from '../support/sqlite-locker.ts';
import { associate, releaseRq, type RawConnection } from '../support/pdu.ts';
import { waitFor } from './support/api-client.ts';
import { cStore } from './support/dimse.ts';
import { CT_IMAGE, IMPLICIT_LE, ctDataset, freshUids, writeCtFile } from './support/dataset.ts';
import { finishedJobsOfStudy, startPublisher, studyInState, type RunningPublisher } from './support/publisher-process.ts';

const locks = new Set<DatabaseLock>();
afterEach(() => {
  // A failed test must not leave the lock held for the next one.
  for (const lock of locks) lock.kill();
  locks.clear();
});

async function lock(db: string): Promise<DatabaseLock> {
  const held = await lockDatabase(db);
  locks.add(held);
  return held;
}

const storeOne = storeOneWithStatus;

function storeFiles(dataDir: string): string[] {
  const root = path.join(dataDir, 'store');
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
    .sort();
}

const storedPath = (u: { studyInstanceUid: string; seriesInstanceUid: string; sopInstanceUid: string }) =>
  path.join(u.studyInstanceUid, u.seriesInstanceUid, `${u.sopInstanceUid}.dcm`);

describe('C-STORE while the database is locked', () => {
  let work: string;
  let publisher: RunningPublisher;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'discrobot-sqlite-locked-'));
    publisher = await startPublisher({ dataDir: path.join(work, 'data'), quietPeriodSeconds: 3600, timeScale: 0 });
  });
  afterAll(async () => {
    await publisher?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses the store A700 naming the database busy, keeps no file of it, loses nothing acknowledged, and stores again once the lock is gone', async () => {
    const first = freshUids();
    expect((await storeOne(publisher.dicomPort, writeCtFile(path.join(work, 'first.dcm'), first))).status).toBe(0x0000);

    const held = await lock(path.join(publisher.dataDir, 'db.sqlite'));
    const second = freshUids();
    const secondFile = writeCtFile(path.join(work, 'second.dcm'), second);
    const refused = await storeOne(publisher.dicomPort, secondFile);
    expect(refused.status.toString(16)).toBe('a700');
    expect(refused.comment).toMatch(/database busy/);
    const logs = publisher.cli.logLines();
    expect(logs.some((l) => l['level'] === 50 && /database is busy/.test(String(l['msg'])))).toBe(true);
    expect(logs.filter((l) => l['msg'] === 'C-STORE failed').at(-1)).toMatchObject({ status: 'A700' });
    // The refused object's file was renamed into the store before its row failed: it is gone again.
    expect(storeFiles(publisher.dataDir)).toEqual([storedPath(first)]);
    // The process answers while the lock is held.
    expect(publisher.cli.child.exitCode).toBeNull();
    expect((await echoscu(publisher.dicomPort, 'DISCROBOT')).code).toBe(0);
    expect((await publisher.api.study(first.studyInstanceUid))?.instances).toBe(1);

    await held.release();
    const stored = await storeOne(publisher.dicomPort, secondFile);
    expect(stored.status, stored.output.slice(-2000)).toBe(0x0000);
    expect(storeFiles(publisher.dataDir)).toEqual([storedPath(first), storedPath(second)].sort());
    expect((await publisher.api.study(second.studyInstanceUid))?.instances).toBe(1);
    expect((await publisher.api.study(first.studyInstanceUid))?.instances).toBe(1);
  });

  it('waits for a lock released within its bound, without failing the store', async () => {
    const third = freshUids();
    const held = await lock(path.join(publisher.dataDir, 'db.sqlite'));
    const sending = storeOne(publisher.dicomPort, writeCtFile(path.join(work, 'third.dcm'), third));
    // The file is in its place and its row waits for the lock: let go now.
    await waitFor(async () => storeFiles(publisher.dataDir).includes(storedPath(third)), 'the file to be placed', { intervalMs: 20 });
    await held.release();
    const answer = await sending;
    expect(answer.status, answer.output.slice(-2000)).toBe(0x0000);
    expect((await publisher.api.study(third.studyInstanceUid))?.instances).toBe(1);
  });
});

describe('the end of an association while the database is locked', () => {
  let work: string;
  let publisher: RunningPublisher;
  let connection: RawConnection | undefined;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'discrobot-sqlite-persist-'));
    publisher = await startPublisher({ dataDir: path.join(work, 'data'), quietPeriodSeconds: 3600, timeScale: 0 });
  });
  afterAll(async () => {
    connection?.destroy();
    await publisher?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  // The persistence observer's retry of an actor's snapshot is proven in test/publisher/persistence-locked.test.ts.
  it('goes on when the audit entry of who sent the study cannot be written, and writes it once the lock is released', async () => {
    const uids = freshUids();
    ({ connection } = await associate(publisher.dicomPort, { contexts: [{ id: 1, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] }] }));
    expect((await cStore(connection, 1, 1, CT_IMAGE, uids.sopInstanceUid, ctDataset(uids))).status).toBe(0x0000);

    const held = await lock(path.join(publisher.dataDir, 'db.sqlite'));
    // The association ends while locked: its audit entry (who sent the study) cannot be written.
    connection.send(releaseRq());
    await connection.closed;
    await waitFor(async () => publisher.cli.logLines().some((l) => l['msg'] === 'could not persist; will retry' && String(l['key']).startsWith('audit:')),
      'the audit entry to fail while locked');
    expect(publisher.cli.child.exitCode).toBeNull();
    expect((await echoscu(publisher.dicomPort, 'DISCROBOT')).code).toBe(0);
    expect(await receptions(uids.studyInstanceUid)).toBe(0);

    await held.release();
    await waitFor(async () => (await receptions(uids.studyInstanceUid)) > 0, 'the reception in the audit trail');
    expect(await receptions(uids.studyInstanceUid)).toBe(1);
    // And the publisher goes on as before: the study is published on a disc.
    expect((await publisher.api.releaseNow(uids.studyInstanceUid)).status).toBeLessThan(300);
    await studyInState(publisher.api, uids.studyInstanceUid, 'published');
    const [job] = await finishedJobsOfStudy(publisher.api, uids.studyInstanceUid, 1);
    expect(job?.state).toBe('done');
    expect(job?.discs.filter((d) => d.outcome === 'delivered')).toHaveLength(1);
    expect(publisher.cli.child.exitCode).toBeNull();
  });

  async function receptions(studyUid: string): Promise<number> {
    return (await publisher.api.audit({ subject: `study:${studyUid}` })).filter((e) => e.action === 'instances.received').length;
  }
});

describe('a study completing while the database is locked', () => {
  let work: string;
  let publisher: RunningPublisher;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'discrobot-sqlite-order-'));
    publisher = await startPublisher({ dataDir: path.join(work, 'data'), quietPeriodSeconds: 2, timeScale: 0 });
  });
  afterAll(async () => {
    await publisher?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  // The job order's row is written inside the publisher actor: a throw there would stop the actor and
  // with it every association. The write waits for the lock instead, and mastering waits for the row.
  it('keeps the publisher answering, records the job order once the lock is released, and burns the disc', async () => {
    const uids = freshUids();
    expect((await storeOne(publisher.dicomPort, writeCtFile(path.join(work, 'order.dcm'), uids))).status).toBe(0x0000);
    // Locked within the quiet period (2 s): the study completes while the lock is held.
    const again = await lock(path.join(publisher.dataDir, 'db.sqlite'));
    await waitFor(async () => publisher.cli.logLines().some((l) => l['msg'] === 'the database is busy or full: the write waits and is tried again'),
      'the job order to meet the lock', { timeoutMs: 60_000 });
    expect(publisher.cli.child.exitCode).toBeNull();
    expect((await echoscu(publisher.dicomPort, 'DISCROBOT')).code).toBe(0);

    await again.release();
    await waitFor(async () => publisher.cli.logLines().some((l) => l['msg'] === 'the database accepts writes again: waiting writes done'), 'the order to be written');
    await studyInState(publisher.api, uids.studyInstanceUid, 'published');
    const [job] = await finishedJobsOfStudy(publisher.api, uids.studyInstanceUid, 1);
    expect(job?.state).toBe('done');
    expect(job?.instanceIds).toHaveLength(1);
    expect(job?.discs.filter((d) => d.outcome === 'delivered')).toHaveLength(1);
    expect((await echoscu(publisher.dicomPort, 'DISCROBOT')).code).toBe(0);
    expect(publisher.cli.logLines().some((l) => /publisher actor stopped/.test(String(l['msg'])))).toBe(false);
  }, 120_000);
});
