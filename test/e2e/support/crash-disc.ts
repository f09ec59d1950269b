// What the simulated robot physically holds after a crash: its own accounting (the world it saves
// in <sim>/world.sqlite, read only), the image files in a bin folder (a disc's backing file follows
// the disc, simulator/disc-files.ts), and whether a delivered disc carries the job's ISO image. A
// simulated disc file is the image as written; a real disc reads back padded, so only the image's
// own bytes are compared.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Disc, World } from '../../../simulator/world.ts';

/** The simulator's saved world, as its last save left it (the simulator may be running: WAL readers do not block it). */
export function savedWorld(simDir: string): World {
  const db = new Database(path.join(simDir, 'world.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT doc FROM world WHERE id = 1').get() as { doc: string } | undefined;
    if (!row) throw new Error(`${simDir}/world.sqlite holds no world`);
    return JSON.parse(row.doc) as World;
  } finally {
    db.close();
  }
}

/** Every disc that left the blank stacks, wherever it is now, with the place's name. */
export function placedDiscs(world: World): { place: string; disc: Disc }[] {
  return [
    ...world.bins.flatMap((bin, i) => bin.discs.map((disc) => ({ place: `bin${i + 1}`, disc }))),
    ...world.output.map((disc) => ({ place: 'output', disc })),
    ...world.reject.map((disc) => ({ place: 'reject', disc })),
    ...world.collected.map((disc) => ({ place: 'collected', disc })),
    ...world.drives.flatMap((drive, i) => drive.discs.map((disc) => ({ place: `drive${i}`, disc }))),
    ...world.printer.discs.map((disc) => ({ place: 'printer', disc })),
    ...world.picker.map((disc) => ({ place: 'picker', disc })),
    ...world.chassis.map((disc) => ({ place: 'chassis', disc })),
  ];
}

/** The disc image files in one bin folder (none when the folder was never made). */
export function discFilesIn(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.img'))
    .map((name) => path.join(folder, name))
    .sort();
}

/** Every disc image file anywhere under the simulator's folder (drives, printer, bins). */
export function allDiscFiles(simDir: string): string[] {
  if (!existsSync(simDir)) return [];
  return readdirSync(simDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.img'))
    .map((name) => path.join(simDir, name))
    .sort();
}

/** MD5 of the first `bytes` bytes of a file. */
function md5OfPrefix(file: string, bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    if (bytes === 0) return resolve(hash.digest('hex'));
    createReadStream(file, { start: 0, end: bytes - 1 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Whether the disc file begins with the whole ISO image, byte for byte. */
export async function discCarriesImage(discFile: string, isoImage: string): Promise<{ same: boolean; detail: string }> {
  const imageBytes = statSync(isoImage).size;
  const discBytes = statSync(discFile).size;
  if (discBytes < imageBytes) return { same: false, detail: `disc holds ${discBytes} bytes, the image has ${imageBytes}` };
  const [disc, image] = await Promise.all([md5OfPrefix(discFile, imageBytes), md5OfPrefix(isoImage, imageBytes)]);
  return { same: disc === image, detail: `md5 of the first ${imageBytes} bytes: disc ${disc}, image ${image}` };
}
