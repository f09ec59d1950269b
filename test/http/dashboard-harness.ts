// The dashboard's server side under test: the HTTP API started with a `dashboard` option (a live
// feed and a statechart source the test controls) over a FakePublisherApi, a wrapper that counts a
// feed's subscribers, and a Server-Sent Events reader over fetch, as the page reads the stream.
import pino from 'pino';
import { startApiServer, type RunningApiServer } from '../../adapters/http/api-server.ts';
import type { DiagramSource } from '../../adapters/http/dashboard-assets.ts';
import type { LiveActorFeed, LiveActorsListener, LiveActorState } from '../../src/api/live-feed.ts';
import { FakePublisherApi } from './fake-publisher-api.ts';

export interface DashboardHarness {
  api: FakePublisherApi;
  server: RunningApiServer;
  /** The machine ids the server asked the statechart source for. */
  diagramRequests: string[];
  logLines: Record<string, unknown>[];
  call(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Statecharts the fake source knows: machine id → SVG text. */
export const KNOWN_DIAGRAMS: Readonly<Record<string, string>> = {
  publisher: '<svg xmlns="http://www.w3.org/2000/svg"><g id="state:running"><title>publisher chart</title></g></svg>',
  discJob: '<svg xmlns="http://www.w3.org/2000/svg"><g id="state:disc.burning"><title>discJob chart</title></g></svg>',
};

export async function startDashboardHarness(options: { live: LiveActorFeed; token?: string | null }): Promise<DashboardHarness> {
  const api = new FakePublisherApi();
  const diagramRequests: string[] = [];
  const diagrams: DiagramSource = async (machineId) => {
    diagramRequests.push(machineId);
    return Object.hasOwn(KNOWN_DIAGRAMS, machineId) ? KNOWN_DIAGRAMS[machineId] : undefined;
  };
  const logLines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
  const server = await startApiServer({
    api,
    listen: { host: '127.0.0.1', port: 0 },
    token: options.token ?? null,
    logger,
    dashboard: { live: options.live, diagrams },
  });
  return {
    api,
    server,
    diagramRequests,
    logLines,
    call: (path, init) => fetch(`${server.url}${path}`, init),
    close: () => server.close(),
  };
}

/** Wraps a feed to count its open subscriptions. */
export class CountingFeed implements LiveActorFeed {
  subscribers = 0;

  constructor(private readonly inner: LiveActorFeed) {}

  list(): LiveActorState[] {
    return this.inner.list();
  }

  subscribe(listener: LiveActorsListener): () => void {
    const unsubscribe = this.inner.subscribe(listener);
    this.subscribers += 1;
    let done = false;
    return () => {
      if (!done) this.subscribers -= 1;
      done = true;
      unsubscribe();
    };
  }
}

export interface SseMessage {
  event: string;
  data: string;
}

/** How the stream's body finished: a clean end of the response, or a failure (cut, aborted). */
export type StreamEnd = { how: 'end' } | { how: 'error'; error: unknown };

export interface EventStreamReader {
  response: Response;
  /** Every message read so far (comment lines such as heartbeats are not messages). */
  messages: SseMessage[];
  /** The next message not yet returned; rejects when the stream ends first. */
  next(): Promise<SseMessage>;
  /** Settles when the body ends, how it ended. */
  ended: Promise<StreamEnd>;
  /** Goes away as a closing browser tab would. */
  disconnect(): void;
}

/** Parses one SSE block ("event: x\ndata: y"); undefined for a block of comments only. */
function parseBlock(block: string): SseMessage | undefined {
  let event = 'message';
  const data: string[] = [];
  let fields = 0;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    fields += 1;
    if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
  }
  return fields === 0 ? undefined : { event, data: data.join('\n') };
}

export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStreamReader> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const messages: SseMessage[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  const notify = () => {
    const waiting = wake;
    wake = null;
    waiting?.();
  };

  const ended = (async (): Promise<StreamEnd> => {
    if (response.body === null) return { how: 'end' };
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { how: 'end' };
        buffer += value;
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const message = parseBlock(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
          if (message) messages.push(message);
        }
        notify();
      }
    } catch (error) {
      return { how: 'error', error };
    } finally {
      finished = true;
      notify();
    }
  })();

  let read = 0;
  return {
    response,
    messages,
    ended,
    async next() {
      while (read >= messages.length) {
        if (finished) throw new Error(`the stream ended after ${messages.length} messages`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
      return messages[read++]!;
    },
    disconnect: () => controller.abort(),
  };
}

/** The actors of an `event: actors` message. */
export function actorsOf(message: SseMessage): LiveActorState[] {
  if (message.event !== 'actors') throw new Error(`expected an actors message, got "${message.event}"`);
  return (JSON.parse(message.data) as { actors: LiveActorState[] }).actors;
}
