// Request bodies of the HTTP API: JSON only, at most 64 KiB, malformed JSON named, fields of the
// wrong type named; and a publisher that throws answers 500 without bringing the server down.
import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_COPIES } from '../../src/config/defaults.ts';
import { MAX_BODY_BYTES } from '../../adapters/http/json-body.ts';
import {
  MAX_HOLD_REASON_LENGTH, MAX_SIMULATOR_BIN, MAX_SIMULATOR_BIN_COUNT, MAX_SIMULATOR_SLOT, MAX_SIMULATOR_TEXT_LENGTH,
} from '../../adapters/http/publisher-routes.ts';
import { rawRequest, startHarness, type ApiHarness } from './api-harness.ts';
import { KNOWN_STUDY, PATIENT_ID, PATIENT_NAME } from './fake-publisher-api.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.api.calls.length = 0;
  h.api.failure = null;
});

const JSON_TYPE = { 'content-type': 'application/json' };

async function postRaw(path: string, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = JSON_TYPE): Promise<{ status: number; body: unknown }> {
  const res = await h.call(path, { method: 'POST', headers, body });
  return { status: res.status, body: await res.json() };
}

/** {"reason":"xxx…"} padded with trailing spaces (still JSON) to exactly `size` bytes. */
function holdBodyOfSize(size: number): string {
  return JSON.stringify({ reason: 'x'.repeat(MAX_HOLD_REASON_LENGTH) }).padEnd(size, ' ');
}

describe('size', () => {
  const hold = `/api/studies/${KNOWN_STUDY}/hold`;

  it('a body of exactly 64 KiB is read', async () => {
    const body = holdBodyOfSize(MAX_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    expect(await postRaw(hold, body)).toEqual({ status: 200, body: { ok: true } });
    expect(h.api.callsOf('holdStudy')).toEqual([[KNOWN_STUDY, { name: 'api' }, 'x'.repeat(MAX_HOLD_REASON_LENGTH)]]);
  });

  it('one byte more is a 413, and nothing is done', async () => {
    const body = holdBodyOfSize(MAX_BODY_BYTES + 1);
    expect(await postRaw(hold, body)).toEqual({ status: 413, body: { error: `the body is larger than ${MAX_BODY_BYTES} bytes` } });
    expect(h.api.calls).toEqual([]);
  });

  it('an oversized body sent chunked, without a length, is a 413', async () => {
    const chunks = Array.from({ length: 20 }, () => Buffer.alloc(8 * 1024, 0x20));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await h.call(hold, { method: 'POST', headers: JSON_TYPE, body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(h.api.calls).toEqual([]);
  });

  it('a declared length far beyond the limit is refused at once and the connection closed', async () => {
    const answer = await rawRequest(h.server.address, {
      method: 'POST',
      path: hold,
      headers: { ...JSON_TYPE, 'content-length': 50 * 1024 * 1024 },
      body: '{',
    });
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(await (await h.call('/api/health')).json()).toEqual({ ok: true });
  });
});

describe('format', () => {
  it.each([
    ['{"reason": "x",}', /^malformed JSON: .+/],
    ['{reason: "x"}', /^malformed JSON: .+/],
    ['{"reason": "x"', /^malformed JSON: .+/],
    ['not json', /^malformed JSON: .+/],
  ])('%s is a 400 naming the problem', async (body, message) => {
    const answer = await postRaw(`/api/studies/${KNOWN_STUDY}/hold`, body);
    expect(answer.status).toBe(400);
    expect((answer.body as { error: string }).error).toMatch(message);
    expect(h.api.calls).toEqual([]);
  });

  it('a body that is not UTF-8 is a 400', async () => {
    const body = Buffer.concat([Buffer.from('{"reason": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    expect(await postRaw(`/api/studies/${KNOWN_STUDY}/hold`, body)).toEqual({ status: 400, body: { error: 'malformed JSON: the body is not valid UTF-8' } });
  });

  it('UTF-8 text in a field arrives intact', async () => {
    expect((await postRaw(`/api/studies/${KNOWN_STUDY}/hold`, JSON.stringify({ reason: 'Größe ≠ 名前' }))).status).toBe(200);
    expect(h.api.callsOf('holdStudy')).toEqual([[KNOWN_STUDY, { name: 'api' }, 'Größe ≠ 名前']]);
  });

  it.each([
    [{ 'content-type': 'text/plain' }],
    [{ 'content-type': 'application/x-www-form-urlencoded' }],
    [{ 'content-type': 'application/json; charset=latin1' }],
    [{}],
  ])('a body sent as %j is a 415', async (headers) => {
    const answer = await postRaw('/api/jobs/job-1/reburn', '{"copies":2}', headers);
    expect(answer).toEqual({ status: 415, body: { error: 'the body must be JSON (Content-Type: application/json)' } });
    expect(h.api.calls).toEqual([]);
  });

  it('application/json with charset=utf-8 is taken', async () => {
    expect((await postRaw('/api/jobs/job-1/reburn', '{"copies":2}', { 'content-type': 'Application/JSON; charset="UTF-8"' })).status).toBe(200);
  });
});

const KINDS = 'fault, fillBin, cover, cartridge, ink, power';
/** Simulator action bodies the HTTP layer refuses, and why: `kind` first, then the fields of that kind. */
const simulatorBodies: [unknown, string][] = [
  [undefined, `kind: required (one of ${KINDS})`],
  [{}, `kind: required (one of ${KINDS})`],
  [{ kind: 'explode' }, `kind: must be one of ${KINDS}`],
  [{ kind: 7 }, `kind: must be one of ${KINDS}`],
  [{ kind: 'fault', colour: 'red' }, 'colour: unknown field (known fields: kind, code, trigger, bin, count, open, slot, type, pct, on)'],
  [{ kind: 'fault', bin: 1, code: 'pick' }, 'bin: unknown field (known fields: kind, code, trigger)'],
  [{ kind: 'fault' }, 'code: required (a string)'],
  [{ kind: 'fault', code: 9 }, 'code: must be a string'],
  [{ kind: 'fault', code: 'pick', trigger: '' }, 'trigger: must not be empty'],
  [{ kind: 'fault', code: 'x'.repeat(MAX_SIMULATOR_TEXT_LENGTH + 1) }, `code: must be at most ${MAX_SIMULATOR_TEXT_LENGTH} characters`],
  [{ kind: 'fillBin', count: 5 }, `bin: must be a whole number from 1 to ${MAX_SIMULATOR_BIN}`],
  [{ kind: 'fillBin', bin: 0, count: 5 }, `bin: must be a whole number from 1 to ${MAX_SIMULATOR_BIN}`],
  [{ kind: 'fillBin', bin: 1, count: -1 }, `count: must be a whole number from 0 to ${MAX_SIMULATOR_BIN_COUNT}`],
  [{ kind: 'fillBin', bin: 1, count: '5' }, `count: must be a whole number from 0 to ${MAX_SIMULATOR_BIN_COUNT}`],
  [{ kind: 'fillBin', bin: 1, count: 5, media: 'cd' }, 'media: unknown field (known fields: kind, code, trigger, bin, count, open, slot, type, pct, on)'],
  [{ kind: 'cover' }, 'open: must be true or false'],
  [{ kind: 'cover', open: 1 }, 'open: must be true or false'],
  [{ kind: 'cartridge', slot: 1.5, type: 'colour' }, `slot: must be a whole number from 1 to ${MAX_SIMULATOR_SLOT}`],
  [{ kind: 'cartridge', slot: 1 }, 'type: required (a string)'],
  [{ kind: 'ink', slot: 1, pct: 101 }, 'pct: must be a number from 0 to 100'],
  [{ kind: 'ink', slot: 1, type: 'colour', pct: 5 }, 'type: unknown field (known fields: kind, slot, pct)'],
  [{ kind: 'power', on: 'yes' }, 'on: must be true or false'],
];

describe('fields', () => {
  const study = `/api/studies/${KNOWN_STUDY}`;
  it.each<[string, unknown, string]>([
    [`${study}/hold`, undefined, 'reason: required (a string)'],
    [`${study}/hold`, { reason: 7 }, 'reason: must be a string'],
    [`${study}/hold`, { reason: '   ' }, 'reason: must not be empty'],
    [`${study}/hold`, { reason: 'x'.repeat(MAX_HOLD_REASON_LENGTH + 1) }, `reason: must be at most ${MAX_HOLD_REASON_LENGTH} characters`],
    [`${study}/hold`, { reason: 'x', why: 'y' }, 'why: unknown field (known fields: reason)'],
    [`${study}/hold`, ['reason'], 'body: must be a JSON object'],
    [`${study}/hold`, 'reason', 'body: must be a JSON object'],
    [`${study}/hold`, null, 'body: must be a JSON object'],
    [`${study}/split`, {}, 'sopInstanceUids: required (an array of strings)'],
    [`${study}/split`, { sopInstanceUids: '1.2.3' }, 'sopInstanceUids: must be an array of strings'],
    [`${study}/split`, { sopInstanceUids: [] }, 'sopInstanceUids: must name at least one'],
    [`${study}/split`, { sopInstanceUids: ['1.2', 3] }, 'sopInstanceUids[1]: must be a string'],
    [`${study}/split`, { sopInstanceUids: ['1.2', ''] }, 'sopInstanceUids[1]: must not be empty'],
    ['/api/jobs/job-1/reburn', { copies: 0 }, `copies: must be a whole number from 1 to ${MAX_COPIES}`],
    ['/api/jobs/job-1/reburn', { copies: 1.5 }, `copies: must be a whole number from 1 to ${MAX_COPIES}`],
    ['/api/jobs/job-1/reburn', { copies: '2' }, `copies: must be a whole number from 1 to ${MAX_COPIES}`],
    ['/api/jobs/job-1/reburn', { copies: MAX_COPIES + 1 }, `copies: must be a whole number from 1 to ${MAX_COPIES}`],
    ['/api/jobs/job-1/reburn', { copy: 2 }, 'copy: unknown field (known fields: copies)'],
    ['/api/jobs/job-1/cancel', { force: true }, 'force: unknown field (this endpoint takes no fields)'],
    ['/api/robots/r1/clear-error', { code: 1 }, 'code: unknown field (this endpoint takes no fields)'],
    ...simulatorBodies.map(([body, error]): [string, unknown, string] => ['/api/robots/r1/simulator', body, error]),
  ])('POST %s with %j is a 422: %s', async (path, body, error) => {
    expect(await postRaw(path, body === undefined ? '' : JSON.stringify(body))).toEqual({ status: 422, body: { error } });
    expect(h.api.calls).toEqual([]);
  });
});

describe('failures inside the publisher', () => {
  it('an exception is a 500 "internal error" with an error log line, and the server goes on', async () => {
    h.api.failure = new Error(`database is locked while reading ${PATIENT_NAME}`);
    for (const [method, path] of [['GET', '/api/studies'], ['GET', `/api/studies/${KNOWN_STUDY}`], ['POST', '/api/jobs/job-1/cancel'], ['GET', '/api/audit']]) {
      const res = await h.call(path!, { method });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: 'internal error' });
    }
    const errors = h.logLines.filter((line) => line.level === 50 && line.msg === 'HTTP API request failed inside the publisher');
    expect(errors.map((line) => [line.method, line.path])).toEqual([
      ['GET', '/api/studies'],
      ['GET', `/api/studies/${KNOWN_STUDY}`],
      ['POST', '/api/jobs/job-1/cancel'],
      ['GET', '/api/audit'],
    ]);
    h.api.failure = null;
    expect((await h.call('/api/studies')).status).toBe(200);
  });

  it('a view that cannot be written as JSON is a 500, not a half answer', async () => {
    h.api.knownIds.add('job-bigint');
    const original = h.api.getJob.bind(h.api);
    const spy = vi.spyOn(h.api, 'getJob').mockImplementation((id) => ({ ...original(id)!, copies: 10n as unknown as number }));
    try {
      const res = await h.call('/api/jobs/job-bigint');
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: 'internal error' });
    } finally {
      spy.mockRestore();
    }
  });

  it('an action refused with a status outside 4xx is a 500', async () => {
    h.api.actionResult = { ok: false, status: 200 as 404, error: 'confused' };
    try {
      const res = await h.call('/api/jobs/job-1/retry', { method: 'POST' });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: 'internal error' });
    } finally {
      h.api.actionResult = { ok: true };
    }
  });

  it('a client that goes away in the middle of a body does not bring the server down', async () => {
    const path = '/api/studies/1.2.gone/hold';
    const socket = net.connect(h.server.address.port, h.server.address.host);
    socket.on('error', () => {}); // the server may answer into a closed socket
    await new Promise((resolve) => socket.once('connect', resolve));
    // end() sends the head and part of the body, then the end of the stream: the body never completes.
    socket.end(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${h.server.address.port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"reason": "`);
    const logged = () => h.logLines.some((line) => line.msg === 'HTTP API request' && line.path === path && line.status === 400);
    await vi.waitFor(() => expect(logged()).toBe(true), { timeout: 20_000, interval: 20 });
    socket.destroy();
    expect(h.api.calls).toEqual([]);
    expect((await h.call('/api/health')).status).toBe(200);
  });
});

describe('logging', () => {
  it('one info line per request: method, path without its query, status and duration, and no patient data', async () => {
    h.logLines.length = 0;
    await h.call(`/api/studies?q=${encodeURIComponent(PATIENT_NAME)}&state=held`);
    await h.call(`/api/studies/${KNOWN_STUDY}`);
    await h.call('/api/jobs/job-1/cancel', { method: 'POST', headers: { 'X-Operator': 'ann' } });
    await h.call('/api/nowhere?q=x');
    const requests = h.logLines.filter((line) => line.msg === 'HTTP API request');
    expect(requests.map(({ level, method, path, status }) => ({ level, method, path, status }))).toEqual([
      { level: 30, method: 'GET', path: '/api/studies', status: 200 },
      { level: 30, method: 'GET', path: `/api/studies/${KNOWN_STUDY}`, status: 200 },
      { level: 30, method: 'POST', path: '/api/jobs/job-1/cancel', status: 200 },
      { level: 30, method: 'GET', path: '/api/nowhere', status: 404 },
    ]);
    for (const line of requests) expect(typeof line.ms).toBe('number');
    const text = JSON.stringify(h.logLines);
    expect(text).not.toContain('DOE');
    expect(text).not.toContain(PATIENT_ID);
  });
});
