// The PTBurn emulator's job life against the physical model: a job done with the image on the
// delivered disc, copies as several jobs, a not-blank disc and a verify failure rejected and
// retried with a new blank, too many rejects in a row, and jobs that fail before they run.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { delivered, discContent, discRequest, jobFileState, jobSection, startBench, submit, submitText, waitFor, type Bench } from './support.ts';

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

describe('PTBurn emulator jobs', () => {
  it('takes a JRQ through .QRJ and .INP to .DON with the image on the disc in the output bin', async () => {
    bench = await startBench();
    const b = bench;
    const seen = new Set<string>();
    submit(b, 'J000001-1-1', discRequest(b, { printLabel: b.label }));
    await waitFor('.DON', () => {
      const state = jobFileState(b.folder, 'J000001-1-1');
      if (state) seen.add(state);
      return state === 'done';
    });
    const section = await waitFor('the completed section', () => jobSection(b, 'J000001-1-1')?.jobState === 2 && jobSection(b, 'J000001-1-1'));
    expect(section).toMatchObject({ jobId: 'J000001-1-1', clientId: 'discrobot', goodDiscs: 1, badDiscs: 0, discsRemaining: 0, currentStatusState: 10 });
    expect(section.jobErrorNumber).toBeUndefined();
    const { output, reject } = delivered(b);
    expect(reject).toEqual([]);
    expect(output).toHaveLength(1);
    expect(output[0]).toMatchObject({ state: 'closed', printed: true });
    expect(discContent(b, output[0]!.file).equals(fs.readFileSync(b.image))).toBe(true);
    // One file per job: the .JRQ was renamed along its life, never copied.
    expect(fs.readdirSync(b.folder).filter((f) => f.startsWith('J000001')).sort()).toEqual(['J000001-1-1.DON']);
    expect(seen.has('done')).toBe(true);
  });

  it('makes copies as several one-disc jobs, each with its own disc', async () => {
    bench = await startBench();
    const b = bench;
    const names = ['J000002-1-1', 'J000002-2-1', 'J000002-3-1'];
    for (const name of names) submit(b, name, discRequest(b));
    await waitFor('three .DON files', () => names.every((n) => jobFileState(b.folder, n) === 'done'));
    const { output } = delivered(b);
    expect(output).toHaveLength(3);
    expect(new Set(output.map((d) => d.id)).size).toBe(3);
    for (const disc of output) expect(discContent(b, disc.file).equals(fs.readFileSync(b.image))).toBe(true);
    await waitFor('all completed in the status file', () => names.every((n) => jobSection(b, n)?.jobState === 2));
  });

  it('rejects a disc that is not blank with disc error 12 and burns a new blank', async () => {
    bench = await startBench();
    const b = bench;
    b.emulator.inject('media-not-blank');
    submit(b, 'J000003-1-1', discRequest(b));
    await waitFor('.DON', () => jobFileState(b.folder, 'J000003-1-1') === 'done');
    const section = await waitFor('the section', () => jobSection(b, 'J000003-1-1')?.jobState === 2 && jobSection(b, 'J000003-1-1'));
    expect(section).toMatchObject({ goodDiscs: 1, badDiscs: 1 });
    expect(section.discErrors).toEqual([expect.objectContaining({ slot: 0, disc: 1, number: 12 })]);
    const { output, reject } = delivered(b);
    expect(reject).toHaveLength(1);
    expect(output).toHaveLength(1);
    expect(discContent(b, output[0]!.file).equals(fs.readFileSync(b.image))).toBe(true);
  });

  it('rejects a disc that fails verification with disc error 19 and burns a new blank', async () => {
    bench = await startBench();
    const b = bench;
    b.emulator.inject('verify-error');
    submit(b, 'J000004-1-1', discRequest(b));
    await waitFor('.DON', () => jobFileState(b.folder, 'J000004-1-1') === 'done');
    const section = await waitFor('the section', () => jobSection(b, 'J000004-1-1')?.jobState === 2 && jobSection(b, 'J000004-1-1'));
    expect(section).toMatchObject({ goodDiscs: 1, badDiscs: 1 });
    expect(section.discErrors).toEqual([expect.objectContaining({ number: 19 })]);
    const { output, reject } = delivered(b);
    expect(reject).toHaveLength(1);
    expect(discContent(b, reject[0]!.file).equals(fs.readFileSync(b.image))).toBe(false);
    expect(discContent(b, output[0]!.file).equals(fs.readFileSync(b.image))).toBe(true);
  });

  it('fails the job with error 20 after three rejects in a row', async () => {
    bench = await startBench();
    const b = bench;
    b.emulator.inject({ kind: 'robot', spec: { code: 'write-error', count: 3 } });
    submit(b, 'J000005-1-1', discRequest(b));
    await waitFor('.ERR', () => jobFileState(b.folder, 'J000005-1-1') === 'failed');
    const section = await waitFor('the section', () => jobSection(b, 'J000005-1-1')?.jobState === 3 && jobSection(b, 'J000005-1-1'));
    expect(section).toMatchObject({ jobErrorNumber: 20, goodDiscs: 0, badDiscs: 3 });
    expect(section.discErrors.map((e) => e.number)).toEqual([18, 18, 18]);
    expect(delivered(b).reject).toHaveLength(3);
  });

  it('sends an unreadable JRQ to .ERR at once with job error 8', async () => {
    bench = await startBench();
    const b = bench;
    submitText(b.folder, 'J000006-1-1', 'this line is not Key = Value\r\nImageFile = x.iso\r\n'.replace(' = Value', ' Value'));
    await waitFor('.ERR', () => jobFileState(b.folder, 'J000006-1-1') === 'failed');
    const section = await waitFor('the section', () => jobSection(b, 'J000006-1-1'));
    expect(section).toMatchObject({ jobState: 3, jobErrorNumber: 8 });
    expect(delivered(b).output).toEqual([]);
    expect(b.emulator.world.counters.picks).toBe(0);
  });

  it('answers an injected job error (4, invalid burn files) with .ERR and leaves the next job alone', async () => {
    bench = await startBench();
    const b = bench;
    b.emulator.inject({ kind: 'job-error', error: 4, job: 'J000007-1-1' });
    submit(b, 'J000007-1-1', discRequest(b));
    submit(b, 'J000007-2-1', discRequest(b));
    await waitFor('.ERR then .DON', () => jobFileState(b.folder, 'J000007-1-1') === 'failed' && jobFileState(b.folder, 'J000007-2-1') === 'done');
    expect(jobSection(b, 'J000007-1-1')).toMatchObject({ jobState: 3, jobErrorNumber: 4 });
    expect(delivered(b).output).toHaveLength(1);
  });

  it('fails a job whose image is missing with error 4 without touching a blank', async () => {
    bench = await startBench();
    const b = bench;
    submit(b, 'J000008-1-1', discRequest(b, { images: [{ path: `${b.root}/missing.iso` }] }));
    await waitFor('.ERR', () => jobFileState(b.folder, 'J000008-1-1') === 'failed');
    expect(jobSection(b, 'J000008-1-1') ?? (await waitFor('section', () => jobSection(b, 'J000008-1-1')))).toMatchObject({ jobErrorNumber: 4 });
    expect(b.emulator.world.counters.picks).toBe(0);
  });

  it('runs queued jobs by Importance, then by arrival', async () => {
    bench = await startBench();
    const b = bench;
    b.emulator.pause();
    submit(b, 'J000009-1-1', discRequest(b, { importance: 4 }));
    submit(b, 'J000009-2-1', discRequest(b, { importance: 1 }));
    b.emulator.resume();
    await waitFor('both done', () => jobFileState(b.folder, 'J000009-1-1') === 'done' && jobFileState(b.folder, 'J000009-2-1') === 'done');
    const first = b.emulator.job('J000009-2-1')!;
    const second = b.emulator.job('J000009-1-1')!;
    expect(first.endedAt!).toBeLessThanOrEqual(second.endedAt!);
    const [older, newer] = delivered(b).output;
    // The more important job's disc went into the output bin first.
    expect(Number(older!.id.slice(4))).toBeLessThan(Number(newer!.id.slice(4)));
  });
});
