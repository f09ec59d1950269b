// What the recorder tests share: a small disc image made the way master makes them (xorriso
// -as mkisofs --md5, adapters/media/xorriso.ts), where a file's data and the root directory lie on
// it (read with xorriso and from the volume descriptor, not assumed), byte surgery on a written
// medium, and stand-ins for the xorriso program (one that corrupts the medium after a real burn,
// one that only waits, to prove a cancel kills it).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DriveInfo, RecorderEvent, RecorderInput } from '../../machines/robot-link.ts';
import { makeIsoImage } from '../../adapters/media/xorriso.ts';

export const SECTOR = 2048;

export interface TestImage {
  path: string;
  bytes: number;
  md5: string;
}

/** Three files, about 2.6 MB, random content; with the MD5 tags unless told otherwise. */
export async function makeTestImage(dir: string, options: { md5?: boolean; name?: string } = {}): Promise<TestImage> {
  const name = options.name ?? 'disc';
  const src = path.join(dir, `${name}-src`);
  await fs.mkdir(path.join(src, 'A'), { recursive: true });
  await fs.writeFile(path.join(src, 'A', 'F1'), randomBytes(1_500_000));
  await fs.writeFile(path.join(src, 'F2'), randomBytes(800_000));
  await fs.writeFile(path.join(src, 'README.TXT'), 'Recorder test disc\r\n');
  const outPath = path.join(dir, `${name}.iso`);
  if (options.md5 === false) {
    await run('xorriso', ['-no_rc', '-as', 'mkisofs', '-quiet', '-iso-level', '1', '--norock', '-V', 'NOTAGS', '-o', outPath, src]);
  } else {
    await makeIsoImage({
      outPath,
      volumeId: 'RECTEST',
      applicationId: 'DISCROBOT TEST',
      pathListFile: path.join(dir, `${name}.paths`),
      entries: [
        { isoPath: '/A/F1', sourcePath: path.join(src, 'A', 'F1') },
        { isoPath: '/F2', sourcePath: path.join(src, 'F2') },
        { isoPath: '/README.TXT', sourcePath: path.join(src, 'README.TXT') },
      ],
    });
  }
  const data = await fs.readFile(outPath);
  return { path: outPath, bytes: data.length, md5: createHash('md5').update(data).digest('hex') };
}

/** First byte of a file's data on the image (or a medium written from it), as xorriso reports it. */
export async function fileDataOffset(imageOrMedium: string, isoPath: string): Promise<number> {
  const { stdout } = await run('xorriso', ['-no_rc', '-indev', `stdio:${imageOrMedium}`, '-find', isoPath, '-exec', 'report_lba', '--']);
  // File data lba:  0 ,       33 ,      733 ,  1500000 , '/A/F1'
  const match = /File data lba:\s*\d+\s*,\s*(\d+)\s*,/.exec(stdout);
  if (!match) throw new Error(`xorriso reported no data blocks for ${isoPath}: ${stdout}`);
  return Number(match[1]) * SECTOR;
}

/** First byte of the root directory's records: the root directory record sits at offset 156 of the PVD (LBA 16). */
export async function rootDirectoryOffset(file: string): Promise<number> {
  const handle = await fs.open(file, 'r');
  try {
    const pvd = Buffer.alloc(SECTOR);
    await handle.read(pvd, 0, SECTOR, 16 * SECTOR);
    if (pvd[0] !== 1 || pvd.toString('latin1', 1, 6) !== 'CD001') throw new Error(`${file} has no primary volume descriptor at LBA 16`);
    return pvd.readUInt32LE(156 + 2) * SECTOR;
  } finally {
    await handle.close();
  }
}

export async function flipByte(file: string, offset: number): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    const one = Buffer.alloc(1);
    await handle.read(one, 0, 1, offset);
    one[0] = (one[0] ?? 0) ^ 0xff;
    await handle.write(one, 0, 1, offset);
  } finally {
    await handle.close();
  }
}

export function drive(index: number, dev = ''): DriveInfo {
  return { index, col: 0, row: index, name: `Drive ${index}`, serial: `SN${index}`, dev };
}

export function recorderInput(image: TestImage, driveInfo: DriveInfo): RecorderInput {
  return { robot: 'test', discId: 'SIM-000001', drive: driveInfo, imagePath: image.path, imageBytes: image.bytes };
}

export type Corruption = { flipAt: number } | { truncateTo: number };

/**
 * A stand-in for xorriso that runs the real one and, after a burn to a stdio: drive went well,
 * damages the written medium, as a failing drive would, so the recorder's own verify must notice.
 */
export async function corruptingXorriso(dir: string, corruption: Corruption): Promise<string> {
  const script = path.join(dir, `corrupting-xorriso-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`);
  await fs.writeFile(
    script,
    `#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
const args = process.argv.slice(2);
const result = spawnSync('xorriso', args, { stdio: 'inherit' });
const dev = args.find((a) => a.startsWith('dev=stdio:'));
if (result.status === 0 && args.includes('cdrecord') && dev) {
  const file = dev.slice('dev=stdio:'.length);
  const corruption = ${JSON.stringify(corruption)};
  if ('truncateTo' in corruption) fs.truncateSync(file, corruption.truncateTo);
  else {
    const fd = fs.openSync(file, 'r+');
    const one = Buffer.alloc(1);
    fs.readSync(fd, one, 0, 1, corruption.flipAt);
    one[0] ^= 0xff;
    fs.writeSync(fd, one, 0, 1, corruption.flipAt);
    fs.closeSync(fd);
  }
}
process.exit(result.status ?? 1);
`,
    { mode: 0o755 },
  );
  return script;
}

/** A stand-in for xorriso that writes its pid to pidFile, says it started writing, and waits to be killed. */
export async function waitingXorriso(dir: string, pidFile: string): Promise<string> {
  const script = path.join(dir, 'waiting-xorriso.sh');
  await fs.writeFile(script, `#!/bin/sh\necho 'xorriso : UPDATE :    1 of   10 MB written (fifo 50%) [buf  50%]' >&2\necho $$ > '${pidFile}'\nexec sleep 600\n`, { mode: 0o755 });
  return script;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Progress events in order: phases never go back, pct never goes down within a phase. */
export function progressProblems(events: readonly RecorderEvent[]): string[] {
  const order = ['burning', 'finalizing', 'verifying'];
  const problems: string[] = [];
  let phase = 0;
  let pct = -1;
  for (const e of events) {
    if (e.type !== 'recorder.progress') continue;
    const at = order.indexOf(e.phase);
    if (at < phase) problems.push(`${e.phase} after ${order[phase]}`);
    if (at > phase) pct = -1;
    if (at === phase && e.pct < pct) problems.push(`${e.phase} went from ${pct} to ${e.pct}`);
    phase = Math.max(phase, at);
    pct = Math.max(pct, e.pct);
  }
  return problems;
}

export function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${command} ${args.join(' ')}: exit ${code}: ${stderr}`))));
  });
}
