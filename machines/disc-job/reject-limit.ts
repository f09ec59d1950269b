// When a rejected disc ends the job instead of being retried with a new blank (primera-robot.md
// §8.6: three rejects in a row fail the job). Rejects count from the copy's first disc or from the
// operator's last retry; a delivered disc starts the next copy and clears the count. Within one job
// "rejects in a row" and "attempts used for this copy" are therefore the same number, checked
// against both limits so that either setting takes effect.

import type { RejectCause } from '../robot-port.ts';

export interface RejectCounts {
  copy: number;
  /** Rejects before this one, in a row. */
  rejectsInARow: number;
  maxAttemptsPerCopy: number;
  maxRejectsInARow: number;
}

/** The failure reason when this reject reaches a limit, else null (try again with a new blank). */
export function rejectLimitReason(counts: RejectCounts, disc: { discId: string; cause: RejectCause; reason: string }): string | null {
  const rejects = counts.rejectsInARow + 1;
  const limits: string[] = [];
  if (rejects >= counts.maxAttemptsPerCopy) limits.push(`copy ${counts.copy} used ${rejects} of ${counts.maxAttemptsPerCopy} attempts`);
  if (rejects >= counts.maxRejectsInARow) limits.push(`${rejects} rejects in a row (limit ${counts.maxRejectsInARow})`);
  if (limits.length === 0) return null;
  return `disc ${disc.discId} rejected (${disc.cause}: ${disc.reason}); ${limits.join(', ')}`;
}
