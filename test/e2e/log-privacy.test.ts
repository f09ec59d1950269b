// At info level and above no log line carries the patient's name or ID, whatever happens to the
// object: stored, replaced, refused as mismatched, malformed or misplaced. Checked in-process on
// every path, and on the real process's output at its default level.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.ts';
import { storescu } from '../support/dcmtk.ts';
import { associate } from '../support/pdu.ts';
import { cStore } from './support/dimse.ts';
import { CT_IMAGE, IMPLICIT_LE, ctDataset, freshUids, writeCtFile, type TestObject } from './support/dataset.ts';
import { freePort, startCli } from './support/process.ts';

const NAME = 'Geheimnis^Zacharias';
const PATIENT_ID = 'PID-7Q4X9';
const SECRETS = ['Geheimnis', 'Zacharias', PATIENT_ID];
const INFO = 30;

const patient = (o: ReturnType<typeof freshUids>): TestObject => ({ ...o, patientName: NAME, patientId: PATIENT_ID });

function leaks(lines: string[]): string[] {
  return lines.filter((line) => SECRETS.some((s) => line.includes(s)));
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'discrobot-privacy-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('in-process, every store path', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server.dispose());

  it('logs UIDs and statuses at info and above, never the patient name or ID', async () => {
    const { connection } = await associate(server.port, { contexts: [{ id: 1, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] }] });
    const good = freshUids();
    expect((await cStore(connection, 1, 1, CT_IMAGE, good.sopInstanceUid, ctDataset(patient(good)))).status).toBe(0);
    // Again: the replacement path logs the UID.
    expect((await cStore(connection, 1, 2, CT_IMAGE, good.sopInstanceUid, ctDataset(patient(good)))).status).toBe(0);
    const other = freshUids();
    expect((await cStore(connection, 1, 3, CT_IMAGE, freshUids().sopInstanceUid, ctDataset(patient(other)))).status).toBe(0xa900);
    const cut = freshUids();
    const whole = ctDataset(patient(cut));
    const inName = whole.indexOf(Buffer.from(NAME, 'latin1')) + 4;
    expect(inName).toBeGreaterThan(4);
    expect((await cStore(connection, 1, 4, CT_IMAGE, cut.sopInstanceUid, whole.subarray(0, inName))).status).toBe(0x0110);
    const misplaced = { ...freshUids(), studyInstanceUid: '../x' };
    expect((await cStore(connection, 1, 5, CT_IMAGE, misplaced.sopInstanceUid, ctDataset(patient(misplaced)))).status).toBe(0x0110);
    connection.destroy();
    const file = writeCtFile(path.join(work, 'p.dcm'), patient(freshUids()));
    expect((await storescu(server.port, 'DISCROBOT', [file])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 200));

    const infoLines = server.logLines().filter((l) => Number(l['level']) >= INFO).map((l) => JSON.stringify(l));
    // The capture saw the stores and their failures, so an empty leak list means something.
    expect(infoLines.some((l) => l.includes(good.sopInstanceUid))).toBe(true);
    expect(infoLines.filter((l) => l.includes('C-STORE failed'))).toHaveLength(3);
    expect(leaks(infoLines)).toEqual([]);
    // The name did reach the index: it is withheld from the logs, not lost.
    expect(server.index.all().find((r) => r.sopInstanceUid === good.sopInstanceUid)?.patientName).toBe(NAME);
  });
});

describe('the real process at its default level', () => {
  it('prints no patient name or ID on stdout or stderr', async () => {
    const port = await freePort();
    const p = startCli(['serve', '--host', '127.0.0.1', '--port', String(port), '--data', path.join(work, 'data')]);
    try {
      await p.listening();
      const uids = freshUids();
      const result = await storescu(port, 'DISCROBOT', [writeCtFile(path.join(work, 'q.dcm'), patient(uids))]);
      expect(result.code, result.output).toBe(0);
      p.child.kill('SIGTERM');
      expect((await p.exited).code).toBe(0);
      const lines = [...p.stdout().split('\n'), ...p.stderr().split('\n')].filter((l) => l.trim() !== '');
      expect(lines.some((l) => l.includes('"association ended"') && l.includes('"stored":1'))).toBe(true);
      expect(p.logLines().every((l) => Number(l['level']) >= INFO)).toBe(true);
      expect(leaks(lines)).toEqual([]);
    } finally {
      p.kill();
    }
  });
});
