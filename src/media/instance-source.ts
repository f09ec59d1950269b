// The instances a master run puts on disc, whatever they came from: rows of the store's index (the
// stored files are Explicit VR LE and the row holds their DICOMDIR keys), or files read from a
// folder (adapters/media/dicom-file-reader.ts). Screening here decides which of them can go on a
// disc: each must name its patient, study, series and itself with valid UIDs, appear once, and
// belong to the one patient of the disc set. Problems are reported per file, never dropped.
import { indexEntry, parseHeaderJson, type CollectedValue, type IndexEntry } from '../dicom/index-keys.ts';
import { TransferSyntax, isValidUid } from '../dicom/uid.ts';

export interface MasterInstance {
  /** The input as the user or the store named it (for messages). */
  inputPath: string;
  /** The file whose bytes go on the disc: the input itself, or its Explicit VR LE copy. */
  sourcePath: string;
  /** Size of sourcePath. */
  bytes: number;
  /** Transfer syntax of sourcePath (Explicit VR LE for everything that reaches a disc). */
  transferSyntaxUid: string;
  /** The input's transfer syntax when sourcePath is a converted copy. */
  convertedFrom?: string;
  /** (0002,0002) and (0002,0003) of the file, when read from one. */
  mediaStorageSopClassUid?: string;
  mediaStorageSopInstanceUid?: string;
  /** Top-level elements of the data set (INDEX_TAGS), values as Explicit VR LE bytes. */
  elements: ReadonlyMap<number, CollectedValue>;
}

/** The store's row fields this needs (adapters/db/instances.ts InstanceRecord). */
export interface StoreRow {
  path: string;
  bytes: number;
  sopClassUid: string;
  sopInstanceUid: string;
  headerJson: string;
}

/** A stored instance: the store writes every file as Explicit VR LE and keeps its keys in header_json. */
export function instanceFromStoreRow(row: StoreRow): MasterInstance {
  return {
    inputPath: row.path,
    sourcePath: row.path,
    bytes: row.bytes,
    transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
    mediaStorageSopClassUid: row.sopClassUid,
    mediaStorageSopInstanceUid: row.sopInstanceUid,
    elements: parseHeaderJson(JSON.parse(row.headerJson) as Record<string, { vr: string; b64: string }>),
  };
}

/** An instance that passed screening, with its identity decoded. */
export interface ScreenedInstance extends MasterInstance {
  entry: IndexEntry;
  /** Root-level records (hanging protocols, palettes, implants) belong to no patient, study or series: "" there. */
  rootLevel: boolean;
  patientId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
}

export interface InputProblem {
  file: string;
  problem: string;
}

export interface Screening {
  accepted: ScreenedInstance[];
  problems: InputProblem[];
  /** The disc set's patient (the one most instances name), when there is any instance. */
  patientId?: string;
}

export interface ScreeningOptions {
  /** SOP classes whose directory record sits in the root (no patient, study or series). */
  isRootLevel?: (sopClassUid: string) => boolean;
}

/** Per-instance checks, then one patient per disc set: the patient of most instances keeps them. */
export function screenInstances(instances: readonly MasterInstance[], options: ScreeningOptions = {}): Screening {
  const problems: InputProblem[] = [];
  const valid: ScreenedInstance[] = [];
  const firstBySop = new Map<string, string>();
  for (const instance of instances) {
    const checked = checkInstance(instance, options.isRootLevel ?? (() => false));
    if (typeof checked === 'string') {
      problems.push({ file: instance.inputPath, problem: checked });
      continue;
    }
    const earlier = firstBySop.get(checked.sopInstanceUid);
    if (earlier !== undefined) {
      problems.push({ file: instance.inputPath, problem: `SOP Instance UID ${checked.sopInstanceUid} is also in ${earlier}: a disc holds each instance once` });
      continue;
    }
    firstBySop.set(checked.sopInstanceUid, instance.inputPath);
    valid.push(checked);
  }

  const counts = new Map<string, number>();
  for (const v of valid) if (!v.rootLevel) counts.set(v.patientId, (counts.get(v.patientId) ?? 0) + 1);
  const patientId = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0]?.[0];
  const accepted: ScreenedInstance[] = [];
  for (const v of valid) {
    if (v.rootLevel || v.patientId === patientId) {
      accepted.push(v);
    } else {
      problems.push({
        file: v.inputPath,
        problem: `Patient ID "${v.patientId}" differs from "${patientId}" of the other ${counts.get(patientId!)} instance(s): a disc holds one patient (mixed patients)`,
      });
    }
  }
  return { accepted, problems, patientId };
}

function checkInstance(instance: MasterInstance, isRootLevel: (sopClassUid: string) => boolean): ScreenedInstance | string {
  const entry = indexEntry(instance.elements);
  const uid = (name: string, value: string | null): string | undefined => {
    if (value === null) return `${name} is missing`;
    if (!isValidUid(value)) return `${name} "${value}" is not a valid UID`;
    return undefined;
  };
  const bad = uid('SOP Class UID (0008,0016)', entry.sopClassUid) ?? uid('SOP Instance UID (0008,0018)', entry.sopInstanceUid);
  if (bad) return bad;
  const rootLevel = isRootLevel(entry.sopClassUid!);
  const badParent = rootLevel ? undefined :
    uid('Study Instance UID (0020,000D)', entry.studyInstanceUid) ?? uid('Series Instance UID (0020,000E)', entry.seriesInstanceUid);
  if (badParent) return badParent;
  if (instance.mediaStorageSopClassUid !== undefined && instance.mediaStorageSopClassUid !== entry.sopClassUid) {
    return `Media Storage SOP Class UID ${instance.mediaStorageSopClassUid} of the file meta differs from the data set's SOP Class UID ${entry.sopClassUid}`;
  }
  if (instance.mediaStorageSopInstanceUid !== undefined && instance.mediaStorageSopInstanceUid !== entry.sopInstanceUid) {
    return `Media Storage SOP Instance UID ${instance.mediaStorageSopInstanceUid} of the file meta differs from the data set's SOP Instance UID ${entry.sopInstanceUid}`;
  }
  if (rootLevel) {
    return { ...instance, entry, rootLevel, patientId: '', studyInstanceUid: '', seriesInstanceUid: '', sopInstanceUid: entry.sopInstanceUid!, sopClassUid: entry.sopClassUid! };
  }
  if (entry.patientId === null) return 'Patient ID (0010,0020) is missing or empty: a disc must name its patient';
  return {
    ...instance,
    entry,
    rootLevel,
    patientId: entry.patientId,
    studyInstanceUid: entry.studyInstanceUid!,
    seriesInstanceUid: entry.seriesInstanceUid!,
    sopInstanceUid: entry.sopInstanceUid!,
    sopClassUid: entry.sopClassUid!,
  };
}
