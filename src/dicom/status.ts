// DIMSE status codes discrobot sends in C-STORE-RSP / C-ECHO-RSP (conformance statement Table 10,
// PS3.4 Annex B.2.3 and PS3.7 Annex C), with names for logs.

export const DimseStatus = {
  Success: 0x0000,
  ProcessingFailure: 0x0110,
  OutOfResources: 0xa700,
  DataSetDoesNotMatchSopClass: 0xa900,
  CannotUnderstand: 0xc000,
  CoercionOfDataElements: 0xb000,
  DataSetDoesNotMatchSopClassWarning: 0xb007,
} as const;
export type DimseStatusCode = (typeof DimseStatus)[keyof typeof DimseStatus];

const NAMES: Record<number, string> = {
  [DimseStatus.Success]: 'Success',
  [DimseStatus.ProcessingFailure]: 'Processing failure',
  [DimseStatus.OutOfResources]: 'Refused: out of resources',
  [DimseStatus.DataSetDoesNotMatchSopClass]: 'Error: data set does not match SOP class',
  [DimseStatus.CannotUnderstand]: 'Error: cannot understand',
  [DimseStatus.CoercionOfDataElements]: 'Warning: coercion of data elements',
  [DimseStatus.DataSetDoesNotMatchSopClassWarning]: 'Warning: data set does not match SOP class',
};

/** `0xB007` → `'B007'`: the way the statement and DCMTK print statuses. */
export function formatStatus(status: number): string {
  return status.toString(16).toUpperCase().padStart(4, '0');
}

/** A name for logs, e.g. `'A700 Refused: out of resources'`; unknown codes get their category. */
export function describeStatus(status: number): string {
  return `${formatStatus(status)} ${NAMES[status] ?? `(${statusCategory(status)})`}`;
}

export type StatusCategory = 'success' | 'warning' | 'failure' | 'cancel' | 'pending';

/** PS3.7 Annex C: 0000 success; 0001, Bxxx, 0107, 0116 warning; FE00 cancel; FF00/FF01 pending; the rest failure. */
export function statusCategory(status: number): StatusCategory {
  if (status === 0x0000) return 'success';
  if (status === 0x0001 || status === 0x0107 || status === 0x0116 || (status & 0xf000) === 0xb000) return 'warning';
  if (status === 0xfe00) return 'cancel';
  if (status === 0xff00 || status === 0xff01) return 'pending';
  return 'failure';
}

/** A store with a warning status still stored the instance (statement Table 10: "transmission is considered successful"). */
export function isStoredStatus(status: number): boolean {
  const category = statusCategory(status);
  return category === 'success' || category === 'warning';
}
