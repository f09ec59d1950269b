// One input instance as the directory builder reads it: its top-level elements by tag, the values
// it is grouped by, and how to name it in messages.
import { isValidUid } from '../../dicom/uid.ts';
import { charsetName } from './charset.ts';
import { isEmptyValue, plainText } from './values.ts';

export interface DirectoryInstance {
  fileId: readonly string[];
  transferSyntaxUid: string;
  /** Top-level elements of the instance as Explicit VR LE value bytes (tag → { vr, value }); sequences as their encoded SQ value. */
  elements: ReadonlyMap<number, { vr: string; value: Buffer }>;
}

export const TAG = {
  specificCharacterSet: 0x00080005,
  sopClassUid: 0x00080016,
  sopInstanceUid: 0x00080018,
  patientId: 0x00100020,
  studyInstanceUid: 0x0020000d,
  seriesInstanceUid: 0x0020000e,
} as const;

export class InstanceView {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** Normalised Specific Character Set ("" for the default repertoire). */
  readonly charset: string;

  constructor(
    readonly source: DirectoryInstance,
    /** Position in the input, for stable ordering. */
    readonly index: number,
  ) {
    this.sopClassUid = this.uid(TAG.sopClassUid);
    this.sopInstanceUid = this.uid(TAG.sopInstanceUid);
    this.charset = charsetName(this.get(TAG.specificCharacterSet)?.value);
  }

  get(tag: number): { vr: string; value: Buffer } | undefined {
    return this.source.elements.get(tag);
  }

  /** The element when it is present with a value. */
  valued(tag: number): { vr: string; value: Buffer } | undefined {
    const e = this.source.elements.get(tag);
    return e && !isEmptyValue(e.vr, e.value) ? e : undefined;
  }

  /** A value as plain text (no padding); "" when absent. For ASCII values: UIDs, codes, numbers, IDs as keys. */
  text(tag: number): string {
    const e = this.source.elements.get(tag);
    return e ? plainText(e.value) : '';
  }

  private uid(tag: number): string {
    const v = this.text(tag);
    return isValidUid(v) ? v : '';
  }

  /** How messages name the instance: its SOP Instance UID, else its File ID. */
  get label(): string {
    return this.sopInstanceUid ? `instance ${this.sopInstanceUid} (${this.source.fileId.join('\\')})` : `instance ${this.source.fileId.join('\\')}`;
  }
}
