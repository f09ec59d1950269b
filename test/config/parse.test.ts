// Validation of what a configuration file holds: every problem is reported with the file, the
// setting's path, the reason and the offending value.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/schema.ts';
import { parseByteSize } from '../../src/config/byte-size.ts';

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw, 'config.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig rejects', () => {
  it('a port outside 1..65535, naming the listener', () => {
    expect(problemsOf({ dicom: { listeners: [{ port: 70000 }] } })).toEqual([
      'config.yaml: dicom.listeners[0].port: must be an integer from 1 to 65535 (got 70000)',
    ]);
    expect(problemsOf({ dicom: { listeners: [{ host: '::', port: 104 }, { port: 0 }] } })).toEqual([
      'config.yaml: dicom.listeners[1].port: must be an integer from 1 to 65535 (got 0)',
    ]);
    expect(problemsOf({ dicom: { listeners: [{ port: 104.5 }] } })).toEqual([
      'config.yaml: dicom.listeners[0].port: must be an integer from 1 to 65535 (got 104.5)',
    ]);
  });

  it('unknown keys at every level, listing the known ones', () => {
    expect(problemsOf({ dicom: { listner: [] }, extra: true })).toEqual([
      'config.yaml: dicom.listner: is not a known setting (known settings here: listeners, aeTitles, acceptStructuredReports, maxPduLength, artimTimeoutSeconds, idleTimeoutSeconds, releaseTimeoutSeconds, shutdownGraceSeconds, maxAssociationPduBytes, maxAssociations, maxAssociationsPerPeer)',
      'config.yaml: extra: is not a known setting (known settings here: dicom, storage, log, media, routes, robots, publishing, http, audit)',
    ]);
    expect(problemsOf({ dicom: { listeners: [{ port: 104, tsl: {} }] } })).toEqual([
      'config.yaml: dicom.listeners[0].tsl: is not a known setting (known settings here: host, port, tls, allow)',
    ]);
    expect(problemsOf({ storage: { retainWeeks: 1 } })).toEqual([
      'config.yaml: storage.retainWeeks: is not a known setting (known settings here: data, durable, reserveBytes, retainDays)',
    ]);
  });

  it('AE titles that are not DICOM AE values', () => {
    expect(problemsOf({ dicom: { aeTitles: ['SEVENTEEN_CHARS_X', '    ', 'A\\B', 'CAFÉ', 'TAB\tX', 42] } })).toEqual([
      'config.yaml: dicom.aeTitles[0]: must be at most 16 characters (got "SEVENTEEN_CHARS_X")',
      'config.yaml: dicom.aeTitles[1]: must not be empty or all spaces (got "    ")',
      'config.yaml: dicom.aeTitles[2]: must not contain a backslash (got "A\\\\B")',
      'config.yaml: dicom.aeTitles[3]: must contain only printable ASCII characters (the DICOM default character repertoire) (got "CAFÉ")',
      'config.yaml: dicom.aeTitles[4]: must contain only printable ASCII characters (the DICOM default character repertoire) (got "TAB\\tX")',
      'config.yaml: dicom.aeTitles[5]: must be an AE title: text of 1 to 16 characters (got 42)',
    ]);
  });

  it('a repeated AE title or listener', () => {
    expect(problemsOf({ dicom: { aeTitles: ['A', 'B', ' A '] } })).toEqual([
      'config.yaml: dicom.aeTitles[2]: repeats the AE title "A"',
    ]);
    expect(problemsOf({ dicom: { listeners: [{ port: 11112 }, { host: '::', port: 11112 }, { port: 11112 }] } })).toEqual([
      'config.yaml: dicom.listeners[2]: repeats the listener on 0.0.0.0 port 11112',
    ]);
  });

  it('values of the wrong type', () => {
    expect(
      problemsOf({
        dicom: { acceptStructuredReports: 'yes', maxPduLength: '16384', listeners: { host: '::' }, aeTitles: 'DISCROBOT' },
        storage: { durable: 1, data: 7 },
        log: 'debug',
      }),
    ).toEqual([
      'config.yaml: dicom.listeners: must be a list of listeners such as [{ host: "0.0.0.0", port: 104 }] (got {"host":"::"})',
      'config.yaml: dicom.aeTitles: must be a list of AE titles ([] accepts any called AE title) (got "DISCROBOT")',
      'config.yaml: dicom.acceptStructuredReports: must be true or false (got "yes")',
      'config.yaml: dicom.maxPduLength: must be an integer from 4096 to 131072 (got "16384")',
      'config.yaml: storage.data: must be a folder path (got 7)',
      'config.yaml: storage.durable: must be true or false (got 1)',
      'config.yaml: log: must be a mapping of settings (got "debug")',
    ]);
    expect(problemsOf([{ dicom: {} }])).toEqual(['config.yaml: must be a mapping of settings (got [{"dicom":{}}])']);
  });

  it('hosts that are not IP addresses', () => {
    expect(problemsOf({ dicom: { listeners: [{ host: 'pacs.example.org' }, { host: '256.0.0.1' }, { host: ':::' }] } })).toEqual([
      'config.yaml: dicom.listeners[0].host: must be an IPv4 or IPv6 address (got "pacs.example.org")',
      'config.yaml: dicom.listeners[1].host: must be an IPv4 or IPv6 address (got "256.0.0.1")',
      'config.yaml: dicom.listeners[2].host: must be an IPv4 or IPv6 address (got ":::")',
    ]);
  });

  it('PDU bounds, timeouts, reserve and log level out of range', () => {
    expect(
      problemsOf({
        dicom: { maxPduLength: 1024, artimTimeoutSeconds: 0, idleTimeoutSeconds: -5, shutdownGraceSeconds: 90000 },
        storage: { reserveBytes: '2 potatoes' },
        log: { level: 'verbose' },
      }),
    ).toEqual([
      'config.yaml: dicom.maxPduLength: must be an integer from 4096 to 131072 (got 1024)',
      'config.yaml: dicom.artimTimeoutSeconds: must be a number of seconds greater than 0 and at most 86400 (got 0)',
      'config.yaml: dicom.idleTimeoutSeconds: must be a number of seconds greater than 0 and at most 86400 (got -5)',
      'config.yaml: dicom.shutdownGraceSeconds: must be a number of seconds greater than 0 and at most 86400 (got 90000)',
      'config.yaml: storage.reserveBytes: must be a number of bytes or a size such as "2GB", "500MB" or "1GiB" (got "2 potatoes")',
      'config.yaml: log.level: must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
    ]);
    expect(problemsOf({ dicom: { listeners: [] } })).toEqual([
      'config.yaml: dicom.listeners: must list at least one listener (got [])',
    ]);
  });

  it('an association PDU bound smaller than the P-DATA bound', () => {
    expect(problemsOf({ dicom: { maxPduLength: 65536, maxAssociationPduBytes: 32768 } })).toEqual([
      'config.yaml: dicom.maxAssociationPduBytes: must be at least dicom.maxPduLength (65536) (got 32768)',
    ]);
  });

  it('and the message of the error is all problems, one per line', () => {
    expect(() => parseConfig({ dicom: { maxPduLength: 1 }, log: { level: 'x' } }, 'site.json')).toThrow(
      'site.json: dicom.maxPduLength: must be an integer from 4096 to 131072 (got 1)\nsite.json: log.level: must be one of',
    );
  });
});

describe('parseConfig accepts', () => {
  it('several listeners on IPv4 and IPv6, several AE titles, and an empty AE title list', () => {
    const config = parseConfig(
      { dicom: { listeners: [{ port: 104 }, { host: '::', port: 11112 }, { host: '192.168.1.20', port: 4242 }], aeTitles: [] } },
      'config.yaml',
    );
    expect(config.dicom.listeners).toEqual([
      { host: '0.0.0.0', port: 104 },
      { host: '::', port: 11112 },
      { host: '192.168.1.20', port: 4242 },
    ]);
    expect(config.dicom.aeTitles).toEqual([]);
    expect(parseConfig({ dicom: { aeTitles: [' PACS_OUT ', 'DISC-2'] } }, 'c').dicom.aeTitles).toEqual(['PACS_OUT', 'DISC-2']);
  });

  it('a site PDU length within the bounds, and fractional timeouts', () => {
    const config = parseConfig({ dicom: { maxPduLength: 131072, artimTimeoutSeconds: 0.25 } }, 'c');
    expect(config.dicom.maxPduLength).toBe(131072);
    expect(config.dicom.artimTimeoutSeconds).toBe(0.25);
    expect(parseConfig({ dicom: { maxPduLength: 4096 } }, 'c').dicom.maxPduLength).toBe(4096);
  });

  it('reserves as human sizes or bytes', () => {
    const reserve = (value: unknown) => parseConfig({ storage: { reserveBytes: value } }, 'c').storage.reserveBytes;
    expect(reserve('2GB')).toBe(2_000_000_000);
    expect(reserve('500MB')).toBe(500_000_000);
    expect(reserve('500 mb')).toBe(500_000_000);
    expect(reserve('1GiB')).toBe(1_073_741_824);
    expect(reserve('1.5KiB')).toBe(1536);
    expect(reserve(0)).toBe(0);
    expect(reserve(123456)).toBe(123456);
    expect(reserve('4096')).toBe(4096);
  });
});

describe('parseByteSize', () => {
  it('refuses what is not a whole number of bytes', () => {
    for (const bad of ['', 'GB', '-1GB', '1.5', '1.5B', '2 GBs', '1e9', 'two', -1, 1.5, Number.NaN, 2 ** 60, null, true, {}]) {
      expect(parseByteSize(bad), String(bad)).toBeUndefined();
    }
    expect(parseByteSize('9000TB')).toBe(9e15);
    expect(parseByteSize('9000TiB')).toBeUndefined(); // beyond Number.MAX_SAFE_INTEGER
  });
});
