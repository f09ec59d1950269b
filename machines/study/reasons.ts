// The sentences a held study shows (context.holdReasons, the study.held event): what is wrong, in
// field names and counts only, so that they may be logged at info level. The values behind them
// come from checkStudy() over the instance rows, for the API.

import { describeHold, SAFETY_HOLD_CODES, type SafetyHoldCode } from '../../src/study/patient-safety.ts';
import type { StudyContext } from './context.ts';
import type { StudyHoldCode, StudyHoldReason } from './types.ts';

/** Safety findings first (what is wrong with the study), then the route's policy, then a person's hold. */
const ORDER: readonly StudyHoldCode[] = [...SAFETY_HOLD_CODES, 'late-arrivals', 'operator'];

/** A fixed sentence: the operator's own words may name the patient, so they go to the audit trail only. */
const OPERATOR_REASON: StudyHoldReason = { code: 'operator', message: 'held by an operator for review' };

export function lateArrivalsReason(context: StudyContext): StudyHoldReason {
  const n = context.lateArrivals;
  return {
    code: 'late-arrivals',
    message: `${n} ${n === 1 ? 'instance' : 'instances'} arrived after the study was complete; the route holds late arrivals for review`,
  };
}

/** The reasons for these codes, in a fixed order, worded from the context's current counts. */
export function holdReasonsFor(codes: readonly StudyHoldCode[], context: StudyContext): StudyHoldReason[] {
  return ORDER.filter((code) => codes.includes(code)).map((code) => reasonFor(code, context));
}

function reasonFor(code: StudyHoldCode, context: StudyContext): StudyHoldReason {
  switch (code) {
    case 'late-arrivals':
      return lateArrivalsReason(context);
    case 'operator':
      return { ...OPERATOR_REASON };
    default:
      return describeHold(code satisfies SafetyHoldCode, context.safety);
  }
}

export function codesOf(reasons: readonly StudyHoldReason[]): StudyHoldCode[] {
  return reasons.map((reason) => reason.code);
}
