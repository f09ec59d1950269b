// The listeners' security settings: dicom.listeners[].tls and .allow, dicom.maxAssociations and
// maxAssociationsPerPeer. Valid values resolve as documented; each invalid one is reported with its
// setting's path. --host/--port move listeners without dropping their TLS or allow-lists. The TLS
// files are read at start-up: missing, unreadable, non-PEM or mismatched files are named.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFlags } from '../../src/config/load.ts';
import { ConfigError, parseConfig } from '../../src/config/schema.ts';
import { addressAllowList, parseAddressBlock } from '../../adapters/dicom/peer-address.ts';
import { AssociationCounter } from '../../adapters/dicom/peer-limits.ts';
import { loadTlsServerOptions, TlsSettingsError } from '../../adapters/dicom/tls-options.ts';

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw, 'config.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

const listener = (extra: Record<string, unknown>) => ({ dicom: { listeners: [{ port: 2762, ...extra }] } });
const TLS = { cert: '/etc/discrobot/server.pem', key: '/etc/discrobot/server.key' };

describe('dicom.listeners[].tls', () => {
  it('is absent by default (plain TCP), and resolves the defaults of what it does not say', () => {
    expect(parseConfig({}, 'c').dicom.listeners[0]!.tls).toBeUndefined();
    expect(parseConfig(listener({ tls: null }), 'c').dicom.listeners[0]!.tls ?? null).toBeNull();
    expect(parseConfig(listener({ tls: TLS }), 'c').dicom.listeners[0]!.tls).toEqual({
      ...TLS, ca: null, requireClientCertificate: false, minVersion: 'TLSv1.2',
    });
    const strict = { ...TLS, ca: '/etc/discrobot/ca.pem', requireClientCertificate: true, minVersion: 'TLSv1.3' };
    expect(parseConfig(listener({ tls: strict }), 'c').dicom.listeners[0]!.tls).toEqual(strict);
  });

  it('names each bad field', () => {
    expect(problemsOf(listener({ tls: {} }))).toEqual([
      expect.stringMatching(/^config\.yaml: dicom\.listeners\[0\]\.tls\.cert: must be the path of a PEM certificate file/),
      expect.stringMatching(/^config\.yaml: dicom\.listeners\[0\]\.tls\.key: must be the path of a PEM private key file/),
    ]);
    expect(problemsOf(listener({ tls: 'on' }))).toEqual(['config.yaml: dicom.listeners[0].tls: must be a mapping of settings (got "on")']);
    expect(problemsOf(listener({ tls: { ...TLS, cert: '  ' } }))).toEqual([
      expect.stringMatching(/^config\.yaml: dicom\.listeners\[0\]\.tls\.cert: must be the path of .* \(got "  "\)$/),
    ]);
    expect(problemsOf(listener({ tls: { ...TLS, minVersion: 'TLSv1.1' } }))).toEqual([
      'config.yaml: dicom.listeners[0].tls.minVersion: must be one of TLSv1.2, TLSv1.3 (got "TLSv1.1")',
    ]);
    expect(problemsOf(listener({ tls: { ...TLS, requireClientCertificate: 'yes' } }))).toEqual([
      'config.yaml: dicom.listeners[0].tls.requireClientCertificate: must be true or false (got "yes")',
    ]);
    expect(problemsOf(listener({ tls: { ...TLS, requireClientCertificate: true } }))).toEqual([
      'config.yaml: dicom.listeners[0].tls.ca: is required when requireClientCertificate is true: the CA certificates that client certificates must be signed by',
    ]);
    expect(problemsOf(listener({ tls: { ...TLS, ciphers: 'ALL' } }))).toEqual([
      'config.yaml: dicom.listeners[0].tls.ciphers: is not a known setting (known settings here: cert, key, ca, requireClientCertificate, minVersion)',
    ]);
  });
});

describe('dicom.listeners[].allow', () => {
  it('is absent by default (anyone); null lists allow anyone; AE titles are trimmed', () => {
    expect(parseConfig({}, 'c').dicom.listeners[0]!.allow).toBeUndefined();
    expect(parseConfig(listener({ allow: {} }), 'c').dicom.listeners[0]!.allow).toEqual({ callingAeTitles: null, addresses: null });
    expect(parseConfig(listener({ allow: { callingAeTitles: [' CT01 ', 'MR_2'], addresses: ['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '::1'] } }), 'c').dicom.listeners[0]!.allow).toEqual({
      callingAeTitles: ['CT01', 'MR_2'],
      addresses: ['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '::1'],
    });
  });

  it('names each bad entry', () => {
    expect(problemsOf(listener({ allow: { addresses: ['10.0.0.0/33', 'example.org', '10.1.2.3/8/1', '::/129'] } }))).toEqual([
      'config.yaml: dicom.listeners[0].allow.addresses[0]: must be an IP address or a CIDR block, such as 192.0.2.7, 10.0.0.0/8 or fd00::/8 (got "10.0.0.0/33")',
      'config.yaml: dicom.listeners[0].allow.addresses[1]: must be an IP address or a CIDR block, such as 192.0.2.7, 10.0.0.0/8 or fd00::/8 (got "example.org")',
      'config.yaml: dicom.listeners[0].allow.addresses[2]: must be an IP address or a CIDR block, such as 192.0.2.7, 10.0.0.0/8 or fd00::/8 (got "10.1.2.3/8/1")',
      'config.yaml: dicom.listeners[0].allow.addresses[3]: must be an IP address or a CIDR block, such as 192.0.2.7, 10.0.0.0/8 or fd00::/8 (got "::/129")',
    ]);
    expect(problemsOf(listener({ allow: { addresses: [] } }))).toEqual([
      'config.yaml: dicom.listeners[0].allow.addresses: must list at least one address or block, or be null to allow any address (got [])',
    ]);
    expect(problemsOf(listener({ allow: { addresses: '10.0.0.0/8' } }))).toEqual([
      'config.yaml: dicom.listeners[0].allow.addresses: must be a list of IP addresses or CIDR blocks, or null to allow any address (got "10.0.0.0/8")',
    ]);
    expect(problemsOf(listener({ allow: { callingAeTitles: ['SEVENTEEN_CHARS_X', 'CT', ' CT'] } }))).toEqual([
      'config.yaml: dicom.listeners[0].allow.callingAeTitles[0]: must be at most 16 characters (got "SEVENTEEN_CHARS_X")',
      'config.yaml: dicom.listeners[0].allow.callingAeTitles[2]: repeats the AE title "CT"',
    ]);
    expect(problemsOf(listener({ allow: { callingAeTitles: [] } }))).toEqual([
      'config.yaml: dicom.listeners[0].allow.callingAeTitles: must list at least one AE title, or be null to allow any calling AE title (got [])',
    ]);
    expect(problemsOf(listener({ allow: { hosts: [] } }))).toEqual([
      'config.yaml: dicom.listeners[0].allow.hosts: is not a known setting (known settings here: callingAeTitles, addresses)',
    ]);
  });

  it('matches peers by block, IPv4-mapped IPv6 as IPv4', () => {
    expect(parseAddressBlock('::ffff:10.0.0.0/104')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    const allowed = addressAllowList(['127.0.0.0/8', '10.1.0.0/16', 'fd00::/8']);
    expect(['127.0.0.2', '::ffff:127.0.0.1', '10.1.200.3', 'fd12::1'].map(allowed)).toEqual([true, true, true, true]);
    expect(['10.2.0.1', '::1', '192.0.2.1', '', 'garbage'].map(allowed)).toEqual([false, false, false, false, false]);
    expect(addressAllowList(null)('192.0.2.1')).toBe(true);
  });
});

describe('dicom.maxAssociations and maxAssociationsPerPeer', () => {
  it('default to 64 and 16, and take integers from 1', () => {
    expect(parseConfig({}, 'c').dicom).toMatchObject({ maxAssociations: 64, maxAssociationsPerPeer: 32 });
    expect(parseConfig({ dicom: { maxAssociations: 200, maxAssociationsPerPeer: 200 } }, 'c').dicom).toMatchObject({ maxAssociations: 200, maxAssociationsPerPeer: 200 });
  });

  it('names each bad value', () => {
    expect(problemsOf({ dicom: { maxAssociations: 0, maxAssociationsPerPeer: 2.5 } })).toEqual([
      'config.yaml: dicom.maxAssociations: must be an integer from 1 to 10000 (got 0)',
      'config.yaml: dicom.maxAssociationsPerPeer: must be an integer from 1 to 10000 (got 2.5)',
    ]);
    expect(problemsOf({ dicom: { maxAssociations: 8 } })).toEqual([
      'config.yaml: dicom.maxAssociationsPerPeer: must be at most dicom.maxAssociations (8); it is 32',
    ]);
  });

  it('are counted per peer and in total; a rejected connection holds no slot, a released one frees its slot', () => {
    const counter = new AssociationCounter({ maxAssociations: 3, maxAssociationsPerPeer: 2 });
    const a1 = counter.admit('10.0.0.1');
    const a2 = counter.admit('10.0.0.1');
    expect(counter.admit('10.0.0.1')).toEqual({ admitted: false, exceeded: { limit: 'maxAssociationsPerPeer', value: 2 } });
    const b1 = counter.admit('10.0.0.2');
    expect([a1, a2, b1].map((a) => a.admitted)).toEqual([true, true, true]);
    expect(counter.admit('10.0.0.3')).toEqual({ admitted: false, exceeded: { limit: 'maxAssociations', value: 3 } });
    if (a1.admitted) {
      a1.release();
      a1.release(); // twice frees only once
    }
    expect(counter.admit('10.0.0.3').admitted).toBe(true);
    expect(counter.admit('10.0.0.4')).toEqual({ admitted: false, exceeded: { limit: 'maxAssociations', value: 3 } });
  });
});

describe('--host and --port with secured listeners', () => {
  const secured = parseConfig({ dicom: { listeners: [{ port: 2762, tls: TLS, allow: { callingAeTitles: ['CT01'] } }] } }, 'c');

  it('move the listeners and keep their TLS and allow-lists', () => {
    const moved = applyFlags(secured, { host: '127.0.0.1', port: ['11112', 11113] }).dicom.listeners;
    expect(moved).toEqual([
      { host: '127.0.0.1', port: 11112, tls: secured.dicom.listeners[0]!.tls, allow: secured.dicom.listeners[0]!.allow },
      { host: '127.0.0.1', port: 11113, tls: secured.dicom.listeners[0]!.tls, allow: secured.dicom.listeners[0]!.allow },
    ]);
  });

  it('refuse to move listeners whose security differs, rather than drop any of it', () => {
    const mixed = parseConfig({ dicom: { listeners: [{ port: 104 }, { port: 2762, tls: TLS }] } }, 'c');
    expect(() => applyFlags(mixed, { port: [11112] })).toThrow(ConfigError);
    expect(() => applyFlags(mixed, { port: [11112] })).toThrow(/--port: the configured listeners differ in their tls or allow settings/);
    expect(applyFlags(mixed, { ae: ['X'] }).dicom.listeners).toEqual(mixed.dicom.listeners);
  });
});

describe('the TLS files, read at start-up', () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const settings = (over: Partial<Record<'cert' | 'key' | 'ca', string>> = {}) => ({
    cert: file('server.pem'), key: file('server.key'), ca: file('ca.pem'), requireClientCertificate: true, minVersion: 'TLSv1.2' as const, ...over,
  });
  const failure = (over: Partial<Record<'cert' | 'key' | 'ca', string>>) => {
    try {
      loadTlsServerOptions(settings(over), 'dicom.listeners[1].tls');
    } catch (err) {
      expect(err).toBeInstanceOf(TlsSettingsError);
      return (err as Error).message;
    }
    throw new Error('expected a TlsSettingsError');
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'discrobot-tls-files-'));
    const openssl = (...args: string[]) => execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: 'pipe' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ca', '-keyout', 'ca.key', '-out', 'ca.pem');
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=server', '-keyout', 'server.key', '-out', 'server.pem');
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-aes-128-cbc', '-pass', 'pass:secret', '-out', 'encrypted.key');
    writeFileSync(file('not-pem.txt'), 'hello\n');
    writeFileSync(file('locked.pem'), 'x');
    chmodSync(file('locked.pem'), 0o000);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives tls.createServer the files, TLS 1.2 at least, and client certificate checks when required', () => {
    const options = loadTlsServerOptions(settings(), 'dicom.listeners[1].tls');
    // rejectUnauthorized stays off: the listener refuses unverified clients itself, so it can log who they were.
    expect(options).toMatchObject({ minVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: false });
    expect(String(options.cert)).toContain('BEGIN CERTIFICATE');
    const optional = loadTlsServerOptions({ ...settings(), requireClientCertificate: false, ca: null }, 'dicom.listeners[1].tls');
    expect(optional).toMatchObject({ requestCert: false, rejectUnauthorized: false });
    expect(optional.ca).toBeUndefined();
  });

  it('names the setting and the file when one is missing, unreadable, not PEM or not the certificate\'s key', () => {
    expect(failure({ cert: file('missing.pem') })).toBe(`dicom.listeners[1].tls.cert: cannot read ${file('missing.pem')}: no such file`);
    expect(failure({ key: dir })).toBe(`dicom.listeners[1].tls.key: cannot read ${dir}: it is a folder, not a file`);
    expect(failure({ cert: file('not-pem.txt') })).toBe(`dicom.listeners[1].tls.cert: ${file('not-pem.txt')} holds no PEM certificate`);
    expect(failure({ key: file('not-pem.txt') })).toBe(`dicom.listeners[1].tls.key: ${file('not-pem.txt')} holds no PEM private key`);
    expect(failure({ key: file('encrypted.key') })).toMatch(/^dicom\.listeners\[1\]\.tls\.key: .*encrypted\.key is an encrypted private key/);
    expect(failure({ key: file('ca.key') })).toBe(
      `dicom.listeners[1].tls.key: ${file('ca.key')} is not the private key of the certificate in dicom.listeners[1].tls.cert (${file('server.pem')})`,
    );
    expect(failure({ ca: file('not-pem.txt') })).toBe(`dicom.listeners[1].tls.ca: ${file('not-pem.txt')} holds no PEM certificate`);
    // root reads any file whatever its mode: only a non-root run can see "permission denied".
    if (process.getuid?.() !== 0) expect(failure({ cert: file('locked.pem') })).toMatch(/permission denied/);
  });
});
