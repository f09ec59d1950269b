// Value Representations as 16-bit codes (the two ASCII bytes), and the facts about them that
// encoding needs: header form (PS3.5 7.1.2) and the byte-swapping unit of each binary VR.

export function vrCode(vr: string): number {
  return (vr.charCodeAt(0) << 8) | vr.charCodeAt(1);
}

export function vrName(code: number): string {
  return String.fromCharCode(code >> 8, code & 0xff);
}

export const VR_SQ = vrCode('SQ');
export const VR_UN = vrCode('UN');
export const VR_OW = vrCode('OW');
export const VR_OB = vrCode('OB');

const ALL_VRS = 'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV';
const KNOWN = new Set(ALL_VRS.split(' ').map(vrCode));

/** VRs with a 2-byte reserved field and a 32-bit length in explicit VR headers (12-byte header). */
const LONG = new Set('OB OD OF OL OV OW SQ SV UC UN UR UT UV'.split(' ').map(vrCode));

/** Size of the units whose byte order flips between big and little endian; 1 = a byte stream. */
const SWAP_UNIT = new Map<number, number>([
  ...'US SS OW AT'.split(' ').map((v): [number, number] => [vrCode(v), 2]), // AT: two 16-bit halves
  ...'UL SL FL OF OL'.split(' ').map((v): [number, number] => [vrCode(v), 4]),
  ...'FD OD OV SV UV'.split(' ').map((v): [number, number] => [vrCode(v), 8]),
]);

export function isKnownVr(code: number): boolean {
  return KNOWN.has(code);
}

export function hasLongLength(code: number): boolean {
  return LONG.has(code);
}

export function swapUnit(code: number): number {
  return SWAP_UNIT.get(code) ?? 1;
}
