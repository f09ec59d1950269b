// One recorder for every drive a DPRP robot reports: a simulator's drive (dev=sim:<i>) writes
// through SIM_DRIVE_WRITE, a drive of this host (dev=/dev/srN, or stdio:<file>) through xorriso.
// Both verify the written disc the same way (adapters/recorder/md5-verify.ts).

import type { Observable } from 'rxjs';
import type { RecorderEvent, RecorderInput } from '../../machines/robot-link.ts';
import { SimRecorder, XorrisoRecorder, type Recorder } from '../recorder/recorder.ts';
import type { DeviceChannel } from './channel.ts';

export class DriveRecorder implements Recorder {
  private readonly sim: Recorder;
  private readonly host: Recorder;

  constructor(channel: DeviceChannel, options: { xorriso?: string } = {}) {
    this.sim = new SimRecorder(channel, { xorriso: options.xorriso });
    this.host = new XorrisoRecorder({ xorriso: options.xorriso });
  }

  record(input: RecorderInput): Observable<RecorderEvent> {
    return (input.drive.dev.startsWith('sim:') ? this.sim : this.host).record(input);
  }
}
