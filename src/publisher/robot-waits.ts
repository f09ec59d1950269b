// How long a robot actor waits for a loaded drive, scaled to a simulator's time. The robot polls a
// loaded drive in wall-clock time while a simulator makes the drive ready in simulated time: at a
// time scale of 1000 the default 0.5 s poll would be most of a disc's wall time. The bound never
// drops below what a lost MEDIA_INFO reply needs to be asked again.
import { DEFAULT_ROBOT_OPTIONS, type RobotOptions } from '../../machines/robot.machine.ts';

/** Longer than a MEDIA_INFO whose reply was lost takes to be asked again (2 s, twice). */
const MIN_MEDIA_WAIT_MS = 6000;

/** Robot options for a device whose time runs `scale` times faster than the wall clock (undefined: real time). */
export function scaledWaits(scale: number | undefined): Partial<RobotOptions> {
  if (scale === undefined || (scale > 0 && scale <= 1)) return {};
  if (scale === 0) return { mediaPollMs: 5, maxMediaWaitMs: MIN_MEDIA_WAIT_MS };
  return {
    mediaPollMs: Math.max(5, Math.round(DEFAULT_ROBOT_OPTIONS.mediaPollMs / scale)),
    maxMediaWaitMs: Math.max(MIN_MEDIA_WAIT_MS, Math.round(DEFAULT_ROBOT_OPTIONS.maxMediaWaitMs / scale)),
  };
}
