// The identifiers a file-set carries: File IDs (PS3.10 8.2, 8.5), the File-set ID (PS3.3 F.3.2.1)
// and the File-set UID (a new one per disc, PS3.10 8.6).
import { randomUUID } from 'node:crypto';
import { isValidUid } from '../../dicom/uid.ts';

const MAX_COMPONENTS = 8;
const COMPONENT = /^[A-Z0-9_]{1,8}$/;
const FILE_SET_ID = /^[A-Z0-9_ ]{0,16}$/;

/** Why a File ID is not valid, or null when it is: 1 to 8 components of 1 to 8 characters A-Z 0-9 _. */
export function fileIdProblem(fileId: readonly string[]): string | null {
  if (fileId.length === 0) return 'it has no components';
  if (fileId.length > MAX_COMPONENTS) return `it has ${fileId.length} components (at most ${MAX_COMPONENTS})`;
  const bad = fileId.find((c) => !COMPONENT.test(c));
  if (bad !== undefined) return `component "${bad}" is not 1 to 8 characters of A-Z, 0-9 and _`;
  return null;
}

/** Why a File-set ID is not valid, or null: at most 16 characters of A-Z 0-9 _ and space (CS). */
export function fileSetIdProblem(fileSetId: string): string | null {
  return FILE_SET_ID.test(fileSetId) ? null : `File-set ID "${fileSetId}" is not at most 16 characters of A-Z, 0-9, _ and space`;
}

/** A fresh UID under the 2.25 root: a random UUID as one decimal integer (PS3.5 B.2). */
export function newFileSetUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString(10)}`;
}

export function fileSetUidProblem(uid: string): string | null {
  return isValidUid(uid) ? null : `File-set UID "${uid}" is not a valid UID`;
}
