// Issue 8's acceptance scenarios, ONE table run against BOTH robot kinds, end to end through
// `discrobot serve` (a real process, its HTTP API and its DICOM port):
// - DPRP: `--robot serial:<pty>`, the DPRP/1 simulator on the other end of a socat pty pair;
// - PTBurn: `--robot ptburn:<folder>`, the PTBurn emulator on that hot folder (Rejects_InARow 1, so
//   every rejected disc fails its PTBurn job and reaches our job, which retries it with a new JRQ:
//   without it PTBurn would retry internally and the job would only ever see a delivered disc).
// Why `serve` rather than `publish`: the rows need the operator's actions (acknowledge low ink,
// cancel, re-burn with copies) and the robot's error and the job's pause as a person sees them, which
// only the publisher's HTTP API gives; every row asserts through it, the same assertion for both kinds.
// Why the robot sides run in this test process (startSimulator on the pty, startPtburnEmulator on the
// folder) and not as `discrobot simulate` processes: a cover that opened must be closed again by a
// hand, and neither a DPRP/1 simulator process (the cover is a SIM_ verb only its host could send)
// nor an emulator process has one; the handles give the test the operator's hands. "Stopped mid-job"
// is the simulator closed and started again on the same link and data (as a killed and restarted
// `discrobot simulate`), and the PTBurn service paused and resumed (its tick stands still, as a
// SIGSTOPped PTBurn: the job it runs stays where it is).
// Faults are the physical model's, armed the same way on both (code@trigger): the emulator turns
// them into PTBurn's errors (disc errors 12 and 19, system errors 5 and 15).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../../adapters/robot/socat-pty.ts';
import type { JobDetailView, RobotView } from '../../src/api/publisher-api.ts';
import { folderFor } from '../../simulator/locations.ts';
import type { ModelParams } from '../../simulator/models.ts';
import { startPtburnEmulator, type PtburnEmulator } from '../../simulator/ptburn/emulator.ts';
import { startSimulator, type SimulatorHandle } from '../../simulator/server.ts';
import { waitFor } from './support/api-client.ts';
import { discCarriesImage } from './support/crash-disc.ts';
import { freshStudyUid, send, studySpec, writeInstances } from './support/patient-study.ts';
import { finishedJob, jobsOfStudy, startPublisher, type RunningPublisher } from './support/publisher-process.ts';

/** Simulated seconds per wall second: a disc takes a few seconds, long enough to cancel or stop it mid-way. */
const TIME_SCALE = 40;
const MODEL = 'DP-4100';
/** Generous bounds on waits for events (never timing assertions): a loaded machine only waits longer. */
const WAIT = { timeoutMs: 150_000 };
const ROW_TIMEOUT_MS = 200_000;

/** One robot kind's far side: what the publisher drives, and the operator's hands on it. */
interface RobotSide {
  readonly kind: 'DPRP' | 'PTBurn';
  /** `--robot` of `discrobot serve`. */
  readonly robotSpec: string;
  /** Where delivered discs lie (the physical model's output bin). */
  outputFolder(): string;
  /** Arms a fault of the physical model: `code@trigger`. */
  arm(fault: string): void;
  closeCover(): void;
  /**
   * Resolves as soon as the unit works on a disc of the job: the moment the far side shows it (the
   * simulated unit's picker moving, PTBurn's `.INP`), so that a cancel or a stop lands mid-disc.
   */
  busyWith(jobId: string): Promise<void>;
  /** The robot's far side goes away mid-job (simulator gone / PTBurn service stopped)… */
  stop(): Promise<void>;
  /** …and comes back on the same link or folder and data. */
  start(): Promise<void>;
  close(): Promise<void>;
}

function outputFolderOf(simDir: string, model: ModelParams): string {
  const output = model.bins.output;
  return path.join(simDir, folderFor(output === 'front' ? { kind: 'output' } : { kind: 'bin', bin: output }));
}

async function dprpSide(work: string): Promise<RobotSide> {
  const hostPath = path.join(work, 'host');
  const devicePath = path.join(work, 'device');
  const simData = path.join(work, 'sim-data');
  const pty: PtyPair = await startPtyPair(hostPath, devicePath);
  const start = () => startSimulator({ model: MODEL, dataDir: simData, timeScale: TIME_SCALE, link: devicePath });
  let sim: SimulatorHandle | null = await start();
  const live = () => {
    if (!sim) throw new Error('the simulator is stopped');
    return sim;
  };
  return {
    kind: 'DPRP',
    robotSpec: `serial:${hostPath}`,
    outputFolder: () => outputFolderOf(live().simDir, live().model),
    arm: (fault) => live().inject(fault),
    closeCover: () => live().operator.cover(false),
    // The unit's own state: an operation in hand (the job's disc is the only one asked for).
    busyWith: (jobId) => waitFor(async () => live().device.robot.pendingOp !== 0, `the unit to work on a disc of ${jobId}`, { ...WAIT, intervalMs: 20 }).then(() => undefined),
    async stop() {
      await live().close();
      sim = null;
    },
    async start() {
      sim = await start();
    },
    async close() {
      await sim?.close();
      await pty.close();
    },
  };
}

async function ptburnSide(work: string): Promise<RobotSide> {
  const folder = path.join(work, 'PTBurnJobs');
  mkdirSync(folder);
  const emulator: PtburnEmulator = await startPtburnEmulator({
    folder, model: MODEL, dataDir: path.join(work, 'emulator-data'), timeScale: TIME_SCALE, rejectsInARow: 1,
  });
  return {
    kind: 'PTBurn',
    robotSpec: `ptburn:${folder}`,
    outputFolder: () => outputFolderOf(emulator.simDir, emulator.model),
    arm: (fault) => emulator.inject(fault),
    closeCover: () => emulator.operator.cover(false),
    busyWith: (jobId) => waitFor(async () => existsSync(path.join(folder, `${jobId}-1-1.INP`)), `PTBurn to run ${jobId}-1-1`, { ...WAIT, intervalMs: 20 }).then(() => undefined),
    stop: async () => emulator.pause(),
    start: async () => emulator.resume(),
    close: () => emulator.stop(),
  };
}

interface Rig {
  side: RobotSide;
  publisher: RunningPublisher;
  work: string;
  /** The job of the first row, re-burned by the copies row. */
  firstJobId?: string;
}

let studyCount = 0;

/** Sends a fresh study of two instances; answers its job's id once the publisher made it. */
async function sendStudy(rig: Rig): Promise<string> {
  studyCount += 1;
  const uid = freshStudyUid();
  const patient = { patientId: `KINDS-${studyCount}`, patientName: `Kinds^Row${studyCount}`, patientBirthDate: '19700101' };
  const files = await writeInstances(path.join(rig.work, `study-${studyCount}`), studySpec(uid, [2], patient));
  await send(rig.publisher.dicomPort, files);
  const jobs = await waitFor(async () => {
    const found = await jobsOfStudy(rig.publisher.api, uid);
    return found.length > 0 ? found : undefined;
  }, `a job of study ${uid}`, WAIT);
  return jobs[0]!.jobId;
}

async function theRobot(rig: Rig): Promise<RobotView> {
  const robots = await rig.publisher.api.robots();
  expect(robots).toHaveLength(1);
  return robots[0]!;
}

/** Waits until the robot's view satisfies `test` (which answers whether it does). */
function robotWhen(rig: Rig, test: (robot: RobotView) => boolean, what: string): Promise<RobotView> {
  let last: RobotView | undefined;
  return waitFor(async () => {
    last = await theRobot(rig);
    return test(last) ? last : undefined;
  }, what, { ...WAIT, lastSeen: () => last && { state: last.state, error: last.error, disc: last.disc } });
}

function jobWhen(rig: Rig, jobId: string, test: (job: JobDetailView) => boolean, what: string): Promise<JobDetailView> {
  let last: JobDetailView | undefined;
  return waitFor(async () => {
    last = await rig.publisher.api.job(jobId);
    return last && test(last) ? last : undefined;
  }, `job ${jobId}: ${what}`, { ...WAIT, lastSeen: () => last && { state: last.state, pause: last.pause, discs: last.discs } });
}

const idle = (rig: Rig) => robotWhen(rig, (r) => r.state === 'idle', 'the robot to be idle');

async function post(rig: Rig, route: string, body?: unknown): Promise<{ status: number; body: { ok?: boolean; error?: string; jobId?: string } }> {
  const headers: Record<string, string> = { 'X-Operator': 'robot-kinds-e2e' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(rig.publisher.api.baseUrl + route, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { ok?: boolean; error?: string; jobId?: string } };
}

/** How many discs in the output bin carry the job's mastered image, byte for byte. */
async function discsInOutputCarrying(rig: Rig, job: JobDetailView): Promise<number> {
  const folder = rig.side.outputFolder();
  const files = existsSync(folder) ? readdirSync(folder).map((name) => path.join(folder, name)) : [];
  let count = 0;
  for (const file of files) if ((await discCarriesImage(file, job.imagePath!)).same) count += 1;
  return count;
}

const discsOf = (job: JobDetailView) => job.discs.map(({ copy, attempt, outcome, cause }) => ({ copy, attempt, outcome, ...(cause ? { cause } : {}) }));
const delivered = (job: JobDetailView) => job.discs.filter((disc) => disc.outcome === 'delivered');

/** A job done, every copy delivered (verified) once, and the output bin holding exactly those discs of its image. */
async function expectDone(rig: Rig, job: JobDetailView, copies = 1): Promise<void> {
  expect(job.state, job.jobId).toBe('done');
  expect(job.copiesDone).toBe(copies);
  expect(delivered(job).map((disc) => disc.copy).sort()).toEqual(Array.from({ length: copies }, (_, i) => i + 1));
  expect(job.imagePath).not.toBeNull();
  expect(await discsInOutputCarrying(rig, job)).toBe(copies);
}

/** Waits until the unit works on the job's disc, and the robot's view shows that disc in hand. */
async function discInHand(rig: Rig, jobId: string): Promise<void> {
  await rig.side.busyWith(jobId);
  await robotWhen(rig, (r) => r.disc?.jobId === jobId, `the robot's view to show a disc of ${jobId}`);
}

interface Row {
  name: string;
  run(rig: Rig): Promise<void>;
}

const SCENARIOS: Row[] = [
  {
    name: 'a job done: one disc delivered, verified, carrying the job\'s image',
    async run(rig) {
      await idle(rig);
      const jobId = await sendStudy(rig);
      const job = await finishedJob(rig.publisher.api, jobId);
      expect(discsOf(job)).toEqual([{ copy: 1, attempt: 1, outcome: 'delivered' }]);
      await expectDone(rig, job);
      rig.firstJobId = jobId;
    },
  },
  {
    name: 'copies: a re-burn of two copies delivers two verified discs of its image',
    async run(rig) {
      await idle(rig);
      expect(rig.firstJobId, 'the first row made a job').toBeDefined();
      const answer = await post(rig, `/api/jobs/${rig.firstJobId}/reburn`, { copies: 2 });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const job = await finishedJob(rig.publisher.api, answer.body.jobId!);
      expect(discsOf(job)).toEqual([{ copy: 1, attempt: 1, outcome: 'delivered' }, { copy: 2, attempt: 1, outcome: 'delivered' }]);
      await expectDone(rig, job, 2);
    },
  },
  {
    name: 'a verify failure: the disc is rejected (verify) and made again',
    async run(rig) {
      await idle(rig);
      rig.side.arm('verify-error@next:RECORDING');
      const job = await finishedJob(rig.publisher.api, await sendStudy(rig));
      expect(discsOf(job)).toEqual([
        { copy: 1, attempt: 1, outcome: 'rejected', cause: 'verify' },
        { copy: 1, attempt: 2, outcome: 'delivered' },
      ]);
      await expectDone(rig, job);
    },
  },
  {
    name: 'a disc that is not blank: rejected (media) and made again',
    async run(rig) {
      await idle(rig);
      rig.side.arm('media-not-blank@next:LOADING_DRIVE');
      const job = await finishedJob(rig.publisher.api, await sendStudy(rig));
      expect(discsOf(job)).toEqual([
        { copy: 1, attempt: 1, outcome: 'rejected', cause: 'media' },
        { copy: 1, attempt: 2, outcome: 'delivered' },
      ]);
      await expectDone(rig, job);
    },
  },
  {
    name: 'the cover opened: the robot\'s error and the job\'s pause say so with the hint; closing it clears both',
    async run(rig) {
      await idle(rig);
      rig.side.arm('cover-open@next:PICKING');
      const jobId = await sendStudy(rig);
      const robot = await robotWhen(rig, (r) => r.error !== null, 'the robot to report an error');
      expect(robot.state.startsWith('error'), robot.state).toBe(true);
      expect(robot.error).toMatchObject({ kind: 'operator', name: expect.stringMatching(/COVER_OPEN$/) });
      expect(robot.error!.hint).toMatch(/cover is open/i);
      const paused = await jobWhen(rig, jobId, (j) => j.pause !== null, 'paused');
      expect(paused.pause).toMatchObject({ kind: 'operator', name: robot.error!.name, hint: robot.error!.hint });
      if (rig.side.kind === 'PTBurn') {
        // PTBurn errors are cleared at the unit, not by the client: the API says so.
        const refused = await post(rig, '/api/robots/robot1/clear-error');
        expect(refused.status).toBe(409);
        expect(refused.body.error).toMatch(/cleared at the unit/);
      }
      rig.side.closeCover();
      const job = await finishedJob(rig.publisher.api, jobId);
      await expectDone(rig, job);
      expect((await theRobot(rig)).error).toBeNull();
    },
  },
  {
    name: 'ink low: the robot\'s error and the job\'s pause say so with the hint; acknowledging it lets the job finish',
    async run(rig) {
      await idle(rig);
      rig.side.arm('ink-low-colour@next:PRINTING');
      const jobId = await sendStudy(rig);
      const robot = await robotWhen(rig, (r) => r.error !== null, 'the robot to report an error');
      expect(robot.error).toMatchObject({ kind: 'consumable', code: 5 });
      expect(robot.error!.hint).toMatch(/ink is low/i);
      const paused = await jobWhen(rig, jobId, (j) => j.pause !== null, 'paused');
      expect(paused.pause).toMatchObject({ kind: 'consumable', code: 5 });
      const answer = await post(rig, '/api/robots/robot1/acknowledge-ink-low');
      expect(answer, JSON.stringify(answer.body)).toEqual({ status: 200, body: { ok: true } });
      const job = await finishedJob(rig.publisher.api, jobId);
      await expectDone(rig, job);
      expect((await theRobot(rig)).error).toBeNull();
    },
  },
  {
    name: 'a job cancelled while its disc is made: cancelled, nothing delivered',
    async run(rig) {
      await idle(rig);
      const jobId = await sendStudy(rig);
      await discInHand(rig, jobId);
      const answer = await post(rig, `/api/jobs/${jobId}/cancel`);
      expect(answer, JSON.stringify(answer.body)).toEqual({ status: 200, body: { ok: true } });
      const job = await finishedJob(rig.publisher.api, jobId);
      expect(job.state).toBe('cancelled');
      expect(delivered(job)).toEqual([]);
      // The disc it was making leaves the robot, never into the output bin.
      await idle(rig);
      expect(await discsInOutputCarrying(rig, job)).toBe(0);
    },
  },
  {
    name: 'the robot\'s far side stopped mid-job: robot offline, job paused; it comes back and the job finishes',
    async run(rig) {
      await idle(rig);
      const jobId = await sendStudy(rig);
      await discInHand(rig, jobId);
      await rig.side.stop();
      await robotWhen(rig, (r) => r.state.startsWith('offline'), 'the robot to be offline');
      const paused = await jobWhen(rig, jobId, (j) => j.pause !== null, 'paused');
      expect(paused.pause).toMatchObject({ kind: 'communication' });
      expect(paused.finishedAtMs).toBeNull();
      await rig.side.start();
      const job = await finishedJob(rig.publisher.api, jobId);
      // The DPRP robot's start-up rules reject the disc left in the drive and make it again; PTBurn goes on with it.
      expect(delivered(job)).toHaveLength(1);
      await expectDone(rig, job);
      await idle(rig);
    },
  },
];

const SIDES: Array<[string, (work: string) => Promise<RobotSide>]> = [['DPRP', dprpSide], ['PTBurn', ptburnSide]];

describe.each(SIDES)('robot kind %s', (_kind, makeSide) => {
  const rig = {} as Rig;

  beforeAll(async () => {
    rig.work = mkdtempSync(path.join(tmpdir(), 'discrobot-robot-kinds-'));
    rig.side = await makeSide(rig.work);
    rig.publisher = await startPublisher({ dataDir: path.join(rig.work, 'data'), quietPeriodSeconds: 1, robots: [rig.side.robotSpec] });
  }, 120_000);

  afterAll(async () => {
    await rig.publisher?.stop();
    await rig.side?.close();
    if (rig.work) rmSync(rig.work, { recursive: true, force: true });
  }, 60_000);

  for (const row of SCENARIOS) it(row.name, () => row.run(rig), ROW_TIMEOUT_MS);
});
