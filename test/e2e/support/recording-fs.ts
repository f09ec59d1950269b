// A DurableFs that records every call in one global order, shared with other observers (a proxy
// seeing the C-STORE response go by), and can hold fsyncs open for a while: a server that answered
// before its fsync finished would then be caught answering in the middle of it.
import { nodeFs, type DurableFs } from '../../../adapters/store/durable-fs.ts';

export interface RecordedEvent {
  seq: number;
  what: string;
  args: unknown[];
}

export class EventLog {
  readonly events: RecordedEvent[] = [];
  private seq = 0;

  record(what: string, ...args: unknown[]): RecordedEvent {
    const event = { seq: ++this.seq, what, args };
    this.events.push(event);
    return event;
  }

  find(what: string, predicate: (args: unknown[]) => boolean = () => true): RecordedEvent[] {
    return this.events.filter((e) => e.what === what && predicate(e.args));
  }
}

export interface RecordingOptions {
  /** Milliseconds each fsync and fsyncDir is held before it reports done. */
  syncDelayMs?: number;
}

/** Each call is recorded as `<op>` when it completes (`<op>:start` too for the syncs). */
export function recordingFs(log: EventLog, options: RecordingOptions = {}): DurableFs {
  const delay = () => new Promise((r) => setTimeout(r, options.syncDelayMs ?? 0));
  return {
    async open(path) {
      const fd = await nodeFs.open(path);
      log.record('open', path, fd);
      return fd;
    },
    async writev(fd, buffers) {
      const n = await nodeFs.writev(fd, buffers);
      log.record('writev', fd, n);
      return n;
    },
    async fsync(fd) {
      log.record('fsync:start', fd);
      await nodeFs.fsync(fd);
      await delay();
      log.record('fsync', fd);
    },
    async close(fd) {
      await nodeFs.close(fd);
      log.record('close', fd);
    },
    async rename(from, to) {
      await nodeFs.rename(from, to);
      log.record('rename', from, to);
    },
    async fsyncDir(path) {
      log.record('fsyncDir:start', path);
      await nodeFs.fsyncDir(path);
      await delay();
      log.record('fsyncDir', path);
    },
    async unlink(path) {
      await nodeFs.unlink(path);
      log.record('unlink', path);
    },
    async mkdir(path) {
      await nodeFs.mkdir(path);
      log.record('mkdir', path);
    },
    freeBytes: (path) => nodeFs.freeBytes(path),
  };
}
