// An operator's actions on jobs and simulated robots through the HTTP API (docs/api.md): cancel,
// retry, re-burn, reprint and the simulator endpoint, each answering the status and body as sent,
// so that a test can assert refusals (404, 409) as well as acceptances. Every request has a time
// limit: a publisher that stops answering fails the test with a sentence saying so, instead of a
// test timeout that says nothing.
import type { SimulatorAction } from '../../../src/api/publisher-api.ts';

export interface ActionReply {
  status: number;
  body: { ok?: true; jobId?: string; error?: string };
}

/** The publisher did not answer an HTTP request in time. */
export class NoAnswerError extends Error {}

export class OperatorClient {
  /** `operator` goes in X-Operator: the audit trail records the actions as operator:<name>. */
  constructor(
    readonly baseUrl: string,
    readonly operator: string,
    private readonly timeoutMs = 15_000,
  ) {}

  private async post(path: string, body?: unknown): Promise<ActionReply> {
    const headers: Record<string, string> = { 'X-Operator': this.operator };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'TimeoutError') {
        throw new NoAnswerError(`POST ${path}: the publisher did not answer within ${this.timeoutMs} ms`);
      }
      throw err;
    }
    return { status: response.status, body: (await response.json()) as ActionReply['body'] };
  }

  /** Whether GET /api/health answers within the time limit (it asks the publisher nothing). */
  async answers(): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseUrl}/api/health`, { signal: AbortSignal.timeout(this.timeoutMs) });
      return response.ok;
    } catch {
      return false;
    }
  }

  cancel(jobId: string): Promise<ActionReply> {
    return this.post(`/api/jobs/${encodeURIComponent(jobId)}/cancel`);
  }

  retry(jobId: string): Promise<ActionReply> {
    return this.post(`/api/jobs/${encodeURIComponent(jobId)}/retry`);
  }

  /** Without `copies` no body is sent: the publisher decides. */
  reburn(jobId: string, copies?: number): Promise<ActionReply> {
    return this.post(`/api/jobs/${encodeURIComponent(jobId)}/reburn`, copies === undefined ? undefined : { copies });
  }

  reprint(jobId: string): Promise<ActionReply> {
    return this.post(`/api/jobs/${encodeURIComponent(jobId)}/reprint`);
  }

  simulator(robot: string, action: SimulatorAction): Promise<ActionReply> {
    return this.post(`/api/robots/${encodeURIComponent(robot)}/simulator`, action);
  }
}
