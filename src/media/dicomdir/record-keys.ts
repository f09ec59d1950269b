// The keys each directory record carries, with their types: PS3.3 F.5 (the record types discrobot
// writes), the conformance statement's Table 8.1-1, and PS3.11 Table H.3-2 for the DVD/BD profiles.
// The lists are a superset of what DCMTK's dcmmkdir writes (dcddirif.cc build*Record) so a disc's
// DICOMDIR holds every key a DCMTK-made one would.
//
// Types: 1 = present with a value (else a documented substitute, else the instance is refused);
// 1C / 3 = copied when the instance has a value; 2 = always present, empty when the instance has none.
// Table 8.1-1's image keys marked VNAP (Image Position, Rows, Pixel Spacing, ...) are written only with
// a value: present-but-empty would break their Type 1C in PS3.11 Table H.3-2 on DVD and BD.
import { hasExtendedKeys, type MediaProfile } from '../profiles.ts';

export type KeyType = '1' | '1C' | '2' | '3';

/** How a missing Type 1 value is made up (see substitutes.ts). */
export type Substitute =
  | 'studyDate'
  | 'studyTime'
  | 'studyId'
  | 'modality'
  | 'seriesNumber'
  | 'instanceNumber'
  | 'contentDate'
  | 'contentTime'
  | 'presentationDate'
  | 'presentationTime'
  | 'label'
  | 'completionFlag'
  | 'verificationFlag'
  | 'mimeType';

/** Keys whose value is not a plain copy of the instance's top-level element. */
export type Special =
  /** top level, else the first item of the Shared Functional Groups Sequence (enhanced multi-frame objects) */
  | 'sharedGroups'
  /** the Content Sequence items with relationship HAS CONCEPT MOD */
  | 'conceptModifiers'
  /** the Verification DateTime of the last Verifying Observer, when the document is VERIFIED */
  | 'verificationDateTime'
  /** per Blending Sequence item (at most two), its Study Instance UID and Referenced Series Sequence */
  | 'blending';

export interface KeyRule {
  tag: number;
  vr: string;
  name: string;
  /** Type on STD-GEN-CD; absent: not written on CDs. */
  cd?: KeyType;
  /** Type on the profiles with the Table H.3-2 keys (DVD, BD); absent: not written there. */
  ext?: KeyType;
  substitute?: Substitute;
  special?: Special;
  /** A key beyond PS3.3 F.5 (Table 8.1-1, dciodvfy's template): written, but not required of other writers' records. */
  beyondStandard?: boolean;
}

export interface ResolvedKey extends KeyRule {
  type: KeyType;
}

type Options = Partial<Pick<KeyRule, 'cd' | 'ext' | 'substitute' | 'special' | 'beyondStandard'>>;

const key = (tag: number, vr: string, name: string, type: KeyType, options: Options = {}): KeyRule => ({ tag, vr, name, cd: type, ext: type, ...options });
/** A Table H.3-2 key: only on the DVD/BD profiles. */
const extended = (tag: number, vr: string, name: string, type: KeyType, options: Options = {}): KeyRule => ({ tag, vr, name, ext: type, ...options });

const instanceNumber = (type: KeyType = '1'): KeyRule => key(0x00200013, 'IS', 'Instance Number', type, type === '1' ? { substitute: 'instanceNumber' } : {});
const contentDate = (type: KeyType = '1'): KeyRule => key(0x00080023, 'DA', 'Content Date', type, type === '1' ? { substitute: 'contentDate' } : {});
const contentTime = (type: KeyType = '1'): KeyRule => key(0x00080033, 'TM', 'Content Time', type, type === '1' ? { substitute: 'contentTime' } : {});
const conceptName = (type: KeyType): KeyRule => key(0x0040a043, 'SQ', 'Concept Name Code Sequence', type);
const conceptModifiers = key(0x0040a730, 'SQ', 'Content Sequence', '1C', { special: 'conceptModifiers' });
/** The Content Identification Macro (PS3.3 Table 10-12) as records use it. */
const contentIdentification = [
  instanceNumber(),
  key(0x00700080, 'CS', 'Content Label', '1', { substitute: 'label' }),
  key(0x00700081, 'LO', 'Content Description', '2'),
  key(0x00700084, 'PN', "Content Creator's Name", '2'),
];
/** PS3.11 Table H.3-2 image keys, with DCMTK's look-up in the Shared Functional Groups. */
const imageGeometry = (cd: KeyType | undefined): KeyRule[] => [
  { ...key(0x00081140, 'SQ', 'Referenced Image Sequence', '1C', { special: 'sharedGroups' }), cd },
  { ...key(0x00200032, 'DS', 'Image Position (Patient)', '1C', { special: 'sharedGroups' }), cd },
  { ...key(0x00200037, 'DS', 'Image Orientation (Patient)', '1C', { special: 'sharedGroups' }), cd },
  { ...key(0x00200052, 'UI', 'Frame of Reference UID', '1C'), cd },
  { ...key(0x00280030, 'DS', 'Pixel Spacing', '1C', { special: 'sharedGroups' }), cd },
  extended(0x0008002a, 'DT', 'Acquisition DateTime', '1C'),
  extended(0x00181800, 'CS', 'Acquisition Time Synchronized', '1C'),
  extended(0x00200200, 'UI', 'Synchronization Frame of Reference UID', '1C'),
  extended(0x00282112, 'DS', 'Lossy Image Compression Ratio', '1C'),
  extended(0x00500004, 'CS', 'Calibration Image', '1C'),
];

const RECORD_KEYS: Readonly<Record<string, readonly KeyRule[]>> = {
  PATIENT: [
    key(0x00100010, 'PN', "Patient's Name", '2'),
    key(0x00100020, 'LO', 'Patient ID', '1'),
    // Table 8.1-1 has them always; Table H.3-2 makes them 1C
    key(0x00100030, 'DA', "Patient's Birth Date", '2', { ext: '1C', beyondStandard: true }),
    key(0x00100040, 'CS', "Patient's Sex", '2', { ext: '1C', beyondStandard: true }),
  ],
  STUDY: [
    key(0x00080020, 'DA', 'Study Date', '1', { substitute: 'studyDate' }),
    key(0x00080030, 'TM', 'Study Time', '1', { substitute: 'studyTime' }),
    key(0x00080050, 'SH', 'Accession Number', '2'),
    key(0x00081030, 'LO', 'Study Description', '2'),
    key(0x0020000d, 'UI', 'Study Instance UID', '1'),
    key(0x00200010, 'SH', 'Study ID', '1', { substitute: 'studyId' }),
  ],
  SERIES: [
    // Table 8.1-1 keys beyond PS3.3 F.5.3
    key(0x00080021, 'DA', 'Series Date', '2', { beyondStandard: true }),
    key(0x00080031, 'TM', 'Series Time', '2', { beyondStandard: true }),
    key(0x00080060, 'CS', 'Modality', '1', { substitute: 'modality' }),
    key(0x00080080, 'LO', 'Institution Name', '3', { ext: '1C' }),
    key(0x00080081, 'ST', 'Institution Address', '3', { ext: '1C' }),
    key(0x0008103e, 'LO', 'Series Description', '2', { beyondStandard: true }),
    key(0x00081050, 'PN', "Performing Physician's Name", '3', { ext: '1C' }),
    key(0x0020000e, 'UI', 'Series Instance UID', '1'),
    key(0x00200011, 'IS', 'Series Number', '1', { substitute: 'seriesNumber' }),
  ],
  IMAGE: [
    key(0x00080008, 'CS', 'Image Type', '1C'),
    instanceNumber(),
    key(0x00280008, 'IS', 'Number of Frames', '1C', { cd: undefined }),
    key(0x00280010, 'US', 'Rows', '3', { ext: '1' }),
    key(0x00280011, 'US', 'Columns', '3', { ext: '1' }),
    ...imageGeometry('3'),
  ],
  'RT DOSE': [instanceNumber(), key(0x30040006, 'LO', 'Dose Comment', '3'), key(0x3004000a, 'CS', 'Dose Summation Type', '1')],
  'RT STRUCTURE SET': [
    instanceNumber(),
    key(0x30060002, 'SH', 'Structure Set Label', '1', { substitute: 'label' }),
    key(0x30060008, 'DA', 'Structure Set Date', '2'),
    key(0x30060009, 'TM', 'Structure Set Time', '2'),
  ],
  'RT PLAN': [
    instanceNumber(),
    key(0x300a0002, 'SH', 'RT Plan Label', '1', { substitute: 'label' }),
    key(0x300a0006, 'DA', 'RT Plan Date', '2'),
    key(0x300a0007, 'TM', 'RT Plan Time', '2'),
  ],
  'RT TREAT RECORD': [instanceNumber(), key(0x30080250, 'DA', 'Treatment Date', '2'), key(0x30080251, 'TM', 'Treatment Time', '2')],
  PRESENTATION: [
    key(0x00081115, 'SQ', 'Referenced Series Sequence', '1C'),
    ...contentIdentification,
    key(0x00700082, 'DA', 'Presentation Creation Date', '1', { substitute: 'presentationDate' }),
    key(0x00700083, 'TM', 'Presentation Creation Time', '1', { substitute: 'presentationTime' }),
    key(0x00700402, 'SQ', 'Blending Sequence', '1C', { special: 'blending' }),
  ],
  WAVEFORM: [contentDate(), contentTime(), instanceNumber()],
  'SR DOCUMENT': [
    contentDate(),
    contentTime(),
    instanceNumber(),
    key(0x0040a030, 'DT', 'Verification DateTime', '1C', { special: 'verificationDateTime' }),
    conceptName('1'),
    key(0x0040a491, 'CS', 'Completion Flag', '1', { substitute: 'completionFlag' }),
    key(0x0040a493, 'CS', 'Verification Flag', '1', { substitute: 'verificationFlag' }),
    conceptModifiers,
  ],
  'KEY OBJECT DOC': [contentDate(), contentTime(), instanceNumber(), conceptName('1'), conceptModifiers],
  'ENCAP DOC': [
    contentDate('2'),
    contentTime('2'),
    instanceNumber(),
    conceptName('2'),
    key(0x0040e001, 'ST', 'HL7 Instance Identifier', '1C'),
    key(0x00420010, 'ST', 'Document Title', '2'),
    key(0x00420012, 'LO', 'MIME Type of Encapsulated Document', '1', { substitute: 'mimeType' }),
  ],
  SPECTROSCOPY: [
    key(0x00080008, 'CS', 'Image Type', '1'),
    contentDate(),
    contentTime(),
    key(0x00089092, 'SQ', 'Referenced Image Evidence Sequence', '1C'),
    instanceNumber(),
    key(0x00280008, 'IS', 'Number of Frames', '1'),
    key(0x00280010, 'US', 'Rows', '1'),
    key(0x00280011, 'US', 'Columns', '1'),
    key(0x00289001, 'UL', 'Data Point Rows', '1'),
    key(0x00289002, 'UL', 'Data Point Columns', '1'),
    ...imageGeometry(undefined),
  ],
  'RAW DATA': [contentDate(), contentTime(), instanceNumber('2')],
  REGISTRATION: [contentDate(), contentTime(), ...contentIdentification],
  FIDUCIAL: [contentDate(), contentTime(), ...contentIdentification],
  'VALUE MAP': [contentDate(), contentTime(), ...contentIdentification],
  // DCMTK and pydicom write no keys here; dciodvfy's template (dicom3tools, kept by the standard's
  // editor) requires the Content Identification Macro, which the Stereometric Relationship IOD lacks,
  // so its Instance Number and Content Label usually come from the substitutes (and are listed).
  STEREOMETRIC: contentIdentification.map((k) => ({ ...k, beyondStandard: true })),
  'HANGING PROTOCOL': [
    key(0x00720002, 'SH', 'Hanging Protocol Name', '1'),
    key(0x00720004, 'LO', 'Hanging Protocol Description', '1'),
    key(0x00720006, 'CS', 'Hanging Protocol Level', '1'),
    key(0x00720008, 'LO', 'Hanging Protocol Creator', '1'),
    key(0x0072000a, 'DT', 'Hanging Protocol Creation DateTime', '1'),
    key(0x0072000c, 'SQ', 'Hanging Protocol Definition Sequence', '1'),
    key(0x0072000e, 'SQ', 'Hanging Protocol User Identification Code Sequence', '2'),
    key(0x00720014, 'US', 'Number of Priors Referenced', '1'),
  ],
  PRIVATE: [],
};

const cache = new Map<string, readonly ResolvedKey[]>();

/** The keys of a record type on a profile, in ascending tag order; undefined for an unknown type. */
export function recordKeys(recordType: string, profile: MediaProfile): readonly ResolvedKey[] | undefined {
  const ext = hasExtendedKeys(profile);
  const id = `${recordType}|${ext}`;
  let keys = cache.get(id);
  if (!keys) {
    const rules = RECORD_KEYS[recordType];
    if (!rules) return undefined;
    keys = rules
      .map((r) => ({ ...r, type: ext ? r.ext : r.cd }))
      .filter((r): r is ResolvedKey => r.type !== undefined)
      .sort((a, b) => a.tag - b.tag);
    cache.set(id, keys);
  }
  return keys;
}

/** PS3.3 F.5 keys that are Type 1 or 2 on every profile: what the checker requires of any record of the type. */
const requiredCache = new Map<string, readonly RequiredKey[]>();

export interface RequiredKey {
  tag: number;
  name: string;
  type: '1' | '2';
}

export function requiredKeys(recordType: string): readonly RequiredKey[] {
  let keys = requiredCache.get(recordType);
  if (!keys) {
    const strict = (t: KeyType | undefined): number => (t === '1' ? 2 : t === '2' ? 1 : 0);
    keys = (RECORD_KEYS[recordType] ?? [])
      .filter((r) => !r.beyondStandard)
      .map((r) => ({ r, level: Math.min(strict(r.cd), strict(r.ext)) }))
      .filter(({ level }) => level > 0)
      .map(({ r, level }) => ({ tag: r.tag, name: r.name, type: level === 2 ? ('1' as const) : ('2' as const) }));
    requiredCache.set(recordType, keys);
  }
  return keys;
}

export function formatTag(tag: number): string {
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}
