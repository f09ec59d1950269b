// The PTBurn robot's only I/O: the invoked `hotFolder` actor of machines/ptburn-robot.machine.ts.
// It writes the job request of each disc and the .PTM commands (atomically, folder-files.ts),
// polls the folder for the followed job's file state and the two status files every status
// period, and tells the machine what it found. RxJS at the boundary: a timer-driven poll that
// retries with backoff while the share is unreachable (reporting folder.unreachable each time and
// never giving up), a quick re-read after a torn status file (the last good reading is repeated,
// flagged partial), and writes retried the same way until they land.

import { defer, repeat, retry, timer, type Subscription } from 'rxjs';
import { fromCallback } from 'xstate';
import { backoffDelay } from '../backoff.ts';
import type { HotFolderCommand, HotFolderEvent, HotFolderInput, HotFolderLogic, PtburnJobReading } from '../../../machines/ptburn-robot.machine.ts';
import { writeJobRequest } from '../../../src/robot/ptburn/jrq.ts';
import { isFinal, jobBaseNameProblem, jobFileName, jobStateFromFiles, type JobFileState } from '../../../src/robot/ptburn/lifecycle.ts';
import { ptmFileName, writePtm } from '../../../src/robot/ptburn/ptm.ts';
import { parseRobotStatus, parseSystemStatus } from '../../../src/robot/ptburn/status-files.ts';
import { isUnreachable, listFolder, readStatusFile, SYSTEM_STATUS_FILE, writeAtomically } from './folder-files.ts';
import { jobRequestFor } from './job-request.ts';
import type { HotFolderConfig } from './options.ts';
import { jobReading, robotNameIn, robotReading, robotStatusFileName, serverReading, TickWatch } from './readings.ts';

type StatusRead = Extract<HotFolderEvent, { type: 'status.read' }>;

/** A torn status file is read again this soon (PTBurn rewrites it within milliseconds). */
const PARTIAL_RETRY_MS = 100;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

class HotFolderSession {
  private readonly subscriptions: Subscription[] = [];
  private readonly ticks: TickWatch;
  private watched: string | null = null;
  private fileState: JobFileState | null = null;
  private lastGood: StatusRead | null = null;
  private nextDelayMs: number;
  private commandCount = 0;
  private stopped = false;

  constructor(private readonly config: HotFolderConfig, private readonly sendToMachine: (event: HotFolderEvent) => void) {
    this.ticks = new TickWatch(config);
    this.nextDelayMs = config.statusFrequencyMs;
  }

  start(): void {
    const poll = defer(() => this.readOnce()).pipe(
      retry({ delay: (error, count) => this.unreachable(error, count), resetOnSuccess: true }),
      repeat({ delay: () => timer(this.nextDelayMs) }),
    );
    this.subscriptions.push(poll.subscribe());
  }

  stop(): void {
    this.stopped = true;
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

  /** A read or write still in flight when the robot stops has no one to tell. */
  private sendBack(event: HotFolderEvent): void {
    if (!this.stopped) this.sendToMachine(event);
  }

  handle(command: HotFolderCommand): void {
    if (command.type === 'folder.submit') this.submit(command);
    else this.command(command);
  }

  /** Every failure keeps the poll going; one that is not the share's (a bug of ours) says so. */
  private unreachable(error: unknown, failures: number) {
    this.sendBack({ type: 'folder.unreachable', error: isUnreachable(error) ? describe(error) : `unexpected: ${describe(error)}` });
    return timer(backoffDelay(failures, { initialMs: this.config.initialBackoffMs, maxMs: this.config.maxBackoffMs }));
  }

  /** Writes a file, retrying with backoff while the share is unreachable; `done` once it is there. */
  private write(name: string, text: string, done: () => void): void {
    const write = defer(() => writeAtomically(this.config.folder, name, text)).pipe(
      retry({ delay: (error, count) => this.unreachable(error, count) }),
    );
    this.subscriptions.push(write.subscribe({ next: done }));
  }

  private submit({ jobName, request }: Extract<HotFolderCommand, { type: 'folder.submit' }>): void {
    this.watched = jobName;
    this.fileState = null;
    let text: string;
    try {
      const problem = jobBaseNameProblem(jobName);
      if (problem) throw new Error(`job name "${jobName}" ${problem}`);
      text = writeJobRequest(jobRequestFor(request, jobName, this.config));
    } catch (error) {
      // PTBurn would fail such a job anyway: fail it here, with the reason, without a file.
      this.fileState = 'failed';
      this.sendBack({ type: 'job.fileState', name: jobName, state: 'failed', reason: `job request not written: ${describe(error)}` });
      return;
    }
    this.write(jobFileName(jobName, 'submitted'), text, () => {
      // The poll may have seen it (or PTBurn moved it on) first.
      if (this.watched !== jobName || this.fileState !== null) return;
      this.fileState = 'submitted';
      this.sendBack({ type: 'job.fileState', name: jobName, state: 'submitted' });
    });
  }

  private command({ ptm, jobName }: Extract<HotFolderCommand, { type: 'folder.command' }>): void {
    let text: string;
    try {
      text = writePtm(ptm);
    } catch {
      return; // the machine only sends valid commands; a bad one has nothing to go to
    }
    this.commandCount += 1;
    const name = jobName ?? `discrobot-${ptm.message}-${process.pid}-${this.commandCount}`;
    this.write(ptmFileName(name), text, () => undefined);
  }

  private async readOnce(): Promise<void> {
    const names = await listFolder(this.config.folder);
    const watched = this.watched;
    // A job's end (.DON / .ERR) goes out after this poll's status reading, which is read after the
    // listing: a job that ran and ended between two polls is then decided by its status section
    // (its disc error), not by a bare .ERR while the machine holds a reading from before PTBurn
    // listed the job. Earlier file states go out at once, so the job hears each step in order.
    let fileNews: HotFolderEvent | null = null;
    if (watched) {
      const { state } = jobStateFromFiles(watched, names);
      if (state && state !== this.fileState) {
        this.fileState = state;
        const news: HotFolderEvent = { type: 'job.fileState', name: watched, state };
        if (isFinal(state)) fileNews = news;
        else this.sendBack(news);
      }
    }
    try {
      await this.readStatus(watched);
    } finally {
      if (fileNews) this.sendBack(fileNews);
    }
  }

  private async readStatus(watched: string | null): Promise<void> {
    const system = parseSystemStatus(await readStatusFile(this.config.folder, SYSTEM_STATUS_FILE));
    const robotName = robotNameIn(system, this.config.robotName);
    const robot = robotName ? parseRobotStatus(await readStatusFile(this.config.folder, robotStatusFileName(system, robotName))) : null;
    if (!robotName || !robot || system.partial || robot.partial) {
      // Torn (PTBurn was rewriting it) or not listing our robot yet: the last good reading stands.
      this.nextDelayMs = Math.min(PARTIAL_RETRY_MS, this.config.statusFrequencyMs);
      if (this.lastGood) this.sendBack({ ...this.lastGood, partial: true });
      return;
    }
    this.nextDelayMs = this.config.statusFrequencyMs;
    const stalled = this.ticks.observe(system.system.serverTickCount ?? null);
    const job: PtburnJobReading | undefined = watched ? jobReading(robot, watched) : undefined;
    const reading: StatusRead = {
      type: 'status.read',
      partial: false,
      system: serverReading(system, stalled),
      robot: robotReading(system, robot, robotName),
      ...(job ? { job } : {}),
    };
    this.lastGood = reading;
    this.sendBack(reading);
  }
}

/** The hot folder logic for every PTBurn robot of a fleet: `configFor` gives each robot's folder. */
export function hotFolderLogic(configFor: (robot: string) => HotFolderConfig): HotFolderLogic {
  return fromCallback<HotFolderCommand, HotFolderInput>(({ input, sendBack, receive }) => {
    const session = new HotFolderSession(configFor(input.robot), sendBack);
    receive((command) => session.handle(command));
    session.start();
    return () => session.stop();
  });
}
