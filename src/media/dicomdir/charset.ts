// Specific Character Set in directory records (PS3.3 F.3, Type 1C in every record): a record whose
// keys include character strings carries its instance's (0008,0005), as DCMTK and pydicom do; values
// stay the instance's bytes. A record shared by instances in different character sets is re-encoded
// in UTF-8 (ISO_IR 192), which holds every value of every set.
import { decodeText } from '../../dicom/text.ts';
import { sequenceItems, type ParsedElement } from './explicit-le.ts';
import { TEXT_VRS, evenLength, plainText } from './values.ts';

export const UTF8_CHARSET = 'ISO_IR 192';

/** The defined terms of a (0008,0005) value, normalised ("" for the default repertoire). */
export function charsetName(value: Buffer | undefined): string {
  if (!value) return '';
  const terms = plainText(value)
    .split('\\')
    .map((t) => t.trim());
  const joined = terms.join('\\');
  return joined === 'ISO_IR 6' ? '' : joined;
}

function elementsAffected(elements: readonly ParsedElement[]): boolean {
  return elements.some((e) => TEXT_VRS.has(e.vr) || (e.vr === 'SQ' && sequenceAffected(e.value)));
}

/** Whether a sequence value holds character strings anywhere; unreadable content counts as yes. */
export function sequenceAffected(value: Buffer): boolean {
  try {
    return sequenceItems(value).some((item) => elementsAffected(item.elements));
  } catch {
    return true;
  }
}

/** Whether a record with these keys needs the Specific Character Set of its source (DCMTK's rule). */
export function keysAffected(keys: readonly { vr: string; value: Buffer | string }[]): boolean {
  return keys.some((k) => TEXT_VRS.has(k.vr) || (k.vr === 'SQ' && typeof k.value !== 'string' && sequenceAffected(k.value)));
}

/** A character-string value decoded with its set and written again in UTF-8. */
export function toUtf8(vr: string, value: Buffer, charset: string): Buffer {
  return evenLength(vr, Buffer.from(decodeText(value, charset || undefined), 'utf8'));
}
