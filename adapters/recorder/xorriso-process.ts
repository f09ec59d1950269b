// One xorriso child process for the recorder: its stderr as lines (where xorriso writes its
// messages and UPDATE pacifiers), the message lines kept for an error report, and a stop that
// kills it (cancel) without leaving it behind. Burn and verify both run through here.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

export const DEFAULT_XORRISO = 'xorriso';

/** Seconds between SIGTERM and SIGKILL when a stopped xorriso does not end (libburn ends a burn politely). */
const KILL_GRACE_MS = 5_000;
const KEPT_LINES = 40;
const REPORTED_PROBLEMS = 5;

export interface XorrisoExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not be started at all. */
  spawnError?: Error;
  /** xorriso's last message lines (pacifiers left out), for the error report. */
  messages: readonly string[];
}

export interface XorrisoProcess {
  /** Present when stdout was asked for. */
  readonly stdout: Readable | null;
  readonly exited: Promise<XorrisoExit>;
  /** Kills the process if it still runs; safe to call at any time. */
  stop(): void;
}

export interface XorrisoProcessOptions {
  command?: string;
  args: readonly string[];
  /** Every stderr line, pacifiers included. */
  onLine?: (line: string) => void;
  /** Pipe stdout (data the program writes, e.g. `-check_media data_to=-`); ignored otherwise. */
  stdout?: boolean;
}

export function startXorriso(options: XorrisoProcessOptions): XorrisoProcess {
  const command = options.command ?? DEFAULT_XORRISO;
  // C locale: strerror texts inside xorriso's messages stay English, as the parsers expect.
  const child: ChildProcess = spawn(command, [...options.args], {
    stdio: ['ignore', options.stdout ? 'pipe' : 'ignore', 'pipe'],
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
  });
  const kept: string[] = [];
  const lines = new LineSplitter((line) => {
    options.onLine?.(line);
    if (line.trim() === '' || / : UPDATE : /.test(line)) return;
    kept.push(line);
    if (kept.length > KEPT_LINES) kept.shift();
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => lines.push(text));

  let ended = false;
  let spawnError: Error | undefined;
  const exited = new Promise<XorrisoExit>((resolve) => {
    child.on('error', (err) => {
      spawnError = err;
      // 'close' does not always follow a failed spawn.
      if (child.pid === undefined) finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
    function finish(code: number | null, signal: NodeJS.Signals | null): void {
      if (ended) return;
      ended = true;
      lines.end();
      resolve({ code, signal, spawnError, messages: [...kept] });
    }
  });

  return {
    stdout: child.stdout,
    exited,
    stop() {
      if (ended || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const hard = setTimeout(() => {
        if (!ended) child.kill('SIGKILL');
      }, KILL_GRACE_MS);
      hard.unref();
      void exited.then(() => clearTimeout(hard));
    },
  };
}

/** The lines that say what went wrong (WARNING and worse), the last few; else the last lines at all. */
export function problemSummary(exit: XorrisoExit, command = DEFAULT_XORRISO): string {
  if (exit.spawnError) return `cannot run ${command} (Debian package xorriso): ${exit.spawnError.message}`;
  const problems = exit.messages.filter((l) => /:\s(WARNING|SORRY|MISHAP|FAILURE|FATAL|ABORT) : /.test(l));
  const chosen = (problems.length > 0 ? problems : exit.messages).slice(-REPORTED_PROBLEMS);
  const how = exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`;
  return `xorriso ${how}: ${chosen.map((l) => l.trim()).join('; ') || 'no message'}`;
}

/** Cuts text into lines at \n, \r\n or a lone \r (a pacifier may rewrite its line). */
class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}

  push(text: string): void {
    const parts = (this.rest + text).split(/\r\n|\n|\r/);
    this.rest = parts.pop() ?? '';
    for (const part of parts) this.onLine(part);
  }

  end(): void {
    if (this.rest !== '') this.onLine(this.rest);
    this.rest = '';
  }
}
