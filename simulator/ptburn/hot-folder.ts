// The emulator's file work in the hot folder: finding new .JRQ files (a client's `.tmp` still
// being written is not one), moving a job's file through .QRJ/.INP/.DON/.ERR, reading and
// consuming .PTM command files, and writing the status files so that a reader opening them
// shared sees a whole file (temp file + rename) — or, once when injected, a file cut mid-line.

import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_EXTENSIONS, jobFileName, type JobFileState } from '../../src/robot/ptburn/lifecycle.ts';

export const STATUS_DIR = 'Status';

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toUpperCase();
}

function baseOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

function listFiles(folder: string): string[] {
  try {
    return fs.readdirSync(folder, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return [];
  }
}

/** New job requests, by base name, in the order their files were last modified (arrival). */
export function findJobRequests(folder: string): string[] {
  const found = listFiles(folder)
    .filter((name) => extensionOf(name) === DEFAULT_EXTENSIONS.submitted)
    .map((name) => ({ name, mtime: fs.statSync(path.join(folder, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }));
  found.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));
  return found.map((f) => baseOf(f.name));
}

/** Command files, by name. */
export function findCommands(folder: string): string[] {
  return listFiles(folder).filter((name) => extensionOf(name) === 'PTM').sort();
}

/** Reads and deletes a command file (PTBurn deletes a .PTM once processed); null when it is gone. */
export function takeCommand(folder: string, name: string): { base: string; text: string } | null {
  const file = path.join(folder, name);
  try {
    const text = fs.readFileSync(file, 'latin1');
    fs.rmSync(file, { force: true });
    return { base: baseOf(name), text };
  } catch {
    return null;
  }
}

/** The actual name on disk of a job's file in `state` (clients may write .jrq in any case). */
function existingName(folder: string, base: string, state: JobFileState): string | undefined {
  const wanted = jobFileName(base, state).toLowerCase();
  return listFiles(folder).find((name) => name.toLowerCase() === wanted);
}

export function readJobFile(folder: string, base: string, state: JobFileState): string | null {
  const name = existingName(folder, base, state);
  if (!name) return null;
  try {
    return fs.readFileSync(path.join(folder, name), 'latin1');
  } catch {
    return null;
  }
}

/** Renames the job's file from one state to the next; false when it was not there. */
export function moveJobFile(folder: string, base: string, from: JobFileState, to: JobFileState): boolean {
  const name = existingName(folder, base, from);
  if (!name) return false;
  try {
    fs.renameSync(path.join(folder, name), path.join(folder, jobFileName(base, to)));
    return true;
  } catch {
    return false;
  }
}

export function deleteJobFile(folder: string, base: string, state: JobFileState): void {
  const name = existingName(folder, base, state);
  if (name) fs.rmSync(path.join(folder, name), { force: true });
}

export function statusPath(folder: string, fileName: string): string {
  return path.join(folder, STATUS_DIR, fileName);
}

/** The whole text at once: written beside the file, then renamed over it. */
export function writeStatusFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temp, text, 'latin1');
  fs.renameSync(temp, file);
}

/** The injected fault: the file as a reader would catch it mid-write, cut inside a line. */
export function writeStatusFilePartially(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const half = Math.max(1, Math.floor(text.length / 2));
  let cut = half;
  // Cut inside a line (after its first character), never just after a line ending.
  while (cut < text.length && (text[cut - 1] === '\n' || text[cut - 1] === '\r')) cut++;
  fs.writeFileSync(file, text.slice(0, cut), 'latin1');
}

/** Free MB on the folder's disk (DriveSpace), 0 when it cannot be read. */
export function freeMegabytes(folder: string): number {
  try {
    const s = fs.statfsSync(folder);
    return Math.floor((s.bavail * s.bsize) / (1024 * 1024));
  } catch {
    return 0;
  }
}
