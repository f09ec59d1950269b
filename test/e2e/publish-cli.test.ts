// `discrobot publish` and `discrobot simulate` as real processes: a simulator process on one end of
// a socat pty pair, publish driving it as a serial device from the other end (two copies, a JSON
// summary on stdout, exit 0, the discs image files in the simulator's output bin that read back
// as the image); usage errors exit 2 naming the flag; a serial path with nothing behind it exits 1
// with a message once the connect bound (--connect-timeout) has passed.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../../adapters/robot/socat-pty.ts';
import type { PublishSummary } from '../../src/publish/publish-run.ts';
import { startCli, type CliProcess } from './support/process.ts';
import { masterTestImage, readBackProblem, tempDir, type TestImage } from '../support/publish-fixtures.ts';

let dir: string;
let image: TestImage;
const children: CliProcess[] = [];
const ptys: PtyPair[] = [];

beforeAll(async () => {
  dir = await tempDir('discrobot-publish-cli-');
  image = await masterTestImage(dir);
});

afterAll(async () => {
  for (const child of children) child.kill();
  await Promise.all(children.map((child) => child.exited));
  await Promise.all(ptys.map((pty) => pty.close()));
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
    const logged = () => child.logLines().some((line) => line['msg'] === msg);
    const onData = () => {
      if (!logged()) return;
      child.child.stdout!.off('data', onData);
      resolve();
    };
    child.child.stdout!.on('data', onData);
    void child.exited.then((exit) => reject(new Error(`the process exited (${exit.code ?? exit.signal}) before logging "${msg}":\n${child.stdout()}\n${child.stderr()}`)));
    onData();
  });
}

describe.concurrent('discrobot publish (process)', () => {
  it('a serial path with nothing behind it: exit 1 and a message once the connect bound has passed', async ({ expect }) => {
    const nowhere = path.join(dir, 'nonexistent');
    const publish = cli(['publish', image.iso, '--robot', `serial:${nowhere}`, '--connect-timeout', '3', '--data', path.join(dir, 'nowhere-data')]);
    const exit = await publish.exited;
    expect(exit.code).toBe(1);
    expect(JSON.parse(publish.stdout())).toEqual({ status: 'failed', error: expect.stringMatching(/did not answer on its link within 3 s/) });
    expect(publish.stderr()).toContain(`robot ${nowhere}: connecting`);
  });

  it('drives a `discrobot simulate` process over a socat pty: 2 copies delivered, verified discs in its output bin', async ({ expect }) => {
    const linkDir = await tempDir('discrobot-publish-pty-');
    const pty = await startPtyPair(path.join(linkDir, 'host'), path.join(linkDir, 'device'));
    ptys.push(pty);
    const simData = path.join(dir, 'sim-data');
    const simulator = cli(['simulate', '--model', 'DP-PRO', '--link', pty.devicePath, '--time-scale', '0', '--data', simData]);
    await untilLogged(simulator, 'simulator ready');

    const publish = cli(['publish', image.iso, '--robot', `serial:${pty.hostPath}`, '--copies', '2', '--data', path.join(dir, 'publish-data')]);
    const exit = await publish.exited;
    expect(exit.code, publish.stderr()).toBe(0);
    const summary = JSON.parse(publish.stdout()) as PublishSummary;
    expect(summary.status).toBe('delivered');
    expect(summary.robot).toBe(`serial:${pty.hostPath}`);
    expect(summary.simulator).toBeUndefined();
    expect(summary.jobs).toHaveLength(1);
    expect(summary.jobs[0]!.discs.map((d) => [d.copy, d.outcome])).toEqual([[1, 'delivered'], [2, 'delivered']]);
    expect({ state: summary.jobs[0]!.state, copiesDone: summary.jobs[0]!.copiesDone }).toEqual({ state: 'done', copiesDone: 2 });

    // The simulator process keeps the discs: two files in its output bin (DP-PRO: bin 2), nothing rejected.
    const bins = path.join(simData, 'sim', 'bins');
    expect(await fs.readdir(bins)).toEqual(['bin2']);
    const discs = (await fs.readdir(path.join(bins, 'bin2'))).sort();
    expect(discs).toEqual(['SIM-000001.img', 'SIM-000002.img']);
    for (const disc of discs) expect(await readBackProblem(path.join(bins, 'bin2', disc), image), `${disc} reads back as the image`).toBeNull();
    await fs.rm(linkDir, { recursive: true, force: true });
  });

  it.for([
    { args: ['--robot', 'bogus'], names: '--robot "bogus"' },
    { args: ['--robot', 'sim:NOPE'], names: '--robot sim:NOPE' },
    { args: ['--robot', 'sim:DP-XRP', '--copies', '0'], names: '--copies "0"' },
    { args: ['--robot', 'sim:DP-XRP', '--inject', 'nosuchfault@now'], names: '--inject "nosuchfault@now"' },
    { args: ['--robot', 'sim:DP-XRP', '--connect-timeout', '0'], names: '--connect-timeout "0"' },
  ])('a usage error names $names and exits 2', async ({ args, names }, { expect }) => {
    const publish = cli(['publish', image.iso, ...args, '--data', path.join(dir, 'usage-data')]);
    const exit = await publish.exited;
    expect(exit.code).toBe(2);
    expect(publish.stderr()).toContain(names);
    expect(publish.stdout()).toBe('');
  });

});
