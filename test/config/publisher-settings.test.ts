// Validation of the publisher's settings: routes, robots, the HTTP API and retention. Every problem
// names the file, the setting's path, the reason and (where it helps) the value.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/schema.ts';
import { MODEL_IDS } from '../../simulator/models.ts';

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw, 'config.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

const parse = (raw: unknown) => parseConfig(raw, 'config.yaml');

describe('storage.retainDays', () => {
  it('takes days (fractions too, for tests) or null to keep the files', () => {
    expect(parse({ storage: { retainDays: 30 } }).storage.retainDays).toBe(30);
    expect(parse({ storage: { retainDays: 0.5 } }).storage.retainDays).toBe(0.5);
    expect(parse({ storage: { retainDays: 0 } }).storage.retainDays).toBe(0);
    expect(parse({ storage: { retainDays: null } }).storage.retainDays).toBeNull();
    expect(parse({ storage: {} }).storage.retainDays).toBe(7);
  });

  it('refuses negative, huge or non-numeric values', () => {
    const message = 'must be a number of days from 0 to 36500, or null to keep the files';
    expect(problemsOf({ storage: { retainDays: -1 } })).toEqual([`config.yaml: storage.retainDays: ${message} (got -1)`]);
    expect(problemsOf({ storage: { retainDays: 40000 } })).toEqual([`config.yaml: storage.retainDays: ${message} (got 40000)`]);
    expect(problemsOf({ storage: { retainDays: 'never' } })).toEqual([`config.yaml: storage.retainDays: ${message} (got "never")`]);
  });
});

describe('routes', () => {
  it('fill in every setting a route leaves out, and keep their order', () => {
    const config = parse({ routes: [{ name: 'mr', match: { calledAe: ' DISC_MR ' } }, { name: 'rest', copies: 3 }] });
    expect(config.routes.map((r) => r.name)).toEqual(['mr', 'rest']);
    expect(config.routes[0]).toEqual({
      name: 'mr',
      match: { calledAe: ['DISC_MR'], callingAe: null },
      media: 'auto',
      copies: 1,
      quietPeriodSeconds: 60,
      robots: [],
      lateArrivals: 'followUpDisc',
      print: true,
      label: { institution: null, lines: ['institution', 'patientName', 'patientId', 'study', 'disc', 'created'] },
    });
    expect(config.routes[1]?.copies).toBe(3);
  });

  it('accept every medium, both late-arrival policies, a quiet period of 0, and 1 to 100 copies', () => {
    for (const media of ['auto', 'cd', 'dvd', 'dvd-dl', 'bd', 'bd-dl']) {
      expect(parse({ routes: [{ name: 'r', media }] }).routes[0]?.media).toBe(media);
    }
    expect(parse({ routes: [{ name: 'r', lateArrivals: 'holdJob' }] }).routes[0]?.lateArrivals).toBe('holdJob');
    expect(parse({ routes: [{ name: 'r', quietPeriodSeconds: 0 }] }).routes[0]?.quietPeriodSeconds).toBe(0);
    expect(parse({ routes: [{ name: 'r', quietPeriodSeconds: 0.25 }] }).routes[0]?.quietPeriodSeconds).toBe(0.25);
    expect(parse({ routes: [{ name: 'r', copies: 100 }] }).routes[0]?.copies).toBe(100);
  });

  it('refuse values out of range or of the wrong kind, naming the route by its index', () => {
    expect(
      problemsOf({
        routes: [{ name: 'r', media: 'floppy', copies: 0, quietPeriodSeconds: 86401, lateArrivals: 'drop', print: 'yes', robots: 'robot1' }],
      }),
    ).toEqual([
      'config.yaml: routes[0].media: must be one of auto, cd, dvd, dvd-dl, bd, bd-dl (got "floppy")',
      'config.yaml: routes[0].copies: must be an integer from 1 to 100 (got 0)',
      'config.yaml: routes[0].quietPeriodSeconds: must be a number of seconds from 0 to 86400 (got 86401)',
      'config.yaml: routes[0].robots: must be a list of robot names ([] lets any configured robot take the job) (got "robot1")',
      'config.yaml: routes[0].lateArrivals: must be one of followUpDisc, holdJob (got "drop")',
      'config.yaml: routes[0].print: must be true or false (got "yes")',
    ]);
    expect(problemsOf({ routes: [{ name: 'r', copies: 101, quietPeriodSeconds: -1 }] })).toEqual([
      'config.yaml: routes[0].copies: must be an integer from 1 to 100 (got 101)',
      'config.yaml: routes[0].quietPeriodSeconds: must be a number of seconds from 0 to 86400 (got -1)',
    ]);
  });

  it('refuse a route without a name, a repeated name, an empty list and unknown keys', () => {
    expect(problemsOf({ routes: [{ media: 'cd' }] })).toEqual(["config.yaml: routes[0].name: must be the route's name"]);
    expect(problemsOf({ routes: [{ name: ' ' }] })).toEqual(['config.yaml: routes[0].name: must be the route\'s name (got " ")']);
    expect(problemsOf({ routes: [{ name: 'a' }, { name: 'b' }, { name: 'a' }] })).toEqual([
      'config.yaml: routes[2].name: repeats the route name "a"',
    ]);
    expect(problemsOf({ routes: [] })).toEqual(['config.yaml: routes: must list at least one route (got [])']);
    expect(problemsOf({ routes: { name: 'a' } })).toEqual([
      'config.yaml: routes: must be a list of routes such as [{ name: default }] (got {"name":"a"})',
    ]);
    expect(problemsOf({ routes: [{ name: 'a', medium: 'cd', match: { calledAET: 'X' } }] })).toEqual([
      'config.yaml: routes[0].match.calledAET: is not a known setting (known settings here: calledAe, callingAe)',
      'config.yaml: routes[0].medium: is not a known setting (known settings here: name, match, media, copies, quietPeriodSeconds, robots, lateArrivals, print, label)',
    ]);
  });

  it('match one AE title or a list of them, trimmed; null matches any', () => {
    const route = (match: unknown) => parse({ routes: [{ name: 'r', match }] }).routes[0]?.match;
    expect(route({ calledAe: 'DISC', callingAe: [' CT1', 'CT2 '] })).toEqual({ calledAe: ['DISC'], callingAe: ['CT1', 'CT2'] });
    expect(route({ calledAe: null, callingAe: 'ct1' })).toEqual({ calledAe: null, callingAe: ['ct1'] });
    expect(route({})).toEqual({ calledAe: null, callingAe: null });
  });

  it('refuse AE title matches that are not AE titles', () => {
    expect(problemsOf({ routes: [{ name: 'r', match: { calledAe: 'SEVENTEEN_CHARS_X', callingAe: ['CT1', 'A\\B', 'CT1'] } }] })).toEqual([
      'config.yaml: routes[0].match.calledAe: must be at most 16 characters (got "SEVENTEEN_CHARS_X")',
      'config.yaml: routes[0].match.callingAe[1]: must not contain a backslash (got "A\\\\B")',
      'config.yaml: routes[0].match.callingAe[2]: repeats the AE title "CT1"',
    ]);
    expect(problemsOf({ routes: [{ name: 'r', match: { callingAe: ['CT1', 'CT1'] } }] })).toEqual([
      'config.yaml: routes[0].match.callingAe[1]: repeats the AE title "CT1"',
    ]);
    expect(problemsOf({ routes: [{ name: 'r', match: { calledAe: [], callingAe: 7 } }] })).toEqual([
      'config.yaml: routes[0].match.calledAe: must be an AE title, a list of AE titles, or null for any (got [])',
      'config.yaml: routes[0].match.callingAe: must be an AE title, a list of AE titles, or null for any (got 7)',
    ]);
  });

  it('may name only configured robots, each once', () => {
    const robots = [{ name: 'left', kind: 'sim' }, { name: 'right', kind: 'sim' }];
    expect(parse({ robots, routes: [{ name: 'r', robots: ['right', 'left'] }] }).routes[0]?.robots).toEqual(['right', 'left']);
    expect(problemsOf({ robots, routes: [{ name: 'a' }, { name: 'ct', robots: ['left', 'middle'] }] })).toEqual([
      'config.yaml: routes[1].robots[1]: route "ct" names the robot "middle", which is not configured (robots: left, right)',
    ]);
    expect(problemsOf({ robots, routes: [{ name: 'ct', robots: ['left', 'left'] }] })).toEqual([
      'config.yaml: routes[0].robots[1]: repeats the robot "left"',
    ]);
  });
});

describe('routes[].label', () => {
  const label = (value: unknown) => parse({ routes: [{ name: 'r', label: value }] }).routes[0]?.label;
  const LINE_ERROR = 'must be a label line: one of institution, patientName, patientId, study, disc, created';
  const INSTITUTION_ERROR = "must be text of 1 to 64 characters, or null for the instances' Institution Name";

  it("takes the institution line's text (trimmed) and which lines, in the order given", () => {
    expect(label({ institution: ' Radiologie Nord ', lines: ['patientId', 'patientName', 'disc'] })).toEqual({
      institution: 'Radiologie Nord',
      lines: ['patientId', 'patientName', 'disc'],
    });
    expect(label({ lines: ['patientName', 'patientId'] })).toEqual({ institution: null, lines: ['patientName', 'patientId'] });
  });

  it("leaves out, or null, means today's label: every line, the instances' Institution Name", () => {
    const everyLine = { institution: null, lines: ['institution', 'patientName', 'patientId', 'study', 'disc', 'created'] };
    expect(label(undefined)).toEqual(everyLine);
    expect(label(null)).toEqual(everyLine);
    expect(label({ institution: null, lines: null })).toEqual(everyLine);
    expect(label({ institution: 'Klinik' })).toEqual({ ...everyLine, institution: 'Klinik' });
  });

  it('refuses a line that is not a label line, and a repeated line', () => {
    expect(problemsOf({ routes: [{ name: 'r', label: { lines: ['patientName', 'patientId', 'barcode', 7] } }] })).toEqual([
      `config.yaml: routes[0].label.lines[2]: ${LINE_ERROR} (got "barcode")`,
      `config.yaml: routes[0].label.lines[3]: ${LINE_ERROR} (got 7)`,
    ]);
    expect(problemsOf({ routes: [{ name: 'r', label: { lines: ['patientName', 'patientId', 'disc', 'disc'] } }] })).toEqual([
      'config.yaml: routes[0].label.lines[3]: repeats the line disc',
    ]);
  });

  it('refuses a label that does not name the patient: patientName and patientId are required', () => {
    expect(problemsOf({ routes: [{ name: 'r', label: { lines: ['patientId', 'study'] } }] })).toEqual([
      'config.yaml: routes[0].label.lines: must include patientName: a disc must name its patient (got ["patientId","study"])',
    ]);
    expect(problemsOf({ routes: [{ name: 'a' }, { name: 'b', label: { lines: ['patientName', 'disc'] } }] })).toEqual([
      'config.yaml: routes[1].label.lines: must include patientId: a disc must name its patient (got ["patientName","disc"])',
    ]);
    expect(problemsOf({ routes: [{ name: 'r', label: { lines: [] } }] })).toEqual([
      'config.yaml: routes[0].label.lines: must include patientName and patientId: a disc must name its patient (got [])',
    ]);
  });

  it('refuses an institution that is not text of 1 to 64 characters, lines that are not a list, and unknown keys', () => {
    expect(problemsOf({ routes: [{ name: 'r', label: { institution: '  ', lines: 'patientName' } }] })).toEqual([
      `config.yaml: routes[0].label.institution: ${INSTITUTION_ERROR} (got "  ")`,
      'config.yaml: routes[0].label.lines: must be a list of label lines, such as [institution, patientName, patientId, study, disc, created] (got "patientName")',
    ]);
    expect(problemsOf({ routes: [{ name: 'r', label: { institution: 'x'.repeat(65) } }] })).toEqual([
      `config.yaml: routes[0].label.institution: ${INSTITUTION_ERROR} (got "${'x'.repeat(56)}...)`, // the value is cut to 60 characters
    ]);
    expect(problemsOf({ routes: [{ name: 'r', label: { institution: 42 } }] })).toEqual([
      `config.yaml: routes[0].label.institution: ${INSTITUTION_ERROR} (got 42)`,
    ]);
    expect(problemsOf({ routes: [{ name: 'r', label: { lines: ['patientName', 'patientId'], template: 'big', font: 'Arial' } }] })).toEqual([
      'config.yaml: routes[0].label.template: is not a known setting (known settings here: institution, lines)',
      'config.yaml: routes[0].label.font: is not a known setting (known settings here: institution, lines)',
    ]);
    expect(problemsOf({ routes: [{ name: 'r', label: ['patientName'] }] })).toEqual([
      'config.yaml: routes[0].label: must be a mapping of settings (got ["patientName"])',
    ]);
  });
});

describe('robots', () => {
  it('complete a simulated robot with the default model and real speed', () => {
    expect(parse({ robots: [{ name: 'sim-1', kind: 'sim' }] }).robots).toEqual([
      { name: 'sim-1', kind: 'sim', model: 'DP-4100', timeScale: 1 },
    ]);
    expect(parse({ robots: [{ name: 'fast', kind: 'sim', model: 'DP-XRP', timeScale: 0 }] }).robots).toEqual([
      { name: 'fast', kind: 'sim', model: 'DP-XRP', timeScale: 0 },
    ]);
  });

  it('take a serial robot with its device path', () => {
    expect(parse({ robots: [{ name: 'bravo', kind: 'serial', path: '/dev/ttyUSB0' }] }).robots).toEqual([
      { name: 'bravo', kind: 'serial', path: '/dev/ttyUSB0' },
    ]);
  });

  it('take a PTBurn robot with its folder, its settings defaulted or given, beside the other kinds', () => {
    expect(parse({ robots: [{ name: 'pt', kind: 'ptburn', folder: '/mnt/ptburn' }, { name: 'sim', kind: 'sim' }] }).robots).toEqual([
      { name: 'pt', kind: 'ptburn', folder: '/mnt/ptburn', robotName: null, statusFrequencyMs: 2000, pathMap: [], autoAcknowledgeInkLow: false, print: true },
      { name: 'sim', kind: 'sim', model: 'DP-4100', timeScale: 1 },
    ]);
    const full = {
      name: 'pt', kind: 'ptburn', folder: '/mnt/ptburn', robotName: 'Disc Publisher 4100', statusFrequencyMs: 500,
      pathMap: [{ from: '/var/lib/discrobot', to: '\\\\burner\\spool' }], autoAcknowledgeInkLow: true, print: false,
    };
    expect(parse({ robots: [full] }).robots).toEqual([full]);
  });

  it('refuse a PTBurn robot without its folder, with a bad setting, or with another kind\'s setting, naming the field', () => {
    expect(problemsOf({ robots: [{ name: 'a', kind: 'ptburn' }] })).toEqual([
      'config.yaml: robots[0].folder: is required for a PTBurn robot: its job folder (the PTBurn share, mounted here)',
    ]);
    expect(problemsOf({ robots: [{ name: 'a', kind: 'ptburn', folder: '/f', statusFrequencyMs: 10, pathMap: [{ from: '/x' }] }] })).toEqual([
      'config.yaml: robots[0].statusFrequencyMs: must be a whole number of milliseconds from 50 to 60000 (PTBurn\'s StatusFrequency) (got 10)',
      'config.yaml: robots[0].pathMap[0].to: must be the same place as the PTBurn server sees it, such as \\\\server\\spool',
    ]);
    expect(problemsOf({ robots: [{ name: 'a', kind: 'ptburn', folder: '/f', path: '/dev/ttyS0' }] })).toEqual([
      'config.yaml: robots[0].path: applies to serial robots (kind: serial) only (got "/dev/ttyS0")',
    ]);
    expect(problemsOf({ robots: [{ name: 'a', kind: 'sim', folder: '/f', autoAcknowledgeInkLow: true }] })).toEqual([
      'config.yaml: robots[0].folder: applies to PTBurn robots (kind: ptburn) only (got "/f")',
      'config.yaml: robots[0].autoAcknowledgeInkLow: applies to PTBurn robots (kind: ptburn) only (got true)',
    ]);
  });

  it('accept every simulated model, and list them all when the model is unknown', () => {
    for (const model of MODEL_IDS) expect(parse({ robots: [{ name: 'r', kind: 'sim', model }] }).robots[0]).toMatchObject({ model });
    expect(problemsOf({ robots: [{ name: 'r', kind: 'sim', model: 'DP-9000' }] })).toEqual([
      `config.yaml: robots[0].model: must be a simulated robot model: one of ${MODEL_IDS.join(', ')} (got "DP-9000")`,
    ]);
  });

  it('refuse settings of the other kind, naming the field', () => {
    expect(problemsOf({ robots: [{ name: 'a', kind: 'serial', path: '/dev/ttyS0', model: 'DP-4100', timeScale: 10 }] })).toEqual([
      'config.yaml: robots[0].model: applies to simulated robots (kind: sim) only (got "DP-4100")',
      'config.yaml: robots[0].timeScale: applies to simulated robots (kind: sim) only (got 10)',
    ]);
    expect(problemsOf({ robots: [{ name: 'b', kind: 'sim', path: '/dev/ttyS0' }] })).toEqual([
      'config.yaml: robots[0].path: applies to serial robots (kind: serial) only (got "/dev/ttyS0")',
    ]);
  });

  it('refuse a serial robot without its path, and a robot without a kind', () => {
    expect(problemsOf({ robots: [{ name: 'a', kind: 'serial' }] })).toEqual([
      'config.yaml: robots[0].path: is required for a serial robot: the device, such as /dev/ttyUSB0',
    ]);
    expect(problemsOf({ robots: [{ name: 'a', kind: 'serial', path: '  ' }] })).toEqual([
      'config.yaml: robots[0].path: must be the path of a serial device, such as /dev/ttyUSB0 (got "  ")',
    ]);
    expect(problemsOf({ robots: [{ name: 'a' }, { name: 'b', kind: 'usb' }] })).toEqual([
      'config.yaml: robots[0].kind: must be sim (a simulated robot), serial (a device on a serial port) or ptburn (a PTBurn hot folder)',
      'config.yaml: robots[1].kind: must be sim (a simulated robot), serial (a device on a serial port) or ptburn (a PTBurn hot folder) (got "usb")',
    ]);
  });

  it('refuse bad names, repeated names, an empty list, unknown keys and a time scale out of range', () => {
    const nameError = 'must be a name of 1 to 32 letters, digits, _ or -';
    expect(problemsOf({ robots: [{ name: 'robot 1', kind: 'sim' }, { name: 'x'.repeat(33), kind: 'sim' }, { kind: 'sim' }] })).toEqual([
      `config.yaml: robots[0].name: ${nameError} (got "robot 1")`,
      `config.yaml: robots[1].name: ${nameError} (got "${'x'.repeat(33)}")`,
      `config.yaml: robots[2].name: ${nameError}`,
    ]);
    expect(problemsOf({ robots: [{ name: 'a', kind: 'sim' }, { name: 'a', kind: 'serial', path: '/dev/ttyS0' }] })).toEqual([
      'config.yaml: robots[1].name: repeats the robot name "a"',
    ]);
    expect(problemsOf({ robots: [] })).toEqual(['config.yaml: robots: must list at least one robot (got [])']);
    expect(problemsOf({ robots: [{ name: 'a', kind: 'sim', port: '/dev/ttyS0' }] })).toEqual([
      'config.yaml: robots[0].port: is not a known setting (known settings here: name, kind, model, timeScale, path, folder, robotName, statusFrequencyMs, pathMap, autoAcknowledgeInkLow, print)',
    ]);
    const scaleError = 'must be a number of simulated seconds per second from 0 (instant) to 100000';
    expect(problemsOf({ robots: [{ name: 'a', kind: 'sim', timeScale: -1 }, { name: 'b', kind: 'sim', timeScale: 100001 }] })).toEqual([
      `config.yaml: robots[0].timeScale: ${scaleError} (got -1)`,
      `config.yaml: robots[1].timeScale: ${scaleError} (got 100001)`,
    ]);
  });
});

describe('http', () => {
  it('listens on a loopback address without a token, IPv6 in brackets, port 0 allowed', () => {
    expect(parse({ http: { listen: '127.0.0.1:0' } }).http).toEqual({ listen: '127.0.0.1:0', token: null });
    expect(parse({ http: { listen: '[::1]:9090' } }).http).toEqual({ listen: '[::1]:9090', token: null });
    expect(parse({ http: { listen: '127.0.0.2:80' } }).http.listen).toBe('127.0.0.2:80');
  });

  it('needs a token of 16 characters or more on any other address', () => {
    const token = 'correct-horse-battery';
    expect(parse({ http: { listen: '0.0.0.0:8080', token } }).http).toEqual({ listen: '0.0.0.0:8080', token });
    expect(problemsOf({ http: { listen: '0.0.0.0:8080' } })).toEqual([
      'config.yaml: http.token: is required (text of at least 16 characters) when http.listen is not a loopback address (listen: 0.0.0.0:8080)',
    ]);
    expect(problemsOf({ http: { listen: '[::]:8080' } })).toEqual([
      'config.yaml: http.token: is required (text of at least 16 characters) when http.listen is not a loopback address (listen: [::]:8080)',
    ]);
    expect(problemsOf({ http: { listen: '192.168.1.5:8080', token: 'short' } })).toEqual([
      'config.yaml: http.token: must be text of at least 16 characters, or null (got "short")',
    ]);
  });

  it('refuses addresses that are not ADDRESS:PORT, and unknown keys', () => {
    const message =
      'must be ADDRESS:PORT with an IPv4 address or a bracketed IPv6 address and a port from 0 to 65535, such as 127.0.0.1:8080 or [::1]:8080';
    for (const listen of ['localhost:8080', '::1:8080', '127.0.0.1', '127.0.0.1:65536', '[127.0.0.1]:80', '999.0.0.1:80', ':8080']) {
      expect(problemsOf({ http: { listen } }), listen).toEqual([`config.yaml: http.listen: ${message} (got ${JSON.stringify(listen)})`]);
    }
    expect(problemsOf({ http: { listen: 8080 } })).toEqual([
      'config.yaml: http.listen: must be ADDRESS:PORT, such as 127.0.0.1:8080 or [::1]:8080 (got 8080)',
    ]);
    expect(problemsOf({ http: { port: 8080 } })).toEqual([
      'config.yaml: http.port: is not a known setting (known settings here: listen, token)',
    ]);
  });
});

describe('a resolved configuration', () => {
  it('parses to itself, so flags can re-check it', () => {
    const config = parse({
      storage: { retainDays: null },
      routes: [{ name: 'r', match: { calledAe: 'A' }, robots: ['s'], label: { institution: 'Klinik', lines: ['patientName', 'patientId'] } }],
      robots: [{ name: 's', kind: 'serial', path: '/dev/ttyS0' }, { name: 't', kind: 'sim', timeScale: 5 }],
      http: { listen: '[::]:0', token: 'x'.repeat(16) },
    });
    expect(parse(structuredClone(config))).toEqual(config);
  });
});
