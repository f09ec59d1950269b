// Patient safety of a study (architecture invariant 2: a disc carries exactly one patient). Decides,
// from the facts of a study's instances, whether the study must be held for a person instead of
// burned, and says why. Pure: no I/O, no clock.
//
// Two ways in, with one set of rules:
// - checkStudy(): the whole study at once, from its instance rows (API, debugging, re-checks). It
//   returns the reasons and, kept apart from them, the values behind each reason.
// - admitInstance(): one instance at a time against a SafetySummary, the bounded set of facts the
//   study actor keeps in its context (instance lists live in SQLite rows, not in actor context).
//
// Hold reasons (HoldReason) name the DICOM fields only, never their values, so that they may be
// logged at info level; patient data goes in SafetyValues, for the API and debug logs.

export type SafetyHoldCode = 'no-patient-id' | 'demographics-disagree' | 'study-under-two-patients' | 'duplicate-sop-different-content';

/** In the order reasons are reported. */
export const SAFETY_HOLD_CODES: readonly SafetyHoldCode[] = ['no-patient-id', 'study-under-two-patients', 'demographics-disagree', 'duplicate-sop-different-content'];

/** What the instance table knows of one stored object (adapters/db/migrations.ts). */
export interface InstanceFacts {
  sopInstanceUid: string;
  studyInstanceUid: string;
  patientId: string | null;
  patientName: string | null;
  patientBirthDate: string | null;
  /** Digest of the stored object's content; equal digests mean the same object sent again. */
  contentDigest: string;
}

/** Safe to log at info level: names fields, never values. */
export interface HoldReason {
  code: SafetyHoldCode;
  message: string;
}

/** The values behind each reason: patient data, for the API and debug logs only. */
export interface SafetyValues {
  'no-patient-id'?: { sopInstanceUids: string[] };
  'study-under-two-patients'?: { patientIds: string[] };
  'demographics-disagree'?: { patients: { patientId: string; names: string[]; birthDates: string[] }[] };
  'duplicate-sop-different-content'?: { sopInstanceUids: string[] };
}

export interface SafetyReport {
  reasons: HoldReason[];
  values: SafetyValues;
}

/** What one Patient ID of the study has been seen with, normalised; variants kept up to MAX_VARIANTS. */
export interface PatientDemographics {
  names: string[];
  birthDates: string[];
}

/**
 * The facts the checks need, bounded whatever the number of instances: at most MAX_PATIENTS
 * Patient IDs with at most MAX_VARIANTS names and birth dates each, and counts. JSON data.
 */
export interface SafetySummary {
  /** Normalised Patient ID → its demographics. Prior Patient IDs of the Study UID have none yet. */
  patients: Record<string, PatientDemographics>;
  /** Patient IDs beyond MAX_PATIENTS were seen: they are not kept, the study is held anyway. */
  morePatients: boolean;
  withoutPatientId: number;
  /** SOP Instance UIDs that came again with different content. */
  differentContent: number;
}

/** One arriving instance as the study actor hears of it; the storage adapter compares contents. */
export interface ArrivingInstance {
  patientId: string | null;
  patientName: string | null;
  patientBirthDate: string | null;
  /** A SOP Instance UID already stored: 'same' content (a resend) or 'different'. */
  duplicate?: 'same' | 'different';
}

/** Two Patient IDs already hold a study; four leave room for the display and stay small. */
export const MAX_PATIENTS = 4;
/** Two variants already disagree; more are kept for display up to this many. */
export const MAX_VARIANTS = 4;

// ---- normalisation ----------------------------------------------------------------------------

/** Patient ID (LO): leading and trailing spaces are not significant; empty means none. */
export function normalisePatientId(value: string | null): string | null {
  const id = value?.trim() ?? '';
  return id === '' ? null : id;
}

/**
 * Person Name (PN) for comparison: each component trimmed, inner runs of spaces made one,
 * case-insensitive, and trailing empty components ("DOE^JANE^^^") and component groups
 * ("DOE^JANE=") dropped. Non-empty components are never ignored: "DOE^JANE^A" and "DOE^JANE"
 * disagree. Empty (not stated) is ''.
 */
export function normalisePersonName(value: string | null): string {
  if (value === null) return '';
  const groups = value.normalize('NFC').split('=').map((group) => dropTrailingEmpty(group.split('^').map((c) => c.trim().replace(/\s+/g, ' ').toUpperCase())).join('^'));
  return dropTrailingEmpty(groups).join('=');
}

/** Date (DA): trimmed; the ACR-NEMA form YYYY.MM.DD is read as YYYYMMDD. Empty is ''. */
export function normaliseDate(value: string | null): string {
  const v = value?.trim() ?? '';
  const legacy = /^(\d{4})\.(\d{2})\.(\d{2})$/.exec(v);
  return legacy ? `${legacy[1]}${legacy[2]}${legacy[3]}` : v;
}

function dropTrailingEmpty(parts: string[]): string[] {
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end--;
  return parts.slice(0, end);
}

// ---- one instance at a time ----------------------------------------------------------------------

export function emptySafetySummary(priorPatientIds: readonly string[] = []): SafetySummary {
  let summary: SafetySummary = { patients: {}, morePatients: false, withoutPatientId: 0, differentContent: 0 };
  for (const id of priorPatientIds) {
    const patientId = normalisePatientId(id);
    if (patientId !== null) summary = withPatient(summary, patientId);
  }
  return summary;
}

/**
 * Folds one instance into the summary and returns the hold reasons it raises: what it adds that a
 * person has not seen yet. A resend (same content) adds nothing. A value not stated (empty name or
 * birth date) does not disagree with a stated one. Once a variant is in the summary it raises
 * nothing again, so a study a person released is held again only for something new.
 */
export function admitInstance(summary: SafetySummary, instance: ArrivingInstance): { summary: SafetySummary; raised: SafetyHoldCode[] } {
  if (instance.duplicate === 'same') return { summary, raised: [] };
  const raised = new Set<SafetyHoldCode>();
  let next = summary;
  if (instance.duplicate === 'different') {
    raised.add('duplicate-sop-different-content');
    next = { ...next, differentContent: next.differentContent + 1 };
  }
  const patientId = normalisePatientId(instance.patientId);
  if (patientId === null) {
    raised.add('no-patient-id');
    return { summary: { ...next, withoutPatientId: next.withoutPatientId + 1 }, raised: ordered(raised) };
  }

  const known = next.patients[patientId];
  if (!known) {
    if (Object.keys(next.patients).length > 0 || next.morePatients) raised.add('study-under-two-patients');
    next = withPatient(next, patientId);
  }
  const demographics = next.patients[patientId];
  if (demographics) {
    const name = normalisePersonName(instance.patientName);
    const birthDate = normaliseDate(instance.patientBirthDate);
    const names = withVariant(demographics.names, name);
    const birthDates = withVariant(demographics.birthDates, birthDate);
    if (names.disagrees || birthDates.disagrees) raised.add('demographics-disagree');
    if (names.values !== demographics.names || birthDates.values !== demographics.birthDates) {
      next = { ...next, patients: { ...next.patients, [patientId]: { names: names.values, birthDates: birthDates.values } } };
    }
  }
  return { summary: next, raised: ordered(raised) };
}

/** A Patient ID joins the summary, or only sets morePatients when the summary is full. */
function withPatient(summary: SafetySummary, patientId: string): SafetySummary {
  if (patientId in summary.patients) return summary;
  if (Object.keys(summary.patients).length >= MAX_PATIENTS) return { ...summary, morePatients: true };
  return { ...summary, patients: { ...summary.patients, [patientId]: { names: [], birthDates: [] } } };
}

/** A new stated value disagrees with any value stated before; the list grows up to MAX_VARIANTS. */
function withVariant(values: string[], value: string): { values: string[]; disagrees: boolean } {
  if (value === '' || values.includes(value)) return { values, disagrees: false };
  const disagrees = values.length > 0;
  return { values: values.length < MAX_VARIANTS ? [...values, value] : values, disagrees };
}

/** Every hold reason a summary shows, e.g. for the summary an operator's split left behind. */
export function openFindings(summary: SafetySummary): SafetyHoldCode[] {
  const found = new Set<SafetyHoldCode>();
  if (summary.withoutPatientId > 0) found.add('no-patient-id');
  if (Object.keys(summary.patients).length > 1 || summary.morePatients) found.add('study-under-two-patients');
  if (Object.values(summary.patients).some((p) => p.names.length > 1 || p.birthDates.length > 1)) found.add('demographics-disagree');
  if (summary.differentContent > 0) found.add('duplicate-sop-different-content');
  return ordered(found);
}

/** The summary of a set of instances, as an adapter builds it for a study it has just split. */
export function summariseSafety(instances: readonly ArrivingInstance[], priorPatientIds: readonly string[] = []): SafetySummary {
  return instances.reduce((summary, instance) => admitInstance(summary, instance).summary, emptySafetySummary(priorPatientIds));
}

// ---- what a reason says ----------------------------------------------------------------------------

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The reason, worded from the summary's counts; names the fields, never their values. */
export function describeHold(code: SafetyHoldCode, summary: SafetySummary): HoldReason {
  switch (code) {
    case 'no-patient-id':
      return { code, message: `${plural(summary.withoutPatientId, 'instance has', 'instances have')} no Patient ID (0010,0020)` };
    case 'study-under-two-patients': {
      const ids = Object.keys(summary.patients).length;
      const count = summary.morePatients ? `more than ${ids}` : String(Math.max(ids, 2));
      return { code, message: `the Study Instance UID (0020,000D) arrived under ${count} different Patient IDs (0010,0020)` };
    }
    case 'demographics-disagree': {
      const patients = Object.values(summary.patients);
      const fields = [
        ...(patients.some((p) => p.names.length > 1) ? ["Patient's Name (0010,0010)"] : []),
        ...(patients.some((p) => p.birthDates.length > 1) ? ["Patient's Birth Date (0010,0030)"] : []),
      ];
      const what = fields.length > 0 ? fields.join(' and ') : "Patient's Name (0010,0010) or Patient's Birth Date (0010,0030)";
      return { code, message: `instances with the same Patient ID (0010,0020) disagree on ${what}` };
    }
    case 'duplicate-sop-different-content':
      return { code, message: `${plural(summary.differentContent, 'SOP Instance UID (0008,0018) arrived', 'SOP Instance UIDs (0008,0018) arrived')} again with different content` };
  }
}

function ordered(codes: ReadonlySet<SafetyHoldCode>): SafetyHoldCode[] {
  return SAFETY_HOLD_CODES.filter((code) => codes.has(code));
}

// ---- the whole study at once -------------------------------------------------------------------

export interface StudyFacts {
  studyInstanceUid: string;
  /** In the order they were received. */
  instances: readonly InstanceFacts[];
  /** Patient IDs seen for this Study Instance UID before these instances (an earlier, published round). */
  priorPatientIds?: readonly string[];
}

/**
 * The hold reasons of a whole study, with the values behind them kept apart. The same rules as
 * admitInstance, applied in arrival order; a SOP Instance UID with a digest already seen is a resend.
 */
export function checkStudy(study: StudyFacts): SafetyReport {
  const raised = new Set<SafetyHoldCode>();
  const digests = new Map<string, string>();
  const without: string[] = [];
  const different: string[] = [];
  const rawByPatient = new Map<string, { names: Set<string>; birthDates: Set<string> }>();
  const patientOrder: string[] = [];
  for (const id of study.priorPatientIds ?? []) {
    const patientId = normalisePatientId(id);
    if (patientId !== null && !patientOrder.includes(patientId)) patientOrder.push(patientId);
  }
  let summary = emptySafetySummary(study.priorPatientIds);

  for (const instance of study.instances) {
    if (instance.studyInstanceUid !== study.studyInstanceUid) {
      throw new Error(`checkStudy: instance ${instance.sopInstanceUid} belongs to another Study Instance UID`);
    }
    const first = digests.get(instance.sopInstanceUid);
    const duplicate = first === undefined ? undefined : first === instance.contentDigest ? 'same' : 'different';
    if (first === undefined) digests.set(instance.sopInstanceUid, instance.contentDigest);
    const admitted = admitInstance(summary, { ...instance, duplicate });
    summary = admitted.summary;
    admitted.raised.forEach((code) => raised.add(code));
    if (duplicate === 'same') continue;

    if (duplicate === 'different' && !different.includes(instance.sopInstanceUid)) different.push(instance.sopInstanceUid);
    const patientId = normalisePatientId(instance.patientId);
    if (patientId === null) {
      without.push(instance.sopInstanceUid);
      continue;
    }
    if (!patientOrder.includes(patientId)) patientOrder.push(patientId);
    const raw = rawByPatient.get(patientId) ?? { names: new Set(), birthDates: new Set() };
    rawByPatient.set(patientId, raw);
    if (instance.patientName?.trim()) raw.names.add(instance.patientName);
    if (instance.patientBirthDate?.trim()) raw.birthDates.add(instance.patientBirthDate);
  }

  const values: SafetyValues = {};
  if (raised.has('no-patient-id')) values['no-patient-id'] = { sopInstanceUids: without };
  if (raised.has('study-under-two-patients')) values['study-under-two-patients'] = { patientIds: patientOrder };
  if (raised.has('demographics-disagree')) {
    const disagreeing = patientOrder.flatMap((patientId) => {
      const raw = rawByPatient.get(patientId);
      if (!raw) return [];
      const names = new Set([...raw.names].map(normalisePersonName));
      const birthDates = new Set([...raw.birthDates].map(normaliseDate));
      return names.size > 1 || birthDates.size > 1 ? [{ patientId, names: [...raw.names], birthDates: [...raw.birthDates] }] : [];
    });
    values['demographics-disagree'] = { patients: disagreeing };
  }
  if (raised.has('duplicate-sop-different-content')) values['duplicate-sop-different-content'] = { sopInstanceUids: different };
  return { reasons: ordered(raised).map((code) => describeHold(code, summary)), values };
}
