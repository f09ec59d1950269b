// What a request says besides its body: the operator named in X-Operator (recorded in the audit
// trail as operator:<name>) and the query parameters of the list endpoints.
import type { IncomingHttpHeaders } from 'node:http';
import type { Operator } from '../../src/api/publisher-api.ts';
import { HttpError } from './http-error.ts';

export const DEFAULT_OPERATOR = 'api';
export const MAX_AUDIT_LIMIT = 10_000;

/** The X-Operator header: 1 to 64 printable ASCII characters; absent means 'api'. */
export function operatorFrom(headers: IncomingHttpHeaders): Operator {
  const value = headers['x-operator'];
  if (value === undefined) return { name: DEFAULT_OPERATOR };
  const name = (Array.isArray(value) ? value.join(', ') : value).trim();
  if (!/^[\x20-\x7e]{1,64}$/.test(name)) {
    throw new HttpError(400, 'X-Operator: must be 1 to 64 printable ASCII characters');
  }
  return { name };
}

/** An optional query parameter given at most once; an empty value counts as absent. */
export function optionalParam(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw new HttpError(422, `${name}: give this query parameter once`);
  const value = values[0];
  return value === undefined || value === '' ? undefined : value;
}

export function optionalLimit(query: URLSearchParams, name: string): number | undefined {
  const value = optionalParam(query, name);
  if (value === undefined) return undefined;
  const limit = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_AUDIT_LIMIT)) {
    throw new HttpError(422, `${name}: must be a whole number from 1 to ${MAX_AUDIT_LIMIT}`);
  }
  return limit;
}

/** Splits a request target into its raw path and its query; only origin-form (/path?query) is served. */
export function splitTarget(target: string): { rawPath: string; query: URLSearchParams } {
  if (!target.startsWith('/')) throw new HttpError(400, 'the request target must be a path');
  const at = target.indexOf('?');
  const rawPath = at < 0 ? target : target.slice(0, at);
  return { rawPath, query: new URLSearchParams(at < 0 ? '' : target.slice(at + 1)) };
}
