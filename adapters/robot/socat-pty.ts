// A linked pseudo-terminal pair made by socat (Debian package, installed by scripts/setup.sh): the
// robot driver opens one end like a serial port, a simulator the other. Raw mode without echo is
// mandatory, or the line discipline would echo and rewrite the protocol's bytes.

import { spawn, type ChildProcess } from 'node:child_process';

export interface PtyPair {
  /** Path of the end the host (driver) opens. */
  hostPath: string;
  /** Path of the end the device (simulator) opens. */
  devicePath: string;
  close(): Promise<void>;
}

/** Resolves once socat reports its transfer loop: both links exist by then. */
export function startPtyPair(hostPath: string, devicePath: string, socat = 'socat'): Promise<PtyPair> {
  const child = spawn(socat, ['-d', '-d', `pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${devicePath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      log += text;
      if (log.includes('starting data transfer loop')) resolve({ hostPath, devicePath, close: () => stop(child) });
    });
    child.once('error', (err) => reject(new Error(`cannot start ${socat} for a pty pair: ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`socat exited (${code}) before the ptys were ready:\n${log}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
