// A SOP Instance UID received again: before any disc job the newer object replaces the older (one
// row, one file); once the first copy is on a disc job, the newcomer is kept apart (own row flagged
// duplicate_of, own file) and what the disc may carry is never touched.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.ts';
import { runTool, storescu } from '../support/dcmtk.ts';
import { freshUids, writeCtFile } from './support/dataset.ts';

let server: TestServer;
let work: string;
const uids = freshUids();

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'discrobot-duplicates-'));
  server = await startServer();
});
afterAll(async () => {
  await server.dispose();
  rmSync(work, { recursive: true, force: true });
});

/** Sends version n of the object (its Instance Number tells the versions apart). */
async function sendVersion(n: number): Promise<void> {
  const file = writeCtFile(path.join(work, `v${n}.dcm`), { ...uids, instanceNumber: n });
  const result = await storescu(server.port, 'DISCROBOT', [file]);
  expect(result.code, result.output).toBe(0);
  expect(result.output).toContain('Received Store Response (Success)');
}

/** The Instance Number in a stored file, read by DCMTK. */
async function instanceNumberIn(file: string): Promise<number> {
  const dump = await runTool('dcmdump', ['+P', '0020,0013', file]);
  expect(dump.code, dump.output).toBe(0);
  const match = /\[(\d+)\]/.exec(dump.stdout);
  expect(match, dump.stdout).not.toBeNull();
  return Number(match![1]);
}

const rows = () => server.index.all().filter((r) => r.sopInstanceUid === uids.sopInstanceUid);

describe('duplicate SOP Instance UID', () => {
  let firstPath: string;
  let firstId: number;

  it('before any disc job: the second copy replaces the first, one row, and a log line says so', async () => {
    await sendVersion(1);
    const [first] = rows();
    expect(first).toBeDefined();
    firstPath = first!.path;
    firstId = first!.id;
    expect(await instanceNumberIn(firstPath)).toBe(1);

    await sendVersion(2);
    const after = rows();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: firstId, path: firstPath, duplicateOf: null, instanceNumber: '2' });
    expect(await instanceNumberIn(firstPath)).toBe(2);
    const line = server.logLines().find((l) => l['sopInstanceUid'] === uids.sopInstanceUid && /replaced/.test(String(l['msg'])));
    expect(line, 'a log line about the replacement').toBeDefined();
  });

  it('once the first copy is on a disc job: kept apart in its own row and file, the original untouched', async () => {
    server.db.prepare("UPDATE instances SET job_id = 'job1' WHERE sop_instance_uid = ?").run(uids.sopInstanceUid);
    const originalBytes = readFileSync(firstPath);

    await sendVersion(3);
    const after = rows();
    expect(after).toHaveLength(2);
    const original = after.find((r) => r.id === firstId)!;
    const keptApart = after.find((r) => r.id !== firstId)!;
    expect(original).toMatchObject({ path: firstPath, jobId: 'job1', duplicateOf: null, instanceNumber: '2' });
    expect(keptApart).toMatchObject({ duplicateOf: firstId, jobId: null, instanceNumber: '3' });
    expect(keptApart.path).not.toBe(firstPath);
    expect(path.dirname(keptApart.path)).toBe(path.dirname(firstPath));
    expect(readFileSync(firstPath).equals(originalBytes)).toBe(true);
    expect(await instanceNumberIn(keptApart.path)).toBe(3);
    expect(server.logLines().some((l) => l['sopInstanceUid'] === uids.sopInstanceUid && /kept apart/.test(String(l['msg'])))).toBe(true);

    // A further copy is kept apart again, in yet another file.
    await sendVersion(4);
    const later = rows();
    expect(later).toHaveLength(3);
    const paths = new Set(later.map((r) => r.path));
    expect(paths.size).toBe(3);
    expect(later.filter((r) => r.duplicateOf === firstId)).toHaveLength(2);
    expect(readFileSync(firstPath).equals(originalBytes)).toBe(true);
    expect(await instanceNumberIn(keptApart.path)).toBe(3);
  });
});
