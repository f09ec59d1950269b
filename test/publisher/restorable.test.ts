// restorable(): a study actor spawned with `restoreFrom` continues from its persisted snapshot, as
// the publisher restores studies at start-up: a study that was settling is still settling, its
// deadline actor runs again and completes it at the stored deadline (not a new quiet period), and
// no entry action runs again (no second disc request). Without `restoreFrom` the machine starts afresh.
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, SimulatedClock, type AnyEventObject } from 'xstate';
import { createDeadlineTimer, studyMachine, type StudyInput } from '../../machines/study.machine.ts';
import { restorable } from '../../src/publisher/restorable.ts';

const STUDY = '1.2.826.0.1.3680043.8.498.9.1';
const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);

function clockAt(now: number) {
  const clock = new SimulatedClock();
  clock.set(now);
  return clock;
}

function studyLogic(clock: SimulatedClock) {
  return restorable(studyMachine.provide({ actors: { deadline: createDeadlineTimer({ now: () => clock.now(), setTimeout: clock.setTimeout.bind(clock), clearTimeout: clock.clearTimeout.bind(clock) }) } }));
}

/** A parent that records what the study sends it. */
function parentRecording(into: AnyEventObject[]) {
  return createActor(fromCallback<AnyEventObject>(({ receive }) => receive((event) => into.push(event)))).start();
}

describe('restorable study', () => {
  it('comes back settling and completes at the stored deadline, asking for one disc', () => {
    const before = clockAt(T0);
    const input: StudyInput = { studyUid: STUDY, route: { quietPeriodMs: 60_000, followUp: 'followUpDisc' }, now: T0 };
    const first = createActor(studyLogic(before), { input, clock: before }).start();
    first.send({ type: 'instance.added', sopInstanceUid: '1.2.3.1', patientId: 'P1', patientName: 'A^B', patientBirthDate: '19700101', at: T0 });
    const persisted = first.getPersistedSnapshot();
    first.stop();
    expect((persisted as unknown as { value: string }).value).toBe('settling');

    // 40 s later the process starts again: 20 s of the quiet period are left.
    const after = clockAt(T0 + 40_000);
    const sent: AnyEventObject[] = [];
    const parent = parentRecording(sent);
    const restored = createActor(studyLogic(after), { input: { ...input, restoreFrom: persisted } as StudyInput, clock: after, parent }).start();
    expect(restored.getSnapshot().value).toBe('settling');
    expect(restored.getSnapshot().context.unpublished).toBe(1);
    after.increment(19_999);
    expect(restored.getSnapshot().value).toBe('settling');
    after.increment(1);
    return new Promise<void>((resolve) => setImmediate(() => {
      expect(restored.getSnapshot().value).toBe('queued');
      expect(sent.filter((e) => e.type === 'study.completed')).toEqual([{ type: 'study.completed', studyUid: STUDY, instances: 1 }]);
      // A child of the recording parent: stopped with it.
      parent.stop();
      resolve();
    }));
  });

  it('starts afresh without restoreFrom', () => {
    const clock = clockAt(T0);
    const actor = createActor(studyLogic(clock), { input: { studyUid: STUDY, route: { quietPeriodMs: 1000, followUp: 'holdJob' } }, clock }).start();
    expect(actor.getSnapshot().value).toBe('collecting');
    actor.stop();
  });
});
