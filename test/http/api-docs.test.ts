// docs/api.md against the code: one section per endpoint of the route table and no other, each with
// a curl example of that method and path and JSON examples that parse, and the limits it quotes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../adapters/http/json-body.ts';
import {
  MAX_HOLD_REASON_LENGTH, MAX_SIMULATOR_BIN, MAX_SIMULATOR_BIN_COUNT, MAX_SIMULATOR_SLOT, MAX_SIMULATOR_TEXT_LENGTH, publisherRoutes, SIMULATOR_FIELDS,
} from '../../adapters/http/publisher-routes.ts';
import { MAX_AUDIT_LIMIT } from '../../adapters/http/request-input.ts';
import { MAX_COPIES } from '../../src/config/defaults.ts';
import { FakePublisherApi } from './fake-publisher-api.ts';

const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
const routes = publisherRoutes(new FakePublisherApi()).map((route) => `${route.method} ${route.pattern}`);

/** The endpoint sections: `### METHOD /path` and the text up to the next heading. */
function sections(): Map<string, string> {
  const found = new Map<string, string>();
  const parts = doc.split(/^### /m).slice(1);
  for (const part of parts) {
    const [heading = '', ...rest] = part.split('\n');
    if (/^(GET|POST) \//.test(heading)) found.set(heading.trim(), rest.join('\n').split(/^## /m)[0]!);
  }
  return found;
}

/** A pattern's path as a regular expression: each :param stands for one non-empty segment. */
function pathPattern(pattern: string): RegExp {
  const body = pattern.split('/').map((part) => (part.startsWith(':') ? '[^/?\\s\']+' : part.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))).join('/');
  return new RegExp(`^${body}(\\?[^\\s']*)?$`);
}

describe('docs/api.md', () => {
  it('has one section per endpoint, and none for an endpoint that does not exist', () => {
    expect([...sections().keys()].sort()).toEqual([...routes].sort());
  });

  it.each(routes)('%s has a curl example of that method and path, and its JSON examples parse', (route) => {
    const text = sections().get(route)!;
    const [method, pattern] = route.split(' ') as [string, string];
    const curls = [...text.replace(/\\\n\s*/g, ' ').matchAll(/^curl (.+)$/gm)].map((m) => m[1]!);
    expect(curls.length).toBeGreaterThan(0);
    for (const curl of curls) {
      expect(curl.includes('-X POST')).toBe(method === 'POST');
      const url = /'?http:\/\/127\.0\.0\.1:8080([^\s']*)'?$/.exec(curl)?.[1];
      expect(url, curl).toMatch(pathPattern(pattern));
    }
    const blocks = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(() => JSON.parse(block), block).not.toThrow();
  });

  it('quotes the limits the code enforces', () => {
    expect(MAX_BODY_BYTES).toBe(64 * 1024);
    expect(doc).toContain('at most 64 KiB');
    expect(doc).toContain(`at most ${MAX_HOLD_REASON_LENGTH} characters`);
    expect(doc).toContain(`whole number from 1 to ${MAX_COPIES}`);
    expect(doc).toContain(`whole number from 1 to ${MAX_AUDIT_LIMIT}`);
    expect(doc).toContain(`\`bin\`, a whole number from 1 to ${MAX_SIMULATOR_BIN}`);
    expect(doc).toContain(`whole number from 0 to ${MAX_SIMULATOR_BIN_COUNT}`);
    expect(doc).toContain(`\`slot\`, a whole number from 1 to ${MAX_SIMULATOR_SLOT}`);
    expect(doc).toContain(`Strings are at most ${MAX_SIMULATOR_TEXT_LENGTH} characters`);
  });

  it('lists every kind of simulator action with exactly its fields', () => {
    const section = sections().get('POST /api/robots/:name/simulator')!;
    for (const [kind, fields] of Object.entries(SIMULATOR_FIELDS)) {
      const row = new RegExp(`^\\| \`${kind}\` \\| (.*) \\|$`, 'm').exec(section);
      expect(row, kind).not.toBeNull();
      const named = [...row![1]!.matchAll(/(?:^|; )`(\w+)`/g)].map((m) => m[1]);
      expect(named, kind).toEqual([...fields]);
    }
  });
});
