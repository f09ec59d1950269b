// An instance row given to the publisher again as if just stored: by a split (the moved instances
// make a study of their own) and at start-up (instances no study snapshot had seen). One shape for
// both, so the study actor hears exactly what a C-STORE would have told it.
import type { AssociationParentEvent } from '../../machines/association.machine.ts';

export type InstanceStoredEvent = Extract<AssociationParentEvent, { type: 'instance.stored' }>;

/** The instance row's columns the event needs. */
export interface StoredInstanceFacts {
  id: number;
  sopInstanceUid: string;
  studyInstanceUid: string;
  patientId: string | null;
  patientName: string | null;
  patientBirthDate: string | null;
  callingAeTitle: string;
  calledAeTitle: string;
  bytes: number;
}

/** The columns above, as SQL select items over `instances`. */
export const STORED_INSTANCE_COLUMNS = `id, sop_instance_uid AS sopInstanceUid, study_instance_uid AS studyInstanceUid, patient_id AS patientId,
  patient_name AS patientName, patient_birth_date AS patientBirthDate, calling_ae_title AS callingAeTitle, called_ae_title AS calledAeTitle, bytes`;

/** `via` names the source in place of an association id ('split', 'restart'): not a reception. */
export function storedAgain(row: StoredInstanceFacts, via: 'split' | 'restart', studyInstanceUid = row.studyInstanceUid): InstanceStoredEvent {
  return {
    type: 'instance.stored', associationId: via, messageId: 0, status: 0, bytes: row.bytes, sopInstanceUid: row.sopInstanceUid, instanceId: row.id,
    studyInstanceUid, patientId: row.patientId, patientName: row.patientName, patientBirthDate: row.patientBirthDate,
    callingAeTitle: row.callingAeTitle, calledAeTitle: row.calledAeTitle, receivedAtMs: Date.now(),
  };
}
