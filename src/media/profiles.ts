// The PS3.11 media application profiles discrobot writes as File-set Creator.
// The conformance statement's "STD-GEN-DVD" is no PS3.11 profile: DVDs are written as STD-GEN-DVD-JPEG
// with every file in Explicit VR Little Endian, which adds the DICOMDIR keys of PS3.11 Table H.3-2.

export type MediaProfile = 'STD-GEN-CD' | 'STD-GEN-DVD-JPEG' | 'STD-GEN-BD';

export const MEDIA_PROFILES: readonly MediaProfile[] = ['STD-GEN-CD', 'STD-GEN-DVD-JPEG', 'STD-GEN-BD'];

/**
 * Whether the profile's DICOMDIR carries the additional keys of PS3.11 Table H.3-2 (patient birth
 * date and sex, series institution and performing physician, image rows/columns and geometry).
 * STD-GEN-BD gets them too: discrobot writes BDs so that they satisfy STD-GEN-BD-JPEG's directory
 * as well (what `dcmmkdir -Pbd` checks), and the keys are optional for plain STD-GEN-BD readers.
 */
export function hasExtendedKeys(profile: MediaProfile): boolean {
  return profile !== 'STD-GEN-CD';
}

export function isMediaProfile(value: string): value is MediaProfile {
  return (MEDIA_PROFILES as readonly string[]).includes(value);
}
