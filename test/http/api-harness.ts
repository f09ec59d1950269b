// Starts the HTTP API over a FakePublisherApi on 127.0.0.1, port 0, with its log lines captured,
// and offers a raw node:http client for what fetch will not send (a Host header, odd targets).
import http from 'node:http';
import pino from 'pino';
import { startApiServer, type RunningApiServer } from '../../adapters/http/api-server.ts';
import { FakePublisherApi } from './fake-publisher-api.ts';

export interface ApiHarness {
  api: FakePublisherApi;
  server: RunningApiServer;
  logLines: Record<string, unknown>[];
  /** fetch against the server: `call('/api/health')`. */
  call(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(options: { token?: string | null; host?: string } = {}): Promise<ApiHarness> {
  const api = new FakePublisherApi();
  const logLines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
  const server = await startApiServer({ api, listen: { host: options.host ?? '127.0.0.1', port: 0 }, token: options.token ?? null, logger });
  return {
    api,
    server,
    logLines,
    call: (path, init) => fetch(`${server.url}${path}`, init),
    close: () => server.close(),
  };
}

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request over node:http, headers exactly as given (Host included), body written as is. */
export function rawRequest(
  address: { host: string; port: number },
  request: { method?: string; path: string; headers?: Record<string, string | number>; body?: Buffer | string; setHost?: boolean },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: address.host,
        port: address.port,
        method: request.method ?? 'GET',
        path: request.path,
        headers: request.headers,
        setHost: request.setHost ?? true,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}
