// The robots of one publisher. The actor system knows a single robot logic (src 'robot'); each
// robot actor's link and recorder are looked up here by the robot's name, so several robots on
// different links share one provided machine. The channel beside each link lets the composition
// root and the CLI talk to the same device (SIM_ verbs, operator actions).

import type { Observable } from 'rxjs';
import { robotMachine } from '../../machines/robot.machine.ts';
import type { RecorderEvent, RecorderInput } from '../../machines/robot-link.ts';
import type { Recorder } from '../recorder/recorder.ts';
import { recorderLogic } from '../recorder/recorder-logic.ts';
import { DriveRecorder } from './drive-recorder.ts';
import { dprpLinkLogic } from './dprp-link.ts';
import type { DprpLogger } from './dprp-logger.ts';
import { LinkChannel } from './link-channel.ts';
import type { LineTransport } from './transport.ts';

export interface DprpRobotLink {
  /** Opens the byte stream to the device; called again on every reconnect. */
  open: () => Promise<LineTransport>;
  /** Sent in HELLO, e.g. discrobot/0.1.0. */
  clientName: string;
  logger?: DprpLogger;
  xorriso?: string;
}

interface FleetEntry {
  link: DprpRobotLink;
  channel: LinkChannel;
  recorder: Recorder;
}

export class RobotFleet {
  private readonly robots = new Map<string, FleetEntry>();

  add(name: string, link: DprpRobotLink): LinkChannel {
    if (this.robots.has(name)) throw new Error(`robot "${name}" is configured twice`);
    const channel = new LinkChannel();
    this.robots.set(name, { link, channel, recorder: new DriveRecorder(channel, { xorriso: link.xorriso }) });
    return channel;
  }

  channel(name: string): LinkChannel {
    return this.entry(name).channel;
  }

  /** The robot machine with its link and recorder provided for every robot of the fleet. */
  machine(): typeof robotMachine {
    const recorder: Recorder = { record: (input: RecorderInput): Observable<RecorderEvent> => this.entry(input.robot).recorder.record(input) };
    return robotMachine.provide({
      actors: {
        link: dprpLinkLogic((robot) => {
          const { link, channel } = this.entry(robot);
          return { open: link.open, clientName: link.clientName, logger: link.logger, channel };
        }),
        recorder: recorderLogic(recorder),
      },
    });
  }

  private entry(name: string): FleetEntry {
    const entry = this.robots.get(name);
    if (!entry) throw new Error(`robot "${name}" is not configured`);
    return entry;
  }
}
