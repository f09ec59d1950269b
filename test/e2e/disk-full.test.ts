// A real full disk under a running `discrobot serve`: its data folder (store, temp files and the
// SQLite database together, as the product lays them out) is a small tmpfs. Objects are sent until
// the file system is full. The store that meets ENOSPC is answered A700 and leaves nothing behind;
// every object acknowledged before is intact; the process goes on; once space returns, storing does
// too. The reserve check (refused before a byte is written) is proven here for its recovery; its
// refusal alone is in store-statuses.test.ts.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoscu, runTool, storeOneWithStatus } from '../support/dcmtk.ts';
import { waitFor } from './support/api-client.ts';
import { freshUids, writeCtFile } from './support/dataset.ts';
import { startPublisher, type RunningPublisher } from './support/publisher-process.ts';

const MB = 1024 * 1024;
const PIXEL_BYTES = 256 * 1024;

interface Sent {
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  instanceNumber: number;
}

/** A tmpfs of `sizeMb` mounted on a fresh folder; unmounted (and the folder removed) by `dispose`. */
function mountTmpfs(sizeMb: number): { dir: string; dispose(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'discrobot-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
  return {
    dir,
    dispose() {
      try {
        execFileSync('umount', [dir]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const storeOne = storeOneWithStatus;

/** Every regular file under the store, .incoming included, relative to it. */
function storeFiles(dataDir: string): string[] {
  const root = path.join(dataDir, 'store');
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
    .sort();
}

const storedPath = (s: Sent) => path.join(s.studyInstanceUid, s.seriesInstanceUid, `${s.sopInstanceUid}.dcm`);

/** dcmdump parses the stored file, and its Pixel Data (the last element, OW, Explicit VR LE) is the pixels sent. */
async function expectIntact(dataDir: string, sent: Sent, pixelBytes = PIXEL_BYTES): Promise<void> {
  const file = path.join(dataDir, 'store', storedPath(sent));
  const dump = await runTool('dcmdump', ['-q', file]);
  expect(dump.code, `dcmdump ${file}: ${dump.output}`).toBe(0);
  expect(dump.output).toContain(sent.sopInstanceUid);
  const pixels = ctPixels({ ...sent, pixelBytes });
  const bytes = readFileSync(file);
  const header = bytes.subarray(bytes.length - pixels.length - 12, bytes.length - pixels.length);
  expect(header.toString('hex')).toBe(`e07f1000${Buffer.from('OW').toString('hex')}0000${hexUint32LE(pixels.length)}`);
  expect(bytes.subarray(bytes.length - pixels.length).equals(pixels), `pixels of ${sent.sopInstanceUid}`).toBe(true);
}

function hexUint32LE(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b.toString('hex');
}

const storeFailedLines = (publisher: RunningPublisher) => publisher.cli.logLines().filter((l) => l['msg'] === 'C-STORE failed');

describe('disk full during a store', () => {
  let disk: ReturnType<typeof mountTmpfs>;
  let work: string;
  let publisher: RunningPublisher;
  let sequence = 0;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'discrobot-disk-full-'));
    disk = mountTmpfs(8);
    publisher = await startPublisher({
      dataDir: disk.dir,
      // No study is mastered while the test runs: the disk fills with received objects only.
      quietPeriodSeconds: 3600,
      timeScale: 0,
      // No reserve: the store runs into the real ENOSPC, not the free-space check.
      config: { file: path.join(work, 'discrobot.json'), content: { storage: { reserveBytes: 0 } } },
    });
  });
  afterAll(async () => {
    await publisher?.stop();
    disk?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  function nextObject(): { sent: Sent; file: string } {
    sequence += 1;
    const sent: Sent = { ...freshUids(), instanceNumber: sequence };
    return { sent, file: writeCtFile(path.join(work, `${sequence}.dcm`), { ...sent, pixelBytes: PIXEL_BYTES }) };
  }

  it('answers A700 to the store that meets ENOSPC, keeps every earlier object intact, leaves nothing partial, and stores again once space returns', async () => {
    // A filler to delete later: space that comes back without touching the store.
    const filler = path.join(disk.dir, 'filler.bin');
    writeFileSync(filler, Buffer.alloc(2 * MB, 1));

    const acknowledged: Sent[] = [];
    let refused: { sent: Sent; status: number; comment: string } | undefined;
    // 8 MB hold at most 32 such objects; a few more rounds than that mean the disk never filled.
    for (let round = 0; round < 40 && !refused; round++) {
      const { sent, file } = nextObject();
      const answer = await storeOne(publisher.dicomPort, file);
      if (answer.status === 0x0000) acknowledged.push(sent);
      else refused = { sent, status: answer.status, comment: answer.comment };
    }
    expect(refused, 'a store was refused before 40 objects').toBeDefined();
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(refused!.status.toString(16)).toBe('a700');
    expect(refused!.comment).toMatch(/disk full/);
    const failure = storeFailedLines(publisher).at(-1);
    expect(failure).toMatchObject({ status: 'A700' });
    expect(String(failure?.['reason'])).toMatch(/disk full/);

    // Nothing partial: no temp file, no file of the refused object; exactly the acknowledged files.
    expect(storeFiles(disk.dir)).toEqual(acknowledged.map(storedPath).sort());
    for (const sent of acknowledged) await expectIntact(disk.dir, sent);

    // The process is up and answers.
    expect(publisher.cli.child.exitCode).toBeNull();
    const echo = await echoscu(publisher.dicomPort, 'DISCROBOT');
    expect(echo.code, echo.output).toBe(0);

    // Space comes back: the next store succeeds, the refused object too when sent again.
    rmSync(filler);
    const again = await storeOne(publisher.dicomPort, path.join(work, `${refused!.sent.instanceNumber}.dcm`));
    expect(again.status, again.output.slice(-2000)).toBe(0x0000);
    const next = nextObject();
    expect((await storeOne(publisher.dicomPort, next.file)).status).toBe(0x0000);
    for (const sent of [...acknowledged, refused!.sent, next.sent]) await expectIntact(disk.dir, sent);
    expect(storeFiles(disk.dir)).toEqual([...acknowledged, refused!.sent, next.sent].map(storedPath).sort());
    // Every stored object is in the index as well: the API counts them per study.
    for (const sent of [...acknowledged, refused!.sent, next.sent]) {
      const study = await publisher.api.study(sent.studyInstanceUid);
      expect(study?.instances, `study ${sent.studyInstanceUid}`).toBe(1);
    }
  });
});

describe('the database on the full disk', () => {
  let disk: ReturnType<typeof mountTmpfs>;
  let work: string;
  let publisher: RunningPublisher;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'discrobot-db-full-'));
    disk = mountTmpfs(8);
    publisher = await startPublisher({
      dataDir: disk.dir, quietPeriodSeconds: 3600, timeScale: 0,
      config: { file: path.join(work, 'discrobot.json'), content: { storage: { reserveBytes: 0 } } },
    });
  });
  afterAll(async () => {
    await publisher?.stop();
    disk?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers A700 when the object fits but the database cannot grow, and keeps no file without its row', async () => {
    const first: Sent = { ...freshUids(), instanceNumber: 1 };
    expect((await storeOne(publisher.dicomPort, writeCtFile(path.join(work, 'first.dcm'), { ...first, pixelBytes: 256 }))).status).toBe(0x0000);
    // Fill the disk to its last page, then give two pages back: room for a small object's file
    // (one page), none for the pages SQLite appends to its write-ahead log for the object's row.
    const filler = path.join(disk.dir, 'filler.bin');
    fillDisk(filler);
    truncateSync(filler, statSync(filler).size - 2 * PAGE);
    const second: Sent = { ...freshUids(), instanceNumber: 2 };
    const secondFile = writeCtFile(path.join(work, 'second.dcm'), { ...second, pixelBytes: 256 });
    const refused = await storeOne(publisher.dicomPort, secondFile);
    expect(refused.status.toString(16)).toBe('a700');
    expect(refused.comment).toMatch(/disk full/);
    expect(storeFiles(disk.dir)).toEqual([storedPath(first)]);
    expect(publisher.cli.child.exitCode).toBeNull();
    expect((await echoscu(publisher.dicomPort, 'DISCROBOT')).code).toBe(0);

    rmSync(filler);
    const stored = await storeOne(publisher.dicomPort, secondFile);
    expect(stored.status, stored.output.slice(-2000)).toBe(0x0000);
    expect(storeFiles(disk.dir)).toEqual([storedPath(first), storedPath(second)].sort());
    for (const sent of [first, second]) {
      expect((await publisher.api.study(sent.studyInstanceUid))?.instances).toBe(1);
      await expectIntact(disk.dir, sent, 256);
    }
  });
});

const PAGE = 4096;

/** Writes to file until the file system refuses another byte. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [MB, 64 * 1024, PAGE, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe('free space below the reserve', () => {
  let disk: ReturnType<typeof mountTmpfs>;
  let work: string;
  let publisher: RunningPublisher;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'discrobot-reserve-'));
    disk = mountTmpfs(8);
    publisher = await startPublisher({
      dataDir: disk.dir, quietPeriodSeconds: 3600, timeScale: 0,
      config: { file: path.join(work, 'discrobot.json'), content: { storage: { reserveBytes: 4 * MB } } },
    });
  });
  afterAll(async () => {
    await publisher?.stop();
    disk?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  // The refusal alone is in store-statuses.test.ts; here it is on a disk that gets space back.
  it('refuses A700 before writing anything while free space is below the reserve, and stores again once it is above', async () => {
    const filler = path.join(disk.dir, 'filler.bin');
    writeFileSync(filler, Buffer.alloc(5 * MB, 1));
    // The free space is read at most once a second: a store may still see the old figure and be
    // stored; each try is a new object, so what was stored is known.
    const stored: Sent[] = [];
    let tries = 0;
    const refused = await waitFor(async () => {
      tries += 1;
      const sent: Sent = { ...freshUids(), instanceNumber: tries };
      const a = await storeOne(publisher.dicomPort, writeCtFile(path.join(work, `${tries}.dcm`), { ...sent, pixelBytes: PIXEL_BYTES }));
      if (a.status === 0x0000) stored.push(sent);
      return a.status !== 0x0000 ? { ...a, sent, file: path.join(work, `${tries}.dcm`) } : undefined;
    }, 'a refusal below the reserve');
    expect(refused.status.toString(16)).toBe('a700');
    expect(refused.comment).toMatch(/below the configured reserve/);
    // Refused before writing: no temp file, no stored file for it.
    expect(storeFiles(disk.dir)).toEqual(stored.map(storedPath).sort());
    expect(publisher.cli.logLines().some((l) => l['msg'] === 'C-STORE failed' && /reserve/.test(String(l['reason'])))).toBe(true);

    rmSync(filler);
    await waitFor(async () => ((await storeOne(publisher.dicomPort, refused.file)).status === 0x0000 ? true : undefined),
      'the refused object stored once space is above the reserve again');
    expect(storeFiles(disk.dir)).toEqual([...stored, refused.sent].map(storedPath).sort());
    for (const sent of [...stored, refused.sent]) await expectIntact(disk.dir, sent);
  });
});

/** The pixels writeCtFile writes (see ctDataset in support/dataset.ts): the bytes to find again. */
function ctPixels(o: { instanceNumber: number; pixelBytes: number }): Buffer {
  const pixels = Buffer.alloc(Math.ceil(o.pixelBytes / 256) * 256);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + o.instanceNumber) & 0xff;
  return pixels;
}
