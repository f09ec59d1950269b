// The API's view of a PTBurn robot, read from its actor's context: PTBurn's words for the phase, the
// two bins numbered from the right, cartridges by PTBurn's type codes, the recorder holding the disc
// in hand with what it does, and nothing PTBurn does not report (cover, printer tray, picker).
import { describe, expect, it } from 'vitest';
import type { DiscRequest } from '../../machines/robot-port.ts';
import { DEFAULT_PTBURN_ROBOT_OPTIONS, type PtburnDisc, type PtburnRobotContext } from '../../machines/ptburn-robot.machine.ts';
import { ptburnRobotDetail } from '../../src/publisher/ptburn-robot-view.ts';

const request: DiscRequest = { discId: 'J000007/1.2', jobId: 'J000007', copy: 1, attempt: 2, imagePath: '/data/J000007.iso', labelPath: null, media: 'cd', imageBytes: 1000, replyTo: 'job:J000007' };

function disc(fields: Partial<PtburnDisc>): PtburnDisc {
  return {
    request, jobName: 'J000007-1-2', submitSent: true, written: true, fileState: 'in-process', refusal: null,
    phase: 'burning', pct: 40, drive: 0, cancelRequested: false, abortSent: false, pausedFor: null, ...fields,
  };
}

function context(fields: Partial<PtburnRobotContext>): PtburnRobotContext {
  return {
    name: 'burner', options: DEFAULT_PTBURN_ROBOT_OPTIONS, queue: [], disc: null, job: null, offline: null, fault: null,
    inkAcknowledged: false, announced: 'available', partialReads: 0,
    status: {
      system: { tickCount: 12, stalled: false, sysErrorNumber: 0, sysErrorString: null },
      robot: {
        name: 'Disc Publisher 4100', sysErrorNumber: 0, sysErrorString: null, systemStatus: 'Busy', discsInLeftBin: 7, discsInRightBin: null,
        cartridges: [{ index: 0, type: 1, fill: 64 }, { index: 1, type: 2, fill: null }, { index: 2, type: 0, fill: 0 }, { index: 3, type: 9, fill: 5 }],
        drives: [
          { index: 0, location: 'Top Recorder', state: 1, percent: 40, job: 'j000007-1-2' },
          { index: 1, location: null, state: 0, percent: 0, job: 'None' },
        ],
      },
    },
    ...fields,
  };
}

describe('a PTBurn robot\'s view', () => {
  it('shows PTBurn\'s status, bins, cartridges and the recorder burning the disc in hand', () => {
    const view = ptburnRobotDetail(context({ disc: disc({}) }));
    expect(view).toEqual({
      phase: 'Busy',
      bins: [{ bin: 2, count: 7 }, { bin: 1, count: null }],
      cover: null,
      printerTray: null,
      picker: null,
      ink: [
        { slot: 1, pct: 64, cartridge: 'colour' },
        { slot: 2, pct: null, cartridge: 'black' },
        { slot: 3, pct: 0, cartridge: 'none' },
        { slot: 4, pct: 5, cartridge: 'unknown' },
      ],
      drives: [
        { index: 0, name: 'Top Recorder', activity: 'burning', holdsCurrentDisc: true },
        { index: 1, name: 'Recorder 1', activity: 'idle', holdsCurrentDisc: false },
      ],
      disc: {
        discId: 'J000007/1.2', jobId: 'J000007', copy: 1, attempt: 2, step: 'burning', where: 'drive', drive: 0,
        progress: { phase: 'burning', pct: 40 }, paused: false, cancelling: false,
      },
      info: null,
    });
  });

  it('shows a paused disc as held in its recorder, and a queued one as still in the bin', () => {
    const paused = ptburnRobotDetail(context({ disc: disc({ pausedFor: 'JPSYSERR_COVER_OPEN', cancelRequested: true }) }));
    expect(paused.drives[0]).toMatchObject({ activity: 'holding', holdsCurrentDisc: true });
    expect(paused.disc).toMatchObject({ paused: true, cancelling: true });
    const queued = ptburnRobotDetail(context({ disc: disc({ phase: null, pct: null, drive: -1, fileState: 'queued' }) }));
    expect(queued.disc).toMatchObject({ step: null, where: 'bin', drive: null, progress: null });
    // PTBurn names the job in the recorder before we heard its step: held there, doing we know not what.
    expect(queued.drives.map((d) => d.activity)).toEqual(['holding', 'idle']);
  });

  it('shows nothing reported before PTBurn was first heard', () => {
    expect(ptburnRobotDetail(context({ status: null }))).toEqual({
      phase: null, bins: [], cover: null, printerTray: null, picker: null, ink: [], drives: [], disc: null, info: null,
    });
    expect(ptburnRobotDetail(undefined).drives).toEqual([]);
  });
});
