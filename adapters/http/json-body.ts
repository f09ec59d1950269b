// Reads a request body as JSON: at most a byte limit (413 beyond it), JSON media type only (415),
// strict UTF-8 and well-formed JSON (400 naming the problem). An empty body reads as undefined.
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * An oversized body is read on and thrown away up to this many bytes, so the client, still sending,
 * gets its 413 rather than a reset connection; a body larger still is cut off.
 */
const DISCARD_LIMIT_BYTES = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const raw = await readLimited(req, limit);
  if (raw.length === 0) return undefined;
  if (!isJsonMediaType(req.headers['content-type'])) {
    throw new HttpError(415, 'the body must be JSON (Content-Type: application/json)');
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new HttpError(400, 'malformed JSON: the body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `malformed JSON: ${(err as Error).message}`);
  }
}

function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...params] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  // JSON is UTF-8 (RFC 8259); a charset, if named, must say so.
  return params.every((param) => !param.startsWith('charset=') || /^charset="?utf-8"?$/.test(param));
}

function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > DISCARD_LIMIT_BYTES) return Promise.reject(tooLarge(limit, true));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let overflow = declared > limit;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > DISCARD_LIMIT_BYTES) {
        cleanup();
        reject(tooLarge(limit, true));
      } else if (received > limit) {
        overflow = true;
        chunks.length = 0;
      } else if (!overflow) {
        chunks.push(chunk);
      }
    };
    const onEnd = () => {
      cleanup();
      if (overflow) reject(tooLarge(limit, false));
      else resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new HttpError(400, `the request body could not be read: ${err.message}`, {}, true));
    };
    const onClose = () => onError(new Error('the client went away'));
    function cleanup(): void {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function tooLarge(limit: number, closeConnection: boolean): HttpError {
  return new HttpError(413, `the body is larger than ${limit} bytes`, {}, closeConnection);
}
