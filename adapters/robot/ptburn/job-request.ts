// The job request (.JRQ) of one disc, as the shared contract of issue 8 fixes it: one copy of our
// mastered image (ImageFile, no DataImageType), closed, verified by PTBurn, a used disc rejected,
// the label printed when there is one, ClientID discrobot (an ABORT must carry it).

import type { DiscRequest } from '../../../machines/robot-port.ts';
import { PTBURN_CLIENT_ID } from '../../../machines/ptburn-robot.machine.ts';
import { jobRequest, type JobRequest } from '../../../src/robot/ptburn/jrq.ts';
import { serverPath, type HotFolderConfig } from './options.ts';

/** ISO 9660 volume names: at most 32 characters, upper case, digits and "_" (PTBurn takes 32 either way). */
export function volumeNameOf(jobId: string): string {
  return (jobId.toUpperCase().replace(/[^A-Z0-9_]/g, '_').slice(0, 32)) || 'DISCROBOT';
}

export function jobRequestFor(disc: DiscRequest, jobName: string, config: Pick<HotFolderConfig, 'pathMap' | 'robotName'>): JobRequest {
  return jobRequest({
    jobId: jobName,
    clientId: PTBURN_CLIENT_ID,
    images: [{ path: serverPath(disc.imagePath, config.pathMap) }],
    closeDisc: true,
    copies: 1,
    ...(disc.labelPath ? { printLabel: serverPath(disc.labelPath, config.pathMap) } : {}),
    volumeName: volumeNameOf(disc.jobId),
    verifyDisc: true,
    rejectIfNotBlank: true,
    ...(config.robotName ? { robotName: config.robotName } : {}),
  });
}
