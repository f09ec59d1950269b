// The recorder as XState actor logic for the robot machine: invoke it with a RecorderInput and it
// sends `recorder.progress` and one `recorder.finished` to its parent. Stopping the actor (the
// machine left the state, the job was cancelled) unsubscribes, which kills a running xorriso.
import { fromCallback, type EventObject } from 'xstate';
import type { RecorderInput } from '../../machines/robot-link.ts';
import type { Recorder } from './recorder.ts';

export function recorderLogic(recorder: Recorder) {
  return fromCallback<EventObject, RecorderInput>(({ input, sendBack }) => {
    const subscription = recorder.record(input).subscribe({ next: (event) => sendBack(event) });
    return () => subscription.unsubscribe();
  });
}
