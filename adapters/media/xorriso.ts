// Disc images with Debian's xorriso (mkisofs emulation): ISO 9660 Level 1 without Rock Ridge or
// Joliet (PS3.12 Annex F; DRG), volume ID = File-set ID, MD5 tags for superblock, tree and session
// so a burned disc can be read back with `xorriso -md5 on -check_media`. Every file is grafted
// from where it already is (`-path-list` of iso_path=disk_path lines): stored instances go on the
// image without an extra copy; only generated files (DICOMDIR, README.TXT, INDEX.HTM, converted
// inputs) live in a staging folder. The image starts at LBA 0 and includes the 300 KiB padding.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import type { ImageEntry } from '../../src/media/fileset.ts';

export interface IsoImageRequest {
  outPath: string;
  /** ISO volume ID: the File-set ID (d-characters, at most 32). */
  volumeId: string;
  /** Application ID of the primary volume descriptor, e.g. "DISCROBOT 0.1.0". */
  applicationId: string;
  entries: readonly ImageEntry[];
  /** Where the path list for xorriso is written. */
  pathListFile: string;
}

export interface IsoImage {
  path: string;
  bytes: number;
  sectors: number;
}

export class XorrisoError extends Error {
  override name = 'XorrisoError';
}

const VOLUME_ID = /^[A-Z0-9_]{1,32}$/;
/** a-characters of ECMA-119 7.4.1, for the application ID. */
const A_CHARACTERS = /^[A-Z0-9_ !"%&'()*+,\-./:;<=>?]*$/;

/** One graft point: "=" and "\" in either path are escaped with a backslash (mkisofs -graft-points). */
export function graftPoint(entry: ImageEntry): string {
  for (const p of [entry.isoPath, entry.sourcePath]) {
    if (/[\n\r]/.test(p)) throw new XorrisoError(`cannot put a path with a line break on the image: ${JSON.stringify(p)}`);
  }
  const escape = (p: string): string => p.replace(/[\\=]/g, (ch) => `\\${ch}`);
  return `${escape(entry.isoPath)}=${escape(entry.sourcePath)}`;
}

export function xorrisoArguments(request: IsoImageRequest): string[] {
  if (!VOLUME_ID.test(request.volumeId)) throw new XorrisoError(`volume ID "${request.volumeId}" is not 1 to 32 characters A-Z, 0-9 or _`);
  const applicationId = request.applicationId.toUpperCase();
  if (!A_CHARACTERS.test(applicationId) || applicationId.length > 128) throw new XorrisoError(`application ID "${request.applicationId}" is not ISO 9660 a-characters`);
  return [
    '-no_rc',
    '-as', 'mkisofs',
    '-quiet',
    '-iso-level', '1',
    '--norock',
    '-V', request.volumeId,
    '-A', applicationId,
    '--md5',
    '-o', request.outPath,
    '-graft-points',
    '-path-list', request.pathListFile,
  ];
}

/** Writes the image; on failure nothing is left at outPath. */
export async function makeIsoImage(request: IsoImageRequest): Promise<IsoImage> {
  const args = xorrisoArguments(request);
  await fs.writeFile(request.pathListFile, request.entries.map((e) => graftPoint(e) + '\n').join(''));
  try {
    await run('xorriso', args);
  } catch (err) {
    await fs.rm(request.outPath, { force: true });
    throw err;
  }
  const { size } = await fs.stat(request.outPath);
  return { path: request.outPath, bytes: size, sectors: size / 2048 };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 64 * 1024) stderr += d;
    });
    child.on('error', (err) => reject(new XorrisoError(`cannot run ${command} (Debian package xorriso): ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const problems = stderr.split('\n').filter((l) => /FAILURE|SORRY|FATAL|ABORT/.test(l)).join('; ') || stderr.trim();
      reject(new XorrisoError(`xorriso failed (${signal ?? `exit ${code}`}): ${problems}`));
    });
  });
}
