// The disc's file-set layout: which File ID each DICOM file gets, what sits in the root, and the
// names of a site's extra folder. File IDs (PS3.10 8.2, 8.5) are at most 8 components of 1 to 8
// characters A-Z 0-9 _, and on ISO 9660 Level 1 they are also the file names, so they are made
// here, never taken from input file names: DICOM/P0000001/S0000001/E0000001/I0000001, counters
// per parent in the sorted order of Patient ID and UIDs, so the same input gives the same disc.

export const DICOM_FOLDER = 'DICOM';
export const DICOMDIR_NAME = 'DICOMDIR';
export const README_NAME = 'README.TXT';
export const INDEX_NAME = 'INDEX.HTM';

/** Root names a site folder may not take: the PDI layout's own (PS3.12, IHE RAD TF-3 4.47). */
const RESERVED_ROOT_NAMES = new Set([DICOM_FOLDER, DICOMDIR_NAME, README_NAME, INDEX_NAME, 'IHE_PDI']);

const COMPONENT = /^[A-Z0-9_]{1,8}$/;
const FILE_SET_ID = /^[A-Z0-9_]{1,16}$/;
/** ISO 9660 Level 1 file name (8.3, the extension may be absent); directories take no extension. */
const LEVEL1_FILE = /^[A-Z0-9_]{1,8}(\.[A-Z0-9_]{1,3})?$/;
const MAX_FILE_ID_COMPONENTS = 8;
/** PS3.12 F.2 / ECMA-119 6.8.2.1: at most 8 directory levels, the root being the first. */
const MAX_DIRECTORY_LEVELS = 8;
/** Counters are the 7 digits after a one-letter prefix. */
const MAX_COUNTER = 9_999_999;
export const MAX_FILE_SET_ID_LENGTH = 16;

export function isFileIdComponent(text: string): boolean {
  return COMPONENT.test(text);
}

export function isFileId(components: readonly string[]): boolean {
  return components.length >= 1 && components.length <= MAX_FILE_ID_COMPONENTS && components.every(isFileIdComponent);
}

/** File-set ID (0004,1130), also the ISO volume ID: 1 to 16 characters A-Z 0-9 _. */
export function isFileSetId(text: string): boolean {
  return FILE_SET_ID.test(text);
}

/**
 * The File-set IDs of a set of `count` discs: the base alone for one disc, else base + "_iOFn"
 * (the base shortened alike on every disc so the whole stays within 16 characters), so the volume
 * ID says "i of N".
 */
export function discFileSetIds(base: string, count: number): string[] {
  if (!isFileSetId(base)) throw new RangeError(`File-set ID "${base}" must be 1 to 16 characters A-Z, 0-9 or _`);
  if (count === 1) return [base];
  // one suffix length for the whole set (_01OF12 ... _12OF12), so every disc keeps the same base
  const width = String(count).length;
  const suffixLength = 3 + 2 * width;
  return Array.from({ length: count }, (_, i) => `${base.slice(0, MAX_FILE_SET_ID_LENGTH - suffixLength)}_${String(i + 1).padStart(width, '0')}OF${count}`);
}

/**
 * UIDs in numeric order of their components (1.2.9 before 1.2.10); other text by code point within
 * a component. Walks the strings without splitting them: layouts sort tens of thousands of UIDs.
 */
export function compareUids(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    let ei = a.indexOf('.', i);
    if (ei < 0) ei = a.length;
    let ej = b.indexOf('.', j);
    if (ej < 0) ej = b.length;
    const la = ei - i;
    const lb = ej - j;
    const numeric = isDigits(a, i, ei) && isDigits(b, j, ej);
    if (numeric && la !== lb) return la - lb;
    for (let k = 0; k < Math.min(la, lb); k++) {
      const d = a.charCodeAt(i + k) - b.charCodeAt(j + k);
      if (d !== 0) return d;
    }
    if (la !== lb) return la - lb;
    i = ei + 1;
    j = ej + 1;
  }
  return (a.length - i) - (b.length - j) || a.length - b.length;
}

function isDigits(s: string, from: number, to: number): boolean {
  if (from === to) return false;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export interface LayoutKey {
  /** A root-level record's file (hanging protocol, palette, implant): no patient, study or series. */
  rootLevel?: boolean;
  patientId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
}

export function compareLayoutKeys(a: LayoutKey, b: LayoutKey): number {
  if (Boolean(a.rootLevel) !== Boolean(b.rootLevel)) return a.rootLevel ? -1 : 1;
  if (a.patientId !== b.patientId) return a.patientId < b.patientId ? -1 : 1;
  return compareUids(a.studyInstanceUid, b.studyInstanceUid)
    || compareUids(a.seriesInstanceUid, b.seriesInstanceUid)
    || compareUids(a.sopInstanceUid, b.sopInstanceUid);
}

/** A sorted copy: patients, then studies, series and instances, the order of the disc's folders. */
export function layoutOrder<T extends LayoutKey>(items: readonly T[]): T[] {
  return [...items].sort(compareLayoutKeys);
}

export interface PlacedInstance<T> {
  item: T;
  /** DICOM/Pnnnnnnn/Snnnnnnn/Ennnnnnn/Innnnnnn, or DICOM/Rnnnnnnn for a root-level record's file */
  fileId: string[];
}

/**
 * File IDs for the instances of one disc, in layout order. Throws if two items share a SOP
 * Instance UID (a file-set references each instance once) or a counter would overflow.
 */
export function assignFileIds<T extends LayoutKey>(items: readonly T[]): PlacedInstance<T>[] {
  const sorted = layoutOrder(items);
  const out: PlacedInstance<T>[] = [];
  const counter = (n: number, prefix: string): string => {
    if (n > MAX_COUNTER) throw new RangeError(`more than ${MAX_COUNTER} entries in one folder of the disc`);
    return prefix + String(n).padStart(7, '0');
  };
  let root = 0, patient = 0, study = 0, series = 0, instance = 0;
  let prev: T | undefined;
  const seen = new Set<string>();
  for (const item of sorted) {
    if (seen.has(item.sopInstanceUid)) throw new RangeError(`SOP Instance UID ${item.sopInstanceUid} appears twice on one disc`);
    seen.add(item.sopInstanceUid);
    if (item.rootLevel) {
      out.push({ item, fileId: [DICOM_FOLDER, counter(++root, 'R')] });
      continue;
    }
    if (!prev || prev.rootLevel || item.patientId !== prev.patientId) {
      patient++;
      study = series = instance = 0;
    }
    if (!prev || study === 0 || item.studyInstanceUid !== prev.studyInstanceUid) {
      study++;
      series = instance = 0;
    }
    if (!prev || series === 0 || item.seriesInstanceUid !== prev.seriesInstanceUid) {
      series++;
      instance = 0;
    }
    instance++;
    out.push({ item, fileId: [DICOM_FOLDER, counter(patient, 'P'), counter(study, 'S'), counter(series, 'E'), counter(instance, 'I')] });
    prev = item;
  }
  return out;
}

/** The path of a File ID on the ISO image (the ISO 9660 name is the File ID itself). */
export function isoPathOf(fileId: readonly string[]): string {
  return '/' + fileId.join('/');
}

/** A file of the image and where its bytes come from (the store, or a generated/staged file). */
export interface ImageEntry {
  isoPath: string;
  sourcePath: string;
}

/** A site's folder to merge into the disc (a viewer, for example): its root name and its files. */
export interface SiteFolder {
  /** Folder name in the disc root, e.g. VIEWER. */
  name: string;
  /** Local folder the files come from. */
  sourceDir: string;
  /** Paths relative to sourceDir, "/"-separated, files only. */
  files: readonly string[];
  /** A file of the folder INDEX.HTM links to (relative to the folder), e.g. VIEWER.HTM. */
  entry?: string;
}

/**
 * Why a site folder cannot go on an ISO 9660 Level 1 disc as it is; empty when it can. Names must
 * already be Level 1 names: a mastering tool would otherwise rename them silently and break links.
 */
export function siteFolderProblems(site: Pick<SiteFolder, 'name' | 'files' | 'entry'>): string[] {
  const problems: string[] = [];
  if (!isFileIdComponent(site.name)) problems.push(`folder name "${site.name}" must be 1 to 8 characters A-Z, 0-9 or _`);
  if (RESERVED_ROOT_NAMES.has(site.name)) problems.push(`folder name "${site.name}" is reserved for the disc's own content`);
  for (const file of site.files) {
    const parts = file.split('/');
    const dirs = parts.slice(0, -1);
    const name = parts[parts.length - 1] ?? '';
    const bad = dirs.filter((d) => !isFileIdComponent(d));
    if (bad.length > 0) problems.push(`${site.name}/${file}: folder names must be 1 to 8 characters A-Z, 0-9 or _ (ISO 9660 Level 1)`);
    else if (!LEVEL1_FILE.test(name)) problems.push(`${site.name}/${file}: file names must be 8.3 upper case A-Z, 0-9 or _ (ISO 9660 Level 1)`);
    // root (1) + site folder (2) + its subfolders
    if (2 + dirs.length > MAX_DIRECTORY_LEVELS) problems.push(`${site.name}/${file}: deeper than ${MAX_DIRECTORY_LEVELS} directory levels`);
  }
  if (site.entry !== undefined && !site.files.includes(site.entry)) problems.push(`entry "${site.entry}" is not a file of the folder`);
  const lower = new Map<string, string>();
  for (const file of site.files) {
    const key = file.toLowerCase();
    if (lower.has(key)) problems.push(`${site.name}/${file}: differs from ${site.name}/${lower.get(key)} only in case`);
    lower.set(key, file);
  }
  return problems;
}

export interface DiscContent<T> {
  placed: readonly PlacedInstance<T & { sourcePath: string }>[];
  dicomdirPath: string;
  readmePath: string;
  indexPath: string;
  site?: SiteFolder;
}

/** Every file of one disc image: DICOMDIR, README.TXT, INDEX.HTM, the DICOM files, the site folder. */
export function imageEntries<T>(disc: DiscContent<T>): ImageEntry[] {
  const entries: ImageEntry[] = [
    { isoPath: `/${DICOMDIR_NAME}`, sourcePath: disc.dicomdirPath },
    { isoPath: `/${README_NAME}`, sourcePath: disc.readmePath },
    { isoPath: `/${INDEX_NAME}`, sourcePath: disc.indexPath },
  ];
  for (const p of disc.placed) entries.push({ isoPath: isoPathOf(p.fileId), sourcePath: p.item.sourcePath });
  if (disc.site) {
    for (const file of disc.site.files) {
      entries.push({ isoPath: `/${disc.site.name}/${file}`, sourcePath: `${disc.site.sourceDir}/${file}` });
    }
  }
  return entries;
}
