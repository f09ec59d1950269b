// The configuration with no file must be the network behaviour the CDRobot3 conformance statement
// describes (read from the statement itself), except for our own AE title.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { embeddedDefaults, parseConfig } from '../../src/config/schema.ts';
import { DEFAULT_SETTINGS } from '../../src/config/defaults.ts';

const statement = readFileSync(
  new URL('../../../shared/spec/cdrobot3-dicom-conformance-statement.txt', import.meta.url),
  'utf8',
);

describe('embedded defaults', () => {
  const config = embeddedDefaults();

  it('listen on port 104 on all IPv4 interfaces, as the statement says', () => {
    expect(statement).toMatch(/Listening port number\(s\) \(default: 104\)/);
    expect(config.dicom.listeners).toEqual([{ host: '0.0.0.0', port: 104 }]);
  });

  it('answer to the AE title DISCROBOT where CDRobot3 answers to CDROBOT3', () => {
    expect(statement).toMatch(/Responding application entity title\(s\) \(default: CDROBOT3\)/);
    expect(config.dicom.aeTitles).toEqual(['DISCROBOT']);
  });

  it('refuse structured reports unless configured, as the statement says', () => {
    expect(statement).toMatch(/Acceptance of structured reports \(default: off\)/);
    expect(config.dicom.acceptStructuredReports).toBe(false);
  });

  it('use the maximum PDU length of 16384 bytes the statement gives', () => {
    expect(statement).toMatch(/The maximum PDU length on sending and receiving is 16384 bytes/);
    expect(config.dicom.maxPduLength).toBe(16384);
  });

  it('resolve the rest to the documented values', () => {
    expect(config).toEqual({
      dicom: {
        listeners: [{ host: '0.0.0.0', port: 104 }],
        aeTitles: ['DISCROBOT'],
        acceptStructuredReports: false,
        maxPduLength: 16384,
        artimTimeoutSeconds: 30,
        idleTimeoutSeconds: 300,
        releaseTimeoutSeconds: 10,
        shutdownGraceSeconds: 20,
        maxAssociationPduBytes: 1048576,
        maxAssociations: 64,
        maxAssociationsPerPeer: 32,
      },
      storage: { data: './data', durable: true, reserveBytes: 2_000_000_000, retainDays: 7 },
      log: { level: 'info' },
      media: { capacities: { cd: null, dvd: null, 'dvd-dl': null, bd: null, 'bd-dl': null } },
      routes: [
        {
          name: 'default',
          match: { calledAe: null, callingAe: null },
          media: 'auto',
          copies: 1,
          quietPeriodSeconds: 60,
          robots: [],
          lateArrivals: 'followUpDisc',
          print: true,
          label: { institution: null, lines: ['institution', 'patientName', 'patientId', 'study', 'disc', 'created'] },
        },
      ],
      robots: [{ name: 'robot1', kind: 'sim', model: 'DP-4100', timeScale: 1 }],
      publishing: { failoverAfterSeconds: 120 },
      http: { listen: '127.0.0.1:8080', token: null },
      audit: { file: 'audit.log', syslog: null },
    });
  });

  it('route everything to the one simulated robot, and keep the API on this host without a token', () => {
    expect(config.routes).toHaveLength(1);
    expect(config.routes[0]?.match).toEqual({ calledAe: null, callingAe: null });
    expect(config.robots.map((r) => r.kind)).toEqual(['sim']);
    expect(config.http.listen.startsWith('127.')).toBe(true);
  });

  it('are what an empty file, or one with only empty sections, resolves to', () => {
    expect(parseConfig(null, 'empty.yaml')).toEqual(config);
    expect(parseConfig({ dicom: null, storage: {}, log: { level: null } }, 'sparse.yaml')).toEqual(config);
    expect(parseConfig({ routes: null, robots: null, http: { listen: null, token: null } }, 'sparse.yaml')).toEqual(config);
  });

  it('are fresh objects each time, so one caller cannot change another\'s defaults', () => {
    const first = embeddedDefaults();
    first.dicom.listeners.push({ host: '::', port: 1 });
    first.dicom.aeTitles.push('OTHER');
    first.routes[0]!.robots.push('robot1');
    first.routes[0]!.match.calledAe = ['X'];
    first.routes[0]!.label.lines.reverse();
    first.robots.push({ name: 'robot2', kind: 'serial', path: '/dev/ttyS0' });
    expect(embeddedDefaults()).toEqual(config);
    expect(DEFAULT_SETTINGS.dicom.listeners).toHaveLength(1);
    expect(DEFAULT_SETTINGS.routes[0].robots).toHaveLength(0);
    expect(DEFAULT_SETTINGS.routes[0].label.lines[0]).toBe('institution');
    expect(DEFAULT_SETTINGS.robots).toHaveLength(1);
  });
});
