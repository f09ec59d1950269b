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
const writev = promisify(fs.writev);
const fsync = promisify(fs.fsync);
const close = promisify(fs.close);

export const nodeFs: DurableFs = {
  open: (path) => open(path, 'wx', 0o640),
  async writev(fd, buffers) {
    let written = 0;
    let pending = buffers;
    // writev may write less than asked (large batches, signals): continue with the rest.
    while (pending.length > 0) {
      const total = pending.reduce((n, b) => n + b.length, 0);
      const n = (await writev(fd, pending)).bytesWritten ?? 0;
      written += n;
      if (n >= total) break;
      pending = dropBytes(pending, n);
    }
    return written;
  },
  fsync: (fd) => fsync(fd),
  close: (fd) => close(fd),
  rename: (from, to) => fs.promises.rename(from, to),
  async fsyncDir(path) {
    const fd = await open(path, 'r');
    try {
      await fsync(fd);
    } finally {
      await close(fd);
    }
  },
  unlink: (path) => fs.promises.unlink(path),
  mkdir: async (path) => void (await fs.promises.mkdir(path, { recursive: true })),
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
