// The pieces both recorders share: progress and outcome events for the robot machine, the image
// check before a blank is spent, the verify step as events, and how an adapter error becomes a
// recorder.finished result.
import fs from 'node:fs/promises';
import { catchError, concat, map, Observable, of } from 'rxjs';
import type { RecorderEvent, RecorderInput } from '../../machines/robot-link.ts';
import { SECTOR_BYTES } from '../../src/media/media-choice.ts';
import { verifyMedium, VerifyError, type VerifyRequest } from './md5-verify.ts';
import { BurnError } from './xorriso-burn.ts';

type Phase = Extract<RecorderEvent, { type: 'recorder.progress' }>['phase'];

export function progressEvent(phase: Phase, pct: number): RecorderEvent {
  return { type: 'recorder.progress', phase, pct };
}

/** Verifying progress, then `recorder.finished` ok with the medium's MD5 (errors with VerifyError). */
export function verifyEvents(request: VerifyRequest): Observable<RecorderEvent> {
  return verifyMedium(request).pipe(
    map((e): RecorderEvent => (e.kind === 'progress' ? progressEvent('verifying', e.pct) : { type: 'recorder.finished', result: 'ok', md5: e.md5 })),
  );
}

/** A failed burn or verify as the result the robot machine acts on; anything unforeseen counts as a write error. */
export function finishedFromError(err: unknown): RecorderEvent {
  if (err instanceof VerifyError) return { type: 'recorder.finished', result: 'verifyError', detail: err.detail };
  if (err instanceof BurnError) return { type: 'recorder.finished', result: err.kind === 'media' ? 'mediaError' : 'writeError', detail: err.detail };
  return { type: 'recorder.finished', result: 'writeError', detail: err instanceof Error ? err.message : String(err) };
}

/** Before a blank is spent: the image is there and has the length the job gave, in whole sectors. Errors with BurnError. */
export function checkImage(input: RecorderInput): Observable<never> {
  return new Observable<never>((subscriber) => {
    imageProblem(input).then(
      (problem) => (problem ? subscriber.error(new BurnError('write', problem)) : subscriber.complete()),
      (err: unknown) => subscriber.error(err),
    );
  });
}

async function imageProblem(input: RecorderInput): Promise<string | undefined> {
  let size: number;
  try {
    size = (await fs.stat(input.imagePath)).size;
  } catch (err) {
    return `cannot read the image ${input.imagePath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
  if (size === input.imageBytes && size > 0 && size % SECTOR_BYTES === 0) return undefined;
  return `the image ${input.imagePath} has ${size} bytes; expected ${input.imageBytes}, a non-zero multiple of ${SECTOR_BYTES}`;
}

/** Image check, burn progress, then the verify step, and every failure as a finished event: the Recorder contract. */
export function recordSteps(input: RecorderInput, burn: Observable<RecorderEvent>, verify: Observable<RecorderEvent>): Observable<RecorderEvent> {
  return concat(checkImage(input), burn, verify).pipe(catchError((err: unknown) => of(finishedFromError(err))));
}
