// Directory records from the tree: each record's keys copied as bytes from its instance(s) by the
// rules of record-keys.ts, Type 1 gaps filled by substitutes (and listed), the Specific Character Set
// added where the keys need it, and children ordered as dates and numbers say.
import type { MediaProfile } from '../profiles.ts';
import { UTF8_CHARSET, keysAffected, toUtf8 } from './charset.ts';
import { DicomdirError } from './errors.ts';
import { TAG, type InstanceView } from './instance.ts';
import { formatTag, recordKeys, type ResolvedKey } from './record-keys.ts';
import { specialValue } from './special-keys.ts';
import { substitute, type SubstituteValue } from './substitutes.ts';
import { encodeElements, headerSize, type ElementValue } from './explicit-le.ts';
import { groupValue, type DirectoryTree, type Leaf, type PatientNode, type SeriesNode, type StudyNode } from './tree.ts';
import { TEXT_VRS, evenLength, plainText } from './values.ts';

export interface RecordElement {
  tag: number;
  vr: string;
  /** Bytes copied from an instance, or an ASCII value the writer made. */
  value: ElementValue;
}

export interface DirectoryRecord {
  type: string;
  /** Its elements after the three link/flag elements, encoded in ascending tag order. */
  body: Buffer;
  children: DirectoryRecord[];
}

/** A record just made, with its elements at hand for ordering it among its siblings. */
interface Built {
  record: DirectoryRecord;
  elements: readonly RecordElement[];
}

export interface Substitution {
  sopInstanceUid: string;
  recordType: string;
  key: string;
  value: string;
  reason: string;
}

const RECORD_TYPE = 0x00041430;
const PRIVATE_RECORD_UID = 0x00041432;
const REFERENCED_FILE_ID = 0x00041500;
const REFERENCED_SOP_CLASS = 0x00041510;
const REFERENCED_SOP_INSTANCE = 0x00041511;
const REFERENCED_TRANSFER_SYNTAX = 0x00041512;
const SHORT_LENGTH_MAX = 0xffff;

interface BuildContext {
  profile: MediaProfile;
  now: Date;
  substitutions: Substitution[];
}

interface RecordSource {
  type: string;
  /** The instances the record stands for, representative first. */
  members: readonly InstanceView[];
  assigned?: SubstituteValue;
  studyDate?: string;
  studyTime?: string;
}

/** The member's value for a key (special keys, then the element; group records fall back to other members). */
function keyValue(rule: ResolvedKey, members: readonly InstanceView[]): Buffer | undefined {
  const first = members[0]!;
  if (rule.special) return specialValue(rule.special, rule.tag, first);
  const e = rule.type === '1' ? groupValue(members, rule.tag) : first.valued(rule.tag);
  if (!e) return undefined;
  if ((rule.vr === 'SQ') !== (e.vr === 'SQ')) return undefined; // e.g. a sequence that arrived as UN
  if (headerSize(rule.vr) === 8 && e.value.length > SHORT_LENGTH_MAX) return undefined; // cannot be written with a 16-bit length
  return e.value;
}

function buildKeys(source: RecordSource, ctx: BuildContext): RecordElement[] {
  const first = source.members[0]!;
  const rules = recordKeys(source.type, ctx.profile);
  if (!rules) throw new DicomdirError(`${first.label}: no key rules for record type ${source.type}`, first.sopInstanceUid);
  const out: RecordElement[] = [];
  for (const rule of rules) {
    const value = keyValue(rule, source.members);
    if (value !== undefined) {
      out.push({ tag: rule.tag, vr: rule.vr, value: evenLength(rule.vr, value) });
      continue;
    }
    if (rule.type === '2') {
      out.push({ tag: rule.tag, vr: rule.vr, value: '' });
      continue;
    }
    if (rule.type !== '1') continue;
    const sub = rule.substitute && substitute(rule.substitute, { members: source.members, assigned: source.assigned, studyDate: source.studyDate, studyTime: source.studyTime, now: ctx.now });
    if (!sub) {
      throw new DicomdirError(
        `${first.label}: its ${source.type} record needs ${rule.name} ${formatTag(rule.tag)} (Type 1), which the instance lacks, and there is no substitute for it`,
        first.sopInstanceUid,
      );
    }
    out.push({ tag: rule.tag, vr: rule.vr, value: sub.value });
    ctx.substitutions.push({ sopInstanceUid: first.sopInstanceUid, recordType: source.type, key: `${formatTag(rule.tag)} ${rule.name}`, value: sub.value, reason: sub.reason });
  }
  return out;
}

function usesSeveralSets(members: readonly InstanceView[]): boolean {
  let seen = '';
  for (const m of members) {
    if (m.charset === '') continue;
    if (seen === '') seen = m.charset;
    else if (m.charset !== seen) return true;
  }
  return false;
}

/** Adds (0008,0005) where the keys need it; re-encodes in UTF-8 when the members' sets differ. */
function withCharacterSet(keys: RecordElement[], members: readonly InstanceView[]): RecordElement[] {
  const first = members[0]!;
  if (usesSeveralSets(members)) {
    const reencoded = keys.map((k) => (TEXT_VRS.has(k.vr) && typeof k.value !== 'string' ? { ...k, value: toUtf8(k.vr, k.value, first.charset) } : k));
    return [{ tag: TAG.specificCharacterSet, vr: 'CS', value: UTF8_CHARSET }, ...reencoded];
  }
  const own = first.valued(TAG.specificCharacterSet);
  if (own && keysAffected(keys)) return [{ tag: TAG.specificCharacterSet, vr: 'CS', value: evenLength('CS', own.value) }, ...keys];
  return keys;
}

function makeRecord(source: RecordSource, ctx: BuildContext, reference?: Leaf): Built {
  const elements: RecordElement[] = [{ tag: RECORD_TYPE, vr: 'CS', value: source.type }];
  if (reference) {
    const inst = reference.instance;
    if (source.type === 'PRIVATE') elements.push({ tag: PRIVATE_RECORD_UID, vr: 'UI', value: inst.sopClassUid });
    elements.push(
      { tag: REFERENCED_FILE_ID, vr: 'CS', value: inst.source.fileId.join('\\') },
      { tag: REFERENCED_SOP_CLASS, vr: 'UI', value: inst.sopClassUid },
      { tag: REFERENCED_SOP_INSTANCE, vr: 'UI', value: inst.sopInstanceUid },
      { tag: REFERENCED_TRANSFER_SYNTAX, vr: 'UI', value: inst.source.transferSyntaxUid },
    );
  }
  // Already in ascending tag order: (0004,xxxx), then (0008,0005), then the keys (sorted, all above it).
  for (const e of withCharacterSet(buildKeys(source, ctx), source.members)) elements.push(e);
  // Encoded at once: thousands of small element objects would otherwise live until the whole file is written.
  return { record: { type: source.type, body: encodeElements(elements), children: [] }, elements };
}

function valueOf(elements: readonly RecordElement[], tag: number): string {
  const e = elements.find((x) => x.tag === tag);
  if (!e) return '';
  return typeof e.value === 'string' ? e.value : plainText(e.value);
}

function numberOf(elements: readonly RecordElement[], tag: number): number {
  const v = valueOf(elements, tag);
  return /^[+-]?\d{1,10}$/.test(v) ? Number.parseInt(v, 10) : Number.POSITIVE_INFINITY;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Records ordered by their keys (ties broken by a unique key last in the list). */
function ordered(items: { record: DirectoryRecord; k: (string | number)[] }[]): DirectoryRecord[] {
  items.sort((a, b) => {
    for (let i = 0; i < a.k.length; i++) {
      const x = a.k[i]!;
      const y = b.k[i]!;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : compareText(String(x), String(y));
      if (c !== 0) return c;
    }
    return 0;
  });
  return items.map((d) => d.record);
}

const STUDY_DATE = 0x00080020;
const STUDY_TIME = 0x00080030;
const PATIENT_NAME = 0x00100010;
const SERIES_NUMBER = 0x00200011;
const INSTANCE_NUMBER = 0x00200013;

function leafRecord(leaf: Leaf, ctx: BuildContext, studyDate?: string, studyTime?: string): Built {
  return makeRecord({ type: leaf.recordType, members: [leaf.instance], assigned: leaf.assignedNumber, studyDate, studyTime }, ctx, leaf);
}

function seriesRecord(series: SeriesNode, ctx: BuildContext, studyDate: string, studyTime: string): Built {
  const built = makeRecord({ type: 'SERIES', members: series.members, assigned: series.assignedNumber }, ctx);
  built.record.children = ordered(
    series.leaves.map((leaf) => {
      const { record, elements } = leafRecord(leaf, ctx, studyDate, studyTime);
      return { record, k: [numberOf(elements, INSTANCE_NUMBER), leaf.instance.sopInstanceUid] };
    }),
  );
  return built;
}

function studyRecord(study: StudyNode, ctx: BuildContext): Built {
  const built = makeRecord({ type: 'STUDY', members: study.members, assigned: study.assignedId }, ctx);
  const date = valueOf(built.elements, STUDY_DATE);
  const time = valueOf(built.elements, STUDY_TIME);
  built.record.children = ordered(
    [...study.series.values()].map((s) => {
      const { record, elements } = seriesRecord(s, ctx, date, time);
      return { record, k: [numberOf(elements, SERIES_NUMBER), s.uid] };
    }),
  );
  return built;
}

function patientRecord(patient: PatientNode, ctx: BuildContext): Built {
  const built = makeRecord({ type: 'PATIENT', members: patient.members }, ctx);
  built.record.children = ordered(
    [...patient.studies.values()].map((s) => {
      const { record, elements } = studyRecord(s, ctx);
      return { record, k: [valueOf(elements, STUDY_DATE), valueOf(elements, STUDY_TIME), s.uid] };
    }),
  );
  return built;
}

/** The root directory entity: patients by name and ID, then the root-level records by SOP Instance UID. */
export function buildRecords(tree: DirectoryTree, profile: MediaProfile, now: Date): { roots: DirectoryRecord[]; substitutions: Substitution[] } {
  const ctx: BuildContext = { profile, now, substitutions: [] };
  const roots = ordered(
    [...tree.patients.values()].map((p) => {
      const { record, elements } = patientRecord(p, ctx);
      return { record, k: [valueOf(elements, PATIENT_NAME), p.id] };
    }),
  );
  const rootLeaves = [...tree.rootLeaves].sort((a, b) => compareText(a.instance.sopInstanceUid, b.instance.sopInstanceUid));
  for (const leaf of rootLeaves) roots.push(leafRecord(leaf, ctx).record);
  return { roots, substitutions: ctx.substitutions };
}
