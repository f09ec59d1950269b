// VR of a tag from the DICOM data dictionary (dcmjs's copy), for re-encoding Implicit VR data.
import dcmjs from 'dcmjs';

const { DicomMetaDictionary } = dcmjs.data;

/**
 * dcmjs codes for multi-VR entries, resolved the way Implicit VR data must be read (PS3.5 A.1):
 * 'ox' (OB or OW: Pixel/Overlay/Waveform data) is OW in Implicit VR, 'lt' (US or OW: LUT Data) OW,
 * 'up' (UL pointer: directory offsets) UL. 'xs' (US or SS) is US here; the rewriter turns it into SS
 * when the data set's Pixel Representation is signed.
 */
const CODED_VRS: Readonly<Record<string, string>> = { ox: 'OW', lt: 'OW', up: 'UL', xs: 'US' };

/** Spelled-out multi-VR entries ("US or SS", "OB or OW", "US or SS or OW") in other dcmjs versions. */
function resolveVr(vr: string): string | undefined {
  const coded = CODED_VRS[vr];
  if (coded !== undefined) return coded;
  if (vr === 'na' || vr === '') return undefined; // item and delimiter tags have no VR
  if (!vr.includes(' or ')) return vr;
  const choices = vr.split(' or ').map((v) => v.trim());
  if (choices.includes('OW')) return 'OW';
  if (choices.includes('US')) return 'US';
  return choices[0];
}

/** Expands a 4-digit hex pattern where 'x' stands for any digit ("60xx" -> 6000..60FF). */
function expandHex(pattern: string): number[] {
  const firstX = pattern.toLowerCase().indexOf('x');
  if (firstX < 0) return [parseInt(pattern, 16)];
  const out: number[] = [];
  for (let d = 0; d < 16; d++) out.push(...expandHex(pattern.slice(0, firstX) + d.toString(16) + pattern.slice(firstX + 1)));
  return out;
}

/** The repeating groups of PS3.6 7.6: curves (50xx) and overlays (60xx), even groups only. */
const REPEATING_GROUP_BASES = [0x5000, 0x6000];

/** Tags whose VR is "US or SS": signed exactly when the image's Pixel Representation is 1. */
const US_OR_SS_TAGS = new Set<number>();

function isUsOrSsVr(vr: string): boolean {
  return vr === 'xs' || vr === 'US or SS';
}

function buildVrMap(): Map<number, string> {
  const map = new Map<number, string>();
  for (const entry of Object.values(DicomMetaDictionary.nameMap)) {
    const match = /^\(([0-9A-Fa-fx]{4}),([0-9A-Fa-fx]{4})\)$/.exec(entry.tag);
    const vr = resolveVr(entry.vr);
    if (!match || vr === undefined) continue;
    if (isUsOrSsVr(entry.vr) && !match[0].includes('x')) US_OR_SS_TAGS.add(parseInt(match[1]! + match[2]!, 16));
    const groups = expandHex(match[1]!);
    const elements = expandHex(match[2]!);
    if (groups.length * elements.length > 4096) continue; // e.g. retired (1000,xxx0): not worth a table
    // dcmjs lists repeating-group entries once, under their first group (6000,3000): spread them.
    const base = groups.length === 1 ? groups[0]! : -1;
    const spread = REPEATING_GROUP_BASES.includes(base) ? Array.from({ length: 128 }, (_, i) => base + 2 * i) : groups;
    for (const g of spread) {
      if (g % 2 === 1) continue;
      for (const e of elements) if (!map.has(((g << 16) | e) >>> 0)) map.set(((g << 16) | e) >>> 0, vr);
    }
  }
  return map;
}

/**
 * Entries where dcmjs 0.50's dictionary disagrees with the current PS3.6 (and with pydicom's):
 * the VR decides how Implicit VR bytes are labelled, so a wrong one would mislabel stored values.
 */
const CORRECTIONS: ReadonlyArray<[number, string]> = [
  [0x00660040, 'OL'], // Long Primitive Point Index List (dcmjs: UL)
  [0x00660041, 'OL'], // Long Triangle Point Index List
  [0x00660042, 'OL'], // Long Edge Point Index List
  [0x00660043, 'OL'], // Long Vertex Point Index List
  [0x006862f0, 'SQ'], // View Orientation Modifier Code Sequence (dcmjs: FD)
  [0x0070150c, 'UL'], // Number of Volumetric Curve Points (dcmjs: FL)
  [0x00760034, 'SQ'], // Component Type Code Sequence (dcmjs: CS)
];

const VR_BY_TAG = buildVrMap();
for (const [tag, vr] of CORRECTIONS) VR_BY_TAG.set(tag, vr);

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * VR of a data element by tag, or undefined if the dictionary does not know it (private data
 * elements, unknown standard ones). Group lengths are UL, private creators LO, PixelData OW.
 */
export function vrOf(tag: number): string | undefined {
  const group = tag >>> 16;
  const element = tag & 0xffff;
  if (element === 0) return 'UL';
  if (group % 2 === 1) return element >= 0x0010 && element <= 0x00ff ? 'LO' : undefined;
  const known = VR_BY_TAG.get(tag >>> 0);
  if (known !== undefined) return known;
  // Entries the keyword map may not list (two entries with one keyword): ask dcmjs's own lookup.
  const entry = DicomMetaDictionary.dictionary[`(${hex4(group)},${hex4(element)})`];
  const vr = entry ? resolveVr(entry.vr) : undefined;
  if (vr !== undefined) VR_BY_TAG.set(tag >>> 0, vr);
  return vr;
}

/** True for the "US or SS" data elements (Smallest Image Pixel Value, Pixel Padding Value, LUT Descriptor…). */
export function isUsOrSs(tag: number): boolean {
  return US_OR_SS_TAGS.has(tag >>> 0);
}

/** Tags as DICOM writes them: "(0010,0010)". */
export function formatTag(tag: number): string {
  return `(${hex4(tag >>> 16)},${hex4(tag & 0xffff)})`;
}
