// PS3.10 file header: 128-byte preamble, "DICM", and the File Meta Information (group 0002) in
// Explicit VR Little Endian. Built by hand: it is written once per stored object, and dcmjs's
// general-purpose writer costs more than the rest of the object's handling.

export interface FileMeta {
  mediaStorageSopClassUid: string;
  mediaStorageSopInstanceUid: string;
  transferSyntaxUid: string;
  implementationClassUid: string;
  implementationVersionName: string;
  /** The calling AE title of the association the object came from (optional, type 3). */
  sourceApplicationEntityTitle?: string;
}

const PREAMBLE_LENGTH = 128;
const MAX_UID_LENGTH = 64;
const MAX_SH_AE_LENGTH = 16;

/** One short-form Explicit VR LE element: tag, VR, 16-bit length, value. */
function element(group: number, elem: number, vr: string, value: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(elem, 2);
  header.write(vr, 4, 'latin1');
  header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

/** UI values are padded with NUL, other strings with a space, to an even length (PS3.5 6.2). */
function padded(text: string, pad: string): Buffer {
  return Buffer.from(text.length % 2 === 1 ? text + pad : text, 'latin1');
}

function uid(elem: number, name: string, value: string): Buffer {
  if (value.length === 0 || value.length > MAX_UID_LENGTH || !/^[0-9.]+$/.test(value)) {
    throw new RangeError(`file meta: ${name} "${value}" is not a UID`);
  }
  return element(0x0002, elem, 'UI', padded(value, '\0'));
}

function shortText(elem: number, vr: 'SH' | 'AE', name: string, value: string): Buffer {
  // Default character repertoire only; AE titles may not contain backslash or control characters.
  if (value.length > MAX_SH_AE_LENGTH || !/^[\x20-\x7e]*$/.test(value) || value.includes('\\')) {
    throw new RangeError(`file meta: ${name} "${value}" is not a valid ${vr} value`);
  }
  return element(0x0002, elem, vr, padded(value, ' '));
}

export function encodeFileMeta(meta: FileMeta): Buffer {
  const versionHeader = Buffer.alloc(12);
  versionHeader.writeUInt16LE(0x0002, 0);
  versionHeader.writeUInt16LE(0x0001, 2);
  versionHeader.write('OB', 4, 'latin1');
  versionHeader.writeUInt32LE(2, 8); // 2 reserved bytes at 6..7 stay 0
  const elements = [
    versionHeader,
    Buffer.from([0x00, 0x01]),
    uid(0x0002, 'Media Storage SOP Class UID', meta.mediaStorageSopClassUid),
    uid(0x0003, 'Media Storage SOP Instance UID', meta.mediaStorageSopInstanceUid),
    uid(0x0010, 'Transfer Syntax UID', meta.transferSyntaxUid),
    uid(0x0012, 'Implementation Class UID', meta.implementationClassUid),
    shortText(0x0013, 'SH', 'Implementation Version Name', meta.implementationVersionName),
  ];
  const aeTitle = meta.sourceApplicationEntityTitle?.trim();
  if (aeTitle) elements.push(shortText(0x0016, 'AE', 'Source Application Entity Title', aeTitle));
  const group = Buffer.concat(elements);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(group.length, 0);
  return Buffer.concat([
    Buffer.alloc(PREAMBLE_LENGTH),
    Buffer.from('DICM', 'latin1'),
    element(0x0002, 0x0000, 'UL', groupLength),
    group,
  ]);
}
