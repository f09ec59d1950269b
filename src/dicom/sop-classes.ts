// The SOP classes discrobot accepts as Storage SCP: Table 4 and Table 5 of the CDRobot3 conformance
// statement, with names from the DICOM dictionary (PS3.6 Annex A) instead of the statement's
// spellings. Private classes are not in the DICOM dictionary; their names are the vendors'.
// This table drives negotiation and is generated into docs/conformance.md.

export type SopClassKind =
  /** a current standard storage class */
  | 'standard'
  /** retired from the standard; still accepted, as the statement lists it */
  | 'retired'
  /** a vendor's private class listed in the statement */
  | 'private'
  /** structured report: accepted only when the site enables structured reports (Table 5) */
  | 'structured-report';

export interface SopClass {
  readonly uid: string;
  readonly name: string;
  readonly kind: SopClassKind;
}

const sop = (uid: string, name: string, kind: SopClassKind = 'standard'): SopClass => ({ uid, name, kind });

export const STORAGE_SOP_CLASSES: readonly SopClass[] = [
  sop('1.2.840.10008.1.9', 'Basic Study Content Notification SOP Class', 'retired'),
  sop('1.2.840.10008.5.1.1.27', 'Stored Print Storage SOP Class', 'retired'),
  sop('1.2.840.10008.5.1.1.29', 'Hardcopy Grayscale Image Storage SOP Class', 'retired'),
  sop('1.2.840.10008.5.1.1.30', 'Hardcopy Color Image Storage SOP Class', 'retired'),
  sop('1.2.840.10008.5.1.4.1.1.1', 'Computed Radiography Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.1.1', 'Digital X-Ray Image Storage - For Presentation'),
  sop('1.2.840.10008.5.1.4.1.1.1.1.1', 'Digital X-Ray Image Storage - For Processing'),
  sop('1.2.840.10008.5.1.4.1.1.1.2', 'Digital Mammography X-Ray Image Storage - For Presentation'),
  sop('1.2.840.10008.5.1.4.1.1.1.2.1', 'Digital Mammography X-Ray Image Storage - For Processing'),
  sop('1.2.840.10008.5.1.4.1.1.1.3', 'Digital Intra-Oral X-Ray Image Storage - For Presentation'),
  sop('1.2.840.10008.5.1.4.1.1.1.3.1', 'Digital Intra-Oral X-Ray Image Storage - For Processing'),
  sop('1.2.840.10008.5.1.4.1.1.10', 'Standalone Modality LUT Storage', 'retired'),
  sop('1.2.840.10008.5.1.4.1.1.11', 'Standalone VOI LUT Storage', 'retired'),
  sop('1.2.840.10008.5.1.4.1.1.11.1', 'Grayscale Softcopy Presentation State Storage'),
  sop('1.2.840.10008.5.1.4.1.1.11.2', 'Color Softcopy Presentation State Storage'),
  sop('1.2.840.10008.5.1.4.1.1.11.3', 'Pseudo-Color Softcopy Presentation State Storage'),
  sop('1.2.840.10008.5.1.4.1.1.11.4', 'Blending Softcopy Presentation State Storage'),
  sop('1.2.840.10008.5.1.4.1.1.12.1', 'X-Ray Angiographic Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.12.1.1', 'Enhanced XA Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.12.2', 'X-Ray Radiofluoroscopic Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.12.2.1', 'Enhanced XRF Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.12.3', 'X-Ray Angiographic Bi-Plane Image Storage', 'retired'),
  sop('1.2.840.10008.5.1.4.1.1.128', 'Positron Emission Tomography Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.129', 'Standalone PET Curve Storage', 'retired'),
  sop('1.2.840.10008.5.1.4.1.1.2', 'CT Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.2.1', 'Enhanced CT Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.20', 'Nuclear Medicine Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.3', 'Ultrasound Multi-frame Image Storage', 'retired'),
  sop('1.2.840.10008.5.1.4.1.1.3.1', 'Ultrasound Multi-frame Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.4', 'MR Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.4.1', 'Enhanced MR Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.4.2', 'MR Spectroscopy Storage'),
  sop('1.2.840.10008.5.1.4.1.1.481.1', 'RT Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.481.2', 'RT Dose Storage'),
  sop('1.2.840.10008.5.1.4.1.1.481.3', 'RT Structure Set Storage'),
  sop('1.2.840.10008.5.1.4.1.1.481.4', 'RT Beams Treatment Record Storage'),
  sop('1.2.840.10008.5.1.4.1.1.481.5', 'RT Plan Storage'),
  sop('1.2.840.10008.5.1.4.1.1.481.6', 'RT Brachy Treatment Record Storage'),
  sop('1.2.840.10008.5.1.4.1.1.481.7', 'RT Treatment Summary Record Storage'),
  sop('1.2.840.10008.5.1.4.1.1.5', 'Nuclear Medicine Image Storage', 'retired'),
  sop('1.2.840.10008.5.1.4.1.1.6', 'Ultrasound Image Storage', 'retired'),
  sop('1.2.840.10008.5.1.4.1.1.6.1', 'Ultrasound Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.66', 'Raw Data Storage'),
  sop('1.2.840.10008.5.1.4.1.1.66.1', 'Spatial Registration Storage'),
  sop('1.2.840.10008.5.1.4.1.1.66.2', 'Spatial Fiducials Storage'),
  sop('1.2.840.10008.5.1.4.1.1.67', 'Real World Value Mapping Storage'),
  sop('1.2.840.10008.5.1.4.1.1.7', 'Secondary Capture Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.7.1', 'Multi-frame Single Bit Secondary Capture Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.7.2', 'Multi-frame Grayscale Byte Secondary Capture Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.7.3', 'Multi-frame Grayscale Word Secondary Capture Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.7.4', 'Multi-frame True Color Secondary Capture Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.77.1', 'VL Image Storage - Trial', 'retired'),
  sop('1.2.840.10008.5.1.4.1.1.77.1.1', 'VL Endoscopic Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.77.1.1.1', 'Video Endoscopic Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.77.1.2', 'VL Microscopic Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.77.1.2.1', 'Video Microscopic Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.77.1.3', 'VL Slide-Coordinates Microscopic Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.77.1.4', 'VL Photographic Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.77.1.4.1', 'Video Photographic Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.77.1.5.1', 'Ophthalmic Photography 8 Bit Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.77.1.5.2', 'Ophthalmic Photography 16 Bit Image Storage'),
  sop('1.2.840.10008.5.1.4.1.1.77.1.5.3', 'Stereometric Relationship Storage'),
  sop('1.2.840.10008.5.1.4.1.1.77.2', 'VL Multi-frame Image Storage - Trial', 'retired'),
  sop('1.2.840.10008.5.1.4.1.1.8', 'Standalone Overlay Storage', 'retired'),
  sop('1.2.840.10008.5.1.4.1.1.88.40', 'Procedure Log Storage'),
  sop('1.2.840.10008.5.1.4.1.1.88.59', 'Key Object Selection Document Storage'),
  sop('1.2.840.10008.5.1.4.1.1.104.1', 'Encapsulated PDF Storage'),
  sop('1.2.840.10008.5.1.4.1.1.104.2', 'Encapsulated CDA Storage'),
  sop('1.2.840.10008.5.1.4.1.1.9', 'Standalone Curve Storage', 'retired'),
  sop('1.2.840.10008.5.1.4.1.1.9.1.1', '12-lead ECG Waveform Storage'),
  sop('1.2.840.10008.5.1.4.1.1.9.1.2', 'General ECG Waveform Storage'),
  sop('1.2.840.10008.5.1.4.1.1.9.1.3', 'Ambulatory ECG Waveform Storage'),
  sop('1.2.840.10008.5.1.4.1.1.9.2.1', 'Hemodynamic Waveform Storage'),
  sop('1.2.840.10008.5.1.4.1.1.9.3.1', 'Cardiac Electrophysiology Waveform Storage'),
  sop('1.2.840.10008.5.1.4.1.1.9.4.1', 'Basic Voice Audio Waveform Storage'),
  sop('1.2.840.10008.5.1.4.38.1', 'Hanging Protocol Storage'),
  sop('1.3.12.2.1107.5.9.1', 'Siemens CSA Non-Image Storage', 'private'),
  sop('1.2.40.0.13.1.3.1.2.3.1.1', 'dcm4che Attributes Modification Notification', 'private'),
  sop('1.3.46.670589.11.0.0.12.1', 'Philips Private Gyroscan MR Spectrum', 'private'),
  sop('1.3.46.670589.11.0.0.12.2', 'Philips Private Gyroscan MR Series Data', 'private'),
  sop('1.3.46.670589.11.0.0.12.4', 'Philips Private MR Examcard Storage', 'private'),
  sop('1.2.124.113532.3500.7', 'Agfa Private Basic Attribute Presentation State', 'private'),
  sop('1.2.840.10008.5.1.4.1.1.88.11', 'Basic Text SR Storage', 'structured-report'),
  sop('1.2.840.10008.5.1.4.1.1.88.22', 'Enhanced SR Storage', 'structured-report'),
  sop('1.2.840.10008.5.1.4.1.1.88.33', 'Comprehensive SR Storage', 'structured-report'),
  sop('1.2.840.10008.5.1.4.1.1.88.50', 'Mammography CAD SR Storage', 'structured-report'),
  sop('1.2.840.10008.5.1.4.1.1.88.65', 'Chest CAD SR Storage', 'structured-report'),
  sop('1.2.840.10008.5.1.4.1.1.88.67', 'X-Ray Radiation Dose SR Storage', 'structured-report'),
];

const byUid = new Map(STORAGE_SOP_CLASSES.map((c) => [c.uid, c]));

export function findStorageSopClass(uid: string): SopClass | undefined {
  return byUid.get(uid);
}

/** The storage classes accepted under the given policy (Table 4 always, Table 5 only with SR on). */
export function acceptedStorageSopClasses(acceptStructuredReports: boolean): SopClass[] {
  return STORAGE_SOP_CLASSES.filter((c) => acceptStructuredReports || c.kind !== 'structured-report');
}
