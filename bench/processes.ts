// Child processes for the benchmarks: run a tool and time it, start a server and stop it, find a
// free loopback port, read a process's memory figures from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export const LOOPBACK = '127.0.0.1';

/** Debian's DCMTK leaves Nagle's algorithm on unless this is set: ~45 ms per C-STORE on loopback. */
export const DCMTK_ENV: NodeJS.ProcessEnv = { ...process.env, TCP_NODELAY: '1' };

export class ToolError extends Error {
  override readonly name = 'ToolError';
}

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From spawn to exit, in milliseconds. */
  wallMs: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, timing its wall time; kills it after timeoutMs. Never throws on exit codes. */
export function runTool(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number }): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new ToolError(`${command}: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      // 'exit' can come before the pipes are drained; 'close' follows once they are.
      child.once('close', () => resolve({ code, signal, wallMs, stdout, stderr }));
    });
  });
}

/** Runs a command that must succeed; throws a ToolError with its output otherwise. */
export async function runToolOrThrow(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number }): Promise<ToolResult> {
  const result = await runTool(command, args, options);
  if (result.code !== 0) {
    throw new ToolError(
      `${command} ${args.join(' ')} failed (${result.signal ?? `exit ${result.code}`}):\n${tail(result.stdout + result.stderr)}`,
    );
  }
  return result;
}

/** A long-running process (a DICOM receiver) whose output goes to a log file. */
export class ServerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly logFile: string;
  private exitState: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly label: string,
    command: string,
    args: string[],
    options: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string },
  ) {
    this.logFile = options.logFile;
    const log = createWriteStream(options.logFile);
    this.child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.pipe(log, { end: false });
    this.child.stderr!.pipe(log, { end: false });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        log.write(`spawn error: ${err.message}\n`);
        this.exitState = { code: null, signal: null };
        resolve(this.exitState);
      });
      this.child.on('close', (code, signal) => {
        this.exitState = { code, signal };
        log.end(() => resolve({ code, signal }));
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new ToolError(`${this.label} has no process id (did not start)`);
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitState !== undefined;
  }

  /** SIGTERM, then SIGKILL if it has not exited after graceMs. Resolves with how it ended. */
  async stop(graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
    if (this.exitState) return { ...this.exitState, killed: false };
    this.child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    const first = await Promise.race([this.exited, timeout]);
    if (first !== 'timeout') return { ...first, killed: false };
    this.child.kill('SIGKILL');
    return { ...(await this.exited), killed: true };
  }

  async logTail(): Promise<string> {
    return tail(await readFile(this.logFile, 'utf8').catch(() => ''));
  }
}

/** Polls with DCMTK echoscu until the receiver answers a C-ECHO, the process dies, or time runs out. */
export async function waitForEcho(server: ServerProcess, aeTitle: string, port: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (server.hasExited) throw new ToolError(`${server.label} exited before it answered C-ECHO:\n${await server.logTail()}`);
    const echo = await runTool('echoscu', ['-aet', 'BENCH', '-aec', aeTitle, '-to', '2', LOOPBACK, String(port)], { env: DCMTK_ENV, timeoutMs: 10_000 });
    if (echo.code === 0) return performance.now() - started;
    if (performance.now() - started > timeoutMs) {
      throw new ToolError(`${server.label} did not answer C-ECHO on ${LOOPBACK}:${port} within ${timeoutMs / 1000} s:\n${tail(echo.stdout + echo.stderr)}\n${await server.logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A TCP port on the loopback address that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface MemoryFigures {
  /** Resident set size now, in bytes (VmRSS). */
  rssBytes: number;
  /** Peak resident set size since the process started, in bytes (VmHWM). */
  peakRssBytes: number;
}

/** VmRSS and VmHWM of a live process, from /proc/<pid>/status. */
export async function readMemory(pid: number): Promise<MemoryFigures> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match?.[1]) throw new ToolError(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
