// The live feed (Server-Sent Events at /api/events), read with fetch so the API token can travel
// as a header (EventSource cannot send one). Reconnects with a growing pause when the publisher
// restarts; the first message after each connection lists every actor again.
import { headers } from './api.js';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/** Parses "event: x\ndata: y\n\n" blocks out of a growing text; returns what is left over. */
function takeMessages(buffer, onMessage) {
  let rest = buffer;
  let end;
  while ((end = rest.indexOf('\n\n')) >= 0) {
    const block = rest.slice(0, end);
    rest = rest.slice(end + 2);
    let event = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) onMessage(event, data.join('\n'));
  }
  return rest;
}

/**
 * Follows the feed for as long as the page lives.
 * onActors(actors, { full }): full is true for the first message of a connection.
 * onConnection(state): 'live' | 'reconnecting' | 'unauthorized'.
 */
export function followLiveFeed({ onActors, onConnection }) {
  let pause = RETRY_MIN_MS;
  const run = async () => {
    for (;;) {
      try {
        const response = await fetch('/api/events', { headers: headers(), cache: 'no-store' });
        if (response.status === 401) {
          onConnection('unauthorized');
          await new Promise((resolve) => setTimeout(resolve, 2000));
          continue;
        }
        if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
        onConnection('live');
        pause = RETRY_MIN_MS;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        let first = true;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = takeMessages(buffer + value, (event, data) => {
            if (event !== 'actors') return;
            onActors(JSON.parse(data).actors, { full: first });
            first = false;
          });
        }
      } catch {
        // The publisher went away or the network dropped: try again below.
      }
      onConnection('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, RETRY_MAX_MS);
    }
  };
  void run();
}
