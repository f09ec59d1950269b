// Names a disc job gives out: its own systemId (where robots send their replies) and the id of each
// physical disc it asks for. Both are contracts other actors rely on, so they live in one place.

/** The job actor's systemId; the publisher must create the job with it, robots reply to it. */
export function discJobSystemId(jobId: string): string {
  return `job:${jobId}`;
}

/** `<jobId>/<copy>.<attempt>`: unique per physical disc tried (robot-port DiscRequest.discId). */
export function discIdOf(jobId: string, copy: number, attempt: number): string {
  return `${jobId}/${copy}.${attempt}`;
}
