// The dashboard's files through the real HTTP server: the page at /, its scripts and styles at
// /dashboard/<name>, the statecharts at /dashboard/diagrams/<id>.svg, each with a policy that lets
// the page load nothing from elsewhere. Only names the folder holds are served (no traversal);
// the files need no token but pass the Host guard. And the files themselves: every one is served,
// none names another origin, and the scripts import only each other.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DASHBOARD_DIR, DASHBOARD_POLICY } from '../../adapters/http/dashboard-assets.ts';
import { LiveActors } from '../../src/publisher/live-actors.ts';
import { rawRequest } from './api-harness.ts';
import { KNOWN_DIAGRAMS, startDashboardHarness, type DashboardHarness } from './dashboard-harness.ts';

const TOKEN = 'dashboard-files-token_0123456789';
const DASHBOARD_FILES = readdirSync(DASHBOARD_DIR).sort();
const PAGE_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
};
/** A file outside src/dashboard/ that a traversal would reach, and a line of it that must not leak. */
const PACKAGE_JSON = readFileSync(path.join(DASHBOARD_DIR, '../../package.json'), 'utf8');
const PACKAGE_NAME_LINE = /"name":\s*"[^"]+"/.exec(PACKAGE_JSON)![0];

function readDashboardFile(name: string): string {
  return readFileSync(path.join(DASHBOARD_DIR, name), 'utf8');
}

function expectPageHeaders(headers: Headers | Record<string, string | string[] | undefined>): void {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : headers[name]);
  expect(get('content-security-policy')).toBe(DASHBOARD_POLICY);
  expect(get('x-content-type-options')).toBe('nosniff');
  expect(get('referrer-policy')).toBe('no-referrer');
}

let live: LiveActors;
beforeAll(() => {
  live = new LiveActors();
});
afterAll(() => live.close());

describe('without a token', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await startDashboardHarness({ live });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.diagramRequests.length = 0;
  });

  it('answers / with index.html, its policy allowing nothing but this server', async () => {
    const res = await h.call('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expectPageHeaders(res.headers);
    expect(await res.text()).toBe(readDashboardFile('index.html'));
    expect(DASHBOARD_POLICY).toContain("default-src 'none'");
    expect(DASHBOARD_POLICY).toContain("connect-src 'self'");
    expect(DASHBOARD_POLICY).not.toMatch(/https?:|\*|'unsafe-/);
  });

  it('answers /dashboard/app.js as JavaScript (a module script must be)', async () => {
    const res = await h.call('/dashboard/app.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expectPageHeaders(res.headers);
    expect(await res.text()).toBe(readDashboardFile('app.js'));
  });

  it('serves every file src/dashboard/ holds, as it is, with its type and the policy', async () => {
    expect(DASHBOARD_FILES).toEqual(expect.arrayContaining(['index.html', 'app.js', 'style.css']));
    for (const name of DASHBOARD_FILES) {
      const res = await h.call(`/dashboard/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toBe(PAGE_TYPES[path.extname(name)]);
      expectPageHeaders(res.headers);
      expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(path.join(DASHBOARD_DIR, name))), name).toBe(true);
    }
  });

  it.each([
    '/dashboard/',
    '/dashboard/nothing.js',
    '/dashboard/App.js',
    '/dashboard/app.js.map',
    '/dashboard/sub/x.js',
    '/dashboard/../package.json',
    '/dashboard/%2e%2e/package.json',
    '/dashboard/..%2fpackage.json',
    '/dashboard/%2e%2e%2f%2e%2e%2fpackage.json',
    '/dashboard/..\\..\\package.json',
    '/dashboard//etc/passwd',
    '/dashboard/./app.js',
    '/dashboard/diagrams/../../package.json',
  ])('%s is a 404 that shows no file', async (target) => {
    // node:http sends the target exactly as written (fetch would resolve the dots first).
    const answer = await rawRequest(h.server.address, { path: target });
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.keys(JSON.parse(answer.body))).toEqual(['error']);
    expect(answer.body).not.toContain(PACKAGE_NAME_LINE);
    expect(answer.body).not.toContain('root:');
    expect(answer.body).not.toContain('import {');
  });

  it('serves a statechart its source knows as SVG, with the policy', async () => {
    const res = await h.call('/dashboard/diagrams/discJob.svg');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expectPageHeaders(res.headers);
    expect(await res.text()).toBe(KNOWN_DIAGRAMS.discJob);
    expect(h.diagramRequests).toEqual(['discJob']);
  });

  it('answers a statechart its source does not know with a 404', async () => {
    const res = await h.call('/dashboard/diagrams/association.svg');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no statechart association' });
    expect(h.diagramRequests).toEqual(['association']);
  });

  it.each([
    '/dashboard/diagrams/../x.svg',
    '/dashboard/diagrams/a-b.svg',
    '/dashboard/diagrams/1publisher.svg',
    '/dashboard/diagrams/publisher.svg.svg',
    '/dashboard/diagrams/publisher',
    '/dashboard/diagrams/publisher.SVG',
    '/dashboard/diagrams/%70ublisher.svg',
    '/dashboard/diagrams/sub/publisher.svg',
    '/dashboard/diagrams/.svg',
  ])('a malformed statechart name %s is a 404 the source never hears of', async (target) => {
    const answer = await rawRequest(h.server.address, { path: target });
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('<svg');
    expect(h.diagramRequests).toEqual([]);
  });

  it.each([
    ['a foreign name', () => 'evil.example'],
    ['a rebound name with the port', () => `localhost.evil.example:${h.server.address.port}`],
    ['another port', () => `127.0.0.1:${h.server.address.port + 1}`],
  ])('refuses the page to a request addressed to %s (421, DNS rebinding)', async (_, host) => {
    for (const target of ['/', '/dashboard/app.js', '/dashboard/diagrams/publisher.svg']) {
      const answer = await rawRequest(h.server.address, { path: target, headers: { host: host() } });
      expect(answer.status, target).toBe(421);
      expect(answer.body).not.toContain('<');
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    }
    const missing = await rawRequest(h.server.address, { path: '/', setHost: false });
    expect(missing.status).toBe(421);
    expect(h.diagramRequests).toEqual([]);
  });

  it('answers the page addressed to localhost or the loopback address', async () => {
    for (const host of [`localhost:${h.server.address.port}`, `127.0.0.1:${h.server.address.port}`]) {
      const answer = await rawRequest(h.server.address, { path: '/', headers: { host } });
      expect(answer.status).toBe(200);
      expect(answer.body).toBe(readDashboardFile('index.html'));
    }
  });

  it('only GET reads the files', async () => {
    const res = await h.call('/dashboard/app.js', { method: 'POST' });
    expect(res.status).not.toBe(200);
    expect(await res.text()).not.toContain('import {');
  });
});

describe('with a token', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await startDashboardHarness({ live, token: TOKEN });
  });
  afterAll(() => h.close());

  it('serves the page files without the token: they hold no data', async () => {
    for (const target of ['/', '/dashboard/app.js', '/dashboard/style.css', '/dashboard/diagrams/publisher.svg']) {
      const res = await h.call(target);
      expect(res.status, target).toBe(200);
      expectPageHeaders(res.headers);
    }
  });

  it('still wants the token for data: /api/studies', async () => {
    const refused = await h.call('/api/studies');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="discrobot"');
    expect(h.api.callsOf('listStudies')).toEqual([]);

    const answered = await h.call('/api/studies', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(answered.status).toBe(200);
    expect(h.api.callsOf('listStudies')).toHaveLength(1);
  });

  it('a traversal is still a 404 without the token', async () => {
    const answer = await rawRequest(h.server.address, { path: '/dashboard/../package.json' });
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain(PACKAGE_NAME_LINE);
  });
});

describe('the files of src/dashboard/', () => {
  const pageFiles = DASHBOARD_FILES.filter((name) => Object.hasOwn(PAGE_TYPES, path.extname(name)));
  const scripts = DASHBOARD_FILES.filter((name) => name.endsWith('.js'));

  it('are all page files (html, js, css, svg): nothing else sits where the server reads', () => {
    expect(pageFiles).toEqual(DASHBOARD_FILES);
    expect(scripts.length).toBeGreaterThan(1);
  });

  it('index.html loads only files of this server (or inline data:)', () => {
    const html = readDashboardFile('index.html');
    const references = [...html.matchAll(/\s(?:src|href|action|formaction|poster|data)\s*=\s*["']([^"']*)["']/gi)].map((match) => match[1]!);
    expect(references).toEqual(expect.arrayContaining(['/dashboard/app.js', '/dashboard/style.css']));
    for (const reference of references) {
      if (reference.startsWith('data:')) continue;
      expect(reference, reference).toMatch(/^\/dashboard\/[A-Za-z0-9._-]+$/);
      expect(DASHBOARD_FILES, reference).toContain(reference.slice('/dashboard/'.length));
    }
  });

  it('hold nothing the policy would block: no inline script, style or handler, no eval', () => {
    const html = readDashboardFile('index.html');
    const scriptTags = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scriptTags.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scriptTags) {
      expect(attributes).toMatch(/\ssrc=/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
    for (const name of scripts) {
      const text = readDashboardFile(name);
      expect(text, name).not.toMatch(/\b(?:eval|Function)\s*\(|setTimeout\(\s*["'`]|setInterval\(\s*["'`]/);
      // A style attribute set from script is blocked by style-src 'self' too.
      expect(text, name).not.toMatch(/setAttribute\(\s*["']style["']|[{,]\s*style\s*:/);
      expect(text, name).not.toMatch(/\.innerHTML\s*=|insertAdjacentHTML|document\.write/);
    }
  });

  it('name no other origin: no http:, https:, ws: or protocol-relative // address in the page, the scripts or the styles', () => {
    for (const name of pageFiles) {
      const text = readDashboardFile(name);
      // Comments may say anything; the code and markup may not name another origin.
      // (An XML namespace is a name, not an address: an SVG's xmlns is fetched from nowhere.)
      const code = /\.(html|svg)$/.test(name) ? text.replace(/<!--[\s\S]*?-->/g, '').replace(/\sxmlns(?::\w+)?="[^"]*"/g, '') : text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
      expect(code, name).not.toMatch(/\b(?:https?|wss?|ftp):/i);
      expect(code, name).not.toMatch(/["'`(=]\s*\/\/[^/\s]/);
      expect(code, name).not.toMatch(/@import/i);
    }
  });

  it('the scripts import only ./<name>.js modules that exist, and only names those modules export', () => {
    const exportsOf = (name: string) => {
      const text = readDashboardFile(name);
      const declared = [...text.matchAll(/^export\s+(?:async\s+)?(?:function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]!);
      const listed = [...text.matchAll(/^export\s*\{([^}]*)\}/gm)].flatMap((m) => m[1]!.split(',').map((part) => part.trim().split(/\s+as\s+/).at(-1)!));
      return new Set([...declared, ...listed].filter(Boolean));
    };
    let imports = 0;
    for (const name of scripts) {
      const text = readDashboardFile(name);
      const specifiers = [...text.matchAll(/\bimport\s*(?:[\s\S]*?\bfrom\s*)?["']([^"']+)["']|\bimport\s*\(\s*["'`]([^"'`]+)/g)].map((m) => m[1] ?? m[2]!);
      const named = [...text.matchAll(/\bimport\s*\{([^}]*)\}\s*from\s*["']([^"']+)["']/g)];
      expect(specifiers.length, name).toBe(named.length);
      for (const specifier of specifiers) {
        expect(specifier, `${name} imports ${specifier}`).toMatch(/^\.\/[A-Za-z0-9_-]+\.js$/);
        expect(scripts, `${name} imports ${specifier}`).toContain(specifier.slice(2));
      }
      for (const [, list, specifier] of named) {
        const exported = exportsOf(specifier!.slice(2));
        for (const item of list!.split(',').map((part) => part.trim()).filter(Boolean)) {
          const imported = item.split(/\s+as\s+/)[0]!;
          expect(exported.has(imported), `${name} imports ${imported} from ${specifier}`).toBe(true);
          imports += 1;
        }
      }
    }
    expect(imports).toBeGreaterThan(0);
  });
});
