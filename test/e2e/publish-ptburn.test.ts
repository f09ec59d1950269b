// `discrobot publish --robot ptburn:FOLDER` against `discrobot simulate --ptburn FOLDER`, both real
// processes sharing only the hot folder: two copies delivered, verified by PTBurn, the discs in the
// emulator's output bin reading back as the image, and each disc's PTBurn job ended .DON; faults are
// the emulator's to arm, so --inject with a PTBurn robot is a usage error.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { PublishSummary } from '../../src/publish/publish-run.ts';
import { startCli, type CliProcess } from './support/process.ts';
import { masterTestImage, readBackProblem, tempDir, type TestImage } from '../support/publish-fixtures.ts';

let dir: string;
let image: TestImage;
const children: CliProcess[] = [];

beforeAll(async () => {
  dir = await tempDir('discrobot-publish-ptburn-');
  image = await masterTestImage(dir);
});

afterAll(async () => {
  for (const child of children) child.kill();
  await Promise.all(children.map((child) => child.exited));
  await fs.rm(dir, { recursive: true, force: true });
});

function cli(args: string[]): CliProcess {
  const child = startCli(args);
  children.push(child);
  return child;
}

/** Resolves once the process logged `msg` (pino JSON on stdout); rejects if it exits first. */
function untilLogged(child: CliProcess, msg: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (!child.logLines().some((line) => line['msg'] === msg)) return;
      child.child.stdout!.off('data', onData);
      resolve();
    };
    child.child.stdout!.on('data', onData);
    void child.exited.then((exit) => reject(new Error(`the process exited (${exit.code ?? exit.signal}) before logging "${msg}":\n${child.stdout()}\n${child.stderr()}`)));
    onData();
  });
}

describe('discrobot publish to a PTBurn hot folder (processes)', () => {
  it('makes 2 copies through the emulator process: delivered, verified, each a .DON job and a disc that reads back as the image', async ({ expect }) => {
    const folder = path.join(dir, 'PTBurnJobs');
    await fs.mkdir(folder);
    const emulatorData = path.join(dir, 'emulator-data');
    const emulator = cli(['simulate', '--ptburn', folder, '--model', 'DP-4100', '--time-scale', '0', '--data', emulatorData]);
    await untilLogged(emulator, 'ptburn emulator ready');

    const publish = cli(['publish', image.iso, '--robot', `ptburn:${folder}`, '--copies', '2', '--data', path.join(dir, 'publish-data')]);
    const exit = await publish.exited;
    expect(exit.code, publish.stderr()).toBe(0);
    const summary = JSON.parse(publish.stdout()) as PublishSummary;
    expect(summary.status).toBe('delivered');
    expect(summary.robot).toBe(`ptburn:${folder}`);
    expect(summary.jobs).toHaveLength(1);
    const job = summary.jobs[0]!;
    expect(job.discs.map((d) => [d.copy, d.attempt, d.outcome])).toEqual([[1, 1, 'delivered'], [2, 1, 'delivered']]);
    expect({ state: job.state, copiesDone: job.copiesDone }).toEqual({ state: 'done', copiesDone: 2 });

    // One PTBurn job per disc, named <jobId>-<copy>-<attempt>, both ended well.
    const files = (await fs.readdir(folder)).filter((name) => name !== 'Status').sort();
    expect(files).toEqual([`${job.jobId}-1-1.DON`, `${job.jobId}-2-1.DON`]);
    // The emulator's unit delivers to its output bin (DP-4100: bin 2).
    const output = path.join(emulatorData, 'sim', 'bins', 'bin2');
    const discs = (await fs.readdir(output)).sort();
    expect(discs).toHaveLength(2);
    for (const disc of discs) expect(await readBackProblem(path.join(output, disc), image), `${disc} reads back as the image`).toBeNull();
  }, 120_000);

  it('refuses --inject with a PTBurn robot (exit 2, naming the emulator as where faults are armed)', async ({ expect }) => {
    const publish = cli(['publish', image.iso, '--robot', `ptburn:${path.join(dir, 'nowhere')}`, '--inject', 'pick@now', '--data', path.join(dir, 'usage-data')]);
    const exit = await publish.exited;
    expect(exit.code).toBe(2);
    expect(publish.stderr()).toContain('--inject: a PTBurn robot takes no faults from here');
    expect(publish.stdout()).toBe('');
  });
});
