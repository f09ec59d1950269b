// Small generated studies for load runs (load.test.ts, bench/soak.ts): one study per association,
// written as PS3.10 files in plain JavaScript (thousands in a second, no pydicom), and a walk of the
// data folder for anything temporary a store might have left behind.
import { readdirSync, type Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SentFile } from './patient-study.ts';
import { CT_IMAGE, ctDataset, freshUids, part10 } from './dataset.ts';

export interface LoadStudy {
  studyInstanceUid: string;
  files: SentFile[];
}

/** `count` CT objects of one new study and series under `dir`, each with `pixelBytes` of pixels. */
export async function writeLoadStudy(dir: string, count: number, pixelBytes = 256): Promise<LoadStudy> {
  await fs.mkdir(dir, { recursive: true });
  const base = freshUids();
  const files: SentFile[] = [];
  for (let i = 1; i <= count; i++) {
    const sopInstanceUid = `${base.seriesInstanceUid}.${i}`;
    const file = path.join(dir, `${i}.dcm`);
    // Written asynchronously: a soak's C-ECHO prober shares this process and must not wait on it.
    await fs.writeFile(file, part10(ctDataset({ ...base, sopInstanceUid, instanceNumber: i, pixelBytes }), CT_IMAGE, sopInstanceUid));
    files.push({ file, sopInstanceUid, studyInstanceUid: base.studyInstanceUid, seriesInstanceUid: base.seriesInstanceUid, patientId: 'TESTPID', pixelSha256: '' });
  }
  return { studyInstanceUid: base.studyInstanceUid, files };
}

/** Every file below the data folder that looks temporary: in store/.incoming, or a .part/.tmp name. */
export function temporaryFiles(dataDir: string): string[] {
  return (readdirSync(dataDir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(dataDir, path.join(d.parentPath, d.name)))
    .filter((f) => f.startsWith(path.join('store', '.incoming')) || /\.(part|tmp)$/.test(f));
}
