// A SOP Instance UID received again, sent by DCMTK's storescu to the in-process server. The same
// content (whoever sends it, in whichever transfer syntax) is a resend: answered Success, one row,
// one file, and the publisher hears instance.stored with duplicate 'same'. Different content never
// replaces what was stored: it is kept apart (own row flagged duplicate_of, own file) and reported
// 'different', whether or not the first copy is on a disc job yet.
//
// Until issue 5, different content replaced the first copy while no disc job had it. Patient safety
// forbids that: two objects under one SOP Instance UID hold the study, and a person decides which
// one is right, so the first copy must still be there to decide about.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceStoredEvent } from '../../machines/association.machine.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/interop-server.ts';
import { runTool, storescu } from '../support/dcmtk.ts';
import { freshUids, writeCtFile } from './support/dataset.ts';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';

let server: TestServer;
let work: string;
/** Every instance.stored the publisher received, in order. */
const reported: InstanceStoredEvent[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'discrobot-duplicates-'));
  server = await startServer();
  server.publisher.system.inspect((e) => {
    if (e.type === '@xstate.event' && e.actorRef === server.publisher && e.event.type === 'instance.stored') reported.push(e.event as InstanceStoredEvent);
  });
});
afterAll(async () => {
  await server.dispose();
  rmSync(work, { recursive: true, force: true });
});

type Uids = ReturnType<typeof freshUids>;

/** Version n of the object (its Instance Number and pixels tell the versions apart), as a file. */
const versionFile = (uids: Uids, n: number, name = `${uids.sopInstanceUid}-v${n}.dcm`) =>
  writeCtFile(path.join(work, name), { ...uids, instanceNumber: n });

/** Sends the file with storescu and waits until the publisher heard of it; returns what it heard. */
async function send(uids: Uids, file: string, extra: string[] = []): Promise<InstanceStoredEvent> {
  const before = reportsFor(uids).length;
  const result = await storescu(server.port, 'DISCROBOT', [file], extra);
  expect(result.code, result.output).toBe(0);
  expect(result.output).toContain('Received Store Response (Success)');
  await waitFor(() => reportsFor(uids).length > before, 30_000, 'instance.stored for the object just sent');
  return reportsFor(uids).at(-1)!;
}

const reportsFor = (uids: Uids) => reported.filter((e) => e.sopInstanceUid === uids.sopInstanceUid);
const rows = (uids: Uids) => server.index.all().filter((r) => r.sopInstanceUid === uids.sopInstanceUid);
const filesBeside = (file: string) => readdirSync(path.dirname(file)).sort();

/** The Instance Number in a stored file, read by DCMTK. */
async function instanceNumberIn(file: string): Promise<number> {
  const dump = await runTool('dcmdump', ['+P', '0020,0013', file]);
  expect(dump.code, dump.output).toBe(0);
  const match = /\[(\d+)\]/.exec(dump.stdout);
  expect(match, dump.stdout).not.toBeNull();
  return Number(match![1]);
}

describe('the same object sent again', () => {
  it('the same file twice: one row, one file, the second reported as the same object', async () => {
    const uids = freshUids();
    const file = versionFile(uids, 1);
    const first = await send(uids, file);
    const [row] = rows(uids);
    expect(row).toBeDefined();
    const storedBytes = readFileSync(row!.path);
    const second = await send(uids, file);

    expect(first).toMatchObject({
      instanceId: row!.id,
      studyInstanceUid: uids.studyInstanceUid,
      patientId: 'TESTPID',
      patientName: 'Test^Patient',
      patientBirthDate: null,
      callingAeTitle: 'STORESCU',
      calledAeTitle: 'DISCROBOT',
    });
    expect(first).not.toHaveProperty('duplicate');
    expect(second).toMatchObject({ instanceId: row!.id, studyInstanceUid: uids.studyInstanceUid, duplicate: 'same' });
    expect(second.receivedAtMs).toBeGreaterThanOrEqual(first.receivedAtMs);
    expect(rows(uids)).toEqual([row]);
    expect(filesBeside(row!.path)).toEqual([path.basename(row!.path)]);
    expect(readFileSync(row!.path).equals(storedBytes)).toBe(true);
    const line = server.logLines().find((l) => l['sopInstanceUid'] === uids.sopInstanceUid && /same content/.test(String(l['msg'])));
    expect(line, 'an info line about the resend').toMatchObject({ level: 30 });
  });

  it('from another calling AE title, converted by storescu to another transfer syntax: still the same object', async () => {
    const uids = freshUids();
    // dcmconv makes an Explicit VR LE file; proposing Implicit VR LE only makes storescu convert it back.
    const explicitFile = path.join(work, `${uids.sopInstanceUid}-explicit.dcm`);
    const converted = await runTool('dcmconv', ['+te', versionFile(uids, 1), explicitFile]);
    expect(converted.code, converted.output).toBe(0);
    await send(uids, explicitFile);
    const [row] = rows(uids);
    expect(row).toMatchObject({ receivedTransferSyntax: EXPLICIT_LE, callingAeTitle: 'STORESCU' });

    const result = await storescu(server.port, 'DISCROBOT', [explicitFile], ['-aet', 'OTHER_AE', '-xi']);
    expect(result.output).toMatch(/Converting transfer syntax: Little Endian Explicit -> Little Endian Implicit/);
    expect(result.output).toContain('Received Store Response (Success)');
    await waitFor(() => reportsFor(uids).length === 2, 30_000, 'instance.stored for the resend');
    expect(reportsFor(uids)[1]).toMatchObject({ instanceId: row!.id, callingAeTitle: 'OTHER_AE', duplicate: 'same' });
    expect(rows(uids)).toEqual([row]);
    expect(filesBeside(row!.path)).toEqual([path.basename(row!.path)]);
  });
});

describe('different content under a SOP Instance UID already stored', () => {
  const uids = freshUids();
  let first: ReturnType<typeof rows>[number];

  it('before any disc job: kept apart and reported different; the first copy stays current and untouched', async () => {
    await send(uids, versionFile(uids, 1));
    [first] = rows(uids) as [typeof first];
    const firstBytes = readFileSync(first.path);

    const report = await send(uids, versionFile(uids, 2));
    const after = rows(uids);
    expect(after).toHaveLength(2);
    const keptApart = after.find((r) => r.id !== first.id)!;
    expect(after.find((r) => r.id === first.id)).toEqual(first);
    expect(keptApart).toMatchObject({ duplicateOf: first.id, jobId: null, instanceNumber: '2' });
    expect(keptApart.path).not.toBe(first.path);
    expect(path.dirname(keptApart.path)).toBe(path.dirname(first.path));
    expect(report).toMatchObject({ instanceId: keptApart.id, duplicate: 'different', patientId: 'TESTPID' });
    expect(server.index.current(uids.sopInstanceUid)?.id).toBe(first.id);
    expect(readFileSync(first.path).equals(firstBytes)).toBe(true);
    expect(await instanceNumberIn(first.path)).toBe(1);
    expect(await instanceNumberIn(keptApart.path)).toBe(2);
    expect(server.logLines().some((l) => l['sopInstanceUid'] === uids.sopInstanceUid && l['level'] === 40 && /kept apart/.test(String(l['msg'])))).toBe(true);

    // The kept-apart version sent again is not kept twice, and still reported as different.
    const repeat = await send(uids, versionFile(uids, 2, 'v2-again.dcm'));
    expect(repeat).toMatchObject({ instanceId: keptApart.id, duplicate: 'different' });
    expect(rows(uids)).toHaveLength(2);
    expect(filesBeside(first.path)).toHaveLength(2);
  });

  it('once the first copy is on a disc job: kept apart again in a file of its own, what the disc may carry untouched', async () => {
    server.db.prepare("UPDATE instances SET job_id = 'job1' WHERE id = ?").run(first.id);
    const firstBytes = readFileSync(first.path);

    const report = await send(uids, versionFile(uids, 3));
    const later = rows(uids);
    expect(later).toHaveLength(3);
    const third = later.find((r) => r.instanceNumber === '3')!;
    expect(third).toMatchObject({ duplicateOf: first.id, jobId: null });
    expect(report).toMatchObject({ instanceId: third.id, duplicate: 'different' });
    expect(new Set(later.map((r) => r.path)).size).toBe(3);
    expect(later.filter((r) => r.duplicateOf === first.id)).toHaveLength(2);
    expect(later.find((r) => r.id === first.id)).toMatchObject({ jobId: 'job1', duplicateOf: null, instanceNumber: '1' });
    expect(readFileSync(first.path).equals(firstBytes)).toBe(true);
    expect(await instanceNumberIn(third.path)).toBe(3);
  });
});
