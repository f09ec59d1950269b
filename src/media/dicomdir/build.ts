// discrobot's DICOMDIR writer (PS3.3 Annex F Basic Directory IOD, PS3.10 8.6): from the instances of
// one disc to the bytes of its DICOMDIR. Pure: the caller reads the instances and writes the file.
import { encodeFileMeta } from '../../dicom/file-meta.ts';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, MEDIA_STORAGE_DIRECTORY_STORAGE, TransferSyntax } from '../../dicom/uid.ts';
import type { MediaProfile } from '../profiles.ts';
import { ROOT_RECORD_TYPES, recordDecision } from '../record-types.ts';
import { encodeDicomdir } from './encode.ts';
import { DicomdirError } from './errors.ts';
import { fileIdProblem, fileSetIdProblem, fileSetUidProblem, newFileSetUid } from './identifiers.ts';
import { InstanceView, type DirectoryInstance } from './instance.ts';
import { recordKeys } from './record-keys.ts';
import { buildRecords, type DirectoryRecord, type Substitution } from './records.ts';
import { assignMissingNumbers, groupInstances, type Leaf } from './tree.ts';

export { DicomdirError } from './errors.ts';
export type { DirectoryInstance } from './instance.ts';
export type { Substitution } from './records.ts';

export interface DicomdirResult {
  /** The whole DICOMDIR file (preamble, meta, data set). */
  bytes: Buffer;
  fileSetUid: string;
  recordCount: number;
  /** Type 1 keys the instance lacked or had empty, and what the record carries instead (listed for the job summary / INDEX.HTM). */
  substitutions: Substitution[];
}

export interface BuildDicomdirInput {
  fileSetId: string;
  profile: MediaProfile;
  instances: readonly DirectoryInstance[];
  /** Put private SOP classes on the disc as PRIVATE records instead of refusing them. */
  allowPrivate?: boolean;
  /** Default: a new UID under 2.25 (each disc of a set gets its own). */
  fileSetUid?: string;
  /** Default: discrobot's. */
  implementation?: { classUid: string; versionName: string };
}

function needsInstanceNumber(profile: MediaProfile): (recordType: string) => boolean {
  return (recordType) => recordKeys(recordType, profile)?.some((k) => k.tag === 0x00200013 && k.type === '1') ?? false;
}

/** Checks one instance and decides its record type; throws for what cannot go on a disc. */
function leafOf(instance: InstanceView, allowPrivate: boolean): Leaf {
  const problem = fileIdProblem(instance.source.fileId);
  if (problem) throw new DicomdirError(`${instance.label}: invalid File ID: ${problem}`, instance.sopInstanceUid);
  if (!instance.sopClassUid) throw new DicomdirError(`${instance.label}: no valid SOP Class UID (0008,0016)`, instance.sopInstanceUid || undefined);
  if (!instance.sopInstanceUid) throw new DicomdirError(`${instance.label}: no valid SOP Instance UID (0008,0018)`);
  const decision = recordDecision(instance.sopClassUid, { allowPrivate });
  if (!decision.onDisc) {
    throw new DicomdirError(`${instance.label}: SOP class ${instance.sopClassUid} stays off the disc (${decision.reason}); leave it out of the file-set`, instance.sopInstanceUid);
  }
  return { instance, recordType: decision.recordType };
}

export function buildDicomdir(input: BuildDicomdirInput): DicomdirResult {
  const idProblem = fileSetIdProblem(input.fileSetId);
  if (idProblem) throw new DicomdirError(idProblem);
  const fileSetUid = input.fileSetUid ?? newFileSetUid();
  const uidProblem = fileSetUidProblem(fileSetUid);
  if (uidProblem) throw new DicomdirError(uidProblem);

  const leaves = input.instances.map((inst, i) => leafOf(new InstanceView(inst, i), input.allowPrivate === true));
  const bySop = new Map<string, Leaf>();
  const byFileId = new Map<string, Leaf>();
  for (const leaf of leaves) {
    const inst = leaf.instance;
    const same = bySop.get(inst.sopInstanceUid);
    if (same) throw new DicomdirError(`${inst.label}: the same SOP Instance UID as ${same.instance.label}; a file-set holds an instance once`, inst.sopInstanceUid);
    bySop.set(inst.sopInstanceUid, leaf);
    const fileId = inst.source.fileId.join('\\');
    const clash = byFileId.get(fileId);
    if (clash) throw new DicomdirError(`${inst.label}: File ID ${fileId} is also the File ID of ${clash.instance.label}`, inst.sopInstanceUid);
    byFileId.set(fileId, leaf);
  }

  const tree = groupInstances(leaves, ROOT_RECORD_TYPES);
  assignMissingNumbers(tree, needsInstanceNumber(input.profile));
  const { roots, substitutions } = buildRecords(tree, input.profile, new Date());

  const implementation = input.implementation ?? { classUid: IMPLEMENTATION_CLASS_UID, versionName: IMPLEMENTATION_VERSION_NAME };
  const meta = encodeFileMeta({
    mediaStorageSopClassUid: MEDIA_STORAGE_DIRECTORY_STORAGE,
    mediaStorageSopInstanceUid: fileSetUid,
    transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
    implementationClassUid: implementation.classUid,
    implementationVersionName: implementation.versionName,
  });
  const bytes = encodeDicomdir(meta, input.fileSetId, roots);
  const count = (records: readonly DirectoryRecord[]): number => records.reduce((n, r) => n + 1 + count(r.children), 0);
  return { bytes, fileSetUid, recordCount: count(roots), substitutions };
}
