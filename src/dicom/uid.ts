// UIDs: validation and the well-known values discrobot speaks.

/** PS3.5 9.1: components of digits separated by dots, no leading zero in a multi-digit component, at most 64 characters. */
const UID_PATTERN = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function isValidUid(value: string): boolean {
  return value.length > 0 && value.length <= 64 && UID_PATTERN.test(value);
}

export const APPLICATION_CONTEXT_DICOM = '1.2.840.10008.3.1.1.1';
export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';
/** The SOP class of a DICOMDIR file (Media Storage Directory Storage). */
export const MEDIA_STORAGE_DIRECTORY_STORAGE = '1.2.840.10008.1.3.10';

export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
} as const;
export type UncompressedTransferSyntax = (typeof TransferSyntax)[keyof typeof TransferSyntax];

/** Order of preference when a presentation context proposes several syntaxes we accept. */
export const TRANSFER_SYNTAX_PREFERENCE: readonly UncompressedTransferSyntax[] = [
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
];

export const TRANSFER_SYNTAX_NAMES: Record<UncompressedTransferSyntax, string> = {
  [TransferSyntax.ImplicitVRLittleEndian]: 'Implicit VR Little Endian',
  [TransferSyntax.ExplicitVRLittleEndian]: 'Explicit VR Little Endian',
  [TransferSyntax.ExplicitVRBigEndian]: 'Explicit VR Big Endian',
};

/**
 * discrobot's Implementation Class UID: under the 2.25 root (PS3.5 B.2), derived from UUID 8f2c6a8e-3b1d-4f6e-9a51-2c7d0e4b9f21 that
 * was generated once for this product and never changes. The version name changes with releases.
 */
export const IMPLEMENTATION_CLASS_UID = '2.25.190310225663130615878942524131880181537';
export const IMPLEMENTATION_VERSION_NAME = 'DISCROBOT_0_1_0';
