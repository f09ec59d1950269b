// Rule 1 of the architecture: Success only after the object is durably on disk and indexed. The
// file operations are recorded in one order with the PDUs the server sends (seen by a proxy between
// storescu and the server), and each fsync is held open for a while, so an early answer would be
// seen going out while the fsync is still running.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.ts';
import { runTool, storescu } from '../support/dcmtk.ts';
import { PDU } from '../support/pdu.ts';
import { EventLog, recordingFs, type RecordedEvent } from './support/recording-fs.ts';
import { tapProxy } from './support/tap-proxy.ts';
import { freshUids, writeCtFile } from './support/dataset.ts';

const SYNC_DELAY_MS = 150;
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'discrobot-durability-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function only(events: RecordedEvent[], what: string): RecordedEvent {
  expect(events, `exactly one ${what}`).toHaveLength(1);
  return events[0]!;
}

describe('durable store order', () => {
  let server: TestServer;
  const log = new EventLog();

  beforeAll(async () => {
    server = await startServer({}, { fs: recordingFs(log, { syncDelayMs: SYNC_DELAY_MS }) });
  });
  afterAll(async () => server.dispose());

  it('opens, writes, fsyncs, closes, renames and fsyncs the folder, and indexes, all before the C-STORE-RSP leaves', async () => {
    const uids = freshUids();
    const file = writeCtFile(path.join(work, 'one.dcm'), { ...uids, pixelBytes: 64 * 1024 });
    let rowWhenAnswered: unknown = 'no response seen';
    const proxy = await tapProxy(server.port, (type) => {
      if (type !== PDU.PData) return;
      // The first P-DATA from the server is the C-STORE-RSP (storescu sends no C-ECHO).
      if (log.find('response').length === 0) rowWhenAnswered = server.index.current(uids.sopInstanceUid);
      log.record('response');
    });
    const started = log.events.length;
    const result = await storescu(proxy.port, 'DISCROBOT', [file]);
    await proxy.close();
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('Received Store Response (Success)');

    const events = log.events.slice(started);
    const inThisStore = (what: string, predicate?: (args: unknown[]) => boolean) =>
      events.filter((e) => e.what === what && (!predicate || predicate(e.args)));
    const open = only(inThisStore('open'), 'open');
    const [tempPath, fd] = open.args as [string, number];
    expect(tempPath.startsWith(path.join(server.dataDir, 'store', '.incoming') + path.sep)).toBe(true);
    const writes = inThisStore('writev', (a) => a[0] === fd);
    const fsync = only(inThisStore('fsync', (a) => a[0] === fd), 'fsync of the file');
    const fsyncStart = only(inThisStore('fsync:start', (a) => a[0] === fd), 'fsync start');
    const close = only(inThisStore('close', (a) => a[0] === fd), 'close');
    const rename = only(inThisStore('rename', (a) => a[0] === tempPath), 'rename');
    const target = rename.args[1] as string;
    const targetDir = path.dirname(target);
    const dirSync = only(inThisStore('fsyncDir', (a) => a[0] === targetDir), 'fsyncDir of the target folder');
    const response = inThisStore('response')[0];

    expect(target).toBe(path.join(server.dataDir, 'store', uids.studyInstanceUid, uids.seriesInstanceUid, `${uids.sopInstanceUid}.dcm`));
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.reduce((n, w) => n + (w.args[1] as number), 0)).toBeGreaterThan(64 * 1024);
    for (const w of writes) {
      expect(w.seq).toBeGreaterThan(open.seq);
      expect(w.seq).toBeLessThan(fsyncStart.seq);
    }
    expect(fsync.seq).toBeLessThan(close.seq);
    expect(close.seq).toBeLessThan(rename.seq);
    expect(rename.seq).toBeLessThan(dirSync.seq);
    expect(response, 'the proxy saw the C-STORE-RSP').toBeDefined();
    expect(dirSync.seq).toBeLessThan(response!.seq);
    // The index row existed when the response passed the proxy.
    expect(rowWhenAnswered).toMatchObject({ path: target, jobId: null });

    // The new study and series folders' own entries were made durable too, before the answer.
    for (const dir of [path.dirname(targetDir), targetDir]) {
      const made = only(inThisStore('mkdir', (a) => a[0] === dir), `mkdir ${dir}`);
      const parentSync = inThisStore('fsyncDir', (a) => a[0] === path.dirname(dir)).find((e) => e.seq > made.seq);
      expect(parentSync, `fsyncDir of the parent of ${dir}`).toBeDefined();
      expect(parentSync!.seq).toBeLessThan(response!.seq);
    }

    // DCMTK reads back the stored file as the object that was sent.
    const dump = await runTool('dcmdump', ['+P', '0008,0018', '+P', '0002,0010', target]);
    expect(dump.code, dump.output).toBe(0);
    expect(dump.stdout).toContain(uids.sopInstanceUid);
    expect(dump.stdout).toContain('=LittleEndianExplicit');
  });
});

describe('non-durable mode (storage.durable: false)', () => {
  let server: TestServer;
  const log = new EventLog();

  beforeAll(async () => {
    server = await startServer({ storage: { durable: false } }, { fs: recordingFs(log) });
  });
  afterAll(async () => server.dispose());

  it('stores the object without any fsync of file or folder', async () => {
    const uids = freshUids();
    const file = writeCtFile(path.join(work, 'fast.dcm'), uids);
    const result = await storescu(server.port, 'DISCROBOT', [file]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('Received Store Response (Success)');
    expect(log.find('open')).toHaveLength(1);
    expect(log.find('rename')).toHaveLength(1);
    expect(server.index.current(uids.sopInstanceUid)).toBeDefined();
    expect(log.find('fsync')).toEqual([]);
    expect(log.find('fsync:start')).toEqual([]);
    expect(log.find('fsyncDir')).toEqual([]);
    expect(log.find('fsyncDir:start')).toEqual([]);
  });
});
