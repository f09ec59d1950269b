// The sentences a disc job shows the operator in context.reason: each says what happened to which
// disc and, where there is one, what to do about it.

export const CANCELLED_BY_OPERATOR = 'cancelled by the operator';

export function robotNotConfigured(robot: string): string {
  return `robot ${robot} is not configured`;
}

export function masteringFailed(error: unknown): string {
  return `mastering failed: ${error instanceof Error ? error.message : String(error)}`;
}

export function deliveredUnverified(discId: string): string {
  return `disc ${discId} was reported delivered without verification: take it out of the output bin`;
}

export function cancelledAtRobot(discId: string, reason: string): string {
  return `disc ${discId} was cancelled at the robot (${reason})`;
}

export function interruptedDisc(discId: string | null): string {
  return discId ? `disc ${discId} was at the robot when discrobot stopped` : 'interrupted by a restart';
}
