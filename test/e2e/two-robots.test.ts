// Two simulated robots under one `discrobot serve` process, end to end: studies sent with DCMTK
// storescu are spread over both robots; and when one robot stops on a mechanical fault (armed
// through POST /api/robots/:name/simulator) with no operator to clear it, the job it held is
// interrupted there after publishing.failoverAfterSeconds and made on the other robot, every job
// finishes there, and once the fault is cleared the failed robot's cancelled disc goes to its reject
// bin, never its output. Discs are told apart by content: a delivered disc image is byte for byte
// its job's mastered image.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditView, JobDetailView, JobSummaryView, RobotView } from '../../src/api/publisher-api.ts';
import { folderFor } from '../../simulator/locations.ts';
import { storescu } from '../support/dcmtk.ts';
import { freshUids, writeCtFile } from './support/dataset.ts';
import { freePort, startCli, type CliProcess } from './support/process.ts';

const TIME_SCALE = 500;
const FAILOVER_AFTER_SECONDS = 2;
const OPERATOR = 'two-robots-e2e';
/** Generous bounds on waits for events, never timing assertions: a loaded CI machine only waits longer. */
const LONG_WAIT = { timeout: 180_000, interval: 200 };
const SCENARIO_TIMEOUT_MS = 300_000;

interface Publisher {
  cli: CliProcess;
  url: string;
  dicomPort: number;
  dataDir: string;
  work: string;
}

async function startPublisher(): Promise<Publisher> {
  const work = mkdtempSync(path.join(tmpdir(), 'discrobot-two-robots-'));
  const configFile = path.join(work, 'discrobot.json');
  writeFileSync(configFile, JSON.stringify({ publishing: { failoverAfterSeconds: FAILOVER_AFTER_SECONDS } }));
  const dataDir = path.join(work, 'data');
  const dicomPort = await freePort();
  const cli = startCli([
    'serve', '--config', configFile, '--host', '127.0.0.1', '--port', String(dicomPort), '--data', dataDir,
    '--quiet-period', '1', '--time-scale', String(TIME_SCALE), '--robot', 'sim:DP-4100', '--robot', 'sim:DP-4100',
  ]);
  try {
    await cli.listening(60_000);
  } catch (err) {
    cli.kill();
    throw err;
  }
  const url = cli.logLines().find((line) => line['msg'] === 'HTTP API listening')?.['url'];
  if (typeof url !== 'string') throw new Error(`no "HTTP API listening" line with its url:\n${cli.stdout()}`);
  return { cli, url, dicomPort, dataDir, work };
}

async function stopPublisher(publisher: Publisher | undefined): Promise<void> {
  if (!publisher) return;
  const { cli } = publisher;
  if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGTERM');
  const timer = setTimeout(() => cli.kill(), 20_000);
  await cli.exited;
  clearTimeout(timer);
  rmSync(publisher.work, { recursive: true, force: true });
}

async function getJson<T>(publisher: Publisher, route: string): Promise<T> {
  const response = await fetch(publisher.url + route);
  const body = (await response.json()) as T;
  if (response.status !== 200) throw new Error(`GET ${route}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function post(publisher: Publisher, route: string, body?: unknown): Promise<{ status: number; body: { ok?: boolean; error?: string } }> {
  const headers: Record<string, string> = { 'X-Operator': OPERATOR };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(publisher.url + route, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { ok?: boolean; error?: string } };
}

const robots = async (p: Publisher) => (await getJson<{ robots: RobotView[] }>(p, '/api/robots')).robots;
const jobs = async (p: Publisher) => (await getJson<{ jobs: JobSummaryView[] }>(p, '/api/jobs')).jobs;
const job = (p: Publisher, jobId: string) => getJson<JobDetailView>(p, `/api/jobs/${encodeURIComponent(jobId)}`);
const audit = async (p: Publisher, subject: string) => (await getJson<{ audit: AuditView[] }>(p, `/api/audit?subject=${encodeURIComponent(subject)}`)).audit;

async function robotNamed(p: Publisher, name: string): Promise<RobotView> {
  const robot = (await robots(p)).find((r) => r.name === name);
  if (!robot) throw new Error(`no robot ${name} in /api/robots`);
  return robot;
}

/** Both robots are up and idle: a job sent now may go to either. */
async function bothIdle(p: Publisher): Promise<void> {
  await vi.waitFor(async () => expect((await robots(p)).map((r) => [r.name, r.state])).toEqual([['robot1', 'idle'], ['robot2', 'idle']]), LONG_WAIT);
}

/** `count` studies of two instances each, one patient per study, sent in one association; answers their UIDs. */
async function sendStudies(p: Publisher, count: number): Promise<string[]> {
  const dir = mkdtempSync(path.join(p.work, 'studies-'));
  const files: string[] = [];
  const studyUids: string[] = [];
  for (let s = 0; s < count; s++) {
    const study = freshUids();
    studyUids.push(study.studyInstanceUid);
    for (let i = 1; i <= 2; i++) {
      const sopInstanceUid = `${study.sopInstanceUid}.${i}`;
      files.push(writeCtFile(path.join(dir, `${s}-${i}.dcm`), {
        ...study, sopInstanceUid, instanceNumber: i, patientId: `TWO-ROBOTS-${s}`, patientName: `Robots^Two${s}`,
      }));
    }
  }
  const result = await storescu(p.dicomPort, 'DISCROBOT', files);
  expect(result.code, result.output).toBe(0);
  return studyUids;
}

/** Every job of these studies, once there is one per study and each has finished. */
async function finishedJobsOf(p: Publisher, studyUids: string[]): Promise<JobDetailView[]> {
  return vi.waitFor(async () => {
    const mine = (await jobs(p)).filter((j) => j.studyInstanceUid !== null && studyUids.includes(j.studyInstanceUid));
    expect(mine.map((j) => j.studyInstanceUid).sort()).toEqual([...studyUids].sort());
    expect(mine.filter((j) => j.finishedAtMs === null).map((j) => `${j.jobId} ${j.state}`)).toEqual([]);
    return Promise.all(mine.map((j) => job(p, j.jobId)));
  }, LONG_WAIT);
}

/** The files in a folder (none if it does not exist yet). */
function filesIn(folder: string): string[] {
  return existsSync(folder) ? readdirSync(folder).map((name) => path.join(folder, name)) : [];
}

/** The files among these that are byte for byte the job's mastered image. */
function copiesOfImage(files: string[], detail: JobDetailView): string[] {
  const image = readFileSync(detail.imagePath!);
  return files.filter((file) => readFileSync(file).equals(image));
}

function expectDoneWithOneVerifiedDiscPerCopy(detail: JobDetailView): void {
  expect(detail.state, detail.jobId).toBe('done');
  expect(detail.copiesDone, detail.jobId).toBe(detail.copies);
  expect(detail.imagePath, detail.jobId).not.toBeNull();
  const delivered = detail.discs.filter((disc) => disc.outcome === 'delivered');
  // 'delivered' is a verified disc ('unverified' is its own outcome).
  expect(delivered.map((disc) => disc.copy).sort(), detail.jobId).toEqual(Array.from({ length: detail.copies }, (_, i) => i + 1));
}

describe('two simulated robots', () => {
  let publisher: Publisher | undefined;
  beforeAll(async () => {
    publisher = await startPublisher();
  });
  afterAll(() => stopPublisher(publisher));

  it('spreads six studies over both robots, each disc delivered verified into its robot\'s output folder', async () => {
    const p = publisher!;
    await bothIdle(p);
    const studyUids = await sendStudies(p, 6);
    const details = await finishedJobsOf(p, studyUids);
    const outputFolder = new Map((await robots(p)).map((robot) => [robot.name, robot.outputFolder]));

    for (const detail of details) {
      expectDoneWithOneVerifiedDiscPerCopy(detail);
      for (const disc of detail.discs.filter((d) => d.outcome === 'delivered')) {
        expect(disc.robot === 'robot1' || disc.robot === 'robot2', `${disc.discId} on ${disc.robot}`).toBe(true);
        const folder = outputFolder.get(disc.robot!)!;
        expect(disc.imageFile, disc.discId).not.toBeNull();
        expect(path.dirname(disc.imageFile!), disc.discId).toBe(folder);
        expect(existsSync(disc.imageFile!), disc.imageFile!).toBe(true);
        expect(copiesOfImage([disc.imageFile!], detail), `${disc.imageFile} holds ${detail.jobId}'s image`).toHaveLength(1);
      }
    }
    const deliveredBy = (robot: string) => details.flatMap((d) => d.discs).filter((disc) => disc.outcome === 'delivered' && disc.robot === robot);
    expect(deliveredBy('robot1').length, 'discs delivered by robot1').toBeGreaterThan(0);
    expect(deliveredBy('robot2').length, 'discs delivered by robot2').toBeGreaterThan(0);
    // Nothing was made twice: each job's image lies in exactly one output folder, once.
    const allOutput = [...outputFolder.values()].flatMap((folder) => filesIn(folder!));
    for (const detail of details) expect(copiesOfImage(allOutput, detail), detail.jobId).toHaveLength(1);
  }, SCENARIO_TIMEOUT_MS);
});

// The carriage stalls as robot1 carries its first burned disc (to the printer, or from the printer
// to its output bin): a mechanical fault, which waits for a person. Jobs are dispatched to robots by
// name order, so robot1 gets one. Nobody comes: after publishing.failoverAfterSeconds the job moves to
// robot2, and the cancel it sends robot1 ends the stalled move there (CANCEL clears the error), so
// the burned disc goes to robot1's reject bin, never its output bin.
describe.each(['LOADING_PRINTER', 'UNLOADING_PRINTER'])('two simulated robots, one of which fails in %s', (phase) => {
  let publisher: Publisher | undefined;
  beforeAll(async () => {
    publisher = await startPublisher();
  });
  afterAll(() => stopPublisher(publisher));

  it('finishes every job, the stalled one on the other robot; the failed robot rejects the disc it was making', async () => {
    const p = publisher!;
    await bothIdle(p);
    const robot1 = await robotNamed(p, 'robot1');
    const robot2 = await robotNamed(p, 'robot2');
    const simDir1 = path.join(p.dataDir, 'robots', 'robot1', 'sim');
    const rejectFolder1 = path.join(simDir1, folderFor({ kind: 'reject' }));
    expect(robot1.outputFolder!.startsWith(simDir1 + path.sep)).toBe(true);

    const fault = { kind: 'fault', code: 'carriage-move', trigger: `next:${phase}` };
    expect(await post(p, '/api/robots/robot1/simulator', fault)).toEqual({ status: 200, body: { ok: true } });
    const armed = (await audit(p, 'robot:robot1')).filter((entry) => entry.action === 'simulator.fault');
    expect(armed.map(({ actor, subject, details }) => ({ actor, subject, details }))).toEqual([
      { actor: `operator:${OPERATOR}`, subject: 'robot:robot1', details: { code: 'carriage-move', trigger: `next:${phase}` } },
    ]);

    const studyUids = await sendStudies(p, 4);
    const failed = await vi.waitFor(async () => {
      const robot = await robotNamed(p, 'robot1');
      expect(robot.state).toBe('error.mechanical');
      return robot;
    }, LONG_WAIT);
    expect(failed.error).toMatchObject({ name: 'SYSERR_CART_MOVE', kind: 'mechanical' });

    const details = await finishedJobsOf(p, studyUids);
    for (const detail of details) expectDoneWithOneVerifiedDiscPerCopy(detail);
    // The job robot1 held: interrupted there, then made again and delivered by robot2.
    const moved = details.filter((detail) => detail.discs.some((disc) => disc.outcome === 'interrupted'));
    expect(moved.map((detail) => detail.jobId)).toHaveLength(1);
    const movedJob = moved[0]!;
    expect(movedJob.discs.map(({ copy, attempt, outcome, robot }) => ({ copy, attempt, outcome, robot }))).toEqual([
      { copy: 1, attempt: 1, outcome: 'interrupted', robot: 'robot1' },
      { copy: 1, attempt: 2, outcome: 'delivered', robot: 'robot2' },
    ]);
    // robot1's burned disc of that copy ends in its reject bin, and it takes work again.
    await vi.waitFor(async () => {
      expect((await robotNamed(p, 'robot1')).state).toBe('idle');
      expect(copiesOfImage(filesIn(rejectFolder1), movedJob), `${movedJob.jobId}'s burned disc in ${rejectFolder1}`).toHaveLength(1);
    }, LONG_WAIT);
    expect(copiesOfImage(filesIn(robot1.outputFolder!), movedJob)).toEqual([]);
    // Exactly one delivered disc per copy overall, as the jobs say and as the output folders hold.
    const allOutput = [...filesIn(robot1.outputFolder!), ...filesIn(robot2.outputFolder!)];
    for (const detail of details) expect(copiesOfImage(allOutput, detail), detail.jobId).toHaveLength(1);
    const after = await job(p, movedJob.jobId);
    expect(after.discs.filter((disc) => disc.outcome === 'delivered')).toHaveLength(1);
  }, SCENARIO_TIMEOUT_MS);
});
