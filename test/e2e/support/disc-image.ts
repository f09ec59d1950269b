// What a delivered disc carries, read with the real tools from the simulator's disc image (an ISO
// 9660 file): xorriso extracts it, DCMTK's dcmdump lists the SOP Instance UIDs the DICOMDIR
// references, and pydicom (test/fixtures/disc_contents.py) reads its PATIENT records and loads
// every file it references. Two independent readers, neither of them the code under test.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runTool } from '../../support/dcmtk.ts';

const PYTHON = '/usr/bin/python3';
const DISC_CONTENTS = fileURLToPath(new URL('../../fixtures/disc_contents.py', import.meta.url));

export interface DiscInstance {
  path: string;
  /** The DICOMDIR record's Referenced SOP Instance UID in File. */
  sopInstanceUid: string;
  /** The referenced file's own SOP Instance UID and Patient ID. */
  fileSopInstanceUid: string;
  patientId: string;
  studyInstanceUid: string;
  /** SHA-256 of the file's Pixel Data value. */
  pixelSha256: string | null;
}

export interface DiscContents {
  /** Where the disc was extracted. */
  root: string;
  /** (0004,1511) of every record, as dcmdump prints them, sorted. */
  referencedSopInstanceUids: string[];
  /** The PATIENT records (pydicom). */
  patients: { patientId: string; patientName: string }[];
  /** Every instance of the file-set, loaded (pydicom). */
  instances: DiscInstance[];
}

async function mustRun(command: string, args: string[]): Promise<string> {
  const result = await runTool(command, args);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.code ?? result.signal}:\n${result.output}`);
  return result.stdout;
}

/** Extracts the ISO image into `into` (made writable again: xorriso restores the disc's read-only modes). */
export async function extractDisc(imageFile: string, into: string): Promise<string> {
  await mkdir(into, { recursive: true });
  await mustRun('xorriso', ['-osirrox', 'on', '-indev', imageFile, '-extract', '/', into]);
  await mustRun('chmod', ['-R', 'u+w', into]);
  return into;
}

/** dcmdump's values of one tag in a file, in order. */
export async function dcmdumpValues(file: string, tag: string): Promise<string[]> {
  const out = await mustRun('dcmdump', ['+P', tag, file]);
  return [...out.matchAll(/^\([0-9a-f,]+\) \w\w \[([^\]]*)\]/gim)].map((m) => m[1]!.trim());
}

/** Extracts the disc image and reads its DICOMDIR with dcmdump and pydicom. */
export async function readDisc(imageFile: string, into: string): Promise<DiscContents> {
  const root = await extractDisc(imageFile, into);
  const referencedSopInstanceUids = (await dcmdumpValues(`${root}/DICOMDIR`, '0004,1511')).sort();
  const read = JSON.parse(await mustRun(PYTHON, [DISC_CONTENTS, root])) as Pick<DiscContents, 'patients' | 'instances'>;
  return { root, referencedSopInstanceUids, ...read };
}
