// A small method-and-path router: patterns such as /api/studies/:uid/hold, matched segment by
// segment, with each parameter percent-decoded (a Study Instance UID keeps its dots; an encoded
// slash stays inside its segment). An unknown path is a 404; a known path with another method a 405.
import { HttpError } from './http-error.ts';

export type Method = 'GET' | 'POST';

export interface Route<Context, Result = unknown> {
  method: Method;
  /** Literal segments and `:name` parameters, e.g. `/api/jobs/:id/retry`. */
  pattern: string;
  handle(context: Context, params: Record<string, string>): Result;
}

export interface Match<Context, Result> {
  route: Route<Context, Result>;
  params: Record<string, string>;
}

export class Router<Context, Result = unknown> {
  private readonly compiled: { route: Route<Context, Result>; segments: string[] }[];

  constructor(readonly routes: readonly Route<Context, Result>[]) {
    this.compiled = routes.map((route) => ({ route, segments: route.pattern.split('/').slice(1) }));
  }

  /** The route for this method and raw (still percent-encoded) path, or the HttpError to answer. */
  match(method: string, rawPath: string): Match<Context, Result> {
    const segments = rawPath.split('/').slice(1);
    const allowed = new Set<Method>();
    for (const { route, segments: pattern } of this.compiled) {
      if (!sameShape(pattern, segments)) continue;
      if (route.method === method) return { route, params: decodeParams(pattern, segments) };
      allowed.add(route.method);
    }
    if (allowed.size === 0) throw new HttpError(404, `no such endpoint: ${rawPath}`);
    const allow = [...allowed].sort().join(', ');
    throw new HttpError(405, `${method} is not allowed here (allowed: ${allow})`, { Allow: allow });
  }
}

function sameShape(pattern: string[], segments: string[]): boolean {
  if (pattern.length !== segments.length) return false;
  return pattern.every((part, i) => (part.startsWith(':') ? segments[i] !== '' : part === segments[i]));
}

function decodeParams(pattern: string[], segments: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  pattern.forEach((part, i) => {
    if (!part.startsWith(':')) return;
    const raw = segments[i]!;
    try {
      params[part.slice(1)] = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, `malformed percent-encoding in the path: ${raw}`);
    }
  });
  return params;
}
