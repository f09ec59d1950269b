// A disc's backing file follows the disc: while it is in a drive, the printer or the picker it
// lives in <sim>/discs/, once delivered in <sim>/bins/<location>/ (bin1, bin2, output, reject,
// collected). So the finished discs of a job are image files in the output bin's folder.

import fs from 'node:fs';
import path from 'node:path';
import { folderFor } from './locations.ts';
import { allDiscs, type Disc, type World } from './world.ts';

/** Where a newly written disc's file goes (relative to the simulator's folder). */
export function newDiscFile(disc: Disc): string {
  return `discs/${disc.id}.img`;
}

export function absoluteDiscFile(simDir: string, disc: Disc): string | null {
  return disc.file === null ? null : path.join(simDir, disc.file);
}

/** Renames every disc file whose disc changed place; keeps `disc.file` in step. */
export function syncDiscFiles(world: World, simDir: string): void {
  for (const { disc, place } of allDiscs(world)) {
    if (disc.file === null) continue;
    const wanted = `${folderFor(place)}/${disc.id}.img`;
    if (wanted === disc.file) continue;
    const from = path.join(simDir, disc.file);
    const to = path.join(simDir, wanted);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    if (fs.existsSync(from)) fs.renameSync(from, to);
    disc.file = wanted;
  }
}

/** A new world has new discs: the old world's files go. */
export function removeDiscFiles(simDir: string): void {
  for (const folder of ['discs', 'bins']) fs.rmSync(path.join(simDir, folder), { recursive: true, force: true });
}
