// The study actor's contract with the rest of the system: its input, the events it takes (from the
// publisher, which forwards the storage adapter's facts, the disc jobs' starts and ends and the
// operator's commands: release now, hold, release, split) and the events it sends its parent. The
// machine is machines/study.machine.ts.

import type { SafetyHoldCode, SafetySummary } from '../../src/study/patient-safety.ts';

export type FollowUpPolicy = 'followUpDisc' | 'holdJob';

/** The parts of a route (config: chosen by called and calling AE title) the study itself uses. */
export interface StudyRoute {
  /** Quiet period after the last instance before the study is complete. */
  quietPeriodMs: number;
  /**
   * Instances arriving after the study was handed on ("late arrivals"): 'followUpDisc' puts them on
   * a follow-up disc once the current job has ended; 'holdJob' holds the study for a person, which
   * withdraws a job that has not started yet (on release it is requested again with them).
   */
  followUp: FollowUpPolicy;
}

export interface StudyInput {
  studyUid: string;
  route: StudyRoute;
  /** When the study actor was created (epoch ms), for display. */
  now?: number;
  /** Patient IDs already seen for this Study Instance UID (instance rows of an earlier actor). */
  priorPatientIds?: string[];
}

// ---- events the study takes --------------------------------------------------------------------

/**
 * One stored instance of this study, forwarded by the publisher from the storage adapter. The
 * adapter compares contents: `duplicate` says the SOP Instance UID was already stored, with the
 * 'same' content (a resend, nothing new) or 'different' content (kept apart, and a hold reason).
 */
export interface InstanceAddedEvent {
  type: 'instance.added';
  sopInstanceUid: string;
  patientId: string | null;
  patientName: string | null;
  patientBirthDate: string | null;
  /** When it was received (epoch ms): the quiet period counts from the latest. */
  at: number;
  duplicate?: 'same' | 'different';
}

/** From the publisher: the disc job made of this study started, or ended (ok: every copy delivered). */
export type StudyJobEvent = { type: 'job.started'; jobId: string } | { type: 'job.finished'; jobId: string; ok: boolean; reason?: string };

/** What the adapter left in the study after carrying out an operator's split. */
export interface SplitResolution {
  /** Instances of the study still to be published (the ones moved away no longer count). */
  unpublished: number;
  /** The safety facts of what remains, built with summariseSafety() from its instance rows. */
  safety: SafetySummary;
  /** When the split was made (epoch ms): a new quiet period starts. */
  at: number;
}

/** From the operator through the API. */
export type StudyOperatorEvent =
  /** Do not wait for the quiet period. */
  | { type: 'study.releaseNow' }
  /** A person reviewed the hold and accepts the study as it is: it is published. */
  | { type: 'study.release' }
  /** A person split the held study; the adapter has moved the instances and reports what is left. */
  | { type: 'study.split'; resolution: SplitResolution }
  /**
   * A person holds the study for review, in any state. It carries no words of theirs: they could
   * name the patient, and the reasons are logged at info level; the audit trail keeps them.
   */
  | { type: 'study.hold' };

export type StudyEvent = InstanceAddedEvent | StudyJobEvent | StudyOperatorEvent;

// ---- events the study sends its parent ---------------------------------------------------------

/** Why a study is held: a patient-safety finding, the route's late-arrival policy, or an operator's hold. */
export type StudyHoldCode = SafetyHoldCode | 'late-arrivals' | 'operator';

/** Why a study is held; names fields and counts, never patient data (safe at info level). */
export interface StudyHoldReason {
  code: StudyHoldCode;
  message: string;
}

export type StudyParentEvent =
  /** Make a disc of this study's instances that are on no disc yet (the study's first disc). */
  | { type: 'study.completed'; studyUid: string; instances: number }
  /** Make a follow-up disc of the late arrivals (instances on no disc yet; an earlier disc was published). */
  | { type: 'study.followUp'; studyUid: string; lateArrivals: number }
  /**
   * Held for a person. The study has no job from now on: the publisher cancels any job of the study
   * that has not finished (one not started yet must never start).
   */
  | { type: 'study.held'; studyUid: string; reasons: StudyHoldReason[] };
