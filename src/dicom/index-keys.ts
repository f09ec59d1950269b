// The top-level attributes kept from each received object: the index columns, and every key any
// DICOMDIR record type may need (PS3.3 F.5, PS3.11 Table H.3-2 for the DVD/BD-JPEG profiles), so a
// disc's DICOMDIR can be built later without reading the files again.
import { decodeText, decodeUid } from './text.ts';

export interface CollectedValue {
  vr: string;
  value: Buffer;
}

const tags = (...list: number[]): number[] => list;

/** Grouped by the record types that need them; a tag may serve several. */
const KEYS = {
  common: tags(
    0x00080005, // Specific Character Set (1C in every record)
    0x00080016, // SOP Class UID
    0x00080018, // SOP Instance UID
    0x0008001a, // Related General SOP Class UID (for (0004,151A))
    0x00280100, // Bits Allocated (the re-encoder swaps 32/64-bit pixel data by it)
  ),
  patient: tags(0x00100010, 0x00100020, 0x00100021, 0x00100030, 0x00100040), // Name, ID, Issuer, Birth Date, Sex
  study: tags(
    0x00080020, 0x00080030, // Study Date, Time
    0x00200010, 0x0020000d, // Study ID, Study Instance UID
    0x00081030, 0x00080050, // Study Description, Accession Number
  ),
  series: tags(
    0x00080060, 0x0020000e, 0x00200011, // Modality, Series Instance UID, Series Number
    0x00080021, 0x00080031, 0x0008103e, // Series Date, Time, Description
    0x00080080, 0x00080081, 0x00081050, // Institution Name, Address, Performing Physician (DVD/BD)
  ),
  image: tags(
    0x00200013, // Instance Number
    0x00280010, 0x00280011, 0x00280008, // Rows, Columns, Number of Frames
    // PS3.11 Table H.3-2 (STD-GEN-DVD/BD-JPEG/J2K)
    0x00080008, // Image Type
    0x00500004, // Calibration Image
    0x00282110, 0x00282112, // Lossy Image Compression, Ratio
    0x00200052, 0x00200200, // Frame of Reference UID, Synchronization Frame of Reference UID
    0x00181800, 0x0008002a, // Acquisition Time Synchronized, Acquisition DateTime
    0x00081140, // Referenced Image Sequence
    0x00200032, 0x00200037, 0x00280030, // Image Position, Orientation (Patient), Pixel Spacing
    0x52009229, // Shared Functional Groups Sequence (Pixel Spacing of enhanced multi-frame objects)
  ),
  content: tags(
    0x00080023, 0x00080033, // Content Date, Time (WAVEFORM, SR, KO, ENCAP, RAW, REGISTRATION, FIDUCIAL…)
    0x00080012, 0x00080013, // Instance Creation Date, Time (ASSESSMENT)
    0x00700080, 0x00700081, 0x00700084, // Content Identification macro: Label, Description, Creator's Name
  ),
  rt: tags(
    0x3004000a, 0x30040006, // RT DOSE: Dose Summation Type, Dose Comment
    0x30060002, 0x30060008, 0x30060009, // RT STRUCTURE SET: Label, Date, Time
    0x300a0002, 0x300a0006, 0x300a0007, // RT PLAN: Label, Date, Time
    0x30080250, 0x30080251, // RT TREAT RECORD: Treatment Date, Time
    0x30100033, 0x30100034, // RADIOTHERAPY: User Content Label, Long Label
  ),
  presentation: tags(
    0x00700082, 0x00700083, // Presentation Creation Date, Time
    0x00081115, 0x00700402, // Referenced Series Sequence, Blending Sequence
  ),
  structuredDocument: tags(
    0x0040a491, 0x0040a493, // Completion Flag, Verification Flag
    0x0040a043, // Concept Name Code Sequence
    0x0040a030, 0x0040a073, // Verification DateTime, Verifying Observer Sequence
    0x0040a730, // Content Sequence (HAS CONCEPT MOD items; dropped when too large)
  ),
  encapsulatedDocument: tags(0x00420012, 0x0040e001, 0x00420010), // MIME Type, HL7 Instance Identifier, Document Title
  spectroscopy: tags(0x00289001, 0x00289002, 0x00089092), // Data Point Rows, Columns, Referenced Image Evidence Sequence
  hangingProtocol: tags(
    0x00720002, 0x00720004, 0x00720006, 0x00720008, 0x0072000a, // Name, Description, Level, Creator, Creation DateTime
    0x0072000c, 0x00720014, 0x0072000e, // Definition Sequence, Number of Priors Referenced, User Identification Code Sequence
  ),
  implant: tags(
    0x00080070, 0x00221095, 0x00221097, 0x00686210, // Manufacturer, Implant Name, Part Number, Size
    0x00780001, 0x00780020, // Implant Template Group Name, Issuer
    0x00760001, 0x00760020, // Implant Assembly Template Name, Procedure Type Code Sequence
  ),
  inventory: tags(0x00080400, 0x00080403, 0x00080426, 0x00080428), // Scope of Inventory Seq, Level, Completion Status, Total Study Records
};

export const INDEX_TAGS: ReadonlySet<number> = new Set(Object.values(KEYS).flat());

/** The index columns of one object, decoded; absent or empty values are null. */
export interface IndexEntry {
  patientId: string | null;
  patientName: string | null;
  patientBirthDate: string | null;
  patientSex: string | null;
  studyInstanceUid: string | null;
  studyDate: string | null;
  studyTime: string | null;
  studyId: string | null;
  accessionNumber: string | null;
  studyDescription: string | null;
  seriesInstanceUid: string | null;
  seriesNumber: string | null;
  modality: string | null;
  instanceNumber: string | null;
  sopClassUid: string | null;
  sopInstanceUid: string | null;
  specificCharacterSet: string | null;
}

export function indexEntry(collected: ReadonlyMap<number, CollectedValue>): IndexEntry {
  const charsetValue = collected.get(0x00080005)?.value;
  const specificCharacterSet = charsetValue ? orNull(decodeText(charsetValue, undefined).trim()) : null;
  const text = (tag: number): string | null => {
    const v = collected.get(tag);
    return v ? orNull(decodeText(v.value, specificCharacterSet ?? undefined).trim()) : null;
  };
  const uid = (tag: number): string | null => {
    const v = collected.get(tag);
    return v ? orNull(decodeUid(v.value)) : null;
  };
  return {
    patientId: text(0x00100020),
    patientName: text(0x00100010),
    patientBirthDate: text(0x00100030),
    patientSex: text(0x00100040),
    studyInstanceUid: uid(0x0020000d),
    studyDate: text(0x00080020),
    studyTime: text(0x00080030),
    studyId: text(0x00200010),
    accessionNumber: text(0x00080050),
    studyDescription: text(0x00081030),
    seriesInstanceUid: uid(0x0020000e),
    seriesNumber: text(0x00200011),
    modality: text(0x00080060),
    instanceNumber: text(0x00200013),
    sopClassUid: uid(0x00080016),
    sopInstanceUid: uid(0x00080018),
    specificCharacterSet,
  };
}

function orNull(s: string): string | null {
  return s.length > 0 ? s : null;
}

/** Every collected element as JSON: { "ggggeeee": { vr, b64 } }, bytes as stored (Explicit VR LE). */
export function headerJson(collected: ReadonlyMap<number, CollectedValue>): Record<string, { vr: string; b64: string }> {
  const out: Record<string, { vr: string; b64: string }> = {};
  for (const [tag, { vr, value }] of collected) out[tag.toString(16).toUpperCase().padStart(8, '0')] = { vr, b64: value.toString('base64') };
  return out;
}

/** The inverse of headerJson, for the DICOMDIR builder. */
export function parseHeaderJson(json: Record<string, { vr: string; b64: string }>): Map<number, CollectedValue> {
  const out = new Map<number, CollectedValue>();
  for (const [key, { vr, b64 }] of Object.entries(json)) out.set(Number.parseInt(key, 16), { vr, value: Buffer.from(b64, 'base64') });
  return out;
}
