// One publisher installation for the crash tests: `discrobot serve` as a real child process on a
// data folder and ports that stay the same across lives, so that it can be SIGKILLed and started
// again on the very same state, as a power cut and a reboot would do.
import path from 'node:path';
import { expect } from 'vitest';
import { freePort, startCli, type CliProcess } from './process.ts';
import { CrashApi } from './crash-http.ts';

export interface CrashPublisherOptions {
  /** The data folder (database, stored objects, the simulator's world under robots/). */
  data: string;
  quietPeriodSeconds: number;
  timeScale: number;
}

/** A log line of one life, as pino wrote it. */
export type LogLine = Record<string, unknown>;

export class CrashPublisher {
  /** Every life so far, the current one last. */
  readonly lives: CliProcess[] = [];
  private constructor(
    private readonly options: CrashPublisherOptions,
    readonly dicomPort: number,
    readonly httpPort: number,
  ) {}

  /** Chooses the ports once; `start()` runs the first life. */
  static async create(options: CrashPublisherOptions): Promise<CrashPublisher> {
    return new CrashPublisher(options, await freePort(), await freePort());
  }

  get data(): string {
    return this.options.data;
  }

  get api(): CrashApi {
    return new CrashApi(`http://127.0.0.1:${this.httpPort}`);
  }

  get current(): CliProcess {
    const life = this.lives.at(-1);
    if (!life) throw new Error('the publisher was never started');
    return life;
  }

  /** The simulated robot's folder (robot1, the only robot these tests configure): its world and disc files. */
  simDir(): string {
    return path.join(this.options.data, 'robots', 'robot1', 'sim');
  }

  /** Starts a life and waits until it listens; the HTTP API then answers too (it starts first). */
  async start(): Promise<CliProcess> {
    const life = startCli([
      'serve',
      '--host', '127.0.0.1',
      '--port', String(this.dicomPort),
      '--data', this.options.data,
      '--http', `127.0.0.1:${this.httpPort}`,
      '--quiet-period', String(this.options.quietPeriodSeconds),
      '--time-scale', String(this.options.timeScale),
    ]);
    this.lives.push(life);
    await life.listening(60_000);
    return life;
  }

  /** SIGKILL, as a power cut: no handler runs. Resolves once the process is gone. */
  async crash(): Promise<void> {
    const life = this.current;
    life.child.kill('SIGKILL');
    const exit = await life.exited;
    expect(exit.signal, 'the publisher died of the SIGKILL, not before it').toBe('SIGKILL');
  }

  /** The `msg` log lines of one life (default: the current one). */
  logged(msg: string, life: CliProcess = this.current): LogLine[] {
    return life.logLines().filter((line) => line['msg'] === msg);
  }

  /** What every life wrote, for a failure message (without the HTTP request lines the tests' polling causes). */
  transcript(): string {
    const quiet = (text: string) => text.split('\n').filter((line) => !line.includes('"msg":"HTTP API request"')).join('\n');
    return this.lives.map((life, i) => `--- life ${i + 1} stdout ---\n${quiet(life.stdout())}\n--- life ${i + 1} stderr ---\n${life.stderr()}`).join('\n');
  }

  /** Test cleanup: kills the current life if it still runs. */
  dispose(): void {
    for (const life of this.lives) life.kill();
  }
}
