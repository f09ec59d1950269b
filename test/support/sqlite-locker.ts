// Another process holding a SQLite database's write lock (BEGIN EXCLUSIVE), as a backup tool or an
// operator's sqlite3 shell would: /usr/bin/python3 with its sqlite3 module, until release().
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

const PYTHON = '/usr/bin/python3';
/** Takes the write lock, says "locked", holds it until a line on stdin, rolls back, says "released". */
const LOCKER = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
db.execute('BEGIN EXCLUSIVE')
print('locked', flush=True)
sys.stdin.readline()
db.execute('ROLLBACK')
db.close()
print('released', flush=True)
`;

export interface DatabaseLock {
  /** Lets go of the lock; resolves once the other process has. */
  release(): Promise<void>;
  /** Ends the other process at once (test cleanup). */
  kill(): void;
}

/** Resolves once another process holds file's write lock. */
export function lockDatabase(file: string): Promise<DatabaseLock> {
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON, ['-c', LOCKER, file]);
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lock: DatabaseLock = {
    async release() {
      child.stdin.end('go\n');
      const code = await exited;
      if (code !== 0 || !out.includes('released')) throw new Error(`the locker ended with ${code}: ${err}`);
    },
    kill: () => void child.kill('SIGKILL'),
  };
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('locked')) resolve(lock);
    });
    void exited.then((code) => reject(new Error(`the locker ended (${code}) before it held the lock: ${err}`)));
  });
}
