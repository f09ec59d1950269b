// DCMTK's storescu as the sending modality in its own child process, watched while it runs: which
// files the server acknowledged with Success (status 0000), as storescu saw it. The crash tests
// kill the server after some acknowledgements and then ask exactly these files back.
import { spawn } from 'node:child_process';

export interface StorescuRun {
  /** Files storescu got a Success (0000) response for, in the order sent. */
  acknowledged(): string[];
  /** Resolves once `count` files were acknowledged; rejects if storescu ends before. */
  acknowledgedAtLeast(count: number): Promise<void>;
  /** storescu's end: its exit code and everything it printed. */
  exited: Promise<{ code: number | null; output: string }>;
  kill(): void;
}

/**
 * `storescu -v` prints, per file, "I: Sending file: PATH" and then "I: Received Store Response
 * (Success)" when the status was 0000 (a warning or failure status is printed under another name).
 */
export function startStorescu(port: number, calledAe: string, files: string[]): StorescuRun {
  const child = spawn('storescu', ['-v', '-aec', calledAe, '127.0.0.1', String(port), ...files], {
    // Nagle off, as a real modality would (see test/support/dcmtk.ts).
    env: { ...process.env, TCP_NODELAY: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let sending: string | null = null;
  const acked: string[] = [];
  const waiters: { count: number; resolve: () => void; reject: (err: Error) => void }[] = [];
  let ended = false;

  const settle = () => {
    for (const w of [...waiters]) {
      if (acked.length >= w.count) w.resolve();
      else if (ended) w.reject(new Error(`storescu ended after ${acked.length} of ${w.count} acknowledgements:\n${output}`));
      else continue;
      waiters.splice(waiters.indexOf(w), 1);
    }
  };
  const onLines = (lines: string[]) => {
    for (const line of lines) {
      const file = /Sending file: (.+)$/.exec(line)?.[1];
      if (file !== undefined) sending = file.trim();
      else if (line.includes('Received Store Response (Success)') && sending !== null) {
        acked.push(sending);
        sending = null;
      }
    }
    settle();
  };
  // DCMTK's log lines come on stderr, its progress dots on stdout: read both, each line by line.
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      onLines(lines);
    });
  }
  const exited = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('close', (code) => {
      ended = true;
      settle();
      resolve({ code, output });
    }),
  );

  return {
    acknowledged: () => [...acked],
    acknowledgedAtLeast(count) {
      return new Promise<void>((resolve, reject) => {
        waiters.push({ count, resolve, reject });
        settle();
      });
    },
    exited,
    kill() {
      if (!ended) child.kill('SIGKILL');
    },
  };
}
