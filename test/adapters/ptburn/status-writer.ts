// The fake PTBurn of the adapter tests: the test itself writes the status files (starting from the
// SDK manual's literal samples) and moves job files, as PTBurn would.

import fs from 'node:fs/promises';
import path from 'node:path';
import {
  parseRobotStatus, parseSystemStatus, writeRobotStatus, writeSystemStatus, type JobStatus, type RobotStatus, type SystemStatus,
} from '../../../src/robot/ptburn/status-files.ts';
import { crlf, ROBOT_STATUS, SYSTEM_STATUS } from '../../robot/ptburn/sdk-samples.ts';

export const SAMPLE_ROBOT = 'Disc Publisher XRP';

export const sampleSystem = (): SystemStatus => parseSystemStatus(crlf(SYSTEM_STATUS));
export const sampleRobot = (): RobotStatus => parseRobotStatus(crlf(ROBOT_STATUS));

export class FakePtburn {
  constructor(readonly folder: string) {}

  async writeRaw(systemText: string, robotText: string): Promise<void> {
    await fs.mkdir(path.join(this.folder, 'Status'), { recursive: true });
    await fs.writeFile(path.join(this.folder, 'Status', 'SystemStatus.txt'), systemText);
    await fs.writeFile(path.join(this.folder, 'Status', `${SAMPLE_ROBOT}.txt`), robotText);
  }

  /** The manual's two samples, byte for byte. */
  writeSamples(): Promise<void> {
    return this.writeRaw(crlf(SYSTEM_STATUS), crlf(ROBOT_STATUS));
  }

  /** The samples with changes: a tick, a robot error, the job section of the job followed and its drive. */
  async write(change: { tick?: number; sysError?: number; job?: JobStatus; drivePercent?: number }): Promise<void> {
    const system = sampleSystem();
    const robot = sampleRobot();
    if (change.tick !== undefined) system.system.serverTickCount = change.tick;
    if (change.sysError !== undefined) {
      robot.system.sysErrorNumber = change.sysError;
      system.robots[0]!.sysErrorNumber = change.sysError;
    }
    if (change.job) {
      const running = change.job.jobState === 1;
      robot.jobList = running ? [change.job.name] : [];
      robot.completedJobs = running ? [] : [change.job.name];
      robot.jobs = [change.job];
      if (running && change.drivePercent !== undefined) {
        robot.system.drives[1] = { ...robot.system.drives[1]!, job: change.job.name, percent: change.drivePercent, state: 1 };
      }
    }
    await this.writeRaw(writeSystemStatus(system), writeRobotStatus(robot));
  }

  /** Renames the job's current file to the given extension (PTBurn's lifecycle). */
  async moveJob(name: string, from: string, to: string): Promise<void> {
    await fs.rename(path.join(this.folder, `${name}.${from}`), path.join(this.folder, `${name}.${to}`));
  }
}

export function jobSection(name: string, fields: Partial<JobStatus>): JobStatus {
  return { name, jobId: name, clientId: 'discrobot', discErrors: [], loadDiscs: [], ...fields };
}
