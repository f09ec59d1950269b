// `discrobot` as a real process: spawn bin/discrobot.js, wait for its "listening" log line, watch
// ports, signal it and collect how it ended.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/discrobot.js');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() at exit. */
  at: number;
}

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Parsed JSON log lines from stdout. */
  logLines(): Record<string, unknown>[];
  exited: Promise<Exit>;
  /** Resolves once the "discrobot is listening" line appeared; rejects if the process exits first. */
  listening(timeoutMs?: number): Promise<void>;
  /** SIGKILLs the process if it is still running (test cleanup). */
  kill(): void;
}

/** Runs `node bin/discrobot.js ...args`, optionally through a prefix such as setpriv. */
export function startCli(args: string[], options: { prefix?: string[] } = {}): CliProcess {
  // The HTTP API on any free port unless the test chose one: tests run side by side.
  const withHttp = args[0] === 'serve' && !args.includes('--http') ? [...args, '--http', '127.0.0.1:0'] : args;
  const command = [...(options.prefix ?? []), process.execPath, BIN, ...withHttp];
  const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
  let done = false;
  void exited.then(() => (done = true));
  const logLines = () => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    logLines,
    exited,
    async listening(timeoutMs = 20_000) {
      const deadline = performance.now() + timeoutMs;
      while (!logLines().some((l) => l['msg'] === 'discrobot is listening')) {
        if (done) throw new Error(`discrobot exited before listening:\n${stdout}\n${stderr}`);
        if (performance.now() > deadline) throw new Error(`discrobot did not listen within ${timeoutMs} ms:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    kill() {
      if (!done) child.kill('SIGKILL');
    },
  };
}

/** A port nothing listens on right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True if a TCP connection to host:port is accepted (it is closed again at once). */
export function accepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Tries to connect every 20 ms until `until` settles; resolves true if any attempt was accepted. */
export async function everAccepted(port: number, until: Promise<unknown>, host = '127.0.0.1'): Promise<boolean> {
  let over = false;
  void until.then(() => (over = true));
  let seen = false;
  while (!over) {
    if (await accepts(port, host)) seen = true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return seen || (await accepts(port, host));
}
