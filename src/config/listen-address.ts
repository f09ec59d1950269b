// The HTTP API's `ADDRESS:PORT` text (http.listen, --http): parsing it, and telling whether it keeps
// the API on this host. IPv6 addresses are written in brackets, as in URLs: [::1]:8080.
import { isIPv4, isIPv6 } from 'node:net';

export interface HttpListenAddress {
  /** The address without brackets, as node's server.listen takes it. */
  host: string;
  /** 0 asks the system for a free port (tests). */
  port: number;
}

/** `127.0.0.1:8080` or `[::1]:8080` as host and port, or undefined when it is neither. */
export function parseListenAddress(text: string): HttpListenAddress | undefined {
  const match = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const [, host = '', portText = ''] = match;
  const bracketed = text.startsWith('[');
  if (bracketed ? !isIPv6(host) : !isIPv4(host)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  return { host, port };
}

/** Whether only this host can reach the address: 127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6. */
export function isLoopbackHost(host: string): boolean {
  if (isIPv4(host)) return host.startsWith('127.');
  if (!isIPv6(host)) return false;
  const lower = host.toLowerCase();
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
  if (mapped) return mapped.startsWith('127.');
  // every spelling of ::1 (e.g. 0:0:0:0:0:0:0:1) expands to seven zero groups and a 1
  return expandIPv6(lower) === '0000:0000:0000:0000:0000:0000:0000:0001';
}

function expandIPv6(host: string): string {
  const [head = '', tail] = host.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right].map((g) => g.padStart(4, '0')).join(':');
}
