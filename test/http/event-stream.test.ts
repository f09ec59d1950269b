// GET /api/events, the dashboard's live feed as Server-Sent Events, through the real HTTP server
// (node:http on port 0, read with fetch as the page reads it): the first message lists every actor,
// later ones the changes of a real xstate actor watched by LiveActors; the token and the Host
// guard protect it like any data endpoint; a client going away or the server closing ends it.
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, setup, type Actor } from 'xstate';
import { LiveActors } from '../../src/publisher/live-actors.ts';
import { rawRequest, startHarness } from './api-harness.ts';
import { actorsOf, CountingFeed, openEventStream, startDashboardHarness, type DashboardHarness, type EventStreamReader } from './dashboard-harness.ts';

const TOKEN = 'live-feed-token_0123456789';
const WAIT = { timeout: 30_000, interval: 10 };
const SERIAL = 'SERIAL^NOT^TO^LEAK';

const robotMachine = setup({
  types: {
    context: {} as { serial: string },
    events: {} as { type: 'LOAD' } | { type: 'LOADED' } | { type: 'IDLE' },
  },
}).createMachine({
  id: 'robot',
  context: { serial: SERIAL },
  initial: 'idle',
  states: {
    idle: { on: { LOAD: 'busy' } },
    busy: {
      initial: 'loading',
      states: { loading: { on: { LOADED: 'printing' } }, printing: {} },
      on: { IDLE: 'idle' },
    },
  },
});

interface LiveSystem {
  live: LiveActors;
  feed: CountingFeed;
  robot: Actor<typeof robotMachine>;
  stop(): void;
}

function startLiveSystem(): LiveSystem {
  const live = new LiveActors({ coalesceMs: 1 });
  const robot = createActor(robotMachine, { id: 'robot:sim', systemId: 'robot:sim', inspect: (event) => live.inspect(event) });
  robot.start();
  return {
    live,
    feed: new CountingFeed(live),
    robot,
    stop: () => {
      robot.stop();
      live.close();
    },
  };
}

const readers: EventStreamReader[] = [];
async function open(h: DashboardHarness, headers: Record<string, string> = {}): Promise<EventStreamReader> {
  const reader = await openEventStream(`${h.server.url}/api/events`, headers);
  readers.push(reader);
  return reader;
}

afterEach(async () => {
  for (const reader of readers.splice(0)) reader.disconnect();
  vi.restoreAllMocks();
});

describe('without a token', () => {
  let s: LiveSystem;
  let h: DashboardHarness;
  // A server per test: closing it ends its streams from the server's side, so no client aborts
  // leave a spare connection for the next close() to wait for.
  beforeEach(async () => {
    s = startLiveSystem();
    h = await startDashboardHarness({ live: s.feed });
  });
  afterEach(async () => {
    await h.close();
    s.stop();
  });

  it('answers an event stream whose first message lists every actor', async () => {
    const reader = await open(h);
    expect(reader.response.status).toBe(200);
    expect(reader.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(reader.response.headers.get('cache-control')).toBe('no-store');
    expect(reader.response.headers.get('x-content-type-options')).toBe('nosniff');

    const first = await reader.next();
    expect(first.event).toBe('actors');
    expect(actorsOf(first)).toEqual(s.live.list());
    expect(actorsOf(first)).toEqual([
      { id: 'robot:sim', machine: 'robot', state: ['idle'], status: 'active', atMs: expect.any(Number) },
    ]);
  });

  it('tells a later change of state as an actors message of the changed actor', async () => {
    const reader = await open(h);
    expect(actorsOf(await reader.next()).map((actor) => actor.state)).toEqual([['idle']]);

    s.robot.send({ type: 'LOAD' });
    const change = await reader.next();
    expect(change.event).toBe('actors');
    expect(actorsOf(change)).toEqual([
      { id: 'robot:sim', machine: 'robot', state: ['busy', 'busy.loading'], status: 'active', atMs: expect.any(Number) },
    ]);

    s.robot.send({ type: 'LOADED' });
    expect(actorsOf(await reader.next()).map((actor) => actor.state)).toEqual([['busy', 'busy.printing']]);
    expect(JSON.stringify(reader.messages)).not.toContain(SERIAL);
  });

  it('tells every open stream', async () => {
    const one = await open(h);
    const two = await open(h);
    await one.next();
    await two.next();
    await vi.waitFor(() => expect(s.feed.subscribers).toBe(2), WAIT);

    s.robot.send({ type: 'LOAD' });
    for (const reader of [one, two]) expect(actorsOf(await reader.next()).map((actor) => actor.state)).toEqual([['busy', 'busy.loading']]);
  });

  it('forgets a client that went away: its subscription ends', async () => {
    const reader = await open(h);
    await reader.next();
    expect(s.feed.subscribers).toBe(1);

    reader.disconnect();
    expect((await reader.ended).how).toBe('error');
    await vi.waitFor(() => expect(s.feed.subscribers).toBe(0), WAIT);
    // A change after it went away is no write to a closed connection: the server answers on.
    s.robot.send({ type: 'IDLE' });
    expect((await h.call('/api/health')).status).toBe(200);
  });

  it.each([
    ['a foreign name', () => 'evil.example'],
    ['a rebound name with the port', () => `localhost.evil.example:${h.server.address.port}`],
    ['another port', () => `localhost:${h.server.address.port + 1}`],
  ])('refuses a request addressed to %s with a 421 and subscribes nothing (DNS rebinding)', async (_, host) => {
    const answer = await rawRequest(h.server.address, { path: '/api/events', headers: { host: host() } });
    expect(answer.status).toBe(421);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.body).not.toContain('event: actors');
    expect(s.feed.subscribers).toBe(0);
  });

  it('refuses a request from another origin with a 403', async () => {
    const res = await h.call('/api/events', { headers: { origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'requests from other origins are refused' });
    expect(s.feed.subscribers).toBe(0);
  });
});

describe('with a token', () => {
  let s: LiveSystem;
  let h: DashboardHarness;
  beforeEach(async () => {
    s = startLiveSystem();
    h = await startDashboardHarness({ live: s.feed, token: TOKEN });
  });
  afterEach(async () => {
    await h.close();
    s.stop();
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer live-feed-token_0123456788' }],
  ])('%s is a 401 and subscribes nothing', async (_, headers) => {
    const res = await h.call('/api/events', { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="discrobot"');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.text()).not.toContain('event: actors');
    expect(s.feed.subscribers).toBe(0);
  });

  it('the token lets the stream in', async () => {
    const reader = await open(h, { authorization: `Bearer ${TOKEN}` });
    expect(reader.response.status).toBe(200);
    expect(reader.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(actorsOf(await reader.next()).map((actor) => actor.id)).toEqual(['robot:sim']);
    s.robot.send({ type: 'LOAD' });
    expect(actorsOf(await reader.next()).map((actor) => actor.state)).toEqual([['busy', 'busy.loading']]);
  });
});

describe('closing the server', () => {
  it('close() ends the open streams cleanly and resolves without cutting connections', async () => {
    const s = startLiveSystem();
    const h = await startDashboardHarness({ live: s.feed });
    try {
      const readers = [await open(h), await open(h)];
      for (const reader of readers) await reader.next();
      expect(s.feed.subscribers).toBe(2);
      // The grace period's cut is what a stream left open would need; it must not be needed.
      const cut = vi.spyOn(http.Server.prototype, 'closeAllConnections');

      await h.close();
      for (const reader of readers) expect(await reader.ended).toEqual({ how: 'end' });
      expect(s.feed.subscribers).toBe(0);
      expect(cut).not.toHaveBeenCalled();
      await expect(fetch(`${h.server.url}/api/health`)).rejects.toThrow();
    } finally {
      await h.close();
      s.stop();
    }
  });
});

describe('without the dashboard option', () => {
  it('neither the page nor the event stream exists', async () => {
    const h = await startHarness();
    try {
      for (const path of ['/api/events', '/', '/dashboard/app.js']) expect((await h.call(path)).status).toBe(404);
    } finally {
      await h.close();
    }
  });
});
