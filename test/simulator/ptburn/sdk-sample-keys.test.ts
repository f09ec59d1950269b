// The manual's literal status-file samples (test/robot/ptburn/sdk-samples.ts) against what the
// emulator writes: every key of every sample section is in the emulator's matching section —
// [RobotList], the robot's section and [System] of SystemStatus.txt; [System], the drive
// statistics, [JobList]/[CompletedJobs], a running and a completed job of <Robot>.txt.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findSection, parseIni, type IniDocument } from '../../../src/robot/ptburn/ini.ts';
import { crlf, ROBOT_STATUS, SYSTEM_STATUS } from '../../robot/ptburn/sdk-samples.ts';
import { discRequest, jobFileState, readRobotStatus, startBench, submit, waitFor, type Bench } from './support.ts';

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

const keysOf = (doc: IniDocument, section: string) => new Set((findSection(doc, section)?.entries ?? []).map(([k]) => k.toLowerCase()));

function expectKeys(sample: IniDocument, sampleSection: string, ours: IniDocument, ourSection: string): void {
  const wanted = [...keysOf(sample, sampleSection)];
  expect(wanted.length).toBeGreaterThan(0);
  const have = keysOf(ours, ourSection);
  expect(wanted.filter((k) => !have.has(k)), `keys of [${sampleSection}] missing from our [${ourSection}]`).toEqual([]);
}

describe('PTBurn emulator status files hold every key of the SDK samples', () => {
  it('SystemStatus.txt and <Robot>.txt, with a running and a completed job', async () => {
    bench = await startBench({ timeScale: 40, statusFrequencyMs: 50 });
    const b = bench;
    const robot = b.emulator.robotName;
    expect(robot).toBe('Disc Publisher XRP');
    const robotFile = path.join(b.folder, 'Status', `${robot}.txt`);
    const systemFile = path.join(b.folder, 'Status', 'SystemStatus.txt');
    submit(b, 'J000030-1-1', discRequest(b));
    const running = await waitFor('a running job in [JobList]', () => readRobotStatus(b.folder, robot)?.jobs.some((j) => j.jobState === 1) && fs.readFileSync(robotFile, 'latin1'), 60_000);
    await waitFor('.DON', () => jobFileState(b.folder, 'J000030-1-1') === 'done', 60_000);
    submit(b, 'J000030-2-1', discRequest(b));
    // The second job runs while the first is listed completed: both kinds of job section in one file.
    const both = await waitFor('a running and a completed job', () => {
      const s = readRobotStatus(b.folder, robot);
      return s && s.jobs.some((j) => j.jobState === 1) && s.completedJobs.length > 0 && fs.readFileSync(robotFile, 'latin1');
    }, 60_000);

    const sampleSystem = parseIni(crlf(SYSTEM_STATUS));
    const ourSystem = parseIni(fs.readFileSync(systemFile, 'latin1'));
    expectKeys(sampleSystem, 'RobotList', ourSystem, 'RobotList');
    expectKeys(sampleSystem, 'Disc Publisher XRP', ourSystem, robot);
    expectKeys(sampleSystem, 'System', ourSystem, 'System');

    const sampleRobot = parseIni(crlf(ROBOT_STATUS));
    for (const text of [running, both]) {
      const ours = parseIni(text);
      expectKeys(sampleRobot, 'System', ours, 'System');
      expectKeys(sampleRobot, 'Top Recorder', ours, 'Top Recorder');
      expectKeys(sampleRobot, 'Bottom Recorder', ours, 'Bottom Recorder');
      expectKeys(sampleRobot, 'JobList', ours, 'JobList');
      expectKeys(sampleRobot, 'DataJob_Test1', ours, parseJobList(ours)[0]!);
    }
    const ours = parseIni(both);
    expectKeys(sampleRobot, 'CompletedJobs', ours, 'CompletedJobs');
    expectKeys(sampleRobot, 'DataJob_ClosedDisc', ours, 'J000030-1-1');
  });
});

function parseJobList(doc: IniDocument): string[] {
  return (findSection(doc, 'JobList')?.entries ?? []).map(([, v]) => v);
}
