// Defences for a server that asks for no token: it may only listen on a loopback address, and it
// answers only requests addressed to that loopback name, so a web page whose host name was rebound
// to 127.0.0.1 (DNS rebinding), or that posts across origins, cannot drive the publisher.
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from '../../src/config/listen-address.ts';
import { HttpError } from './http-error.ts';

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8, with or without the brackets of a URL. */
export function isLoopbackAddress(address: string): boolean {
  return isLoopbackHost(address.replace(/^\[(.*)\]$/, '$1'));
}

/** Throws before binding when an unauthenticated server was asked to listen beyond this machine. */
export function assertLoopbackHost(host: string): void {
  if (host.toLowerCase() === 'localhost' || isLoopbackAddress(host)) return;
  throw new Error(
    `the HTTP API without a token may only listen on a loopback address (127.0.0.0/8 or ::1), not "${host}": ` +
      'set an API token to listen on other addresses',
  );
}

/**
 * A check of the Host header (and the Origin header, when a browser sends one): the name must be
 * localhost, a loopback address or the configured host, with the bound port if a port is given.
 */
export function localRequestCheck(configuredHost: string, port: number): (headers: IncomingHttpHeaders) => void {
  const isLocal = (authority: string) => isLocalAuthority(authority, configuredHost, port);
  return (headers) => {
    const host = headers.host;
    if (host === undefined || !isLocal(host)) {
      throw new HttpError(421, 'this server answers only requests addressed to localhost or its loopback address');
    }
    const origin = headers.origin;
    if (origin !== undefined && !isLocal(originAuthority(origin))) {
      throw new HttpError(403, 'requests from other origins are refused');
    }
  };
}

function isLocalAuthority(authority: string, configuredHost: string, port: number): boolean {
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d+))?$/.exec(authority.trim());
  if (!match) return false;
  const name = match[1]!.toLowerCase();
  if (match[2] !== undefined && Number(match[2]) !== port) return false;
  return name === 'localhost' || name === configuredHost.toLowerCase() || isLoopbackAddress(name);
}

/** `http://127.0.0.1:8080` → `127.0.0.1:8080`; an opaque origin ('null') matches nothing. */
function originAuthority(origin: string): string {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:') return '';
    return url.port === '' ? `${url.hostname}:80` : url.host;
  } catch {
    return '';
  }
}
