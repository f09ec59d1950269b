// Server-Sent Events of the live actor feed (GET /api/events): the first message lists every actor,
// later ones only the actors that changed. A comment line every few seconds keeps proxies and the
// browser from closing a quiet stream. The dashboard reads it with fetch (not EventSource), so the
// stream sits behind the same bearer token as every other data endpoint.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LiveActorFeed, LiveActorState } from '../../src/api/live-feed.ts';

const HEARTBEAT_MS = 15_000;

export interface OpenStream {
  /** Ends the stream (server shutdown). */
  end(): void;
}

function message(actors: readonly LiveActorState[]): string {
  return `event: actors\ndata: ${JSON.stringify({ actors })}\n\n`;
}

/** Answers the request with the live feed until the client goes away or end() is called. */
export function streamActors(req: IncomingMessage, res: ServerResponse, feed: LiveActorFeed, onEnd: () => void): OpenStream {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    Connection: 'keep-alive',
  });
  res.write(message(feed.list()));
  const unsubscribe = feed.subscribe((changed) => {
    if (changed.length > 0) res.write(message(changed));
  });
  const heartbeat = setInterval(() => res.write(': alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    unsubscribe();
    onEnd();
  };
  req.on('close', finish);
  res.on('error', finish);
  return {
    end() {
      finish();
      res.end();
    },
  };
}
