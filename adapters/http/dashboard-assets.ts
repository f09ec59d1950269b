// The dashboard's files: the page and its scripts and styles from src/dashboard/, and the statechart
// SVGs rendered from the machine definitions. Only names listed in that folder are served (no path
// from the request ever reaches the file system), with a Content-Security-Policy that lets the page
// load and connect to nothing but this server.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError } from './http-error.ts';

export const DASHBOARD_DIR = fileURLToPath(new URL('../../src/dashboard/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
};

/** Nothing from elsewhere: no CDN, no font service, no analytics, even if the page asked for it. */
export const DASHBOARD_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const DASHBOARD_HEADERS: Record<string, string> = {
  'Content-Security-Policy': DASHBOARD_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // The files change with the software; the browser asks again each time (cheap, local).
  'Cache-Control': 'no-cache',
};

export interface Asset {
  contentType: string;
  body: Buffer;
}

export type DiagramSource = (machineId: string) => Promise<string | undefined>;

export class DashboardAssets {
  private readonly files: Map<string, string>;

  constructor(
    private readonly diagrams: DiagramSource,
    private readonly dir: string = DASHBOARD_DIR,
  ) {
    this.files = new Map(
      readdirSync(dir)
        .filter((name) => Object.hasOwn(CONTENT_TYPES, path.extname(name)))
        .map((name) => [name, path.join(dir, name)]),
    );
  }

  /** Whether a GET of this path is a dashboard file (answered without a token: files hold no data). */
  static owns(pathname: string): boolean {
    return pathname === '/' || pathname.startsWith('/dashboard/');
  }

  async get(pathname: string): Promise<Asset> {
    const diagram = /^\/dashboard\/diagrams\/([A-Za-z][A-Za-z0-9]*)\.svg$/.exec(pathname);
    if (diagram) {
      const svg = await this.diagrams(diagram[1]!);
      if (svg === undefined) throw new HttpError(404, `no statechart ${diagram[1]}`);
      return { contentType: CONTENT_TYPES['.svg']!, body: Buffer.from(svg, 'utf8') };
    }
    const name = pathname === '/' ? 'index.html' : pathname.slice('/dashboard/'.length);
    const file = this.files.get(name);
    if (file === undefined) throw new HttpError(404, `no dashboard file ${name}`);
    return { contentType: CONTENT_TYPES[path.extname(name)]!, body: readFileSync(file) };
  }
}
