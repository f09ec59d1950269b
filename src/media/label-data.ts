// What a disc label says: the lines of text per disc, in reading order, made from the disc's
// patient and studies. Pure: the SVG layout is in label-svg.ts, the rendering in an adapter.
// Inputs are already-decoded Unicode strings (the caller applies the Specific Character Set).

export interface LabelStudy {
  /** DICOM DA (YYYYMMDD); also accepted: YYYY-MM-DD and the ACR-NEMA YYYY.MM.DD. */
  date: string | null;
  description: string | null;
  modalities: string[];
}

export interface LabelData {
  /** DICOM PN: up to three component groups (alphabetic=ideographic=phonetic) of Family^Given^Middle^Prefix^Suffix. */
  patientName: string;
  patientId: string;
  /** DICOM DA, or null when the instances leave it empty. */
  birthDate: string | null;
  studies: LabelStudy[];
  institution: string;
  /** 1-based number of this disc in its set. */
  discIndex: number;
  discCount: number;
  /** ISO 8601 date or date-time of mastering; its date part is printed. */
  createdAt: string;
  /** IHE PDI content type printed on the label; 'DICOM ONLY' when absent (no web content on the disc). */
  contentType?: string;
  /** Which lines the label prints, in this order (a route's label template); default LABEL_LINE_ROLES. */
  lines?: readonly LabelLineRole[];
}

/** Every kind of label line, in the order a label prints them unless its template says otherwise. */
export const LABEL_LINE_ROLES = ['institution', 'patientName', 'patientId', 'study', 'disc', 'created'] as const;
export type LabelLineRole = (typeof LABEL_LINE_ROLES)[number];

/** A disc must name its patient: a label template without these lines is refused. */
export const REQUIRED_LABEL_LINES: readonly LabelLineRole[] = ['patientName', 'patientId'];

export function isLabelLineRole(value: unknown): value is LabelLineRole {
  return (LABEL_LINE_ROLES as readonly unknown[]).includes(value);
}

/** Why a label template cannot be used, or undefined when it can. */
export function labelTemplateProblem(lines: readonly LabelLineRole[]): string | undefined {
  const missing = REQUIRED_LABEL_LINES.filter((role) => !lines.includes(role));
  if (missing.length > 0) return `must include ${missing.join(' and ')}: a disc must name its patient`;
  const repeated = lines.find((role, i) => lines.indexOf(role) !== i);
  if (repeated !== undefined) return `names the line ${repeated} twice`;
  return undefined;
}

export interface LabelLine {
  role: LabelLineRole;
  text: string;
}

/** More studies than this are summarised, so that the lines fit the printable band. */
export const MAX_STUDY_LINES = 4;

export const DEFAULT_CONTENT_TYPE = 'DICOM ONLY';

/**
 * The label's lines with their roles, top to bottom as printed (before any shortening to fit): the
 * lines of data.lines' roles in that order, all of them when it is absent.
 */
export function labelContent(data: LabelData): LabelLine[] {
  const template = data.lines ?? LABEL_LINE_ROLES;
  const problem = labelTemplateProblem(template);
  if (problem !== undefined) throw new RangeError(`the label template ${problem}`);
  const lines = allLines(data);
  return template.flatMap((role) => lines.filter((line) => line.role === role));
}

/** Every line the data gives, in the default order; empty values print no line. */
function allLines(data: LabelData): LabelLine[] {
  if (!Number.isInteger(data.discCount) || data.discCount < 1) {
    throw new RangeError(`disc count must be a positive integer, got ${data.discCount}`);
  }
  if (!Number.isInteger(data.discIndex) || data.discIndex < 1 || data.discIndex > data.discCount) {
    throw new RangeError(`disc index must be 1..${data.discCount}, got ${data.discIndex}`);
  }
  const patientId = clean(data.patientId);
  if (patientId === '') throw new RangeError('a disc label must name the Patient ID');
  const created = isoDatePart(data.createdAt);
  if (created === null) throw new RangeError(`createdAt is not an ISO date: ${JSON.stringify(data.createdAt)}`);

  const lines: LabelLine[] = [];
  const push = (role: LabelLineRole, text: string): void => {
    if (text !== '') lines.push({ role, text });
  };
  push('institution', clean(data.institution));
  push('patientName', formatPersonName(data.patientName));
  const born = formatDicomDate(data.birthDate);
  push('patientId', born === null ? `ID ${patientId}` : `ID ${patientId} · born ${born}`);
  for (const text of studyLines(data.studies)) push('study', text);
  push('disc', `Disc ${data.discIndex} of ${data.discCount}`);
  const contentType = clean(data.contentType ?? DEFAULT_CONTENT_TYPE);
  push('created', contentType === '' ? `Created ${created}` : `Created ${created} · ${contentType}`);
  return lines;
}

/** The text lines printed on the label, top to bottom. */
export function labelLines(data: LabelData): string[] {
  return labelContent(data).map((line) => line.text);
}

/**
 * A DICOM PN for people: "MÜLLER, Jürgen" for 'Müller^Jürgen', "山田 太郎" for '山田^太郎'
 * (CJK names keep family-then-given without a comma), and "YAMADA, Taro (山田 太郎)" when both an
 * alphabetic and an ideographic group are present. The phonetic group is used only when it is the only one.
 */
export function formatPersonName(pn: string): string {
  const [alphabetic = '', ideographic = '', phonetic = ''] = pn.split('=').map(formatComponentGroup);
  if (alphabetic !== '' && ideographic !== '') return `${alphabetic} (${ideographic})`;
  return alphabetic || ideographic || phonetic;
}

/** DICOM DA as YYYY-MM-DD; null for an empty value; any other value is returned trimmed, as received. */
export function formatDicomDate(value: string | null): string | null {
  if (value === null) return null;
  const v = value.trim();
  if (v === '') return null;
  const m = /^(\d{4})[.-]?(\d{2})[.-]?(\d{2})$/.exec(v);
  if (m === null) return v;
  const [, year, month, day] = m as unknown as [string, string, string, string];
  const mm = Number(month);
  const dd = Number(day);
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) return v;
  return `${year}-${month}-${day}`;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u;

function formatComponentGroup(group: string): string {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = group.split('^').map(clean);
  if (CJK.test(family) || CJK.test(given)) {
    return [prefix, family, given, middle, suffix].filter((c) => c !== '').join(' ');
  }
  const upperFamily = family.toUpperCase();
  const rest = [prefix, given, middle].filter((c) => c !== '').join(' ');
  const name = upperFamily !== '' && rest !== '' ? `${upperFamily}, ${rest}` : upperFamily || rest;
  if (suffix === '') return name;
  return name === '' ? suffix : `${name}, ${suffix}`;
}

function studyLines(studies: readonly LabelStudy[]): string[] {
  if (studies.length <= MAX_STUDY_LINES) return studies.map(studyLine);
  const shown = studies.slice(0, MAX_STUDY_LINES - 1).map(studyLine);
  return [...shown, `+ ${studies.length - shown.length} more studies`];
}

function studyLine(study: LabelStudy): string {
  const modalities = [...new Set(study.modalities.map((m) => clean(m).toUpperCase()).filter((m) => m !== ''))];
  const parts = [modalities.join('/'), formatDicomDate(study.date) ?? '', clean(study.description ?? '')];
  const text = parts.filter((p) => p !== '').join(' ');
  return text === '' ? 'Study' : text;
}

function isoDatePart(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(value.trim());
  if (m === null) return null;
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/** Collapses runs of white space (DICOM pads with spaces; values may hold tabs or line breaks). */
function clean(value: string): string {
  return value.replace(/\s+/gu, ' ').trim();
}
