// Reads a written medium back and checks it, in one pass over the medium:
//
//   xorriso -no_rc -md5 on -indev <device> -check_media data_to=- event=FAILURE --
//
// 1. xorriso checks the libisofs MD5 tags the image carries (images are made with --md5): the
//    superblock and tree tags when it loads the tree (-md5 on), the session tag over the whole
//    session while it reads. A flipped byte in a file, in the directory tree, or a short medium
//    makes it fail (exit 5, "MD5 tag range: ... md5_mismatch" or unreadable blocks).
// 2. The blocks it reads go to stdout; their MD5 over the image's length must equal the MD5 of the
//    image file itself. This also covers what the tags do not: the padding after the session tag,
//    and a medium shorter than the image. A medium holding a different (longer) image differs in its
//    volume descriptor, so it cannot match either.
// Works the same for /dev/srN and for `stdio:<file>` (the simulator's discs, the tests).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { filter, lastValueFrom, Observable } from 'rxjs';
import { CheckMediaReportParser, describeRange, tagMatched } from './check-media-report.ts';
import { throttleProgress } from './throttle-progress.ts';
import { DEFAULT_XORRISO, problemSummary, startXorriso, type XorrisoProcess } from './xorriso-process.ts';

export interface VerifyRequest {
  /** xorriso drive address: /dev/srN or stdio:<file>. */
  device: string;
  imagePath: string;
  /** The image's length as the caller knows it; must match the file. */
  imageBytes?: number;
  xorriso?: string;
}

export type VerifyEvent = { kind: 'progress'; pct: number } | { kind: 'verified'; md5: string };

export class VerifyError extends Error {
  override name = 'VerifyError';
  constructor(readonly detail: string) {
    super(detail);
  }
}

export function verifyArguments(device: string): string[] {
  return ['-no_rc', '-md5', 'on', '-indev', device, '-check_media', 'data_to=-', 'event=FAILURE', '--'];
}

/** Progress while reading (0..99), 100 once everything matched, then `verified` with the MD5; errors with VerifyError. */
export function verifyMedium(request: VerifyRequest): Observable<VerifyEvent> {
  const raw = new Observable<VerifyEvent>((subscriber) => {
    const abort = new AbortController();
    let xorriso: XorrisoProcess | undefined;
    const run = async (): Promise<string> => {
      const imageBytes = await imageLength(request);
      const imageMd5 = md5OfFile(request.imagePath, imageBytes, abort.signal);
      imageMd5.catch(() => undefined); // awaited below; do not let an early failure go unhandled
      if (abort.signal.aborted) throw new VerifyError('cancelled');
      subscriber.next({ kind: 'progress', pct: 0 });

      const command = request.xorriso ?? DEFAULT_XORRISO;
      const report = new CheckMediaReportParser();
      xorriso = startXorriso({ command, args: verifyArguments(request.device), onLine: (l) => report.line(l), stdout: true });
      const medium = new PrefixDigest(imageBytes);
      let pct = 0;
      xorriso.stdout?.on('data', (chunk: Buffer) => {
        medium.update(chunk);
        const now = Math.min(99, Math.floor((Math.min(medium.bytesRead, imageBytes) * 100) / imageBytes));
        if (now > pct) subscriber.next({ kind: 'progress', pct: (pct = now) });
      });
      const exit = await xorriso.exited;

      const { badRegions, tagRanges } = report.report;
      const mismatches = tagRanges.filter((r) => !tagMatched(r));
      const findings = [...badRegions.map((r) => `unreadable ${describeRange(r)}`), ...mismatches.map((r) => `MD5 tag range ${describeRange(r)}`)];
      const fail = (what: string): VerifyError => new VerifyError(`${request.device}: ${[what, ...findings].join('; ')}`);
      if (exit.spawnError || exit.code !== 0) throw fail(problemSummary(exit, command));
      if (findings.length > 0) throw fail('the medium does not match its MD5 tags');
      if (tagRanges.length === 0) throw fail('the medium carries no MD5 tags (image not made with --md5?)');
      if (medium.bytesRead < imageBytes) throw fail(`the medium holds ${medium.bytesRead} bytes of the image's ${imageBytes}`);
      const expected = await imageMd5;
      const found = medium.digest();
      if (found !== expected) throw fail(`MD5 of the medium's first ${imageBytes} bytes is ${found}, the image's is ${expected}`);
      return found;
    };
    // Whatever the outcome, stop reading the image (a failed check need not hash gigabytes).
    const finished = run().finally(() => abort.abort());
    finished.then(
      (md5) => {
        subscriber.next({ kind: 'progress', pct: 100 });
        subscriber.next({ kind: 'verified', md5 });
        subscriber.complete();
      },
      (err: unknown) => subscriber.error(err instanceof VerifyError ? err : new VerifyError(err instanceof Error ? err.message : String(err))),
    );
    return () => {
      abort.abort();
      xorriso?.stop();
    };
  });
  return raw.pipe(throttleProgress((e) => e.kind));
}

/** The same check without progress: resolves with the MD5, rejects with VerifyError. */
export async function checkMedium(request: VerifyRequest): Promise<{ md5: string }> {
  const verified = await lastValueFrom(verifyMedium(request).pipe(filter((e): e is Extract<VerifyEvent, { kind: 'verified' }> => e.kind === 'verified')));
  return { md5: verified.md5 };
}

async function imageLength(request: VerifyRequest): Promise<number> {
  let size: number;
  try {
    size = (await fs.promises.stat(request.imagePath)).size;
  } catch (err) {
    throw new VerifyError(`cannot read the image ${request.imagePath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (size === 0) throw new VerifyError(`the image ${request.imagePath} is empty`);
  if (request.imageBytes !== undefined && request.imageBytes !== size) {
    throw new VerifyError(`the image ${request.imagePath} has ${size} bytes, ${request.imageBytes} were expected`);
  }
  return size;
}

async function md5OfFile(filePath: string, bytes: number, signal: AbortSignal): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of fs.createReadStream(filePath, { start: 0, end: bytes - 1, signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** MD5 of the first `limit` bytes of a stream, counting every byte that comes. */
class PrefixDigest {
  private readonly hash = createHash('md5');
  bytesRead = 0;

  constructor(private readonly limit: number) {}

  update(chunk: Buffer): void {
    const room = this.limit - this.bytesRead;
    if (room > 0) this.hash.update(room >= chunk.length ? chunk : chunk.subarray(0, room));
    this.bytesRead += chunk.length;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
