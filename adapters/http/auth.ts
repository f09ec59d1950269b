// Bearer-token authentication of every request. The comparison runs in constant time over digests
// of the two tokens, so neither the content nor the length of the token leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from './http-error.ts';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="discrobot"' };

/** A token an Authorization header can carry: visible ASCII, no spaces. */
export function assertUsableToken(token: string): void {
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new Error('the API token must be a non-empty string of visible ASCII characters without spaces');
  }
}

/** A check that throws 401 unless the request carries `Authorization: Bearer <token>`. */
export function bearerCheck(token: string): (headers: IncomingHttpHeaders) => void {
  assertUsableToken(token);
  const expected = digest(token);
  return (headers) => {
    const header = headers.authorization;
    if (header === undefined) throw new HttpError(401, 'authentication required: send Authorization: Bearer <token>', CHALLENGE);
    const match = /^bearer +(\S+) *$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      throw new HttpError(401, 'the bearer token is wrong', CHALLENGE);
    }
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
