// The status-file codecs (src/robot/ptburn/ini.ts, status-files.ts): the manual's SystemStatus.txt and
// Disc Publisher XRP.txt examples read to typed objects and written back; seeded round trips; and
// files cut short or full of garbage read without throwing, flagged partial, never with a wrong value.
import { describe, expect, it } from 'vitest';
import { parseIni, writeIni } from '../../../src/robot/ptburn/ini.ts';
import {
  parseRobotStatus, parseSystemStatus, writeRobotStatus, writeSystemStatus, type RobotStatus, type SystemStatus,
} from '../../../src/robot/ptburn/status-files.ts';
import { seededRng, type Rng } from '../../../simulator/rng.ts';
import { crlf, ROBOT_STATUS, ROBOT_STATUS_AS_PRINTED, SYSTEM_STATUS, SYSTEM_STATUS_AS_PRINTED } from './sdk-samples.ts';

const expectedSystem: SystemStatus = {
  partial: false,
  robots: [{
    name: 'Disc Publisher XRP', sysErrorString: 'No Errors', sysErrorNumber: 0, systemDrives: 2, robotType: 5, numJobs: 0,
    discsInLeftBin: 6, discsInRightBin: 4, statusFile: 'Disc Publisher XRP.txt', kioskModeEnabled: false,
    cartridges: [{ index: 0, type: 2, fill: 96 }, { index: 1, type: 1, fill: 95 }],
  }],
  system: {
    sysErrorString: 'No Errors', sysErrorNumber: 0,
    versions: {
      PtburnSWVer: '1.0.3.0', JobProcSWVer: '3.0.9', PTRobotVer: '1.3.5.0', PxsdkSWVer: '4.2.62.500', PxengSWVer: '4.2.62.500',
      PxDrvSWVer: '1.02.16a', PxMasSWVer: '4.2.62.500', PxWaveSWVer: '4.2.62.500', PxHelp20SWVer: '3.00.67a',
    },
    serverTime: '06/05/2008 17:44:27', serverTickCount: 1749, driveSpace: 123849,
  },
};

const expectedRobot: RobotStatus = {
  partial: false,
  system: {
    systemStatus: 'System OK', roboFwVer: '4.07 03/24/2008', serialNum: '2091200229', dateManf: '3/27/2010',
    systemDesc: 'Disc Publisher XRP', systemDrives: 2, goodDiscsLaunch: 1, badDiscsLaunch: 0, goodDiscsLife: 5, badDiscsLife: 0,
    sysErrorString: 'No Errors', sysErrorNumber: 0,
    drives: [
      { index: 0, desc: 'PLEXTOR DVDR PX-716A 1.09', letter: 'H', location: 'Bottom Recorder', state: 0, percent: 0, job: 'None', disc: 'None' },
      { index: 1, desc: 'PLEXTOR DVDR PX-716A 1.09', letter: 'F', location: 'Top Recorder', state: 0, percent: 0, job: 'None', disc: 'None' },
    ],
    discsInLeftBin: 6, discsInRightBin: 4,
    cartridges: [{ index: 0, type: 2, fill: 96 }, { index: 1, type: 1, fill: 95 }],
  },
  driveStats: [
    { location: 'Top Recorder', goodDiscs: 4, badDiscs: 3, readingErrors: 0, readingErrorsMedia: 0, recordingErrors: 0, recordingErrorsMedia: 0, verifyingErrors: 0, verifyingErrorsMedia: 0, driveNotReady: 0 },
    { location: 'Bottom Recorder', goodDiscs: 0, badDiscs: 0, readingErrors: 0, readingErrorsMedia: 0, recordingErrors: 0, recordingErrorsMedia: 0, verifyingErrors: 0, verifyingErrorsMedia: 0, driveNotReady: 0 },
  ],
  jobList: ['DataJob_Test1'],
  completedJobs: ['DataJob_ClosedDisc'],
  jobs: [
    {
      name: 'DataJob_Test1', jobsAhead: 0, discsAhead: 0, currentStatus: 'Loading Disc 0', currentStatusState: 4,
      timeStarted: '06/06/2008 14:06:12', goodDiscs: 0, badDiscs: 0, discsRemaining: 1, jobState: 1,
      discErrors: [], loadDiscs: [{ slot: 0, state: 0, drive: 'F' }],
    },
    {
      name: 'DataJob_ClosedDisc', jobsAhead: 0, discsAhead: 0, currentStatus: 'The job is complete...', currentStatusState: 10,
      timeStarted: '06/05/2008 17:14:49', goodDiscs: 1, badDiscs: 0, discsRemaining: 0, jobState: 2,
      discErrors: [], loadDiscs: [], timeCompleted: '06/05/2008 17:16:13',
    },
  ],
};

describe('status samples from the PTBurn SDK manual', () => {
  it('§3.1.1 SystemStatus.txt reads as printed (indented header, LF or CRLF) to the expected object', () => {
    expect(parseSystemStatus(crlf(SYSTEM_STATUS_AS_PRINTED))).toEqual(expectedSystem);
    expect(parseSystemStatus(SYSTEM_STATUS_AS_PRINTED.map((l) => `${l}\n`).join(''))).toEqual(expectedSystem);
  });

  it('§3.1.1 SystemStatus.txt is written back byte for byte', () => {
    expect(writeSystemStatus(expectedSystem)).toBe(crlf(SYSTEM_STATUS));
  });

  it('§3.2.1 Disc Publisher XRP.txt reads as printed to the expected object', () => {
    expect(parseRobotStatus(crlf(ROBOT_STATUS_AS_PRINTED))).toEqual(expectedRobot);
  });

  it('§3.2.1 is written back in the manual’s order, but for [Top Recorder]’s first two keys', () => {
    // The manual itself prints [Top Recorder] as BadDiscs, GoodDiscs and [Bottom Recorder] the other way
    // round; we write one order (GoodDiscs first, as §3.2.6 lists them), so that one pair differs.
    const swapped = [...ROBOT_STATUS];
    const top = swapped.indexOf('[Top Recorder]');
    [swapped[top + 1], swapped[top + 2]] = [swapped[top + 2] as string, swapped[top + 1] as string];
    expect(writeRobotStatus(expectedRobot)).toBe(crlf(swapped));
  });

  it('the generic INI layer writes both samples back byte for byte, key order and all', () => {
    for (const sample of [SYSTEM_STATUS, ROBOT_STATUS]) {
      const doc = parseIni(crlf(sample));
      expect(doc.partial).toBe(false);
      expect(doc.skippedLines).toBe(0);
      expect(writeIni(doc.sections)).toBe(crlf(sample));
    }
  });
});

describe('status reader tolerance', () => {
  it('reads −1 bins as unknown and a repeated key as its last value', () => {
    const text = crlf(SYSTEM_STATUS.map((l) => (l === 'DiscsInLeftBin=6' ? 'DiscsInLeftBin=-1' : l)).concat(['[System]', 'ServerTickCount=1751']));
    const parsed = parseSystemStatus(text);
    expect(parsed.robots[0]?.discsInLeftBin).toBe('unknown');
    expect(parsed.system.serverTickCount).toBe(1751);
    expect(parsed.partial).toBe(false);
  });

  it('matches section and key names without regard to case', () => {
    const text = crlf(SYSTEM_STATUS.map((l) => (l.startsWith('[') ? l.toUpperCase() : l.toLowerCase())));
    expect(parseSystemStatus(text).system.serverTickCount).toBe(1749);
    expect(parseSystemStatus(text).robots[0]?.name).toBe('disc publisher xrp');
  });

  it('reads disc errors and job errors of a failed job', () => {
    const text = crlf(['[System]', 'SysErrorNumber=0', '[CompletedJobs]', 'Job0=Study42', '[Study42]', 'JobID=Study42', 'ClientID=discrobot',
      'JobState=3', 'JobErrorNumber=20', 'JobErrorString=The number of allowable rejects was exceeded.',
      'DiscErrorIndex0=3', 'DiscErrorNumber0=19', 'DiscErrorString0=Error verifying the disc, see the log file for further information.',
      'DiscErrorIndex1=3', 'DiscErrorNumber1=12', 'DiscErrorString1=The media (CD/DVD) is not blank.']);
    const job = parseRobotStatus(text).jobs[0];
    expect(job).toMatchObject({ name: 'Study42', jobState: 3, jobErrorNumber: 20 });
    expect(job?.discErrors).toEqual([
      { slot: 0, disc: 3, number: 19, string: 'Error verifying the disc, see the log file for further information.' },
      { slot: 1, disc: 3, number: 12, string: 'The media (CD/DVD) is not blank.' },
    ]);
  });

  /** Every value `part` holds, `whole` holds too (arrays compared index by index). */
  function expectSubset(part: unknown, whole: unknown, path = '$'): void {
    if (Array.isArray(part)) {
      expect(Array.isArray(whole), path).toBe(true);
      part.forEach((item, i) => expectSubset(item, (whole as unknown[])[i], `${path}[${i}]`));
    } else if (part !== null && typeof part === 'object') {
      for (const [key, value] of Object.entries(part)) {
        if (key === 'partial') continue;
        expectSubset(value, (whole as Record<string, unknown>)[key], `${path}.${key}`);
      }
    } else {
      expect(part, path).toBe(whole);
    }
  }

  it('a file cut at any character is flagged partial when cut mid-line and never reads a wrong value', () => {
    for (const [lines, parse] of [[SYSTEM_STATUS, parseSystemStatus], [ROBOT_STATUS, parseRobotStatus]] as const) {
      const full = crlf(lines);
      const whole = (parse as (t: string) => object)(full);
      for (let cut = 0; cut < full.length; cut++) {
        const prefix = full.slice(0, cut);
        const parsed = (parse as (t: string) => { partial: boolean })(prefix);
        const midLine = cut > 0 && !prefix.endsWith('\n') && !prefix.endsWith('\r');
        if (midLine || cut === 0) expect(parsed.partial, `cut at ${cut}`).toBe(true);
        expectSubset(parsed, whole);
      }
    }
  });

  it('a file with NULs (being extended over the share) is cut at the first NUL and flagged partial', () => {
    const text = crlf(SYSTEM_STATUS).replace('ServerTickCount=1749', 'ServerTickCount=17\0\0\0\0');
    const parsed = parseSystemStatus(text);
    expect(parsed.partial).toBe(true);
    expect(parsed.system.serverTickCount).toBeUndefined();
    expect(parsed.system.serverTime).toBe('06/05/2008 17:44:27');
  });

  it('a robot or job named in a list but missing its section makes the reading partial', () => {
    expect(parseSystemStatus(crlf(['[RobotList]', 'Robot0=A', 'Robot1=B', '[A]', 'SysErrorNumber=0', '[System]', 'ServerTickCount=5'])))
      .toMatchObject({ partial: true, robots: [{ name: 'A', sysErrorNumber: 0 }] });
    expect(parseRobotStatus(crlf(['[System]', 'SysErrorNumber=0', '[JobList]', 'Job0=Gone'])).partial).toBe(true);
    expect(parseRobotStatus('').partial).toBe(true);
    expect(parseSystemStatus('').partial).toBe(true);
  });

  it('never throws on garbage, seeded', () => {
    const random = seededRng(0x5eed);
    const alphabet = '[]=\r\n\0;abcXYZ 0123456789-\uFEFF\uFFFD日';
    for (let i = 0; i < 2000; i++) {
      let text = '';
      const length = Math.floor(random() * 200);
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
      // Mix in real fragments so the reader gets past the first line now and then.
      if (random() < 0.5) text = crlf(SYSTEM_STATUS).slice(0, Math.floor(random() * 400)) + text;
      expect(() => parseSystemStatus(text)).not.toThrow();
      expect(() => parseRobotStatus(text)).not.toThrow();
    }
    expect(() => parseRobotStatus(crlf(['[System]', 'DriveState99999999999999999=1', 'CartridgeType=x', 'Job0', '[', '[]', '=', '==']))).not.toThrow();
  });
});

function randomSystem(random: Rng): SystemStatus {
  const n = (max: number) => Math.floor(random() * (max + 1));
  const name = (i: number) => `Disc Publisher ${['XRP', 'SE', 'PRO', 'XRP (Copy 1)'][i % 4]}${i >= 4 ? ` ${i}` : ''}`;
  const robots = Array.from({ length: 1 + n(3) }, (_, i) => ({
    name: name(i), sysErrorString: 'No Errors', sysErrorNumber: n(42), systemDrives: 1 + n(1), robotType: n(10), numJobs: n(5),
    ...(random() < 0.5 ? { status: 'System OK' } : {}),
    discsInLeftBin: random() < 0.3 ? ('unknown' as const) : n(100), discsInRightBin: random() < 0.3 ? ('unknown' as const) : n(100),
    statusFile: `${name(i)}.txt`, kioskModeEnabled: random() < 0.5,
    cartridges: Array.from({ length: random() < 0.5 ? 2 : 5 }, (_, index) => ({ index, type: n(5), fill: n(100) })),
  }));
  return {
    partial: false, robots,
    system: { sysErrorString: 'No Errors', sysErrorNumber: n(42), versions: { PtburnSWVer: `3.${n(9)}.0`, PTRobotVer: '1.3.5.0' }, serverTime: '01/02/2026 03:04:05', serverTickCount: n(1e9), driveSpace: n(1e6) },
  };
}

function randomRobot(random: Rng): RobotStatus {
  const n = (max: number) => Math.floor(random() * (max + 1));
  const drives = Array.from({ length: 1 + n(1) }, (_, index) => ({
    index, desc: 'PIONEER BD-RW BDR-209 1.10', letter: 'FG'[index] as string, location: ['Top Recorder', 'Bottom Recorder'][index] as string,
    state: n(8), percent: n(100), job: random() < 0.5 ? 'None' : 'Study7', disc: random() < 0.5 ? 'None' : String(n(9)),
  }));
  const job = (name: string, done: boolean) => ({
    name, jobId: name, clientId: 'discrobot', jobsAhead: n(3), discsAhead: n(9), currentStatus: 'Recording Disc 1', currentStatusState: n(17),
    timeCreated: '01/02/2026 03:04:05 AM', timeStarted: '01/02/2026 03:05:05 AM', goodDiscs: n(5), badDiscs: n(3), discsRemaining: n(5), jobState: n(4),
    ...(random() < 0.4 ? { jobErrorNumber: 1 + n(39), jobErrorString: 'The job was aborted.' } : {}),
    discErrors: Array.from({ length: n(3) }, (_, slot) => ({ slot, disc: 1 + n(5), number: 1 + n(39), string: 'Error verifying the disc' })),
    loadDiscs: random() < 0.3 ? [{ slot: 0, state: n(5) - 1, drive: 'F' }] : [],
    ...(done ? { timeCompleted: '01/02/2026 03:09:05 AM' } : {}),
  });
  const jobList = Array.from({ length: n(3) }, (_, i) => `Run${i}`);
  const completedJobs = Array.from({ length: n(3) }, (_, i) => `Done${i}`);
  return {
    partial: false,
    system: {
      systemStatus: 'System OK', roboFwVer: '4.07', systemDesc: 'Disc Publisher XRP', systemDrives: drives.length,
      goodDiscsLaunch: n(99), badDiscsLaunch: n(9), goodDiscsLife: n(9999), badDiscsLife: n(99), sysErrorString: 'No Errors', sysErrorNumber: n(42),
      drives, discsInLeftBin: random() < 0.3 ? 'unknown' : n(50), discsInRightBin: n(50),
      cartridges: [{ index: 0, type: 2, fill: n(100) }, { index: 1, type: 1, fill: n(100) }],
    },
    driveStats: drives.map((d) => ({ location: d.location, goodDiscs: n(99), badDiscs: n(9), readingErrors: 0, readingErrorsMedia: 0, recordingErrors: n(3), recordingErrorsMedia: n(3), verifyingErrors: n(3), verifyingErrorsMedia: 0, driveNotReady: 0 })),
    jobList, completedJobs,
    jobs: [...jobList.map((name) => job(name, false)), ...completedJobs.map((name) => job(name, true))],
  };
}

describe('status round trips', () => {
  it('writes and reads back 300 seeded SystemStatus and robot files unchanged', () => {
    const random = seededRng(0xbeef);
    for (let i = 0; i < 300; i++) {
      const system = randomSystem(random);
      const systemText = writeSystemStatus(system);
      expect(parseSystemStatus(systemText)).toEqual(system);
      expect(writeSystemStatus(parseSystemStatus(systemText))).toBe(systemText);
      const robot = randomRobot(random);
      const robotText = writeRobotStatus(robot);
      expect(parseRobotStatus(robotText)).toEqual(robot);
      expect(writeRobotStatus(parseRobotStatus(robotText))).toBe(robotText);
    }
  });
});
