// The name a study actor is known by in the actor system; the publisher creates it with this
// systemId and routes instances, job events and operator commands to it.

/** `study:<StudyInstanceUID>` (architecture sketch). */
export function studySystemId(studyUid: string): string {
  return `study:${studyUid}`;
}
