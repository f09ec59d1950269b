// The recorder port: burn, close and verify one disc in one drive. The robot machine invokes it
// through recorderLogic (recorder-logic.ts); XorrisoRecorder burns in a drive of this host,
// SimRecorder lets the simulator's virtual drive write and verifies the disc file the same way.
import type { Observable } from 'rxjs';
import type { RecorderEvent, RecorderInput } from '../../machines/robot-link.ts';

export interface Recorder {
  /**
   * Emits `recorder.progress` (burning, then finalizing, then verifying; pct non-decreasing within
   * a phase), then exactly one `recorder.finished`, then completes; it never errors. Work starts on
   * subscription; unsubscribing cancels it (a running xorriso is killed).
   */
  record(input: RecorderInput): Observable<RecorderEvent>;
}

export { SimRecorder, type SimRecorderOptions } from './sim-recorder.ts';
export { XorrisoRecorder, type XorrisoRecorderOptions } from './xorriso-recorder.ts';
