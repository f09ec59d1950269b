// The HTTP server of the publisher API (node:http): guards every request (Host check without a
// token, bearer token with one), routes it to the PublisherApi, and answers JSON. A failure inside
// the publisher is a 500 and an error log line; one log line per request names method, path (no
// query: it may hold patient names), status and duration, and never patient data.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { LiveActorFeed } from '../../src/api/live-feed.ts';
import type { PublisherApi } from '../../src/api/publisher-api.ts';
import type { SecurityAudit } from '../../src/audit/security-audit.ts';
import { bearerCheck } from './auth.ts';
import { DashboardAssets, DASHBOARD_HEADERS, type DiagramSource } from './dashboard-assets.ts';
import { streamActors, type OpenStream } from './event-stream.ts';
import { HttpError } from './http-error.ts';
import { readJsonBody } from './json-body.ts';
import { assertLoopbackHost, isLoopbackAddress, localRequestCheck } from './local-guard.ts';
import { publisherRoutes, type Reply, type RequestContext } from './publisher-routes.ts';
import { operatorFrom, splitTarget } from './request-input.ts';
import { sendJson } from './respond.ts';
import { Router } from './router.ts';

export interface ApiServerOptions {
  api: PublisherApi;
  listen: { host: string; port: number };
  /** Every request must carry `Authorization: Bearer <token>`; null allows loopback addresses only. */
  token: string | null;
  logger: Logger;
  /** The dashboard: its page and statecharts at / and /dashboard/, the live feed at /api/events. */
  dashboard?: { live: LiveActorFeed; diagrams: DiagramSource };
  /** Hears of every 401 (peer, method, path, why; never the token). */
  securityAudit?: Pick<SecurityAudit, 'authenticationFailed'>;
}

export interface RunningApiServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  address: { host: string; port: number };
  /** Stops accepting, lets requests in flight finish (briefly), then closes every connection. */
  close(): Promise<void>;
}

/** How long close() waits for requests in flight before it cuts their connections. */
const CLOSE_GRACE_MS = 3_000;

type RequestGuard = (headers: IncomingMessage['headers']) => void;

export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const { api, listen, token, logger } = options;
  if (token === null) assertLoopbackHost(listen.host);
  const authenticate = token === null ? null : bearerCheck(token);
  const router = new Router(publisherRoutes(api));
  const assets = options.dashboard ? new DashboardAssets(options.dashboard.diagrams) : null;
  const streams = new Set<OpenStream>();
  let guard: RequestGuard = () => {
    throw new HttpError(503, 'the server is starting');
  };

  // requireHostHeader off: the local-request guard answers a missing Host itself (421), and behind
  // a token a Host is not needed.
  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000, requireHostHeader: false }, (req, res) => {
    void handle(req, res, { router, guard, authenticate, logger, assets, live: options.dashboard?.live ?? null, streams, securityAudit: options.securityAudit ?? null });
  });
  const address = await listenOn(server, listen);
  if (token === null && !isLoopbackAddress(address.host)) {
    // "localhost" resolved to something else: defence in depth, never serve beyond this machine.
    await new Promise((resolve) => server.close(resolve));
    assertLoopbackHost(address.host);
  }
  guard = token === null ? localRequestCheck(listen.host, address.port) : () => {};
  server.on('error', (err) => logger.error({ err }, 'HTTP API server error'));

  const url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  logger.info({ url, authenticated: token !== null }, 'HTTP API listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    address,
    close: () =>
      (closing ??= (() => {
        // Live streams never finish by themselves: end them, or close() would wait for its grace period.
        for (const stream of [...streams]) stream.end();
        return closeServer(server);
      })()),
  };
}

function listenOn(server: http.Server, listen: { host: string; port: number }): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`the HTTP API cannot listen on ${listen.host}:${listen.port}: ${err.code ?? err.message}`, { cause: err })));
    server.listen({ host: listen.host, port: listen.port }, () => {
      const info = server.address() as AddressInfo;
      resolve({ host: info.address, port: info.port });
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    cut.unref();
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

interface Handling {
  router: Router<RequestContext, Promise<Reply>>;
  guard: RequestGuard;
  authenticate: RequestGuard | null;
  logger: Logger;
  assets: DashboardAssets | null;
  live: LiveActorFeed | null;
  streams: Set<OpenStream>;
  securityAudit: Pick<SecurityAudit, 'authenticationFailed'> | null;
}

async function handle(req: IncomingMessage, res: ServerResponse, handling: Handling): Promise<void> {
  const { router, guard, authenticate, logger, assets, live, streams } = handling;
  const started = performance.now();
  const method = req.method ?? '';
  const target = req.url ?? '';
  const path = target.split('?')[0]!;
  let status: number;
  try {
    if (method === 'GET' && assets && DashboardAssets.owns(path)) {
      // The page and its files hold no data: served without a token (the page then asks for one),
      // but only to requests addressed to this machine when no token protects the server.
      guard(req.headers);
      const asset = await assets.get(path);
      res.writeHead(200, { ...DASHBOARD_HEADERS, 'Content-Type': asset.contentType, 'Content-Length': asset.body.length });
      res.end(asset.body);
      status = 200;
    } else if (method === 'GET' && live && path === '/api/events') {
      guard(req.headers);
      authenticate?.(req.headers);
      const stream = streamActors(req, res, live, () => streams.delete(stream));
      streams.add(stream);
      status = 200;
    } else {
      const reply = await answer(req, method, target, router, guard, authenticate);
      sendJson(res, reply.status, reply.body);
      status = reply.status;
    }
  } catch (err) {
    status = sendError(res, err, { method, path, logger });
    if (status === 401) {
      const peer = { address: req.socket.remoteAddress ?? 'unknown', port: req.socket.remotePort ?? 0 };
      handling.securityAudit?.authenticationFailed({ peer, method, path, reason: (err as Error).message });
    }
  }
  const ms = Math.round((performance.now() - started) * 10) / 10;
  logger.info({ method, path, status, ms }, 'HTTP API request');
}

async function answer(
  req: IncomingMessage,
  method: string,
  target: string,
  router: Router<RequestContext, Promise<Reply>>,
  guard: RequestGuard,
  authenticate: RequestGuard | null,
): Promise<Reply> {
  guard(req.headers);
  authenticate?.(req.headers);
  const { rawPath, query } = splitTarget(target);
  const { route, params } = router.match(method, rawPath);
  return route.handle({ query, operator: () => operatorFrom(req.headers), body: () => readJsonBody(req) }, params);
}

/** Answers an HttpError as itself and anything else as a 500 with a log line; returns the status. */
function sendError(res: ServerResponse, err: unknown, where: { method: string; path: string; logger: Logger }): number {
  const known = err instanceof HttpError ? err : null;
  if (!known) where.logger.error({ err, method: where.method, path: where.path }, 'HTTP API request failed inside the publisher');
  const status = known?.status ?? 500;
  if (res.headersSent) {
    res.destroy();
    return status;
  }
  const headers = { ...known?.headers, ...(known?.closeConnection ? { Connection: 'close' } : {}) };
  sendJson(res, status, { error: known?.message ?? 'internal error' }, headers);
  return status;
}
