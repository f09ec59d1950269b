// The crash tests' view of the publisher's HTTP API: a small JSON GET over fetch, and a poller
// that asks again until an answer is what the test waits for (never a fixed sleep).
import type { JobDetailView, JobSummaryView, RobotView, StudyDetailView } from '../../../src/api/publisher-api.ts';

/** The answer of a GET, parsed: status and JSON body. */
export interface JsonAnswer<T> {
  status: number;
  body: T;
}

export async function getJson<T>(url: string): Promise<JsonAnswer<T>> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as T };
}

export interface PollOptions {
  /** What is waited for, for the failure message. */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Calls `probe` until `accept` takes its result, and returns that result; fails with the last
 * result after the timeout. Errors of `probe` (a server not answering yet) count as "not yet".
 */
export async function pollUntil<T>(probe: () => Promise<T>, accept: (value: T) => boolean, options: PollOptions): Promise<T> {
  const deadline = performance.now() + (options.timeoutMs ?? 60_000);
  let last: unknown = 'nothing yet';
  for (;;) {
    try {
      const value = await probe();
      if (accept(value)) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline) {
      const shown = last instanceof Error ? last.message : JSON.stringify(last, null, 1)?.slice(0, 3000);
      throw new Error(`timed out waiting for ${options.what}; last seen: ${shown}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}

/** The endpoints of docs/api.md the crash tests read. */
export class CrashApi {
  constructor(private readonly url: string) {}

  private async ok<T>(path: string): Promise<T> {
    const answer = await getJson<T>(this.url + path);
    if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  study(uid: string): Promise<StudyDetailView> {
    return this.ok(`/api/studies/${encodeURIComponent(uid)}`);
  }

  async jobs(): Promise<JobSummaryView[]> {
    return (await this.ok<{ jobs: JobSummaryView[] }>('/api/jobs')).jobs;
  }

  job(id: string): Promise<JobDetailView> {
    return this.ok(`/api/jobs/${encodeURIComponent(id)}`);
  }

  async robots(): Promise<RobotView[]> {
    return (await this.ok<{ robots: RobotView[] }>('/api/robots')).robots;
  }
}
