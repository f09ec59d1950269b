// Which DICOMDIR record type (PS3.3 Annex F, Table F.4-1) each storage SOP class we accept needs on a
// disc, or why it stays off. One row per class of src/dicom/sop-classes.ts; a test keeps them in step
// and checks the mapping against pydicom's and DCMTK's.
import { STORAGE_SOP_CLASSES } from '../dicom/sop-classes.ts';

export type RecordDecision = { onDisc: true; recordType: string } | { onDisc: false; reason: string };

export interface RecordTypeRow {
  sopClassUid: string;
  recordType: string | null;
  offDiscReason?: string;
}

/** Record types that sit in the root directory entity instead of under a SERIES record. */
export const ROOT_RECORD_TYPES: ReadonlySet<string> = new Set(['HANGING PROTOCOL', 'PALETTE', 'IMPLANT', 'IMPLANT GROUP', 'IMPLANT ASSY']);

const RETIRED_PRINT = 'retired print-management object (PS3.4 2004); its record types are retired and may not be written (PS3.3 Table F.3-3)';
const retiredStandalone = (record: string): string =>
  `retired standalone object; its record type ${record} is retired and may not be written (PS3.3 Table F.3-3)`;
const PRIVATE =
  "vendor's private SOP class: other sites' viewers cannot read it; written as a PRIVATE record only where the site allows private records";

/** Record types by SOP class UID (PS3.3 F.4; the same as DCMTK's sopClassToRecordType and pydicom's FileSet). */
const ON_DISC: Readonly<Record<string, string>> = {
  // images, current and retired image classes alike: IMAGE is a current record type
  '1.2.840.10008.5.1.4.1.1.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.1.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.1.1.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.1.2': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.1.2.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.1.3': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.1.3.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.12.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.12.1.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.12.2': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.12.2.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.12.3': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.128': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.2': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.2.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.20': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.3': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.3.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.4': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.4.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.481.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.5': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.6': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.6.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.7': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.7.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.7.2': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.7.3': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.7.4': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.77.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.77.1.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.77.1.1.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.77.1.2': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.77.1.2.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.77.1.3': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.77.1.4': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.77.1.4.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.77.1.5.1': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.77.1.5.2': 'IMAGE',
  '1.2.840.10008.5.1.4.1.1.77.2': 'IMAGE',
  // presentation states
  '1.2.840.10008.5.1.4.1.1.11.1': 'PRESENTATION',
  '1.2.840.10008.5.1.4.1.1.11.2': 'PRESENTATION',
  '1.2.840.10008.5.1.4.1.1.11.3': 'PRESENTATION',
  '1.2.840.10008.5.1.4.1.1.11.4': 'PRESENTATION',
  // spectroscopy, radiotherapy
  '1.2.840.10008.5.1.4.1.1.4.2': 'SPECTROSCOPY',
  '1.2.840.10008.5.1.4.1.1.481.2': 'RT DOSE',
  '1.2.840.10008.5.1.4.1.1.481.3': 'RT STRUCTURE SET',
  '1.2.840.10008.5.1.4.1.1.481.4': 'RT TREAT RECORD',
  '1.2.840.10008.5.1.4.1.1.481.5': 'RT PLAN',
  '1.2.840.10008.5.1.4.1.1.481.6': 'RT TREAT RECORD',
  '1.2.840.10008.5.1.4.1.1.481.7': 'RT TREAT RECORD',
  // raw data, registration, fiducials, value maps, stereometry
  '1.2.840.10008.5.1.4.1.1.66': 'RAW DATA',
  '1.2.840.10008.5.1.4.1.1.66.1': 'REGISTRATION',
  '1.2.840.10008.5.1.4.1.1.66.2': 'FIDUCIAL',
  '1.2.840.10008.5.1.4.1.1.67': 'VALUE MAP',
  '1.2.840.10008.5.1.4.1.1.77.1.5.3': 'STEREOMETRIC',
  // structured documents
  '1.2.840.10008.5.1.4.1.1.88.11': 'SR DOCUMENT',
  '1.2.840.10008.5.1.4.1.1.88.22': 'SR DOCUMENT',
  '1.2.840.10008.5.1.4.1.1.88.33': 'SR DOCUMENT',
  '1.2.840.10008.5.1.4.1.1.88.40': 'SR DOCUMENT',
  '1.2.840.10008.5.1.4.1.1.88.50': 'SR DOCUMENT',
  '1.2.840.10008.5.1.4.1.1.88.65': 'SR DOCUMENT',
  '1.2.840.10008.5.1.4.1.1.88.67': 'SR DOCUMENT',
  '1.2.840.10008.5.1.4.1.1.88.59': 'KEY OBJECT DOC',
  '1.2.840.10008.5.1.4.1.1.104.1': 'ENCAP DOC',
  '1.2.840.10008.5.1.4.1.1.104.2': 'ENCAP DOC',
  // waveforms
  '1.2.840.10008.5.1.4.1.1.9.1.1': 'WAVEFORM',
  '1.2.840.10008.5.1.4.1.1.9.1.2': 'WAVEFORM',
  '1.2.840.10008.5.1.4.1.1.9.1.3': 'WAVEFORM',
  '1.2.840.10008.5.1.4.1.1.9.2.1': 'WAVEFORM',
  '1.2.840.10008.5.1.4.1.1.9.3.1': 'WAVEFORM',
  '1.2.840.10008.5.1.4.1.1.9.4.1': 'WAVEFORM',
  // root level
  '1.2.840.10008.5.1.4.38.1': 'HANGING PROTOCOL',
};

/** Why the standard classes without a current record type stay off. */
const OFF_DISC: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.9': 'retired study content notification (PS3.4 2004): a message, not an object with a directory record type',
  '1.2.840.10008.5.1.1.27': RETIRED_PRINT,
  '1.2.840.10008.5.1.1.29': RETIRED_PRINT,
  '1.2.840.10008.5.1.1.30': RETIRED_PRINT,
  '1.2.840.10008.5.1.4.1.1.10': retiredStandalone('MODALITY LUT'),
  '1.2.840.10008.5.1.4.1.1.11': retiredStandalone('VOI LUT'),
  '1.2.840.10008.5.1.4.1.1.129': retiredStandalone('CURVE'),
  '1.2.840.10008.5.1.4.1.1.8': retiredStandalone('OVERLAY'),
  '1.2.840.10008.5.1.4.1.1.9': retiredStandalone('CURVE'),
};

export const RECORD_TYPES: readonly RecordTypeRow[] = STORAGE_SOP_CLASSES.map((c): RecordTypeRow => {
  const recordType = ON_DISC[c.uid];
  if (recordType !== undefined) return { sopClassUid: c.uid, recordType };
  const offDiscReason = c.kind === 'private' ? PRIVATE : OFF_DISC[c.uid];
  if (offDiscReason === undefined) throw new Error(`record-types: no decision for accepted SOP class ${c.uid} (${c.name})`);
  return { sopClassUid: c.uid, recordType: null, offDiscReason };
});

const byUid = new Map(RECORD_TYPES.map((r) => [r.sopClassUid, r]));

const STANDARD_ROOT = '1.2.840.10008.';

/**
 * What a disc does with an instance of this SOP class. `allowPrivate` puts private classes (the
 * statement's, and any class outside the DICOM root) on the disc as PRIVATE records.
 */
export function recordDecision(sopClassUid: string, options: { allowPrivate?: boolean } = {}): RecordDecision {
  const row = byUid.get(sopClassUid);
  if (row?.recordType) return { onDisc: true, recordType: row.recordType };
  const isPrivate = row ? row.offDiscReason === PRIVATE : !sopClassUid.startsWith(STANDARD_ROOT);
  if (isPrivate && options.allowPrivate) return { onDisc: true, recordType: 'PRIVATE' };
  if (row) return { onDisc: false, reason: row.offDiscReason ?? 'no directory record type' };
  if (isPrivate) return { onDisc: false, reason: PRIVATE };
  return { onDisc: false, reason: 'a SOP class discrobot does not accept: no directory record type is known for it' };
}
