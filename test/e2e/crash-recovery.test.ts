// Crash tests: `discrobot serve` as a real child process, SIGKILLed at a chosen moment (a power cut:
// no handler runs) and started again on the same data folder and ports. The simulated robot runs
// in the publisher's process and keeps its world in <data>/robots/robot1/sim, so it dies and comes
// back with it, still holding whatever disc it had. After each restart:
// - during reception: every instance storescu saw acknowledged with 0000 is in the study and its
//   stored file is the object that was sent (pydicom), and the study still goes to disc;
// - during settling: the stored deadline fires without a new instance, not before it was due and
//   without a whole new quiet period;
// - during burning, printing and delivery: exactly one disc of the copy is delivered and it carries
//   the job's image, the earlier attempt is listed as interrupted and ended in the reject bin.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetailView, RobotView, StudyDetailView } from '../../src/api/publisher-api.ts';
import { storescu } from '../support/dcmtk.ts';
import { compareDatasets, makeImages, type ImageFixture } from '../support/python-fixtures.ts';
import { allDiscFiles, discCarriesImage, discFilesIn, placedDiscs, savedWorld } from './support/crash-disc.ts';
import { pollUntil } from './support/crash-http.ts';
import { CrashPublisher } from './support/crash-publisher.ts';
import { startStorescu, type StorescuRun } from './support/crash-storescu.ts';

const AE = 'DISCROBOT';
/** Fast enough for CI, slow enough that each robot phase lasts long enough to be caught (measured by hand). */
const TIME_SCALE = 20;

let work: string;
const publishers: CrashPublisher[] = [];
const senders: StorescuRun[] = [];

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'discrobot-crash-'));
});
afterEach(() => {
  for (const s of senders.splice(0)) s.kill();
  for (const p of publishers.splice(0)) p.dispose();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function publisher(name: string, quietPeriodSeconds: number, timeScale = TIME_SCALE): Promise<CrashPublisher> {
  const p = await CrashPublisher.create({ data: path.join(work, name, 'data'), quietPeriodSeconds, timeScale });
  publishers.push(p);
  return p;
}

async function images(name: string, count: number, root: string): Promise<ImageFixture[]> {
  const dir = path.join(work, name, 'images');
  mkdirSync(dir, { recursive: true });
  return makeImages(dir, count, { rows: 64, cols: 64, studies: 1, series: 2, root });
}

/** The study's instances that are not duplicates of another row. */
function distinctInstances(study: StudyDetailView) {
  return study.instanceList.filter((i) => i.duplicateOf === null);
}

/** Where the store keeps an instance (docs/architecture.md: <data>/store/<study>/<series>/<sop>.dcm). */
function storedFile(data: string, image: ImageFixture): string {
  return path.join(data, 'store', image.studyInstanceUid, image.seriesInstanceUid, `${image.sopInstanceUid}.dcm`);
}

/** Waits for the study's first job and returns its id. */
async function firstJobOf(p: CrashPublisher, studyUid: string): Promise<string> {
  const study = await pollUntil(() => p.api.study(studyUid), (s) => s.jobs.length > 0, { what: `a job for study ${studyUid}`, timeoutMs: 60_000 });
  return study.jobs[0]!.jobId;
}

/** One look at the robot and the job's disc there. */
interface AtTheRobot {
  job: JobDetailView;
  robot: RobotView;
}

async function jobDone(p: CrashPublisher, jobId: string): Promise<JobDetailView> {
  return pollUntil(() => p.api.job(jobId), (j) => j.state === 'done' || j.state === 'failed' || j.state === 'cancelled', {
    what: `job ${jobId} to finish`,
    timeoutMs: 90_000,
  });
}

describe('crash recovery (SIGKILL, then a restart on the same data folder and ports)', () => {
  it('during reception: every acknowledged instance is present and intact, and the study still goes to disc', { timeout: 180_000 }, async () => {
    const sent = await images('reception', 200, '1.2.826.0.1.3680043.8.498.71.');
    const studyUid = sent[0]!.studyInstanceUid;
    const p = await publisher('reception', 3, 200);
    await p.start();

    const sender = startStorescu(p.dicomPort, AE, sent.map((i) => i.file));
    senders.push(sender);
    await sender.acknowledgedAtLeast(40);
    await p.crash();
    await sender.exited;
    const acked = new Set(sender.acknowledged());
    expect(acked.size, 'the crash came before storescu had sent everything').toBeLessThan(sent.length);

    await p.start();
    const ackedImages = sent.filter((i) => acked.has(i.file));
    const study = await p.api.study(studyUid);
    const present = new Set(distinctInstances(study).map((i) => i.sopInstanceUid));
    const missing = ackedImages.filter((i) => !present.has(i.sopInstanceUid)).map((i) => i.sopInstanceUid);
    expect(missing, 'acknowledged instances missing after the restart').toEqual([]);
    const comparisons = await compareDatasets(ackedImages.map((i) => ({ original: i.file, rewritten: storedFile(p.data, i) })));
    const damaged = comparisons.filter((c) => c.differences.length > 0);
    expect(damaged, 'stored files that differ from what was sent').toEqual([]);

    // The modality sends again what it did not see acknowledged (some of it may be stored already).
    const rest = sent.filter((i) => !acked.has(i.file));
    const resend = await storescu(p.dicomPort, AE, rest.map((i) => i.file));
    expect(resend.code, resend.output).toBe(0);
    expect(resend.output.match(/Received Store Response \(Success\)/g)?.length).toBe(rest.length);

    // Every instance ends on a finished disc job (a late arrival would go on a follow-up disc).
    const published = await pollUntil(
      () => p.api.study(studyUid),
      (s) => {
        const instances = distinctInstances(s);
        return instances.length === sent.length && instances.every((i) => i.jobId !== null) && s.jobs.every((j) => j.state === 'done' || j.state === 'failed');
      },
      { what: 'every instance of the study on a finished job', timeoutMs: 90_000 },
    );
    expect(new Set(distinctInstances(published).map((i) => i.sopInstanceUid))).toEqual(new Set(sent.map((i) => i.sopInstanceUid)));
    for (const summary of published.jobs) {
      const job = await p.api.job(summary.jobId);
      expect(job.state, `${job.jobId}: ${job.reason}\n${p.transcript()}`).toBe('done');
      expect(job.discs.filter((d) => d.outcome === 'delivered')).toHaveLength(job.copies);
    }
    const onDiscs = new Set((await Promise.all(published.jobs.map((j) => p.api.job(j.jobId)))).flatMap((j) => j.instanceIds));
    expect(distinctInstances(published).filter((i) => !onDiscs.has(i.id)), 'instances on no job').toEqual([]);
  });

  it('during settling: the stored deadline fires after the restart, without a new instance and not early', { timeout: 120_000 }, async () => {
    const quietPeriodSeconds = 5;
    const sent = await images('settling', 5, '1.2.826.0.1.3680043.8.498.72.');
    const studyUid = sent[0]!.studyInstanceUid;
    const p = await publisher('settling', quietPeriodSeconds, 200);
    await p.start();

    const sending = await storescu(p.dicomPort, AE, sent.map((i) => i.file));
    expect(sending.code, sending.output).toBe(0);
    const lastInstanceAt = Date.now();
    const settling = await pollUntil(() => p.api.study(studyUid), (s) => s.instances === sent.length && s.state === 'settling' && s.quietDeadlineMs !== null, {
      what: 'the study settling with its deadline',
    });
    const deadline = settling.quietDeadlineMs!;
    expect(settling.jobs).toEqual([]);
    // The one deliberate wait: the crash comes 1 s after the last instance, well inside the quiet period.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastInstanceAt + 1000 - Date.now())));
    await p.crash();

    const restartedAt = Date.now();
    const life = await p.start();
    const jobId = await firstJobOf(p, studyUid);
    const job = await jobDone(p, jobId);
    expect(job.state, `${job.reason}\n${p.transcript()}`).toBe('done');
    expect(job.instanceIds).toHaveLength(sent.length);
    const study = await p.api.study(studyUid);
    expect(study.instances, 'no new instance came').toBe(sent.length);
    expect(study.jobs.map((j) => j.jobId)).toEqual([jobId]);

    // Made in the second life, and not before the deadline stored in the first.
    expect(job.createdAtMs).toBeGreaterThanOrEqual(restartedAt);
    expect(job.createdAtMs).toBeGreaterThanOrEqual(deadline);
    // The restored timer waited only for what was left of the quiet period, not for a whole new one
    // counted from the restore: that would make the job at least a quiet period after the timer was
    // armed, which is a little before the restore's log line. The crash came 1 s after the last
    // instance, so the stored deadline is due well before (by the restart's duration plus 1 s).
    const restored = p.logged('restored the studies and jobs of the last run', life);
    expect(restored, 'the second life restored the settling study').toHaveLength(1);
    const restoredAt = Date.parse(String(restored[0]!['time']));
    const loggedAfterArming = 500;
    expect(job.createdAtMs).toBeLessThan(restoredAt - loggedAfterArming + quietPeriodSeconds * 1000);
  });

  /**
   * SIGKILL once `caught` holds for the job's disc at the robot (`what`); after the restart exactly
   * one disc is delivered, it carries the image, and the earlier attempt was interrupted and rejected.
   */
  async function crashAtTheRobot(name: string, what: string, caught: (seen: AtTheRobot) => boolean, root: string, timeScale = TIME_SCALE): Promise<void> {
    const sent = await images(name, 5, root);
    const studyUid = sent[0]!.studyInstanceUid;
    const p = await publisher(name, 1, timeScale);
    await p.start();
    const sending = await storescu(p.dicomPort, AE, sent.map((i) => i.file));
    expect(sending.code, sending.output).toBe(0);
    const jobId = await firstJobOf(p, studyUid);

    const seen: string[] = [];
    const atCrash = await pollUntil(
      async (): Promise<AtTheRobot> => {
        const [job, [robot]] = await Promise.all([p.api.job(jobId), p.api.robots()]);
        const shown = `${job.state}${job.progress ? ` ${job.progress.phase} ${job.progress.pct}%` : ''} (robot ${robot?.state})`;
        if (seen.at(-1) !== shown) seen.push(shown);
        return { job, robot: robot! };
      },
      (at) => caught(at) || ['done', 'failed', 'cancelled', 'interrupted'].includes(at.job.state),
      { what: `job ${jobId} ${what}`, intervalMs: 10, timeoutMs: 90_000 },
    );
    expect(caught(atCrash), `job ${jobId} went past "${what}" before it was seen there; seen: ${seen.join(' → ')}`).toBe(true);
    await p.crash();

    await p.start();
    const job = await jobDone(p, jobId);
    expect(job.state, `${job.reason}\n${p.transcript()}`).toBe('done');
    expect(job.copies).toBe(1);
    expect(job.discs.map((d) => d.outcome), JSON.stringify(job.discs, null, 1)).toEqual(['interrupted', 'delivered']);
    const delivered = job.discs[1]!;
    expect(delivered.imageFile, 'the delivered disc names its image file').not.toBeNull();

    // The robot's own accounting: two discs left the blank stacks, the job's in the output bin and
    // the interrupted one on the reject slide; their files lie where the discs are.
    const [robot] = await p.api.robots();
    expect(robot?.outputFolder).toBeTruthy();
    const outputBin = path.basename(robot!.outputFolder!);
    const world = savedWorld(p.simDir());
    const discs = placedDiscs(world);
    expect(discs.map((d) => d.place).sort(), JSON.stringify(discs, null, 1)).toEqual([outputBin, 'reject'].sort());
    const inOutput = discs.find((d) => d.place === outputBin)!.disc;
    const rejected = discs.find((d) => d.place === 'reject')!.disc;
    expect(inOutput.file && path.join(p.simDir(), inOutput.file)).toBe(delivered.imageFile);
    expect(discFilesIn(robot!.outputFolder!)).toEqual([delivered.imageFile]);
    // Every moment caught here comes after data reached the disc (burning from 25 %, then printing
    // and delivery): the interrupted disc is no blank any more, and its file went with it to the
    // reject bin. Soft: each of these names a different fault of the robot's accounting.
    expect.soft(rejected.state, `the interrupted disc: ${JSON.stringify(rejected)}`).not.toBe('blank');
    expect.soft(discFilesIn(path.join(p.simDir(), 'bins', 'reject')), 'the interrupted disc\'s file in bins/reject').toHaveLength(1);
    // No disc file is left behind that no disc of the world owns (a file follows its disc).
    const owned = discs.flatMap((d) => (d.disc.file === null ? [] : [path.join(p.simDir(), d.disc.file)])).sort();
    expect.soft(allDiscFiles(p.simDir()), 'disc files on disk vs the discs the simulator accounts for').toEqual(owned);

    // The delivered disc reads back as the job's image.
    expect(job.imagePath).not.toBeNull();
    const readBack = await discCarriesImage(delivered.imageFile!, job.imagePath!);
    expect(readBack.same, readBack.detail).toBe(true);
  }

  it('during burning: one good disc delivered, the half-burned one rejected', { timeout: 180_000 }, async () => {
    // Data flowing to the disc (not only spinning up): a quarter written, not yet all of it.
    const halfBurned = ({ job }: AtTheRobot) => job.state === 'disc.burning' && job.progress?.phase === 'burning' && job.progress.pct >= 25 && job.progress.pct < 100;
    await crashAtTheRobot('burning', 'half burned', halfBurned, '1.2.826.0.1.3680043.8.498.73.');
  });

  it('during printing: one good disc delivered, the interrupted one rejected', { timeout: 180_000 }, async () => {
    const printing = ({ job, robot }: AtTheRobot) => job.state === 'disc.printing' && robot.state.includes('printing');
    await crashAtTheRobot('printing', 'printing', printing, '1.2.826.0.1.3680043.8.498.74.');
  });

  it('during delivery: one good disc delivered, the interrupted one rejected', { timeout: 180_000 }, async () => {
    // The disc on its way from the printer to the output bin (after the bin count that begins the
    // phase). A lower time scale: this carry is the shortest motion of the job.
    const carried = ({ job, robot }: AtTheRobot) => job.state === 'disc.delivering' && robot.state.endsWith('delivering.unloading');
    await crashAtTheRobot('delivering', 'carried to the output bin', carried, '1.2.826.0.1.3680043.8.498.75.', 10);
  });
});
