// vrOf against pydicom's data dictionary: the VR decides how every Implicit VR element is labelled.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatTag, isUsOrSs, vrOf } from '../../src/dicom/dictionary.ts';
import { PYTHON } from './rewrite-support.ts';

interface PydicomDictionary {
  tags: Record<string, [string, string]>;
  repeaters: Record<string, [string, string]>;
}
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'dictionary_dump.py');
const dump = spawnSync(PYTHON, [script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
if (dump.status !== 0) throw new Error(`dictionary_dump.py failed: ${dump.stderr}`);
const pydicom = JSON.parse(dump.stdout) as PydicomDictionary;

/** How Implicit VR data must read a multi-VR entry (PS3.5 A.1): OB/OW data is OW; US or SS starts as US. */
function expectedVr(vr: string): string {
  if (vr === 'OB or OW' || vr === 'US or OW' || vr === 'US or SS or OW') return 'OW';
  if (vr === 'US or SS') return 'US';
  return vr;
}

describe('vrOf', () => {
  it('agrees with pydicom on every standard data element outside group 0002', () => {
    const disagreements: string[] = [];
    let checked = 0;
    for (const [hex, [vr, keyword]] of Object.entries(pydicom.tags)) {
      const tag = Number.parseInt(hex, 16);
      // Group 0002 never reaches the rewriter; "Retired-blank" entries have no keyword and no real VR.
      if (tag >>> 16 === 0x0002 || tag >>> 16 === 0xfffe || keyword === '') continue;
      checked++;
      const ours = vrOf(tag);
      if (ours !== expectedVr(vr)) disagreements.push(`${formatTag(tag)} ${keyword}: pydicom ${vr}, ours ${ours}`);
    }
    expect(checked).toBeGreaterThan(4000);
    expect(disagreements).toEqual([]);
  });

  it('knows the repeating groups of curves (50xx) and overlays (60xx) in every even group', () => {
    const groups = [0x5000, 0x5002, 0x501e, 0x50fe, 0x6000, 0x6002, 0x601e, 0x60fe];
    let checked = 0;
    for (const [mask, [vr]] of Object.entries(pydicom.repeaters)) {
      if (!/^(50|60)xx[0-9A-F]{4}$/.test(mask)) continue;
      for (const g of groups.filter((x) => x >>> 8 === Number.parseInt(mask.slice(0, 2), 16))) {
        const tag = ((g << 16) | Number.parseInt(mask.slice(4), 16)) >>> 0;
        expect(vrOf(tag), formatTag(tag)).toBe(expectedVr(vr));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(vrOf(0x60003000)).toBe('OW'); // Overlay Data
    expect(vrOf(0x60020010)).toBe('US'); // Overlay Rows, second overlay
  });

  it('labels private creators LO, group lengths UL, and leaves private and unknown elements unknown', () => {
    expect(vrOf(0x00090010)).toBe('LO');
    expect(vrOf(0x002900ff)).toBe('LO');
    expect(vrOf(0x00291010)).toBeUndefined();
    expect(vrOf(0x00090000)).toBe('UL');
    expect(vrOf(0x00080000)).toBe('UL');
    expect(vrOf(0x7fe00010)).toBe('OW');
    expect(vrOf(0x0008fff0)).toBeUndefined();
    expect(vrOf(0x00100010)).toBe('PN');
  });

  it('marks exactly the "US or SS" elements as depending on Pixel Representation', () => {
    const ambiguous = Object.entries(pydicom.tags)
      .filter(([, [vr, keyword]]) => vr === 'US or SS' && keyword !== '')
      .map(([hex]) => Number.parseInt(hex, 16));
    expect(ambiguous.length).toBeGreaterThan(15);
    for (const tag of ambiguous) expect(isUsOrSs(tag), formatTag(tag)).toBe(true);
    expect(isUsOrSs(0x00280010)).toBe(false); // Rows: US only
    expect(isUsOrSs(0x00189219)).toBe(false); // an SS-only element
  });
});
