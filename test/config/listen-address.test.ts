// The HTTP API's ADDRESS:PORT: parsed into what node's listen takes, and loopback told apart from
// addresses other hosts can reach (those need a token).
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseListenAddress } from '../../src/config/listen-address.ts';

describe('parseListenAddress', () => {
  it('reads IPv4 as is and IPv6 in brackets, ports 0 to 65535', () => {
    expect(parseListenAddress('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListenAddress('[fe80::1:2]:65535')).toEqual({ host: 'fe80::1:2', port: 65535 });
    expect(parseListenAddress('0.0.0.0:443')).toEqual({ host: '0.0.0.0', port: 443 });
  });

  it('refuses names, bare IPv6, missing or out-of-range ports', () => {
    for (const text of ['localhost:80', '::1:80', '[::1]', '127.0.0.1', '127.0.0.1:', '127.0.0.1:65536', '127.0.0.1:-1', '[10.0.0.1]:80', '256.1.1.1:80', ' 127.0.0.1:80', '[::1]:80x']) {
      expect(parseListenAddress(text), text).toBeUndefined();
    }
  });
});

describe('isLoopbackHost', () => {
  it('is true for 127.0.0.0/8, ::1 in any spelling, and IPv4 loopback mapped into IPv6', () => {
    for (const host of ['127.0.0.1', '127.255.0.9', '::1', '0:0:0:0:0:0:0:1', '0000::0001', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
  });

  it('is false for the wildcard addresses and every other address', () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::2', '1::1', '::ffff:10.0.0.1', 'fe80::1', 'localhost']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});
