// The hot folder's file I/O: atomic writes (a temporary file in the folder, fsync, rename, so
// PTBurn never picks up a half-written .JRQ or .PTM), the folder listing, and the status files,
// read with a plain read (Node opens files shared for reading and writing on Windows too).

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Errors that mean "the share is not there right now", as opposed to a bug of ours. */
const UNREACHABLE_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EIO', 'ENOTDIR', 'EHOSTDOWN', 'EHOSTUNREACH', 'ETIMEDOUT', 'ESTALE', 'ENOTCONN', 'EBUSY']);

export function isUnreachable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && UNREACHABLE_CODES.has(code);
}

/**
 * Writes `<folder>/<name>` atomically. The temporary name ends in .tmp, which PTBurn ignores, and
 * holds only characters Windows allows; the rename replaces nothing PTBurn is reading yet.
 */
export async function writeAtomically(folder: string, name: string, text: string): Promise<void> {
  const base = path.parse(name).name;
  const temp = path.join(folder, `${base}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, path.join(folder, name));
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

export const listFolder = (folder: string): Promise<string[]> => fs.readdir(folder);

export const STATUS_FOLDER = 'Status';
export const SYSTEM_STATUS_FILE = 'SystemStatus.txt';

export function readStatusFile(folder: string, fileName: string): Promise<string> {
  return fs.readFile(path.join(folder, STATUS_FOLDER, fileName), 'utf8');
}
