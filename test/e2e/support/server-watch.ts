// Watching a running `discrobot serve` from outside while it is attacked: its resident memory and
// open file descriptors (from /proc), a C-ECHO prober that opens a fresh association every second
// and times the answer, and the `process report` line the server logs on SIGUSR2.
import { readFileSync, readdirSync } from 'node:fs';
import { associate, releaseRq, PDU } from '../../support/pdu.ts';
import { cEcho } from './dimse.ts';
import { VERIFICATION, IMPLICIT_LE } from './dataset.ts';
import type { CliProcess } from './process.ts';
import type { ProcessReport } from '../../../src/diagnostics/process-report.ts';

/** VmRSS of a process, in bytes. */
export function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

export function openFdsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Samples a process's resident memory every intervalMs: start, peak, last. */
export class RssSampler {
  readonly start: number;
  peak: number;
  last: number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number, intervalMs = 200) {
    this.start = this.peak = this.last = rssOf(pid);
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): number {
    try {
      this.last = rssOf(this.pid);
      this.peak = Math.max(this.peak, this.last);
    } catch {
      // The process is gone: the caller's exit check reports that.
    }
    return this.last;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

export interface EchoSample {
  /** performance.now() when the connection was opened. */
  at: number;
  /** From opening the TCP connection to the C-ECHO-RSP (association included); null: no answer. */
  ms: number | null;
  error?: string;
}

/**
 * A C-ECHO every intervalMs, each on a new connection and association, as a monitoring system or a
 * modality's "verify" button would: the whole round trip counts, accept included.
 */
export class EchoProber {
  readonly samples: EchoSample[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(private readonly port: number, private readonly intervalMs = 1000, private readonly timeoutMs = 10_000) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const started = performance.now();
      this.samples.push(await this.once());
      const wait = this.intervalMs - (performance.now() - started);
      if (wait > 0 && !this.stopped) await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async once(): Promise<EchoSample> {
    const at = performance.now();
    let connection: Awaited<ReturnType<typeof associate>>['connection'] | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no C-ECHO-RSP within ${this.timeoutMs} ms`)), this.timeoutMs).unref());
      const answer = await Promise.race([
        (async () => {
          ({ connection } = await associate(this.port, { callingAeTitle: 'ECHOPROBE', contexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }] }));
          return cEcho(connection, 1, 1);
        })(),
        timeout,
      ]);
      const ms = performance.now() - at;
      if (answer.status !== 0) return { at, ms: null, error: `C-ECHO status 0x${answer.status.toString(16)}` };
      connection!.send(releaseRq());
      const release = await connection!.nextPdu(2000).catch(() => undefined);
      if (release && release.type !== PDU.ReleaseRp) return { at, ms, error: `A-RELEASE-RQ answered with PDU type ${release.type}` };
      return { at, ms };
    } catch (err) {
      return { at, ms: null, error: (err as Error).message };
    } finally {
      connection?.destroy();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** p50, p99 and max of the answered echoes, in ms. */
  figures(): { count: number; failed: number; p50: number; p99: number; max: number } {
    const times = this.samples.flatMap((s) => (s.ms === null ? [] : [s.ms])).sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
    return { count: this.samples.length, failed: this.samples.filter((s) => s.ms === null).length, p50: at(0.5), p99: at(0.99), max: times[times.length - 1] ?? NaN };
  }
}

/** The `process report` line's fields (src/diagnostics/process-report.ts). */
export type ProcessReportLine = ProcessReport;

/** Sends SIGUSR2 and waits for the `process report` line it causes. */
export async function requestProcessReport(cli: CliProcess, timeoutMs = 10_000): Promise<ProcessReportLine> {
  // Only what is logged after the signal counts; stdout can be megabytes after a fuzz run.
  const from = cli.stdout().length;
  cli.child.kill('SIGUSR2');
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const line = cli.stdout().slice(from).split('\n').find((l) => l.includes('"process report"'));
    if (line) return JSON.parse(line) as ProcessReportLine;
    if (performance.now() > deadline) throw new Error(`no "process report" line within ${timeoutMs} ms of SIGUSR2`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const MB = 1024 * 1024;
