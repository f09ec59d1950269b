// The file operations the instance store needs, as one small interface, so that tests can record
// the order of the calls that make a store durable (a kill test cannot: the page cache survives).
import fs from 'node:fs';
import { promisify } from 'node:util';

export interface DurableFs {
  open(path: string): Promise<number>;
  writev(fd: number, buffers: Buffer[]): Promise<number>;
  fsync(fd: number): Promise<void>;
  close(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** fsync a directory, so that a rename or a new entry in it survives a power cut. */
  fsyncDir(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  /** Bytes available to an unprivileged writer on the file system holding path. */
  freeBytes(path: string): Promise<number>;
}

const open = promisify(fs.open);
const fsync = promisify(fs.fsync);
const close = promisify(fs.close);

/**
 * Calls that only touch the page cache (open, write, close, rename, mkdir) run synchronously: each
 * takes microseconds, while a trip through libuv's thread pool costs far more in latency, and a
 * C-STORE made several such trips before its response could leave. The calls that wait for the disk
 * (fsync of a file or a folder) stay asynchronous so that other associations go on meanwhile.
 */
export const nodeFs: DurableFs = {
  open: async (path) => fs.openSync(path, 'wx', 0o640),
  async writev(fd, buffers) {
    let written = 0;
    let pending = buffers;
    // writev may write less than asked (large batches, signals): continue with the rest.
    while (pending.length > 0) {
      const total = pending.reduce((n, b) => n + b.length, 0);
      const n = fs.writevSync(fd, pending);
      written += n;
      if (n >= total) break;
      pending = dropBytes(pending, n);
    }
    return written;
  },
  fsync: (fd) => fsync(fd),
  close: async (fd) => fs.closeSync(fd),
  rename: async (from, to) => fs.renameSync(from, to),
  async fsyncDir(path) {
    const fd = await open(path, 'r');
    try {
      await fsync(fd);
    } finally {
      await close(fd);
    }
  },
  unlink: async (path) => fs.unlinkSync(path),
  mkdir: async (path) => void fs.mkdirSync(path, { recursive: true }),
  async freeBytes(path) {
    const s = await fs.promises.statfs(path);
    return s.bavail * s.bsize;
  },
};

function dropBytes(buffers: Buffer[], n: number): Buffer[] {
  const rest: Buffer[] = [];
  let skip = n;
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    rest.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return rest;
}
