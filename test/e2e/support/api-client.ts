// The publisher's HTTP API (docs/api.md) as the end-to-end tests use it: a small typed wrapper over
// fetch that unwraps the list answers, and waitFor(), which polls the API until what a test waits
// for is true. Polling the API, not sleeping: a loaded CI machine only makes the wait longer.
import type {
  AuditView, JobDetailView, JobSummaryView, RobotView, StudyDetailView, StudySummaryView,
} from '../../../src/api/publisher-api.ts';

/** An answer the test did not expect: the status and body say what the publisher said. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: unknown, what: string) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
  }
}

export interface ActionAnswer {
  status: number;
  body: { ok?: true; jobId?: string; error?: string };
}

export class ApiClient {
  /** `operator` goes in X-Operator: the audit trail records actions as operator:<name>. */
  constructor(readonly baseUrl: string, readonly operator = 'e2e-tester') {}

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { 'X-Operator': this.operator };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  }

  private async get<T>(path: string): Promise<T> {
    const answer = await this.request('GET', path);
    if (answer.status !== 200) throw new ApiError(answer.status, answer.body, `GET ${path}`);
    return answer.body as T;
  }

  /** undefined on 404: a study or job the publisher does not know (yet). */
  private async find<T>(path: string): Promise<T | undefined> {
    const answer = await this.request('GET', path);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw new ApiError(answer.status, answer.body, `GET ${path}`);
    return answer.body as T;
  }

  private async action(path: string, body?: unknown): Promise<ActionAnswer> {
    const answer = await this.request('POST', path, body);
    return answer as ActionAnswer;
  }

  async studies(filter: { state?: string; q?: string } = {}): Promise<StudySummaryView[]> {
    const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]).toString();
    return (await this.get<{ studies: StudySummaryView[] }>(`/api/studies${query ? `?${query}` : ''}`)).studies;
  }

  study(uid: string): Promise<StudyDetailView | undefined> {
    return this.find<StudyDetailView>(`/api/studies/${encodeURIComponent(uid)}`);
  }

  async jobs(): Promise<JobSummaryView[]> {
    return (await this.get<{ jobs: JobSummaryView[] }>('/api/jobs')).jobs;
  }

  job(jobId: string): Promise<JobDetailView | undefined> {
    return this.find<JobDetailView>(`/api/jobs/${encodeURIComponent(jobId)}`);
  }

  async robots(): Promise<RobotView[]> {
    return (await this.get<{ robots: RobotView[] }>('/api/robots')).robots;
  }

  /** Newest first, as the API answers. */
  async audit(filter: { subject?: string; limit?: number } = {}): Promise<AuditView[]> {
    const query = new URLSearchParams();
    if (filter.subject !== undefined) query.set('subject', filter.subject);
    if (filter.limit !== undefined) query.set('limit', String(filter.limit));
    const text = query.toString();
    return (await this.get<{ audit: AuditView[] }>(`/api/audit${text ? `?${text}` : ''}`)).audit;
  }

  releaseNow(uid: string): Promise<ActionAnswer> {
    return this.action(`/api/studies/${encodeURIComponent(uid)}/release-now`);
  }

  hold(uid: string, reason: string): Promise<ActionAnswer> {
    return this.action(`/api/studies/${encodeURIComponent(uid)}/hold`, { reason });
  }

  release(uid: string): Promise<ActionAnswer> {
    return this.action(`/api/studies/${encodeURIComponent(uid)}/release`);
  }

  split(uid: string, sopInstanceUids: string[]): Promise<ActionAnswer> {
    return this.action(`/api/studies/${encodeURIComponent(uid)}/split`, { sopInstanceUids });
  }
}

/**
 * Polls `probe` until it answers something other than undefined or false, and returns that. On
 * timeout the error names what was awaited and the last answer seen, so a failure says where it stuck.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  options: { timeoutMs?: number; intervalMs?: number; lastSeen?: () => unknown } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await probe();
    if (answer !== undefined && answer !== false) return answer;
    if (Date.now() > deadline) {
      const seen = options.lastSeen ? `; last seen: ${JSON.stringify(options.lastSeen())}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}
