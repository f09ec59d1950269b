// Every endpoint of the HTTP API against a recording fake of the PublisherApi, over real HTTP on
// 127.0.0.1: what the fake is called with, and how its answers and refusals come back.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type ApiHarness } from './api-harness.ts';
import type { SimulatorAction } from '../../src/api/publisher-api.ts';
import { ASSOCIATION, AUDIT_ENTRY, jobDetail, jobSummary, KNOWN_JOB, KNOWN_STUDY, ROBOT, SIMULATED_ROBOT, SIMULATOR_FAULT, studyDetail, studySummary } from './fake-publisher-api.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.api.calls.length = 0;
  h.api.actionResult = { ok: true };
  h.api.failure = null;
});

async function getJson(path: string): Promise<{ status: number; body: unknown }> {
  const res = await h.call(path);
  return { status: res.status, body: await res.json() };
}

async function post(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const init: RequestInit = { method: 'POST', headers: { ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json', ...headers };
  }
  const res = await h.call(path, init);
  return { status: res.status, body: await res.json() };
}

describe('reading', () => {
  it('GET /api/health answers ok without asking the publisher', async () => {
    expect(await getJson('/api/health')).toEqual({ status: 200, body: { ok: true } });
    expect(h.api.calls).toEqual([]);
  });

  it('GET /api/studies passes the state and text filters, and leaves absent or empty ones out', async () => {
    expect(await getJson('/api/studies?state=held&q=DOE%5EJANE')).toEqual({ status: 200, body: { studies: [studySummary(KNOWN_STUDY)] } });
    await getJson('/api/studies');
    await getJson('/api/studies?state=&q=');
    await getJson('/api/studies?q=smith+john&other=1');
    expect(h.api.callsOf('listStudies')).toEqual([[{ state: 'held', q: 'DOE^JANE' }], [{}], [{}], [{ q: 'smith john' }]]);
  });

  it('GET /api/studies/:uid answers the study, the UID with its dots and percent-decoded', async () => {
    expect(await getJson(`/api/studies/${KNOWN_STUDY}`)).toEqual({ status: 200, body: studyDetail(KNOWN_STUDY) });
    h.api.knownIds.add('1.2/3 4');
    expect(await getJson('/api/studies/1.2%2F3%204')).toEqual({ status: 200, body: studyDetail('1.2/3 4') });
    expect(h.api.callsOf('getStudy')).toEqual([[KNOWN_STUDY], ['1.2/3 4']]);
  });

  it('an unknown study or job is a 404 naming it', async () => {
    expect(await getJson('/api/studies/9.9.9')).toEqual({ status: 404, body: { error: 'no such study 9.9.9' } });
    expect(await getJson('/api/jobs/job-0')).toEqual({ status: 404, body: { error: 'no such job job-0' } });
  });

  it('GET /api/jobs passes its filters; GET /api/jobs/:id answers the job', async () => {
    expect(await getJson('/api/jobs?state=failed&q=1.2.3')).toEqual({ status: 200, body: { jobs: [jobSummary(KNOWN_JOB)] } });
    expect(await getJson(`/api/jobs/${KNOWN_JOB}`)).toEqual({ status: 200, body: jobDetail(KNOWN_JOB) });
    expect(h.api.calls).toEqual([
      { method: 'listJobs', args: [{ state: 'failed', q: '1.2.3' }] },
      { method: 'getJob', args: [KNOWN_JOB] },
    ]);
  });

  it('GET /api/robots answers the robots', async () => {
    expect(await getJson('/api/robots')).toEqual({ status: 200, body: { robots: [ROBOT] } });
  });

  it('GET /api/associations answers the associations in progress', async () => {
    expect(await getJson('/api/associations')).toEqual({ status: 200, body: { associations: [ASSOCIATION] } });
    expect(h.api.calls).toEqual([{ method: 'listAssociations', args: [] }]);
  });

  it('GET /api/robots/:name/simulator/faults answers the simulated robot\'s faults, 404 for any other robot', async () => {
    expect(await getJson(`/api/robots/${SIMULATED_ROBOT}/simulator/faults`)).toEqual({ status: 200, body: { faults: [SIMULATOR_FAULT] } });
    expect(await getJson('/api/robots/serial1/simulator/faults')).toEqual({ status: 404, body: { error: 'no simulated robot serial1' } });
    expect(h.api.callsOf('simulatorFaults')).toEqual([[SIMULATED_ROBOT], ['serial1']]);
  });

  it('GET /api/audit passes subject and limit', async () => {
    expect(await getJson('/api/audit?subject=study%3A1.2.3&limit=50')).toEqual({ status: 200, body: { audit: [AUDIT_ENTRY] } });
    await getJson('/api/audit');
    expect(h.api.callsOf('audit')).toEqual([[{ subject: 'study:1.2.3', limit: 50 }], [{}]]);
  });

  it.each(['0', '-1', '1.5', 'ten', '10001', '99999999999'])('GET /api/audit?limit=%s is a 422 naming limit', async (limit) => {
    const { status, body } = await getJson(`/api/audit?limit=${limit}`);
    expect(status).toBe(422);
    expect((body as { error: string }).error).toMatch(/^limit: /);
    expect(h.api.calls).toEqual([]);
  });

  it('a filter given twice is a 422 naming it', async () => {
    expect(await getJson('/api/jobs?state=a&state=b')).toEqual({ status: 422, body: { error: 'state: give this query parameter once' } });
  });
});

/** Simulator actions as sent, and as the publisher receives them (text trimmed). */
const simulatorCases: { body: Record<string, unknown>; action: SimulatorAction }[] = [
  { body: { kind: 'fault', code: 'carriage-move' }, action: { kind: 'fault', code: 'carriage-move' } },
  { body: { kind: 'fault', code: ' pick ', trigger: 'next:PICKING' }, action: { kind: 'fault', code: 'pick', trigger: 'next:PICKING' } },
  { body: { kind: 'fillBin', bin: 2, count: 0 }, action: { kind: 'fillBin', bin: 2, count: 0 } },
  { body: { kind: 'cover', open: true }, action: { kind: 'cover', open: true } },
  { body: { kind: 'cartridge', slot: 1, type: 'colour' }, action: { kind: 'cartridge', slot: 1, type: 'colour' } },
  { body: { kind: 'ink', slot: 2, pct: 12.5 }, action: { kind: 'ink', slot: 2, pct: 12.5 } },
  { body: { kind: 'power', on: false }, action: { kind: 'power', on: false } },
];

describe('actions', () => {
  const cases: { path: string; body?: unknown; method: string; args: (by: { name: string }) => unknown[] }[] = [
    { path: `/api/studies/${KNOWN_STUDY}/release-now`, method: 'releaseStudyNow', args: (by) => [KNOWN_STUDY, by] },
    { path: `/api/studies/${KNOWN_STUDY}/hold`, body: { reason: '  wrong patient?  ' }, method: 'holdStudy', args: (by) => [KNOWN_STUDY, by, 'wrong patient?'] },
    { path: `/api/studies/${KNOWN_STUDY}/release`, method: 'releaseStudy', args: (by) => [KNOWN_STUDY, by] },
    {
      path: `/api/studies/${KNOWN_STUDY}/split`,
      body: { sopInstanceUids: ['1.2.3.4', '1.2.3.5'] },
      method: 'splitStudy',
      args: (by) => [KNOWN_STUDY, { sopInstanceUids: ['1.2.3.4', '1.2.3.5'] }, by],
    },
    { path: '/api/jobs/job-3/cancel', method: 'cancelJob', args: (by) => ['job-3', by] },
    { path: '/api/jobs/job-3/retry', method: 'retryJob', args: (by) => ['job-3', by] },
    { path: '/api/jobs/job-3/reburn', method: 'reburnJob', args: (by) => ['job-3', by] },
    { path: '/api/jobs/job-3/reburn', body: { copies: 3 }, method: 'reburnJob', args: (by) => ['job-3', by, 3] },
    { path: '/api/jobs/job-3/reprint', method: 'reprintLabel', args: (by) => ['job-3', by] },
    { path: '/api/robots/left%20bay/clear-error', method: 'clearRobotError', args: (by) => ['left bay', by] },
    { path: '/api/robots/left%20bay/acknowledge-ink-low', method: 'acknowledgeInkLow', args: (by) => ['left bay', by] },
    ...simulatorCases.map(({ body, action }) => ({
      path: '/api/robots/left%20bay/simulator', body, method: 'simulatorAction', args: (by: { name: string }) => ['left bay', action, by],
    })),
  ];

  it.each(cases)('POST $path $body calls $method as operator "api" by default', async ({ path, body, method, args }) => {
    expect(await post(path, body)).toEqual({ status: 200, body: { ok: true } });
    expect(h.api.calls).toEqual([{ method, args: args({ name: 'api' }) }]);
  });

  it.each(cases)('POST $path takes the operator from X-Operator and answers the new job id', async ({ path, body, method, args }) => {
    h.api.actionResult = { ok: true, jobId: 'job-99' };
    expect(await post(path, body, { 'X-Operator': 'Dr. Ann Smith' })).toEqual({ status: 200, body: { ok: true, jobId: 'job-99' } });
    expect(h.api.calls).toEqual([{ method, args: args({ name: 'Dr. Ann Smith' }) }]);
  });

  it.each([404, 409, 422] as const)('an action the publisher refuses with %i answers that status and its reason', async (status) => {
    h.api.actionResult = { ok: false, status, error: `refused with ${status}` };
    for (const { path, body } of cases) {
      expect(await post(path, body)).toEqual({ status, body: { error: `refused with ${status}` } });
    }
    expect(h.api.calls).toHaveLength(cases.length);
  });

  it('an empty JSON object is accepted where an action takes no fields', async () => {
    expect(await post('/api/jobs/job-3/cancel', {})).toEqual({ status: 200, body: { ok: true } });
  });

  it.each([
    ['65 characters', 'x'.repeat(65)],
    ['a tab', 'ann\tsmith'],
    ['non-ASCII letters', 'Jürgen'],
  ])('an X-Operator of %s is a 400 and nothing is done', async (_, name) => {
    const res = await h.call('/api/jobs/job-3/cancel', { method: 'POST', headers: { 'X-Operator': Buffer.from(name, 'utf8').toString('latin1') } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'X-Operator: must be 1 to 64 printable ASCII characters' });
    expect(h.api.calls).toEqual([]);
  });

  it('an X-Operator of exactly 64 characters is taken', async () => {
    const name = 'o'.repeat(64);
    expect((await post('/api/jobs/job-3/retry', undefined, { 'X-Operator': name })).status).toBe(200);
    expect(h.api.callsOf('retryJob')).toEqual([['job-3', { name }]]);
  });
});

describe('routing', () => {
  it.each(['/', '/api', '/api/', '/api/studies/', '/api/nothing', '/api/studies/1.2/unknown-action', '/api/jobs/a/b/c', '/health'])(
    'GET %s is a 404',
    async (path) => {
      const { status, body } = await getJson(path);
      expect(status).toBe(404);
      expect(body).toEqual({ error: `no such endpoint: ${path}` });
    },
  );

  it.each([
    ['PUT', '/api/studies', 'GET'],
    ['POST', '/api/health', 'GET'],
    ['DELETE', `/api/jobs/${KNOWN_JOB}`, 'GET'],
    ['GET', '/api/jobs/job-3/cancel', 'POST'],
    ['PATCH', '/api/robots/r1/clear-error', 'POST'],
    ['GET', '/api/robots/r1/simulator', 'POST'],
  ])('%s %s is a 405 allowing %s', async (method, path, allow) => {
    const res = await h.call(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(await res.json()).toEqual({ error: `${method} is not allowed here (allowed: ${allow})` });
    expect(h.api.calls).toEqual([]);
  });

  it('a malformed percent-encoding in a path parameter is a 400', async () => {
    expect(await getJson('/api/studies/1.2%E0%A4%A')).toEqual({ status: 400, body: { error: 'malformed percent-encoding in the path: 1.2%E0%A4%A' } });
  });

  it('many requests in parallel each get their own answer', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `job-${i}`);
    ids.forEach((id) => h.api.knownIds.add(id));
    const answers = await Promise.all(
      ids.flatMap((id) => [
        getJson(`/api/jobs/${id}`),
        post(`/api/jobs/${id}/reburn`, { copies: 2 }, { 'X-Operator': `op-${id}` }),
      ]),
    );
    ids.forEach((id, i) => {
      expect(answers[2 * i]).toEqual({ status: 200, body: jobDetail(id) });
      expect(answers[2 * i + 1]).toEqual({ status: 200, body: { ok: true } });
    });
    expect(h.api.callsOf('reburnJob').sort()).toEqual(ids.map((id) => [id, { name: `op-${id}` }, 2]).sort());
  });
});
