// Command-line flags override the file, are checked by the file's rules, and errors name the flag.
import { describe, expect, it } from 'vitest';
import { applyFlags } from '../../src/config/load.ts';
import { ConfigError, embeddedDefaults, parseConfig } from '../../src/config/schema.ts';
import { MODEL_IDS } from '../../simulator/models.ts';

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

describe('applyFlags for the publisher', () => {
  const site = parseConfig(
    {
      routes: [{ name: 'ct', quietPeriodSeconds: 10 }, { name: 'rest' }],
      robots: [
        { name: 'left', kind: 'sim', model: 'DP-XRP', timeScale: 2 },
        { name: 'right', kind: 'serial', path: '/dev/ttyUSB0' },
      ],
    },
    'site.yaml',
  );

  it('--robot replaces the robots, named robot1, robot2, ... in the order given', () => {
    expect(applyFlags(defaults, { robot: ['sim:DP-XRP', 'serial:/dev/ttyACM0', 'sim:DP-4100'] }).robots).toEqual([
      { name: 'robot1', kind: 'sim', model: 'DP-XRP', timeScale: 1 },
      { name: 'robot2', kind: 'serial', path: '/dev/ttyACM0' },
      { name: 'robot3', kind: 'sim', model: 'DP-4100', timeScale: 1 },
    ]);
    expect(applyFlags(site, { robot: ['serial:/dev/ttyS1'] }).robots).toEqual([{ name: 'robot1', kind: 'serial', path: '/dev/ttyS1' }]);
    expect(applyFlags(site, { robot: ['ptburn:/mnt/ptburn', 'sim:DP-4100'] }).robots).toEqual([
      { name: 'robot1', kind: 'ptburn', folder: '/mnt/ptburn', robotName: null, statusFrequencyMs: 2000, pathMap: [], autoAcknowledgeInkLow: false, print: true },
      { name: 'robot2', kind: 'sim', model: 'DP-4100', timeScale: 1 },
    ]);
    expect(applyFlags(site, { robot: [] }).robots).toEqual(site.robots);
  });

  it('--quiet-period sets every route\'s quiet period, 0 included', () => {
    expect(applyFlags(site, { quietPeriod: '2.5' }).routes.map((r) => r.quietPeriodSeconds)).toEqual([2.5, 2.5]);
    expect(applyFlags(site, { quietPeriod: 0 }).routes.map((r) => r.quietPeriodSeconds)).toEqual([0, 0]);
    expect(applyFlags(site, {}).routes.map((r) => r.quietPeriodSeconds)).toEqual([10, 60]);
  });

  it('--http sets the API address; --time-scale every simulated robot\'s speed', () => {
    expect(applyFlags(defaults, { http: '[::1]:0' }).http).toEqual({ listen: '[::1]:0', token: null });
    expect(applyFlags(site, { timeScale: '500' }).robots).toEqual([
      { name: 'left', kind: 'sim', model: 'DP-XRP', timeScale: 500 },
      { name: 'right', kind: 'serial', path: '/dev/ttyUSB0' },
    ]);
    expect(applyFlags(defaults, { robot: ['sim:DP-XI', 'sim:DP'], timeScale: 0 }).robots.map((r) => r.kind === 'sim' && r.timeScale)).toEqual([0, 0]);
  });

  it('--http off this host keeps the file\'s token, and needs one', () => {
    const withToken = parseConfig({ http: { token: 'a-token-of-16-chars' } }, 'site.yaml');
    expect(applyFlags(withToken, { http: '0.0.0.0:8080' }).http).toEqual({ listen: '0.0.0.0:8080', token: 'a-token-of-16-chars' });
    expect(flagError({ http: '0.0.0.0:8080' })).toBe(
      '--http: 0.0.0.0:8080 is not a loopback address: the API then needs http.token (text of at least 16 characters) in the configuration file',
    );
  });

  it('names the flag when a value is wrong', () => {
    expect(flagError({ robot: ['sim:DP-9000'] })).toBe(
      `--robot sim:DP-9000: must be a simulated robot model: one of ${MODEL_IDS.join(', ')} (got DP-9000)`,
    );
    expect(flagError({ robot: ['usb:1'] })).toBe(
      '--robot "usb:1" is none of sim:MODEL (e.g. sim:DP-4100), serial:PATH (e.g. serial:/dev/ttyUSB0) or ptburn:FOLDER (a PTBurn job folder, e.g. ptburn:/mnt/ptburn)',
    );
    expect(flagError({ quietPeriod: '-1' })).toBe('--quiet-period: must be a number of seconds from 0 to 86400 (got -1)');
    expect(flagError({ quietPeriod: 'soon' })).toBe('--quiet-period: must be a number of seconds from 0 to 86400 (got soon)');
    expect(flagError({ http: 'localhost:8080' })).toBe(
      '--http: must be ADDRESS:PORT with an IPv4 address or a bracketed IPv6 address and a port from 0 to 65535, such as 127.0.0.1:8080 or [::1]:8080 (got localhost:8080)',
    );
    expect(flagError({ timeScale: 'fast' })).toBe(
      '--time-scale: must be a number of simulated seconds per second from 0 (instant) to 100000 (got fast)',
    );
  });

  it('--time-scale without a simulated robot is an error', () => {
    const serialOnly = parseConfig({ robots: [{ name: 'r', kind: 'serial', path: '/dev/ttyS0' }] }, 'site.yaml');
    expect(flagError({ timeScale: '10' }, serialOnly)).toBe('--time-scale applies to simulated robots only');
    expect(flagError({ robot: ['serial:/dev/ttyS0'], timeScale: '10' })).toBe('--time-scale applies to simulated robots only');
    expect(applyFlags(serialOnly, { robot: ['sim:DP-4100'], timeScale: '10' }).robots).toEqual([
      { name: 'robot1', kind: 'sim', model: 'DP-4100', timeScale: 10 },
    ]);
  });

  it('--robot is an error when a route names a robot it does not give', () => {
    const pinned = parseConfig({ robots: [{ name: 'big', kind: 'sim' }], routes: [{ name: 'ct', robots: ['big'] }] }, 'site.yaml');
    expect(flagError({ robot: ['sim:DP-4100'] }, pinned)).toBe(
      '--robot: route "ct" names the robot "big", which --robot does not give (robots: robot1)',
    );
    const byNumber = parseConfig({ robots: [{ name: 'robot1', kind: 'sim' }], routes: [{ name: 'ct', robots: ['robot1'] }] }, 'site.yaml');
    expect(applyFlags(byNumber, { robot: ['sim:DP-XRP'] }).routes[0]?.robots).toEqual(['robot1']);
  });

  it('does not change the configuration it was given', () => {
    const before = structuredClone(site);
    applyFlags(site, { robot: ['sim:DP'], quietPeriod: '1', http: '127.0.0.1:0', timeScale: '9' });
    applyFlags(site, { quietPeriod: '1', timeScale: '9' });
    expect(site).toEqual(before);
  });
});
