// The read-back check with the real xorriso, on a medium burned by the real xorriso to a stdio:
// drive: (a) a good copy passes with the image's MD5; (b) one flipped byte in a file's data or in
// the directory tree fails; (c) a truncated medium fails; and the whole-image MD5 catches what the
// tags do not cover (the padding after the session tag), a medium without tags is refused.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMedium, verifyMedium, VerifyError } from '../../adapters/recorder/md5-verify.ts';
import { burnImage } from '../../adapters/recorder/xorriso-burn.ts';
import { fileDataOffset, flipByte, makeTestImage, rootDirectoryOffset, SECTOR, type TestImage } from './recorder-fixtures.ts';

describe('md5-verify: reading a written medium back against the image', () => {
  let dir: string;
  let image: TestImage;
  let burned: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'md5-verify-'));
    image = await makeTestImage(dir);
    burned = path.join(dir, 'burned.img');
    await lastValueFrom(burnImage({ device: `stdio:${burned}`, imagePath: image.path }), { defaultValue: undefined });
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** A copy of the burned medium to damage. */
  async function copyOfMedium(name: string): Promise<string> {
    const copy = path.join(dir, name);
    await fs.copyFile(burned, copy);
    return copy;
  }

  async function verifyFailure(medium: string): Promise<VerifyError> {
    const error = await checkMedium({ device: `stdio:${medium}`, imagePath: image.path, imageBytes: image.bytes }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(VerifyError);
    return error as VerifyError;
  }

  it('(a) passes a good copy and returns the MD5 of the image', async () => {
    const result = await checkMedium({ device: `stdio:${burned}`, imagePath: image.path, imageBytes: image.bytes });
    expect(result.md5).toBe(image.md5);
  });

  it('(a) reports verifying progress up to 100, then the MD5', async () => {
    const events = await lastValueFrom(verifyMedium({ device: `stdio:${burned}`, imagePath: image.path }).pipe(toArray()));
    const pcts = events.flatMap((e) => (e.kind === 'progress' ? [e.pct] : []));
    expect(pcts[0]).toBe(0);
    expect(pcts.at(-1)).toBe(100);
    expect([...pcts].sort((x, y) => x - y)).toEqual(pcts);
    expect(events.at(-1)).toEqual({ kind: 'verified', md5: image.md5 });
  });

  it("(b) fails when one byte inside a file's data is flipped", async () => {
    const medium = await copyOfMedium('file-flip.img');
    await flipByte(medium, (await fileDataOffset(image.path, '/A/F1')) + 1000);
    const error = await verifyFailure(medium);
    expect(error.detail).toMatch(/md5_mismatch|NON-MATCHING/);
  });

  it('(b) fails when one byte inside the directory tree is flipped', async () => {
    const medium = await copyOfMedium('tree-flip.img');
    // Inside the second record of the root directory (the first two are "." and "..", 34 bytes each).
    await flipByte(medium, (await rootDirectoryOffset(image.path)) + 34 + 10);
    const error = await verifyFailure(medium);
    expect(error.detail).toMatch(/MD5 mismatch|Checksum mismatch|tree/i);
  });

  it('(c) fails when the medium is truncated', async () => {
    const medium = await copyOfMedium('truncated.img');
    await fs.truncate(medium, Math.floor(image.bytes / SECTOR / 2) * SECTOR);
    const error = await verifyFailure(medium);
    expect(error.detail).toMatch(/md5_mismatch|unreadable/);
  });

  it('fails when only the last sector is missing', async () => {
    const medium = await copyOfMedium('short-by-one.img');
    await fs.truncate(medium, image.bytes - SECTOR);
    await verifyFailure(medium);
  });

  it("fails on a flip in the padding, which the tags do not cover but the image's MD5 does", async () => {
    const medium = await copyOfMedium('padding-flip.img');
    await flipByte(medium, image.bytes - 100);
    const error = await verifyFailure(medium);
    expect(error.detail).toContain(`the image's is ${image.md5}`);
  });

  it('refuses a medium that carries no MD5 tags', async () => {
    const untagged = await makeTestImage(dir, { md5: false, name: 'untagged' });
    const error = await checkMedium({ device: `stdio:${untagged.path}`, imagePath: untagged.path }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).detail).toMatch(/no MD5 tags/);
  });

  it('refuses when the image is not the length the caller gave', async () => {
    const error = await checkMedium({ device: `stdio:${burned}`, imagePath: image.path, imageBytes: image.bytes + SECTOR }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(VerifyError);
  });

  it('fails, naming the path, when the medium does not exist', async () => {
    const missing = path.join(dir, 'no-such-medium.img');
    const error = await verifyFailure(missing);
    expect(error.detail).toContain(missing);
  });
});
