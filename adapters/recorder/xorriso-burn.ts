// Burns an ISO image onto a blank medium with xorriso and closes the disc. One invocation for a real
// drive (/dev/srN) and for xorriso's `stdio:<file>` pseudo-drives, which the tests use:
//
//   xorriso -no_rc -as cdrecord -v dev=<device> -nopad <image>
//
// Without -multi the cdrecord emulation closes the medium (it overrides -close with "on"), so no
// session can be appended; neither -dao nor -tao is given, the write type is libburn's choice for
// the medium. -nopad: images made by adapters/media/xorriso.ts already hold the 300 KiB padding
// (without it the emulation appends 300 KiB more). Blanking is not done here: media must be blank.
// Progress comes from the cdrecord pacifier on stderr (see burn-output.ts); the Observable
// completes when the disc is closed and errors with a BurnError; unsubscribing kills xorriso.
import path from 'node:path';
import { Observable } from 'rxjs';
import { isMediaProblem, parseBurnLine, writtenPct, type BurnSignal } from './burn-output.ts';
import { throttleProgress } from './throttle-progress.ts';
import { DEFAULT_XORRISO, problemSummary, startXorriso } from './xorriso-process.ts';

export interface BurnRequest {
  /** xorriso drive address: /dev/srN or stdio:<file>. */
  device: string;
  imagePath: string;
  /** Path of the xorriso program (tests put a stand-in here). */
  xorriso?: string;
}

export type BurnProgress = { phase: 'burning' | 'finalizing'; pct: number };

export class BurnError extends Error {
  override name = 'BurnError';
  /** `media`: the medium is missing, not blank or unsuitable; `write`: the writing failed. */
  constructor(readonly kind: 'write' | 'media', readonly detail: string) {
    super(detail);
  }
}

export function burnArguments(request: Pick<BurnRequest, 'device' | 'imagePath'>): string[] {
  // An absolute path cannot be taken for a cdrecord option.
  return ['-no_rc', '-as', 'cdrecord', '-v', `dev=${request.device}`, '-nopad', path.resolve(request.imagePath)];
}

export function burnImage(request: BurnRequest): Observable<BurnProgress> {
  const raw = new Observable<BurnProgress>((subscriber) => {
    const progress = new BurnProgressTracker((p) => subscriber.next(p));
    progress.start();
    const command = request.xorriso ?? DEFAULT_XORRISO;
    const xorriso = startXorriso({
      command,
      args: burnArguments(request),
      onLine: (line) => {
        const signal = parseBurnLine(line);
        if (signal) progress.on(signal);
      },
    });
    void xorriso.exited.then((exit) => {
      if (exit.code === 0) {
        progress.closed();
        subscriber.complete();
        return;
      }
      const kind = !exit.spawnError && isMediaProblem(exit.messages) ? 'media' : 'write';
      subscriber.error(new BurnError(kind, `${request.device}: ${problemSummary(exit, command)}`));
    });
    return () => xorriso.stop();
  });
  return raw.pipe(throttleProgress((p) => p.phase));
}

/** Turns burn signals into non-decreasing burning, then finalizing progress. */
class BurnProgressTracker {
  private burningPct = 0;
  private finalizing = false;

  constructor(private readonly emit: (progress: BurnProgress) => void) {}

  start(): void {
    this.emit({ phase: 'burning', pct: 0 });
  }

  on(signal: BurnSignal): void {
    if (this.finalizing) return;
    if (signal.kind === 'written') {
      const pct = writtenPct(signal);
      if (pct > this.burningPct) {
        this.burningPct = pct;
        this.emit({ phase: 'burning', pct });
      }
      return;
    }
    // Fixating (real media) or the end of the writing (stdio files, which need no fixation).
    this.beginFinalizing();
  }

  /** xorriso ended well: the disc is closed. */
  closed(): void {
    this.beginFinalizing();
    this.emit({ phase: 'finalizing', pct: 100 });
  }

  private beginFinalizing(): void {
    if (this.finalizing) return;
    this.finalizing = true;
    this.emit({ phase: 'burning', pct: 100 });
    this.emit({ phase: 'finalizing', pct: 0 });
  }
}
