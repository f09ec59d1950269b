// The sentences a held study shows (context.holdReasons, the study.held event): what is wrong, in
// field names and counts only, so that they may be logged at info level. The values behind them
// come from checkStudy() over the instance rows, for the API.

import { describeHold, SAFETY_HOLD_CODES, type SafetyHoldCode } from '../../src/study/patient-safety.ts';
import type { StudyContext } from './context.ts';
import type { StudyHoldCode, StudyHoldReason } from './types.ts';

const ORDER: readonly StudyHoldCode[] = [...SAFETY_HOLD_CODES, 'late-arrivals'];

export function lateArrivalsReason(context: StudyContext): StudyHoldReason {
  const n = context.lateArrivals;
  return {
    code: 'late-arrivals',
    message: `${n} ${n === 1 ? 'instance' : 'instances'} arrived after the study was complete; the route holds late arrivals for review`,
  };
}

/** The reasons for these codes, in a fixed order, worded from the context's current counts. */
export function holdReasonsFor(codes: readonly StudyHoldCode[], context: StudyContext): StudyHoldReason[] {
  return ORDER.filter((code) => codes.includes(code)).map((code) =>
    code === 'late-arrivals' ? lateArrivalsReason(context) : describeHold(code as SafetyHoldCode, context.safety),
  );
}

export function codesOf(reasons: readonly StudyHoldReason[]): StudyHoldCode[] {
  return reasons.map((reason) => reason.code);
}
