// A recorder for the simulator's virtual drives (docs/robot-protocol.md §7): the simulator writes
// the image into the disc's file (`SIM_DRIVE_WRITE drive= image= close=1`, then
// `E DRIVE_PROGRESS drive= phase=RECORDING|FINALIZING pct=` and `E DRIVE_DONE drive=
// result=OK|WRITE_ERROR file=`); the host then verifies that file as `stdio:<file>` with the same
// code as a real drive, so a byte the simulator flipped is caught here, not reported by it.
import path from 'node:path';
import { catchError, concat, concatMap, filter, Observable, of } from 'rxjs';
import type { RecorderEvent, RecorderInput } from '../../machines/robot-link.ts';
import type { DeviceChannel, DeviceEvent } from '../robot/channel.ts';
import type { Recorder } from './recorder.ts';
import { checkImage, finishedFromError, progressEvent, verifyEvents } from './recorder-events.ts';
import { throttleProgress } from './throttle-progress.ts';
import { BurnError } from './xorriso-burn.ts';

export interface SimRecorderOptions {
  /** Path of the xorriso program used to verify. */
  xorriso?: string;
}

type DriveWriteEvent = { kind: 'progress'; phase: 'burning' | 'finalizing'; pct: number } | { kind: 'done'; file: string };

const DRIVE_PHASES: Partial<Record<string, 'burning' | 'finalizing'>> = { RECORDING: 'burning', FINALIZING: 'finalizing' };

export class SimRecorder implements Recorder {
  constructor(
    private readonly channel: DeviceChannel,
    private readonly options: SimRecorderOptions = {},
  ) {}

  record(input: RecorderInput): Observable<RecorderEvent> {
    return concat(checkImage(input), this.driveWrite(input)).pipe(
      concatMap((e) =>
        e.kind === 'progress'
          ? of(progressEvent(e.phase, e.pct))
          : verifyEvents({ device: `stdio:${e.file}`, imagePath: input.imagePath, imageBytes: input.imageBytes, xorriso: this.options.xorriso }),
      ),
      catchError((err: unknown) => of(finishedFromError(err))),
    );
  }

  /**
   * One SIM_DRIVE_WRITE as the drive reports it: progress, then `done` with the disc's file.
   * Errors with a BurnError: WRITE_ERROR (write), an error reply such as 525 NO_MEDIA (media), a lost link (write).
   */
  private driveWrite(input: RecorderInput): Observable<DriveWriteEvent> {
    const drive = String(input.drive.index);
    const write = new Observable<DriveWriteEvent>((subscriber) => {
      // Listen before asking: at time scale 0 the simulator may finish before its reply is read.
      const subscription = this.channel.events$.pipe(filter((e) => isDriveEvent(e) && e.args.drive === drive)).subscribe({
        next: (e) => {
          if (e.verb === 'DRIVE_PROGRESS') {
            const phase = DRIVE_PHASES[e.args.phase ?? ''];
            const pct = Number(e.args.pct);
            if (phase && Number.isFinite(pct)) subscriber.next({ kind: 'progress', phase, pct: Math.max(0, Math.min(100, Math.floor(pct))) });
            return;
          }
          const file = e.args.file;
          if (e.args.result !== 'OK') subscriber.error(new BurnError('write', `drive ${drive}: DRIVE_DONE ${describeArgs(e)}`));
          else if (!file) subscriber.error(new BurnError('write', `drive ${drive}: DRIVE_DONE result=OK without file=`));
          else {
            subscriber.next({ kind: 'done', file });
            subscriber.complete();
          }
        },
        error: (err: unknown) => subscriber.error(new BurnError('write', `link lost while drive ${drive} was writing: ${message(err)}`)),
        complete: () => subscriber.error(new BurnError('write', `link closed while drive ${drive} was writing`)),
      });
      // The simulator takes absolute paths only (it may run with another working folder).
      this.channel.request('SIM_DRIVE_WRITE', { drive, image: path.resolve(input.imagePath), close: '1' }).then(
        (reply) => {
          if (!reply.ok) subscriber.error(new BurnError('media', `SIM_DRIVE_WRITE drive=${drive}: ${reply.code} ${reply.name}`));
        },
        (err: unknown) => subscriber.error(new BurnError('write', `SIM_DRIVE_WRITE drive=${drive} got no reply: ${message(err)}`)),
      );
      // The simulator's drive finishes on its own; the recorder just stops listening.
      return () => subscription.unsubscribe();
    });
    return write.pipe(throttleProgress((e) => (e.kind === 'progress' ? e.phase : e.kind)));
  }
}

function isDriveEvent(e: DeviceEvent): boolean {
  return e.verb === 'DRIVE_PROGRESS' || e.verb === 'DRIVE_DONE';
}

/** The event's fields but the drive and file (sense, asc, ascq... when the simulator sends them). */
function describeArgs(e: DeviceEvent): string {
  return Object.entries(e.args)
    .filter(([key]) => key !== 'drive' && key !== 'file')
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
