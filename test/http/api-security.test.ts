// Who may use the HTTP API: a bearer token when one is set (every endpoint, health included); without
// one, a loopback address only and requests addressed to it (DNS rebinding, cross-origin posts).
// Also the security headers on every answer, and starting and stopping the server.
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApiServer } from '../../adapters/http/api-server.ts';
import { rawRequest, startHarness, type ApiHarness } from './api-harness.ts';
import { FakePublisherApi } from './fake-publisher-api.ts';

const TOKEN = 's3cret-token_0123456789';
const silent = pino({ level: 'silent' });

function expectSecurityHeaders(headers: Headers): void {
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
}

describe('with a token', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startHarness({ token: TOKEN });
  });
  afterAll(() => h.close());

  it.each([
    ['no Authorization header', {}, 'authentication required: send Authorization: Bearer <token>'],
    ['a wrong token', { authorization: 'Bearer s3cret-token_0123456788' }, 'the bearer token is wrong'],
    ['a prefix of the token', { authorization: 'Bearer s3cret' }, 'the bearer token is wrong'],
    ['the token with more after it', { authorization: `Bearer ${TOKEN}x` }, 'the bearer token is wrong'],
    ['another scheme', { authorization: `Basic ${TOKEN}` }, 'the bearer token is wrong'],
    ['the token without a scheme', { authorization: TOKEN }, 'the bearer token is wrong'],
  ])('%s is a 401 on every endpoint, health and unknown ones included, and nothing is done', async (_, headers, error) => {
    for (const [method, path] of [['GET', '/api/health'], ['GET', '/api/studies'], ['POST', '/api/jobs/j/cancel'], ['GET', '/api/nowhere']]) {
      const res = await h.call(path!, { method, headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="discrobot"');
      expectSecurityHeaders(res.headers);
      expect(await res.json()).toEqual({ error });
    }
    expect(h.api.calls).toEqual([]);
  });

  it('the right token is let in, the scheme in any case', async () => {
    const health = await h.call('/api/health', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect([health.status, await health.json()]).toEqual([200, { ok: true }]);
    const cancel = await h.call('/api/jobs/j/cancel', { method: 'POST', headers: { authorization: `bearer ${TOKEN}` } });
    expect(cancel.status).toBe(200);
    expect(h.api.callsOf('cancelJob')).toEqual([['j', { name: 'api' }]]);
  });

  it('with a token, the Host header is not restricted (a reverse proxy may name the server)', async () => {
    const answer = await rawRequest(h.server.address, { path: '/api/health', headers: { host: 'publisher.example.org', authorization: `Bearer ${TOKEN}` } });
    expect(answer.status).toBe(200);
  });

  it('neither the token nor a wrong one is logged', async () => {
    await h.call('/api/health', { headers: { authorization: `Bearer ${TOKEN}` } });
    await h.call('/api/health', { headers: { authorization: 'Bearer wrong-guess-42' } });
    const text = JSON.stringify(h.logLines);
    expect(h.logLines.filter((line) => line.msg === 'HTTP API request').length).toBeGreaterThanOrEqual(2);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('wrong-guess-42');
  });
});

describe('without a token', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.api.calls.length = 0;
  });

  const port = () => h.server.address.port;

  it.each([
    () => `127.0.0.1:${port()}`,
    () => `localhost:${port()}`,
    () => `LOCALHOST:${port()}`,
    () => 'localhost',
    () => `[::1]:${port()}`,
    () => `127.0.0.2:${port()}`,
  ])('Host %s is answered', async (host) => {
    const answer = await rawRequest(h.server.address, { path: '/api/health', headers: { host: host() } });
    expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { ok: true }]);
  });

  it.each([
    () => `evil.example:${port()}`,
    () => 'evil.example',
    () => `localhost.evil.example:${port()}`,
    () => `192.168.1.10:${port()}`,
    () => `localhost:${port() + 1}`,
    () => `127.0.0.1:${port()}@evil.example`,
  ])('Host %s is refused with a 421 before anything is done (DNS rebinding)', async (host) => {
    const answer = await rawRequest(h.server.address, { method: 'POST', path: '/api/jobs/j/cancel', headers: { host: host() } });
    expect(answer.status).toBe(421);
    expect(JSON.parse(answer.body)).toEqual({ error: 'this server answers only requests addressed to localhost or its loopback address' });
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(h.api.calls).toEqual([]);
  });

  it('a request without a Host header is refused with a 421', async () => {
    const answer = await rawRequest(h.server.address, { method: 'POST', path: '/api/jobs/j/cancel', setHost: false });
    expect(answer.status).toBe(421);
    expect(h.api.calls).toEqual([]);
  });

  it.each(['http://evil.example', 'null', 'https://localhost', 'http://localhost:1'])('a POST from origin %s is refused with a 403', async (origin) => {
    const res = await h.call('/api/jobs/j/cancel', { method: 'POST', headers: { origin } });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'requests from other origins are refused' });
    expect(h.api.calls).toEqual([]);
  });

  it('a request from the server’s own origin is answered', async () => {
    const res = await h.call('/api/jobs/j/cancel', { method: 'POST', headers: { origin: h.server.url } });
    expect(res.status).toBe(200);
    expect(h.api.callsOf('cancelJob')).toEqual([['j', { name: 'api' }]]);
  });

  it('every answer carries the security headers', async () => {
    for (const [method, path] of [['GET', '/api/health'], ['GET', '/api/nowhere'], ['PUT', '/api/health'], ['GET', '/api/studies/unknown']]) {
      expectSecurityHeaders((await h.call(path!, { method })).headers);
    }
  });

  it('a request target that is not a path is a 400', async () => {
    const answer = await rawRequest(h.server.address, { path: `http://127.0.0.1:${port()}/api/health` });
    expect([answer.status, JSON.parse(answer.body)]).toEqual([400, { error: 'the request target must be a path' }]);
  });
});

describe('starting and stopping', () => {
  const api = new FakePublisherApi();

  it.each(['0.0.0.0', '::', '192.168.1.10', 'example.org', ''])('without a token, listening on "%s" is refused before binding', async (host) => {
    await expect(startApiServer({ api, listen: { host, port: 0 }, token: null, logger: silent })).rejects.toThrow(
      /the HTTP API without a token may only listen on a loopback address \(127\.0\.0\.0\/8 or ::1\)/,
    );
  });

  it.each(['127.0.0.2', '::1', 'localhost'])('without a token, listening on loopback %s works', async (host) => {
    const server = await startApiServer({ api, listen: { host, port: 0 }, token: null, logger: silent });
    try {
      expect(await (await fetch(`${server.url}/api/health`)).json()).toEqual({ ok: true });
      expect(server.url).toBe(`http://${server.address.host.includes(':') ? `[${server.address.host}]` : server.address.host}:${server.address.port}`);
    } finally {
      await server.close();
    }
  });

  it('with a token, any address may be listened on', async () => {
    const server = await startApiServer({ api, listen: { host: '0.0.0.0', port: 0 }, token: TOKEN, logger: silent });
    try {
      const res = await fetch(`http://127.0.0.1:${server.address.port}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it.each(['', 'two words', 'tab\there', 'ünïcode'])('a token "%s" that no header can carry is refused', async (token) => {
    await expect(startApiServer({ api, listen: { host: '127.0.0.1', port: 0 }, token, logger: silent })).rejects.toThrow(/API token must be/);
  });

  it('a port in use is a clear error', async () => {
    const first = await startApiServer({ api, listen: { host: '127.0.0.1', port: 0 }, token: null, logger: silent });
    try {
      await expect(startApiServer({ api, listen: { host: '127.0.0.1', port: first.address.port }, token: null, logger: silent })).rejects.toThrow(
        `the HTTP API cannot listen on 127.0.0.1:${first.address.port}: EADDRINUSE`,
      );
    } finally {
      await first.close();
    }
  });

  it('close() stops answering, keep-alive connections included, and may be called twice', async () => {
    const server = await startApiServer({ api, listen: { host: '127.0.0.1', port: 0 }, token: null, logger: silent });
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200); // leaves a kept-alive connection
    await Promise.all([server.close(), server.close()]);
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });
});
