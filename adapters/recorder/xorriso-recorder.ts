// A recorder for a drive of this host: xorriso burns and closes the disc (xorriso-burn.ts), then
// reads it back through the same device path against the image's MD5 tags (md5-verify.ts).
import { map, type Observable } from 'rxjs';
import type { DriveInfo, RecorderEvent, RecorderInput } from '../../machines/robot-link.ts';
import type { Recorder } from './recorder.ts';
import { progressEvent, recordSteps, verifyEvents } from './recorder-events.ts';
import { burnImage } from './xorriso-burn.ts';

export interface XorrisoRecorderOptions {
  /** The xorriso drive address of a robot drive (/dev/srN, stdio:<file>); default: the drive's `dev`. */
  devicePathFor?: (drive: DriveInfo) => string;
  /** Path of the xorriso program. */
  xorriso?: string;
}

export class XorrisoRecorder implements Recorder {
  constructor(private readonly options: XorrisoRecorderOptions = {}) {}

  record(input: RecorderInput): Observable<RecorderEvent> {
    const device = this.options.devicePathFor ? this.options.devicePathFor(input.drive) : input.drive.dev;
    const { xorriso } = this.options;
    const burn = burnImage({ device, imagePath: input.imagePath, xorriso }).pipe(map((p) => progressEvent(p.phase, p.pct)));
    const verify = verifyEvents({ device, imagePath: input.imagePath, imageBytes: input.imageBytes, xorriso });
    return recordSteps(input, burn, verify);
  }
}
