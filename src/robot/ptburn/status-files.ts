// PTBurn's status files, typed (PTBurn 3 SDK rev 3.24 §3; shared/reference/primera-robot.md §4.3):
// `Status\SystemStatus.txt` (every robot, server liveness) and `Status\<RobotName>.txt` (drives,
// jobs, disc errors). The adapter parses them; the emulator writes them.
//
// Parsing never throws. A file cut short (ini.ts) or missing a section it promises — a fixed
// section, a robot named in [RobotList], a job named in [JobList]/[CompletedJobs] — comes back
// with `partial: true` and whatever could be read; the adapter then keeps its last good reading.
// A value that is not a number where one is due reads as absent. Keys are written in the order of
// the manual's examples (§3.1.1, §3.2.1), so a sample written back comes out as printed.

import { findSection, parseIni, sectionReader, writeIni, type IniSection, type SectionReader } from './ini.ts';

/** Discs in a bin; PTBurn writes −1 when it does not know (until a pick or CHECK_DISCSINBIN). */
export type BinCount = number | 'unknown';

/** CartridgeTypeX: 0 none, 1 colour, 2 black, 3 yellow, 4 cyan, 5 magenta (§3.1.3.8). */
export interface Cartridge {
  index: number;
  type?: number;
  /** Percent 0–100. */
  fill?: number;
}

export interface RobotSummary {
  /** As listed in [RobotList]; also the name of its section and of its status file. */
  name: string;
  sysErrorNumber?: number;
  sysErrorString?: string;
  systemDrives?: number;
  robotType?: number;
  numJobs?: number;
  status?: string;
  discsInLeftBin?: BinCount;
  discsInRightBin?: BinCount;
  statusFile?: string;
  kioskModeEnabled?: boolean;
  cartridges: Cartridge[];
}

export interface ServerSection {
  sysErrorNumber?: number;
  sysErrorString?: string;
  /** Component versions (PtburnSWVer, JobProcSWVer, PTRobotVer, Px…), in file order. */
  versions: Record<string, string>;
  /** MM/DD/YYYY hh:mm:ss, server local time. */
  serverTime?: string;
  /** Seconds; stops moving when the PTBurn service stops (§5.1.2). */
  serverTickCount?: number;
  /** Free MB on the share's disk. */
  driveSpace?: number;
}

export interface SystemStatus {
  partial: boolean;
  robots: RobotSummary[];
  system: ServerSection;
}

/** DriveStateX (§3.2.5.14). */
export const DRIVE_STATES = ['idle', 'recording', 'reading', 'verifying', 'disc loaded', 'verify failed', 'verify complete', 'record failed', 'record complete'] as const;

export interface DriveStatus {
  index: number;
  desc?: string;
  letter?: string;
  /** "Top Recorder" …: also the name of the drive's statistics section. */
  location?: string;
  state?: number;
  percent?: number;
  job?: string;
  disc?: string;
}

export interface DriveStatistics {
  /** The section name, i.e. a DriveLocationX value. */
  location: string;
  goodDiscs?: number;
  badDiscs?: number;
  readingErrors?: number;
  readingErrorsMedia?: number;
  recordingErrors?: number;
  recordingErrorsMedia?: number;
  verifyingErrors?: number;
  verifyingErrorsMedia?: number;
  driveNotReady?: number;
}

/** JobState (§3.2.4.12). */
export const JOB_STATES = ['not started', 'running', 'completed', 'failed', 'moved'] as const;

/** CurrentStatusState (§3.2.4.20). */
export const CURRENT_STATUS_STATES = [
  'recording', 'reading', 'verifying', 'printing', 'loading', 'unloading', 'waiting for printer',
  'waiting for recorder', 'finishing disc', 'rejecting disc', 'job complete', 'job paused', 'job resumed',
  'job aborted', 'job initializing', 'job failed', 'pre-mastering', 'system OK',
] as const;

/** DiscErrorIndexX/NumberX/StringX; X runs 0–9 and a retried disc may appear twice. */
export interface DiscError {
  slot: number;
  /** 1-based disc number within the job. */
  disc?: number;
  number?: number;
  string?: string;
}

/** LoadDiscStateX/LoadDiscDriveX with LoadUnloadOverride: −1 unused, 0 loading, 1 held, 2 processing, 3 held after, 4 unloading. */
export interface LoadDisc {
  slot: number;
  state?: number;
  drive?: string;
}

export interface JobStatus {
  /** The section name: the .JRQ file name without extension. */
  name: string;
  jobId?: string;
  clientId?: string;
  jobsAhead?: number;
  discsAhead?: number;
  currentStatus?: string;
  currentStatusState?: number;
  timeCreated?: string;
  timeStarted?: string;
  goodDiscs?: number;
  badDiscs?: number;
  discsRemaining?: number;
  jobState?: number;
  jobErrorNumber?: number;
  jobErrorString?: string;
  discErrors: DiscError[];
  loadDiscs: LoadDisc[];
  timeCompleted?: string;
}

export interface RobotSystem {
  systemStatus?: string;
  roboFwVer?: string;
  serialNum?: string;
  dateManf?: string;
  systemDesc?: string;
  systemDrives?: number;
  goodDiscsLaunch?: number;
  badDiscsLaunch?: number;
  goodDiscsLife?: number;
  badDiscsLife?: number;
  sysErrorString?: string;
  sysErrorNumber?: number;
  drives: DriveStatus[];
  discsInLeftBin?: BinCount;
  discsInRightBin?: BinCount;
  cartridges: Cartridge[];
}

export interface RobotStatus {
  partial: boolean;
  system: RobotSystem;
  /** One per drive location that has a section, in file order. */
  driveStats: DriveStatistics[];
  /** [JobList]: Job0 is the current job. */
  jobList: string[];
  /** [CompletedJobs]: recent jobs, passed, failed or aborted. */
  completedJobs: string[];
  /** The detail sections of the jobs named in either list. */
  jobs: JobStatus[];
}

// ---- shared pieces -------------------------------------------------------------------------

type Entries = Array<[string, string]>;

/** Appends only the values that are set, so an absent field stays absent in the file. */
function entryWriter(entries: Entries) {
  return (key: string, value: string | number | undefined) => {
    if (value !== undefined) entries.push([key, String(value)]);
  };
}

const binToText = (bin: BinCount | undefined) => (bin === 'unknown' ? -1 : bin);
function readBin(r: SectionReader, key: string): BinCount | undefined {
  const n = r.int(key);
  return n === undefined ? undefined : n < 0 ? 'unknown' : n;
}

/** Indexes X for which any of the given `PrefixX` keys exists, ascending. */
function indexesOf(r: SectionReader, prefixes: string[]): number[] {
  const found = new Set<number>();
  for (const key of r.keys()) {
    for (const prefix of prefixes) {
      const m = new RegExp(`^${prefix.toLowerCase()}(\\d{1,2})$`).exec(key);
      if (m) found.add(Number(m[1]));
    }
  }
  return [...found].sort((a, b) => a - b);
}

function readCartridges(r: SectionReader): Cartridge[] {
  return indexesOf(r, ['CartridgeType', 'CartridgeFill']).map((index) =>
    compact({ index, type: r.int(`CartridgeType${index}`), fill: r.int(`CartridgeFill${index}`) }),
  );
}

function writeCartridges(put: ReturnType<typeof entryWriter>, cartridges: Cartridge[]): void {
  for (const c of cartridges) {
    put(`CartridgeType${c.index}`, c.type);
    put(`CartridgeFill${c.index}`, c.fill);
  }
}

/** Drops keys whose value is undefined, so parsed objects compare equal to hand-built ones. */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] === undefined) delete value[key];
  return value;
}

function listOf(section: IniSection | undefined): string[] {
  const r = sectionReader(section);
  const names: string[] = [];
  // §3.2.2: a client reads Job0, Job1, … until the next key is missing.
  for (let i = 0; ; i++) {
    const name = r.str(`Job${i}`);
    if (name === undefined) return names;
    names.push(name);
  }
}

const listSection = (name: string, items: string[]): IniSection => ({ name, entries: items.map((item, i) => [`Job${i}`, item]) });

// ---- SystemStatus.txt ----------------------------------------------------------------------

export function parseSystemStatus(text: string): SystemStatus {
  const doc = parseIni(text);
  let partial = doc.partial;
  const robotList = findSection(doc, 'RobotList');
  const systemSection = findSection(doc, 'System');
  if (!robotList || !systemSection) partial = true;

  const robotNames: string[] = [];
  const listReader = sectionReader(robotList);
  for (let i = 0; ; i++) {
    const name = listReader.str(`Robot${i}`);
    if (name === undefined) break;
    robotNames.push(name);
  }
  const robots: RobotSummary[] = [];
  for (const name of robotNames) {
    const section = findSection(doc, name);
    if (!section) {
      partial = true;
      continue;
    }
    const r = sectionReader(section);
    const kiosk = r.int('KioskModeEnabled');
    robots.push(compact({
      name,
      sysErrorString: r.str('SysErrorString'),
      sysErrorNumber: r.int('SysErrorNumber'),
      systemDrives: r.int('SystemDrives'),
      robotType: r.int('RobotType'),
      numJobs: r.int('NumJobs'),
      status: r.str('Status'),
      discsInLeftBin: readBin(r, 'DiscsInLeftBin'),
      discsInRightBin: readBin(r, 'DiscsInRightBin'),
      statusFile: r.str('StatusFile'),
      kioskModeEnabled: kiosk === undefined ? undefined : kiosk !== 0,
      cartridges: readCartridges(r),
    }));
  }
  const s = sectionReader(systemSection);
  const versions: Record<string, string> = {};
  for (const [key, value] of systemSection?.entries ?? []) if (/ver$/i.test(key)) versions[key] = value;
  const system = compact({
    sysErrorString: s.str('SysErrorString'),
    sysErrorNumber: s.int('SysErrorNumber'),
    versions,
    serverTime: s.str('ServerTime'),
    serverTickCount: s.int('ServerTickCount'),
    driveSpace: s.int('DriveSpace'),
  });
  return { partial, robots, system };
}

export function writeSystemStatus(status: Omit<SystemStatus, 'partial'>): string {
  const sections: IniSection[] = [{ name: 'RobotList', entries: status.robots.map((r, i) => [`Robot${i}`, r.name]) }];
  for (const robot of status.robots) {
    const entries: Entries = [];
    const put = entryWriter(entries);
    put('SysErrorString', robot.sysErrorString);
    put('SysErrorNumber', robot.sysErrorNumber);
    put('SystemDrives', robot.systemDrives);
    put('RobotType', robot.robotType);
    put('NumJobs', robot.numJobs);
    put('Status', robot.status);
    put('DiscsInLeftBin', binToText(robot.discsInLeftBin));
    put('DiscsInRightBin', binToText(robot.discsInRightBin));
    put('StatusFile', robot.statusFile);
    put('KioskModeEnabled', robot.kioskModeEnabled === undefined ? undefined : robot.kioskModeEnabled ? 1 : 0);
    writeCartridges(put, robot.cartridges);
    sections.push({ name: robot.name, entries });
  }
  const entries: Entries = [];
  const put = entryWriter(entries);
  put('SysErrorString', status.system.sysErrorString);
  put('SysErrorNumber', status.system.sysErrorNumber);
  for (const [key, value] of Object.entries(status.system.versions)) put(key, value);
  put('ServerTime', status.system.serverTime);
  put('ServerTickCount', status.system.serverTickCount);
  put('DriveSpace', status.system.driveSpace);
  sections.push({ name: 'System', entries });
  return writeIni(sections);
}

// ---- <RobotName>.txt -----------------------------------------------------------------------

const DRIVE_STAT_KEYS = [
  ['GoodDiscs', 'goodDiscs'], ['BadDiscs', 'badDiscs'], ['ReadingErrors', 'readingErrors'],
  ['ReadingErrorsMedia', 'readingErrorsMedia'], ['RecordingErrors', 'recordingErrors'],
  ['RecordingErrorsMedia', 'recordingErrorsMedia'], ['VerifyingErrors', 'verifyingErrors'],
  ['VerifyingErrorsMedia', 'verifyingErrorsMedia'], ['DriveNotReady', 'driveNotReady'],
] as const;

function readJob(name: string, section: IniSection): JobStatus {
  const r = sectionReader(section);
  return compact({
    name,
    jobId: r.str('JobID'),
    clientId: r.str('ClientID'),
    jobsAhead: r.int('JobsAhead'),
    discsAhead: r.int('DiscsAhead'),
    currentStatus: r.str('CurrentStatus'),
    currentStatusState: r.int('CurrentStatusState'),
    timeCreated: r.str('TimeCreated'),
    timeStarted: r.str('TimeStarted'),
    goodDiscs: r.int('GoodDiscs'),
    badDiscs: r.int('BadDiscs'),
    discsRemaining: r.int('DiscsRemaining'),
    jobState: r.int('JobState'),
    jobErrorNumber: r.int('JobErrorNumber'),
    jobErrorString: r.str('JobErrorString'),
    discErrors: indexesOf(r, ['DiscErrorIndex', 'DiscErrorNumber', 'DiscErrorString']).map((slot) =>
      compact({ slot, disc: r.int(`DiscErrorIndex${slot}`), number: r.int(`DiscErrorNumber${slot}`), string: r.str(`DiscErrorString${slot}`) }),
    ),
    loadDiscs: indexesOf(r, ['LoadDiscState', 'LoadDiscDrive']).map((slot) =>
      compact({ slot, state: r.int(`LoadDiscState${slot}`), drive: r.str(`LoadDiscDrive${slot}`) }),
    ),
    timeCompleted: r.str('TimeCompleted'),
  });
}

function jobSection(job: JobStatus): IniSection {
  const entries: Entries = [];
  const put = entryWriter(entries);
  put('JobID', job.jobId);
  put('ClientID', job.clientId);
  put('JobsAhead', job.jobsAhead);
  put('DiscsAhead', job.discsAhead);
  put('CurrentStatus', job.currentStatus);
  put('CurrentStatusState', job.currentStatusState);
  put('TimeCreated', job.timeCreated);
  put('TimeStarted', job.timeStarted);
  put('GoodDiscs', job.goodDiscs);
  put('BadDiscs', job.badDiscs);
  put('DiscsRemaining', job.discsRemaining);
  put('JobState', job.jobState);
  put('JobErrorNumber', job.jobErrorNumber);
  put('JobErrorString', job.jobErrorString);
  for (const e of job.discErrors) {
    put(`DiscErrorIndex${e.slot}`, e.disc);
    put(`DiscErrorNumber${e.slot}`, e.number);
    put(`DiscErrorString${e.slot}`, e.string);
  }
  for (const l of job.loadDiscs) {
    put(`LoadDiscState${l.slot}`, l.state);
    put(`LoadDiscDrive${l.slot}`, l.drive);
  }
  put('TimeCompleted', job.timeCompleted);
  return { name: job.name, entries };
}

export function parseRobotStatus(text: string): RobotStatus {
  const doc = parseIni(text);
  let partial = doc.partial;
  const systemSection = findSection(doc, 'System');
  if (!systemSection) partial = true;
  const r = sectionReader(systemSection);
  const drives = indexesOf(r, ['DriveDesc', 'DriveLetter', 'DriveLocation', 'DriveState', 'DrivePercent', 'DriveJob', 'DriveDisc']).map((index) =>
    compact({
      index,
      desc: r.str(`DriveDesc${index}`),
      letter: r.str(`DriveLetter${index}`),
      location: r.str(`DriveLocation${index}`),
      state: r.int(`DriveState${index}`),
      percent: r.int(`DrivePercent${index}`),
      job: r.str(`DriveJob${index}`),
      disc: r.str(`DriveDisc${index}`),
    }),
  );
  const system: RobotSystem = compact({
    systemStatus: r.str('SystemStatus'),
    roboFwVer: r.str('RoboFWVer'),
    serialNum: r.str('SerialNum'),
    dateManf: r.str('DateManf'),
    systemDesc: r.str('SystemDesc'),
    systemDrives: r.int('SystemDrives'),
    goodDiscsLaunch: r.int('GoodDiscsLaunch'),
    badDiscsLaunch: r.int('BadDiscsLaunch'),
    goodDiscsLife: r.int('GoodDiscsLife'),
    badDiscsLife: r.int('BadDiscsLife'),
    sysErrorString: r.str('SysErrorString'),
    sysErrorNumber: r.int('SysErrorNumber'),
    drives,
    discsInLeftBin: readBin(r, 'DiscsInLeftBin'),
    discsInRightBin: readBin(r, 'DiscsInRightBin'),
    cartridges: readCartridges(r),
  });

  const locations = new Set(drives.map((d) => d.location?.toLowerCase()).filter((l): l is string => l !== undefined));
  const driveStats: DriveStatistics[] = doc.sections
    .filter((section) => locations.has(section.name.toLowerCase()))
    .map((section) => {
      const s = sectionReader(section);
      const stats: DriveStatistics = { location: section.name };
      for (const [key, field] of DRIVE_STAT_KEYS) stats[field] = s.int(key);
      return compact(stats);
    });

  const jobList = listOf(findSection(doc, 'JobList'));
  const completedJobs = listOf(findSection(doc, 'CompletedJobs'));
  const jobs: JobStatus[] = [];
  for (const name of [...jobList, ...completedJobs]) {
    if (jobs.some((j) => j.name.toLowerCase() === name.toLowerCase())) continue;
    const section = findSection(doc, name);
    if (section) jobs.push(readJob(name, section));
    else partial = true;
  }
  return { partial, system, driveStats, jobList, completedJobs, jobs };
}

export function writeRobotStatus(status: Omit<RobotStatus, 'partial'>): string {
  const entries: Entries = [];
  const put = entryWriter(entries);
  const s = status.system;
  put('SystemStatus', s.systemStatus);
  put('RoboFWVer', s.roboFwVer);
  put('SerialNum', s.serialNum);
  put('DateManf', s.dateManf);
  put('SystemDesc', s.systemDesc);
  put('SystemDrives', s.systemDrives);
  put('GoodDiscsLaunch', s.goodDiscsLaunch);
  put('BadDiscsLaunch', s.badDiscsLaunch);
  put('GoodDiscsLife', s.goodDiscsLife);
  put('BadDiscsLife', s.badDiscsLife);
  put('SysErrorString', s.sysErrorString);
  put('SysErrorNumber', s.sysErrorNumber);
  // The manual's example lists each drive's identity first, then each drive's live state.
  for (const d of s.drives) {
    put(`DriveDesc${d.index}`, d.desc);
    put(`DriveLetter${d.index}`, d.letter);
    put(`DriveLocation${d.index}`, d.location);
  }
  for (const d of s.drives) {
    put(`DriveState${d.index}`, d.state);
    put(`DrivePercent${d.index}`, d.percent);
    put(`DriveJob${d.index}`, d.job);
    put(`DriveDisc${d.index}`, d.disc);
  }
  put('DiscsInLeftBin', binToText(s.discsInLeftBin));
  put('DiscsInRightBin', binToText(s.discsInRightBin));
  writeCartridges(put, s.cartridges);

  const sections: IniSection[] = [{ name: 'System', entries }];
  for (const stats of status.driveStats) {
    const statEntries: Entries = [];
    const putStat = entryWriter(statEntries);
    for (const [key, field] of DRIVE_STAT_KEYS) putStat(key, stats[field]);
    sections.push({ name: stats.location, entries: statEntries });
  }
  const jobNamed = (name: string) => status.jobs.find((j) => j.name.toLowerCase() === name.toLowerCase());
  const written = new Set<string>();
  const withJobs = (listName: string, names: string[]) => {
    // §3.2.2: the [JobList] section may be absent when no job runs; we leave empty lists out.
    if (names.length === 0) return;
    sections.push(listSection(listName, names));
    for (const name of names) {
      const job = jobNamed(name);
      if (job && !written.has(job.name.toLowerCase())) {
        sections.push(jobSection(job));
        written.add(job.name.toLowerCase());
      }
    }
  };
  withJobs('JobList', status.jobList);
  withJobs('CompletedJobs', status.completedJobs);
  return writeIni(sections);
}
