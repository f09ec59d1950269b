// The directory's shape: one PATIENT per Patient ID, one STUDY per Study Instance UID, one SERIES per
// Series Instance UID, one leaf per instance, root-level records beside the patients. Also the
// numbers and IDs given to records whose instances all lack them (Study ID, Series Number, Instance
// Number), so that they follow the ones the sender did give.
import { DicomdirError } from './errors.ts';
import { TAG, type InstanceView } from './instance.ts';
import type { SubstituteValue } from './substitutes.ts';
import { integerValue, isAscii, plainText } from './values.ts';

export interface Leaf {
  instance: InstanceView;
  recordType: string;
  /** Instance Number given by the tree, when the record needs one and the instance has none. */
  assignedNumber?: SubstituteValue;
}

export interface SeriesNode {
  uid: string;
  members: InstanceView[];
  leaves: Leaf[];
  assignedNumber?: SubstituteValue;
}

export interface StudyNode {
  uid: string;
  members: InstanceView[];
  series: Map<string, SeriesNode>;
  assignedId?: SubstituteValue;
}

export interface PatientNode {
  id: string;
  members: InstanceView[];
  studies: Map<string, StudyNode>;
}

export interface DirectoryTree {
  patients: Map<string, PatientNode>;
  /** Records of the root directory entity other than PATIENT (hanging protocols). */
  rootLeaves: Leaf[];
}

const STUDY_ID = 0x00200010;
const ACCESSION_NUMBER = 0x00080050;
const SERIES_NUMBER = 0x00200011;
const INSTANCE_NUMBER = 0x00200013;

/** The first member's valued element, else another member's (ASCII, or in the first member's set). */
export function groupValue(members: readonly InstanceView[], tag: number): { vr: string; value: Buffer } | undefined {
  const first = members[0];
  if (!first) return undefined;
  const own = first.valued(tag);
  if (own) return own;
  for (const m of members) {
    const v = m.valued(tag);
    if (v && (isAscii(v.value) || m.charset === first.charset)) return v;
  }
  return undefined;
}

export function groupInstances(leaves: readonly Leaf[], rootTypes: ReadonlySet<string>): DirectoryTree {
  const patients = new Map<string, PatientNode>();
  const studyOwner = new Map<string, PatientNode>();
  const seriesOwner = new Map<string, StudyNode>();
  const rootLeaves: Leaf[] = [];
  for (const leaf of leaves) {
    const inst = leaf.instance;
    if (rootTypes.has(leaf.recordType)) {
      rootLeaves.push(leaf);
      continue;
    }
    const patientId = plainText(inst.valued(TAG.patientId)?.value ?? Buffer.alloc(0));
    if (!patientId) throw new DicomdirError(`${inst.label} has no Patient ID: a disc must name its patient, so it is not burned`, inst.sopInstanceUid);
    const studyUid = inst.text(TAG.studyInstanceUid);
    const seriesUid = inst.text(TAG.seriesInstanceUid);
    if (!studyUid) throw new DicomdirError(`${inst.label} has no Study Instance UID`, inst.sopInstanceUid);
    if (!seriesUid) throw new DicomdirError(`${inst.label} has no Series Instance UID`, inst.sopInstanceUid);

    let patient = patients.get(patientId);
    if (!patient) patients.set(patientId, (patient = { id: patientId, members: [], studies: new Map() }));
    patient.members.push(inst);

    const owner = studyOwner.get(studyUid);
    if (owner && owner !== patient) {
      throw new DicomdirError(`${inst.label}: study ${studyUid} belongs to patient "${owner.id}" and to patient "${patientId}"; a study has one patient`, inst.sopInstanceUid);
    }
    studyOwner.set(studyUid, patient);
    let study = patient.studies.get(studyUid);
    if (!study) patient.studies.set(studyUid, (study = { uid: studyUid, members: [], series: new Map() }));
    study.members.push(inst);

    const seriesStudy = seriesOwner.get(seriesUid);
    if (seriesStudy && seriesStudy !== study) {
      throw new DicomdirError(`${inst.label}: series ${seriesUid} is in study ${seriesStudy.uid} and in study ${studyUid}; a series has one study`, inst.sopInstanceUid);
    }
    seriesOwner.set(seriesUid, study);
    let series = study.series.get(seriesUid);
    if (!series) study.series.set(seriesUid, (series = { uid: seriesUid, members: [], leaves: [] }));
    series.members.push(inst);
    series.leaves.push(leaf);
  }
  return { patients, rootLeaves };
}

/**
 * Numbers for the nodes that lack one, after the highest number their siblings have: k-th missing
 * one gets max + k (numbers are not unique keys, but distinct ones keep viewers' ordering sensible).
 */
function numberAfter<T>(nodes: readonly T[], current: (n: T) => number | null, missing: (n: T) => boolean, assign: (n: T, value: number, max: number) => void): void {
  let max = 0;
  for (const n of nodes) {
    const v = current(n);
    if (v !== null && v > max) max = v;
  }
  let next = max;
  for (const n of nodes) if (missing(n)) assign(n, ++next, max);
}

/** Gives out Study IDs, Series Numbers and (for record types that need one) Instance Numbers. */
export function assignMissingNumbers(tree: DirectoryTree, needsInstanceNumber: (recordType: string) => boolean): void {
  for (const patient of tree.patients.values()) {
    let ordinal = 0;
    for (const study of patient.studies.values()) {
      ordinal++;
      if (!groupValue(study.members, STUDY_ID)) {
        const accession = groupValue(study.members, ACCESSION_NUMBER);
        study.assignedId = accession
          ? { value: plainText(accession.value), reason: 'Study ID is empty in every instance of the study; its Accession Number stands in' }
          : { value: String(ordinal), reason: `Study ID and Accession Number are empty in every instance of the study; its position among the patient's studies (${ordinal}) stands in` };
      }
      const series = [...study.series.values()];
      numberAfter(
        series,
        (s) => integerValue(groupValue(s.members, SERIES_NUMBER)?.value),
        (s) => !groupValue(s.members, SERIES_NUMBER),
        (s, value, max) => (s.assignedNumber = { value: String(value), reason: `Series Number is empty in every instance of the series; numbered after the highest Series Number of the study (${max})` }),
      );
      for (const s of series) {
        numberAfter(
          s.leaves,
          (l) => integerValue(l.instance.valued(INSTANCE_NUMBER)?.value),
          (l) => needsInstanceNumber(l.recordType) && !l.instance.valued(INSTANCE_NUMBER),
          (l, value, max) => (l.assignedNumber = { value: String(value), reason: `Instance Number is empty; numbered after the highest Instance Number of the series (${max})` }),
        );
      }
    }
  }
}
