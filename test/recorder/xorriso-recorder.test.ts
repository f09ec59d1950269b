// XorrisoRecorder with the real xorriso on stdio: drives: a burn that finishes ok with its
// progress in order, a medium that verifies afterwards on its own, damage done to the medium
// between burn and verify (a stand-in xorriso that corrupts after the real burn) caught as
// verifyError, and targets xorriso cannot write reported as writeError with xorriso's words.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecorderEvent } from '../../machines/robot-link.ts';
import { checkMedium } from '../../adapters/recorder/md5-verify.ts';
import { XorrisoRecorder } from '../../adapters/recorder/recorder.ts';
import { corruptingXorriso, drive, fileDataOffset, makeTestImage, progressProblems, recorderInput, SECTOR, type TestImage } from './recorder-fixtures.ts';

describe('XorrisoRecorder on stdio: drives', () => {
  let dir: string;
  let image: TestImage;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xorriso-recorder-'));
    image = await makeTestImage(dir);
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Drive i of a robot whose drives are files in `folder`. */
  function recorderFor(folder: string, xorriso?: string): XorrisoRecorder {
    return new XorrisoRecorder({ devicePathFor: (d) => `stdio:${path.join(folder, `drive${d.index}.img`)}`, xorriso });
  }

  async function record(recorder: XorrisoRecorder, index = 0): Promise<RecorderEvent[]> {
    return lastValueFrom(recorder.record(recorderInput(image, drive(index))).pipe(toArray()));
  }

  it('burns, closes and verifies: ok with the image MD5, progress burning → finalizing → verifying', async () => {
    const folder = await fs.mkdtemp(path.join(dir, 'good-'));
    const events = await record(recorderFor(folder));

    expect(events.at(-1)).toEqual({ type: 'recorder.finished', result: 'ok', md5: image.md5 });
    expect(events.filter((e) => e.type === 'recorder.finished')).toHaveLength(1);
    const phases = events.flatMap((e) => (e.type === 'recorder.progress' ? [e.phase] : []));
    expect([...new Set(phases)]).toEqual(['burning', 'finalizing', 'verifying']);
    expect(progressProblems(events)).toEqual([]);
    expect(events).toContainEqual({ type: 'recorder.progress', phase: 'burning', pct: 100 });
    expect(events).toContainEqual({ type: 'recorder.progress', phase: 'verifying', pct: 100 });

    // The medium on its own: the image's bytes first, and it passes the read-back check again.
    const medium = path.join(folder, 'drive0.img');
    const written = await fs.readFile(medium);
    expect(written.length).toBeGreaterThanOrEqual(image.bytes);
    expect(written.subarray(0, image.bytes).equals(await fs.readFile(image.path))).toBe(true);
    await expect(checkMedium({ device: `stdio:${medium}`, imagePath: image.path })).resolves.toEqual({ md5: image.md5 });
  });

  it('uses the drive address the robot reports when no mapping is given', async () => {
    const folder = await fs.mkdtemp(path.join(dir, 'dev-'));
    const medium = path.join(folder, 'sr1.img');
    const events = await lastValueFrom(new XorrisoRecorder().record(recorderInput(image, drive(1, `stdio:${medium}`))).pipe(toArray()));
    expect(events.at(-1)).toEqual({ type: 'recorder.finished', result: 'ok', md5: image.md5 });
    await expect(fs.stat(medium)).resolves.toBeDefined();
  });

  it("reports verifyError when a byte in a file's data area of the written medium is flipped", async () => {
    const folder = await fs.mkdtemp(path.join(dir, 'flip-'));
    const flipAt = (await fileDataOffset(image.path, '/F2')) + 12_345;
    const events = await record(recorderFor(folder, await corruptingXorriso(dir, { flipAt })));
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'recorder.finished', result: 'verifyError' });
    expect(last && 'detail' in last ? last.detail : '').toMatch(/md5_mismatch/);
    // It did burn and close before the check found the damage.
    expect(events).toContainEqual({ type: 'recorder.progress', phase: 'finalizing', pct: 100 });
  });

  it('reports verifyError when the written medium is truncated', async () => {
    const folder = await fs.mkdtemp(path.join(dir, 'trunc-'));
    const truncateTo = Math.floor(image.bytes / SECTOR / 3) * SECTOR;
    const events = await record(recorderFor(folder, await corruptingXorriso(dir, { truncateTo })));
    expect(events.at(-1)).toMatchObject({ type: 'recorder.finished', result: 'verifyError' });
  });

  it("reports writeError with xorriso's message when the target is a directory", async () => {
    const folder = await fs.mkdtemp(path.join(dir, 'dir-'));
    await fs.mkdir(path.join(folder, 'drive0.img'));
    const events = await record(recorderFor(folder));
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'recorder.finished', result: 'writeError' });
    expect(last && 'detail' in last ? last.detail : '').toMatch(/Is a directory/);
    expect(events.some((e) => e.type === 'recorder.progress' && e.phase === 'verifying')).toBe(false);
  });

  it("reports writeError with xorriso's message when the target's folder does not exist", async () => {
    const events = await record(recorderFor(path.join(dir, 'no-such-folder')));
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'recorder.finished', result: 'writeError' });
    expect(last && 'detail' in last ? last.detail : '').toMatch(/Neither stdio-path nor its directory exist/);
  });

  it('reports writeError without burning when the image is not the length the job gave', async () => {
    const folder = await fs.mkdtemp(path.join(dir, 'length-'));
    const input = { ...recorderInput(image, drive(0)), imageBytes: image.bytes - SECTOR };
    const events = await lastValueFrom(recorderFor(folder).record(input).pipe(toArray()));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'recorder.finished', result: 'writeError' });
    await expect(fs.readdir(folder)).resolves.toEqual([]);
  });

  it('reports writeError when the xorriso program cannot be run', async () => {
    const folder = await fs.mkdtemp(path.join(dir, 'noprog-'));
    const events = await record(recorderFor(folder, path.join(dir, 'no-such-xorriso')));
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'recorder.finished', result: 'writeError' });
    expect(last && 'detail' in last ? last.detail : '').toMatch(/cannot run/);
  });
});
