// The study actor's context and the pure updates the machine's actions make to it. The context is
// JSON data and stays small however large the study: counts, times and the bounded safety summary,
// never the instance list (that lives in the instances table).
//
// Every instance of the study is in exactly one of three counts: unpublished (on no disc request
// yet), inJob (handed to the current disc job) and onDisc (on a delivered disc).

import { admitInstance, emptySafetySummary, type SafetyHoldCode, type SafetySummary } from '../../src/study/patient-safety.ts';
import type { InstanceAddedEvent, SplitResolution, StudyHoldCode, StudyHoldReason, StudyInput, StudyRoute } from './types.ts';

export interface StudyContext {
  studyUid: string;
  route: StudyRoute;
  /** When the actor was created (epoch ms), or null when the input did not say. */
  createdAt: number | null;
  unpublished: number;
  inJob: number;
  onDisc: number;
  /** Instances sent again with the same content: nothing new, counted for display. */
  resends: number;
  /** Instances (new ones and different-content duplicates) that came after the first disc request. */
  lateArrivals: number;
  /** Disc requests sent to the parent (study.completed and study.followUp). */
  requests: number;
  lastInstanceAt: number | null;
  /** Absolute (epoch ms) end of the quiet period; the 'deadline' actor waits for it while settling. */
  deadline: number | null;
  safety: SafetySummary;
  /** The job publishing the study, or the last one that did. */
  jobId: string | null;
  /** Why the study is held, worded from the current counts; empty when it is not held. */
  holdReasons: StudyHoldReason[];
  /** Reasons that came while a disc was being made: the study is held when that job ends. */
  pendingHolds: StudyHoldCode[];
  /** Why the last job failed. */
  failure: string | null;
}

export function createStudyContext(input: StudyInput): StudyContext {
  const { quietPeriodMs, followUp } = input.route;
  if (!Number.isFinite(quietPeriodMs) || quietPeriodMs < 0) {
    throw new Error(`study ${input.studyUid}: quietPeriodMs must be a number of milliseconds of at least 0, not ${quietPeriodMs}`);
  }
  if (followUp !== 'followUpDisc' && followUp !== 'holdJob') {
    throw new Error(`study ${input.studyUid}: followUp must be 'followUpDisc' or 'holdJob', not ${String(followUp)}`);
  }
  return {
    studyUid: input.studyUid,
    route: { quietPeriodMs, followUp },
    createdAt: input.now ?? null,
    unpublished: 0,
    inJob: 0,
    onDisc: 0,
    resends: 0,
    lateArrivals: 0,
    requests: 0,
    lastInstanceAt: null,
    deadline: null,
    safety: emptySafetySummary(input.priorPatientIds),
    jobId: null,
    holdReasons: [],
    pendingHolds: [],
    failure: null,
  };
}

/** The hold reasons this instance raises against what the study already holds. */
export function raisedBy(context: StudyContext, event: InstanceAddedEvent): SafetyHoldCode[] {
  return admitInstance(context.safety, event).raised;
}

/**
 * Counts an arriving instance and moves the quiet period. A resend is no new instance; a
 * different-content duplicate is kept apart by the adapter (a person decides), so it is no
 * instance to publish either. The deadline never moves back for an instance reported out of order.
 */
export function withArrival(context: StudyContext, event: InstanceAddedEvent): Partial<StudyContext> {
  const resend = event.duplicate === 'same';
  const isNew = event.duplicate === undefined;
  const lastInstanceAt = Math.max(context.lastInstanceAt ?? event.at, event.at);
  return {
    safety: admitInstance(context.safety, event).summary,
    resends: context.resends + (resend ? 1 : 0),
    unpublished: context.unpublished + (isNew ? 1 : 0),
    lateArrivals: context.lateArrivals + (!resend && context.requests > 0 ? 1 : 0),
    lastInstanceAt,
    deadline: Math.max(context.deadline ?? 0, lastInstanceAt + context.route.quietPeriodMs),
  };
}

/** Adds codes, keeping one of each. */
export function withCodes(codes: readonly StudyHoldCode[], more: readonly StudyHoldCode[]): StudyHoldCode[] {
  return [...codes, ...more.filter((code) => !codes.includes(code))];
}

/** The study hands its unpublished instances to a new disc request. */
export function withDiscRequest(context: StudyContext): Partial<StudyContext> {
  return { inJob: context.unpublished, unpublished: 0, requests: context.requests + 1, jobId: null, failure: null };
}

/** Held: a job not finished is withdrawn (the parent cancels it), its instances are unpublished again. */
export function withWithdrawnJob(context: StudyContext): Partial<StudyContext> {
  return { unpublished: context.unpublished + context.inJob, inJob: 0, jobId: null, pendingHolds: [] };
}

/** The current job delivered every copy: its instances are on a disc. */
export function withDelivered(context: StudyContext): Partial<StudyContext> {
  return { onDisc: context.onDisc + context.inJob, inJob: 0, failure: null };
}

export function withSplit(context: StudyContext, resolution: SplitResolution): Partial<StudyContext> {
  return {
    unpublished: resolution.unpublished,
    safety: resolution.safety,
    deadline: resolution.at + context.route.quietPeriodMs,
  };
}
