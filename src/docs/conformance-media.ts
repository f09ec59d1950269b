// Section 5 of docs/conformance.md: the Recording AE (media interchange), generated from the media
// tables in code (profiles, record types) with the deviations from the CDRobot3 statement in prose.
import { STORAGE_SOP_CLASSES } from '../dicom/sop-classes.ts';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../dicom/uid.ts';
import { MEDIA_PROFILES } from '../media/profiles.ts';
import { RECORD_TYPES } from '../media/record-types.ts';
import { bulletList, captionedTable, code, type MarkdownDocument } from './markdown.ts';

const PROFILE_MEDIA: Record<string, string> = {
  'STD-GEN-CD': 'CD-R',
  'STD-GEN-DVD-JPEG': 'DVD-R, DVD-R DL (all files Explicit VR Little Endian, no JPEG)',
  'STD-GEN-BD': 'BD-R, BD-R DL',
};

export function mediaInterchange(doc: MarkdownDocument): void {
  doc.heading(2, '5 Media Interchange');
  doc.heading(3, '5.1 Implementation Model');
  doc.add(
    'The Recording AE is the File-set Creator (FSC): from the instances the Storage AE stored (or from PS3.10 files given to ' +
      `${code('discrobot master')}) it lays out one or more discs, each a complete, self-contained file-set with its own DICOMDIR, ` +
      'README.TXT and INDEX.HTM (IHE PDI), and writes each as an ISO 9660 image for the robot to burn.',
  );
  doc.heading(3, '5.2 AE Specifications');
  doc.add(
    captionedTable('Table 5.2-1 Application Profiles, Activities and Roles', ['Application Profile', 'Media', 'Real-World Activity', 'Role'],
      MEDIA_PROFILES.map((p) => [code(p), PROFILE_MEDIA[p] ?? '', 'Create File-set', 'FSC'])),
    captionedTable('Table 5.2-2 File Meta Information of the Recording AE', ['Attribute', 'Value'], [
      ['Implementation Class UID', code(IMPLEMENTATION_CLASS_UID)],
      ['Implementation Version Name', code(IMPLEMENTATION_VERSION_NAME)],
      ['Transfer Syntax of every file', `${code('1.2.840.10008.1.2.1')} Explicit VR Little Endian`],
    ]),
  );
  doc.heading(4, '5.2.1 Deviations from the CDRobot3 statement and from PS3.11/PS3.12');
  doc.add(bulletList([
    'CDRobot3 lists "STD-GEN-DVD", which is no PS3.11 application profile. discrobot writes DVDs as STD-GEN-DVD-JPEG with every file in Explicit VR Little Endian (that profile allows uncompressed files) and writes its extra DICOMDIR keys (PS3.11 Table H.3-2).',
    'PS3.12 asks for UDF 2.5/2.6 on BD media. No Linux tool writes those; discrobot writes ISO 9660 Level 1 on every medium, which every operating system reads. This is a deviation from PS3.12 Annex X for BD.',
    'The Record In-use Flag (0004,1410) is US with value FFFFH (PS3.3 F.3-2); the CDRobot3 statement calls it UL.',
    'Each disc gets a new File-set UID; its File-set ID (0004,1130) is the job\'s (and the ISO volume ID). A study too large for one disc is split by study, series and instance into several file-sets, never two patients on one disc; README.TXT, INDEX.HTM and the label say "disc i of N".',
  ]));
  doc.heading(3, '5.3 Directory Records');
  doc.add(
    'One PATIENT record per Patient ID, one STUDY per Study Instance UID, one SERIES per Series Instance UID, and one record per instance of the type below, in pre-order with exact byte offsets. ' +
      'Type 1 keys an instance lacks (an empty Study Date, a missing Instance Number or Series Number) are filled with a substitute in the record only, never in the file, and every substitution is listed in INDEX.HTM and the job summary.',
    captionedTable('Table 5.3-1 Directory Record Type per SOP Class', ['SOP Class', 'UID', 'Record Type or why it stays off the disc'],
      RECORD_TYPES.map((r) => {
        const name = STORAGE_SOP_CLASSES.find((c) => c.uid === r.sopClassUid)?.name ?? '';
        return [name, code(r.sopClassUid), r.recordType ?? `off the disc: ${r.offDiscReason ?? ''}`];
      })),
    'What stays off a disc is listed in its INDEX.HTM and in the job summary, never dropped silently.',
  );
}
