// Loading configuration files from disk: YAML and JSON give the same configuration; unreadable or
// malformed files give a ConfigError naming the file and the problem.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.ts';
import { ConfigError, embeddedDefaults } from '../../src/config/schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'discrobot-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function loadError(path: string): string {
  try {
    loadConfigFile(path);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const SITE_YAML = `# a site configuration
dicom:
  listeners:
    - { host: "0.0.0.0", port: 104 }
    - host: "::"
      port: 11112
  aeTitles: [DISCROBOT, PACS_DISC]
  acceptStructuredReports: true
  maxPduLength: 32768
storage:
  data: /var/lib/discrobot
  durable: false
  reserveBytes: 500MB
  retainDays: null   # keep the files of published studies
log:
  level: debug
routes:
  - name: ct-to-dvd
    match: { calledAe: DISC_CT, callingAe: [CT1, CT2] }
    media: dvd
    copies: 2
    quietPeriodSeconds: 30
    robots: [left]
    lateArrivals: holdJob
    print: false
    label:
      institution: Radiologie Nord   # not the instances' Institution Name
      lines: [patientName, patientId, study]
  - name: default
robots:
  - { name: left, kind: serial, path: /dev/ttyUSB0 }
  - name: right
    kind: sim
    model: DP-XRP
    timeScale: 50
http:
  listen: "[::]:8080"
  token: 0123456789abcdef
`;

const SITE_JSON = JSON.stringify({
  dicom: {
    listeners: [{ host: '0.0.0.0', port: 104 }, { host: '::', port: 11112 }],
    aeTitles: ['DISCROBOT', 'PACS_DISC'],
    acceptStructuredReports: true,
    maxPduLength: 32768,
  },
  storage: { data: '/var/lib/discrobot', durable: false, reserveBytes: '500MB', retainDays: null },
  log: { level: 'debug' },
  routes: [
    {
      name: 'ct-to-dvd',
      match: { calledAe: 'DISC_CT', callingAe: ['CT1', 'CT2'] },
      media: 'dvd',
      copies: 2,
      quietPeriodSeconds: 30,
      robots: ['left'],
      lateArrivals: 'holdJob',
      print: false,
      label: { institution: 'Radiologie Nord', lines: ['patientName', 'patientId', 'study'] },
    },
    { name: 'default' },
  ],
  robots: [
    { name: 'left', kind: 'serial', path: '/dev/ttyUSB0' },
    { name: 'right', kind: 'sim', model: 'DP-XRP', timeScale: 50 },
  ],
  http: { listen: '[::]:8080', token: '0123456789abcdef' },
});

describe('loadConfigFile', () => {
  it('reads YAML and JSON into the same configuration', () => {
    const fromYaml = loadConfigFile(file('site.yaml', SITE_YAML));
    const fromJson = loadConfigFile(file('site.json', SITE_JSON));
    expect(fromJson).toEqual(fromYaml);
    expect(fromYaml.dicom.listeners).toEqual([
      { host: '0.0.0.0', port: 104 },
      { host: '::', port: 11112 },
    ]);
    expect(fromYaml.dicom.aeTitles).toEqual(['DISCROBOT', 'PACS_DISC']);
    expect(fromYaml.dicom.acceptStructuredReports).toBe(true);
    expect(fromYaml.dicom.maxPduLength).toBe(32768);
    expect(fromYaml.dicom.artimTimeoutSeconds).toBe(30);
    expect(fromYaml.storage).toEqual({ data: '/var/lib/discrobot', durable: false, reserveBytes: 500_000_000, retainDays: null });
    expect(fromYaml.log.level).toBe('debug');
    expect(fromYaml.routes).toEqual([
      {
        name: 'ct-to-dvd',
        match: { calledAe: ['DISC_CT'], callingAe: ['CT1', 'CT2'] },
        media: 'dvd',
        copies: 2,
        quietPeriodSeconds: 30,
        robots: ['left'],
        lateArrivals: 'holdJob',
        print: false,
        label: { institution: 'Radiologie Nord', lines: ['patientName', 'patientId', 'study'] },
      },
      { ...embeddedDefaults().routes[0], name: 'default' },
    ]);
    expect(fromYaml.robots).toEqual([
      { name: 'left', kind: 'serial', path: '/dev/ttyUSB0' },
      { name: 'right', kind: 'sim', model: 'DP-XRP', timeScale: 50 },
    ]);
    expect(fromYaml.http).toEqual({ listen: '[::]:8080', token: '0123456789abcdef' });
    expect(loadConfigFile(file('site.yml', SITE_YAML))).toEqual(fromYaml);
  });

  it('treats an empty file, or one with only comments, as the defaults', () => {
    expect(loadConfigFile(file('empty.yaml', ''))).toEqual(embeddedDefaults());
    expect(loadConfigFile(file('comments.yaml', '# nothing set yet\ndicom:\n  # listeners: []\n'))).toEqual(embeddedDefaults());
  });

  it('names the file, the setting and the value when a setting is invalid', () => {
    const path = file('bad-port.yaml', 'dicom:\n  listeners:\n    - port: 70000\n');
    expect(loadError(path)).toBe(`${path}: dicom.listeners[0].port: must be an integer from 1 to 65535 (got 70000)`);
    const json = file('bad.json', '{"dicom": {"aeTitles": ["THIS_TITLE_IS_TOO_LONG"]}, "logging": {}}');
    expect(loadError(json)).toBe(
      `${json}: dicom.aeTitles[0]: must be at most 16 characters (got "THIS_TITLE_IS_TOO_LONG")\n` +
        `${json}: logging: is not a known setting (known settings here: dicom, storage, log, media, routes, robots, publishing, http, audit)`,
    );
  });

  it('reads an empty retainDays as null, keeping the files, where other empty settings take their defaults', () => {
    const config = loadConfigFile(file('keep.yaml', 'storage:\n  retainDays:\n  durable:\nhttp:\n  token:\n'));
    expect(config.storage.retainDays).toBeNull();
    expect(config.storage.durable).toBe(true);
    expect(config.http.token).toBeNull();
    expect(loadConfigFile(file('no-retain.yaml', 'storage:\n  durable: true\n')).storage.retainDays).toBe(7);
  });

  it('reports a YAML syntax error with its line and column', () => {
    const path = file('broken.yaml', 'dicom:\n  aeTitles: [DISCROBOT\n  maxPduLength: 16384\n');
    expect(loadError(path)).toMatch(new RegExp(`^${escape(path)}: not valid YAML: .+ at line \\d+, column \\d+$`));
    const indented = file('indent.yaml', 'dicom:\n  maxPduLength: 16384\n aeTitles: []\n');
    expect(loadError(indented)).toBe(`${indented}: not valid YAML: All mapping items must start at the same column at line 3, column 1`);
  });

  it('refuses a key given twice rather than silently taking one', () => {
    const path = file('twice.yaml', 'log:\n  level: info\n  level: debug\n');
    expect(loadError(path)).toBe(`${path}: not valid YAML: Map keys must be unique at line 3, column 3`);
  });

  it('holds a .json file to JSON syntax', () => {
    const path = file('yamlish.json', 'dicom:\n  maxPduLength: 16384\n');
    expect(loadError(path)).toMatch(new RegExp(`^${escape(path)}: not valid JSON: Unresolved plain scalar "dicom" at line 1, column 1$`));
    const unclosed = file('unclosed.json', '{"log": {"level": "info"}');
    expect(loadError(unclosed)).toMatch(new RegExp(`^${escape(unclosed)}: not valid JSON: .+ at line 1, column \\d+$`));
  });

  it('reports a missing file, a folder, an unreadable file and an unknown extension', () => {
    const missing = join(dir, 'nope.yaml');
    expect(loadError(missing)).toBe(`${missing}: cannot read the file: no such file`);
    const folder = join(dir, 'folder.yaml');
    mkdirSync(folder);
    expect(loadError(folder)).toBe(`${folder}: cannot read the file: it is a folder, not a file`);
    const locked = file('locked.yaml', 'log: { level: info }\n');
    chmodSync(locked, 0o000);
    try {
      // root reads any file; the permission case can only be observed as another user
      if (process.getuid?.() === 0) expect(loadConfigFile(locked).log.level).toBe('info');
      else expect(loadError(locked)).toBe(`${locked}: cannot read the file: permission denied`);
    } finally {
      chmodSync(locked, 0o600);
    }
    const toml = file('site.toml', 'x = 1\n');
    expect(loadError(toml)).toBe(`${toml}: unsupported file type: name the file *.yaml, *.yml or *.json`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
