// Command-line flags override the file, are checked by the file's rules, and errors name the flag.
import { describe, expect, it } from 'vitest';
import { applyFlags } from '../../src/config/load.ts';
import { ConfigError, embeddedDefaults, parseConfig } from '../../src/config/schema.ts';

const defaults = embeddedDefaults();
const twoHosts = parseConfig({ dicom: { listeners: [{ port: 104 }, { host: '::', port: 104 }] } }, 'c');

function flagError(flags: Parameters<typeof applyFlags>[1], config = defaults): string {
  try {
    applyFlags(config, flags);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('applyFlags', () => {
  it('changes nothing without flags', () => {
    expect(applyFlags(defaults, {})).toEqual(defaults);
    expect(applyFlags(defaults, { port: [], ae: [] })).toEqual(defaults);
  });

  it('--port replaces the ports of every listened host, as typed text or numbers', () => {
    expect(applyFlags(defaults, { port: ['11112', 4242] }).dicom.listeners).toEqual([
      { host: '0.0.0.0', port: 11112 },
      { host: '0.0.0.0', port: 4242 },
    ]);
    expect(applyFlags(twoHosts, { port: ['11112'] }).dicom.listeners).toEqual([
      { host: '0.0.0.0', port: 11112 },
      { host: '::', port: 11112 },
    ]);
  });

  it('--host replaces the host, keeping the ports; with --port it gives one listener per port', () => {
    expect(applyFlags(defaults, { host: '::' }).dicom.listeners).toEqual([{ host: '::', port: 104 }]);
    expect(applyFlags(twoHosts, { host: '127.0.0.1' }).dicom.listeners).toEqual([{ host: '127.0.0.1', port: 104 }]);
    expect(applyFlags(twoHosts, { host: '::1', port: ['11112', '11113'] }).dicom.listeners).toEqual([
      { host: '::1', port: 11112 },
      { host: '::1', port: 11113 },
    ]);
  });

  it('--ae replaces the AE titles and --data the data folder, leaving the rest', () => {
    const config = applyFlags(defaults, { ae: ['DISC_A', ' DISC_B '], data: '/srv/discrobot' });
    expect(config.dicom.aeTitles).toEqual(['DISC_A', 'DISC_B']);
    expect(config.storage.data).toBe('/srv/discrobot');
    expect({ ...config, dicom: { ...config.dicom, aeTitles: defaults.dicom.aeTitles }, storage: defaults.storage }).toEqual(defaults);
  });

  it('does not change the configuration it was given', () => {
    const before = structuredClone(twoHosts);
    applyFlags(twoHosts, { port: ['1'], host: '::', ae: ['X'], data: '/x' });
    expect(twoHosts).toEqual(before);
  });

  it('names the flag and shows the value as typed', () => {
    expect(flagError({ port: ['abc'] })).toBe('--port: must be an integer from 1 to 65535 (got abc)');
    expect(flagError({ port: ['104', '70000', '-1'] })).toBe(
      '--port: must be an integer from 1 to 65535 (got 70000)\n--port: must be an integer from 1 to 65535 (got -1)',
    );
    expect(flagError({ host: 'localhost' })).toBe('--host: must be an IPv4 or IPv6 address (got localhost)');
    expect(flagError({ ae: ['OK', 'A_TITLE_LONGER_THAN_16'] })).toBe('--ae: must be at most 16 characters (got A_TITLE_LONGER_THAN_16)');
    expect(flagError({ ae: ['A\\B'] })).toBe('--ae: must not contain a backslash (got A\\B)');
    expect(flagError({ data: '  ' })).toBe('--data: must be a folder path (got   )');
  });

  it('reports every bad flag at once, and values given twice', () => {
    expect(flagError({ port: ['104', '104'], ae: ['X', 'X'], host: 'nowhere' })).toBe(
      ['--port: 104 is given twice', '--host: must be an IPv4 or IPv6 address (got nowhere)', '--ae: X is given twice'].join('\n'),
    );
  });
});
