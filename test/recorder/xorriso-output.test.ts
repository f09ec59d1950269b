// The readers of xorriso's output, on lines captured from xorriso 1.5.4 here (burns and
// -check_media runs on stdio: drives) and on libburn's own message texts for the media problems
// a stdio: drive cannot produce; and the progress throttle, on a fake clock.
import { Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isMediaProblem, parseBurnLine, writtenPct } from '../../adapters/recorder/burn-output.ts';
import { CheckMediaReportParser } from '../../adapters/recorder/check-media-report.ts';
import { throttleProgress } from '../../adapters/recorder/throttle-progress.ts';
import { burnArguments } from '../../adapters/recorder/xorriso-burn.ts';
import { verifyArguments } from '../../adapters/recorder/md5-verify.ts';

describe('burn output', () => {
  it('reads the cdrecord pacifier, the fixation and the end of the writing', () => {
    expect(parseBurnLine('xorriso : UPDATE :   15 of   95 MB written (fifo 99%) [buf  50%]  63.0x.')).toEqual({ kind: 'written', mb: 15, totalMb: 95 });
    expect(parseBurnLine('xorriso : UPDATE :    0 of    2 MB written (fifo 63%) [buf  50%]')).toEqual({ kind: 'written', mb: 0, totalMb: 2 });
    expect(parseBurnLine('xorriso : UPDATE : Closing track/session. Working since 3 seconds')).toEqual({ kind: 'closing' });
    expect(parseBurnLine("Writing to 'stdio:/tmp/rx/d0.img' completed successfully.")).toEqual({ kind: 'completed' });
    expect(parseBurnLine('Beginning to write data track.')).toBeUndefined();
    expect(parseBurnLine("xorriso : NOTE : Re-assessing -outdev 'stdio:/tmp/rx/d0.img'")).toBeUndefined();
  });

  it('keeps 100 % for the end of the writing', () => {
    expect(writtenPct({ mb: 0, totalMb: 2 })).toBe(0);
    expect(writtenPct({ mb: 48, totalMb: 95 })).toBe(50);
    expect(writtenPct({ mb: 95, totalMb: 95 })).toBe(99);
    expect(writtenPct({ mb: 3, totalMb: 0 })).toBe(0);
  });

  it('tells a medium problem from a write failure', () => {
    expect(isMediaProblem(['libburn : SORRY : No media detected in drive'])).toBe(true);
    expect(isMediaProblem(['xorriso : FAILURE : Closed media with data detected. Need blank or appendable media.'])).toBe(true);
    expect(isMediaProblem(['libburn : FAILURE : Unsuitable media detected. Profile 0010h  DVD-ROM'])).toBe(true);
    expect(isMediaProblem(['libburn : SORRY : Failed to open device (a pseudo-drive) : Is a directory', 'xorriso : FAILURE : libburn indicates failure with writing.'])).toBe(false);
    expect(isMediaProblem(['libburn : SORRY : Neither stdio-path nor its directory exist'])).toBe(false);
    // A note that mentions media is no failure.
    expect(isMediaProblem(['xorriso : NOTE : No media detected in drive'])).toBe(false);
  });

  it('burns with the cdrecord emulation, closing (no -multi), without extra padding', () => {
    expect(burnArguments({ device: 'stdio:/tmp/d.img', imagePath: '/srv/out/DISC.iso' })).toEqual([
      '-no_rc', '-as', 'cdrecord', '-v', 'dev=stdio:/tmp/d.img', '-nopad', '/srv/out/DISC.iso',
    ]);
    expect(burnArguments({ device: '/dev/sr0', imagePath: 'rel.iso' }).at(-1)).toMatch(/^\/.*rel\.iso$/);
  });

  it('verifies with one -check_media pass that also hands out the data', () => {
    expect(verifyArguments('/dev/sr1')).toEqual(['-no_rc', '-md5', 'on', '-indev', '/dev/sr1', '-check_media', 'data_to=-', 'event=FAILURE', '--']);
  });
});

describe('-check_media report', () => {
  function parse(lines: string[]) {
    const parser = new CheckMediaReportParser();
    lines.forEach((l) => parser.line(l));
    return parser.report;
  }

  it('reads a good medium', () => {
    expect(parse([
      'Media checks :        lba ,       size , quality',
      'Media region :          0 ,       1310 , + good',
      'Media region :       1310 ,          2 , 0 untested',
      'MD5 checks   :        lba ,       size , result',
      'MD5 tag range:          0 ,       1159 , + md5_match',
    ])).toEqual({ badRegions: [], tagRanges: [{ lba: 0, blocks: 1159, quality: 'md5_match' }] });
  });

  it('reads unreadable blocks and MD5 mismatches', () => {
    expect(parse([
      'Media region :          0 ,       1024 , + good',
      'Media region :       1024 ,        286 , - unreadable',
      'MD5 tag range:          0 ,       1159 , 0 md5_mismatch',
    ])).toEqual({
      badRegions: [{ lba: 1024, blocks: 286, quality: 'unreadable' }],
      tagRanges: [{ lba: 0, blocks: 1159, quality: 'md5_mismatch' }],
    });
  });
});

describe('throttleProgress', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  type P = { phase: string; pct: number };

  function throttled() {
    const source = new Subject<P>();
    const seen: P[] = [];
    let completed = false;
    source.pipe(throttleProgress<P>((p) => p.phase, 250)).subscribe({ next: (p) => seen.push(p), complete: () => (completed = true) });
    return { source, seen, done: () => completed };
  }

  it('passes the first value of a phase at once and holds back the rest of a burst', () => {
    const { source, seen } = throttled();
    for (let pct = 0; pct <= 50; pct++) source.next({ phase: 'burning', pct });
    expect(seen).toEqual([{ phase: 'burning', pct: 0 }]);
    vi.advanceTimersByTime(250);
    expect(seen).toEqual([{ phase: 'burning', pct: 0 }, { phase: 'burning', pct: 50 }]);
  });

  it('flushes the held value before a new phase, and on completion', () => {
    const { source, seen, done } = throttled();
    source.next({ phase: 'burning', pct: 0 });
    source.next({ phase: 'burning', pct: 60 });
    source.next({ phase: 'burning', pct: 100 });
    source.next({ phase: 'finalizing', pct: 0 });
    source.next({ phase: 'finalizing', pct: 100 });
    source.complete();
    expect(seen).toEqual([
      { phase: 'burning', pct: 0 },
      { phase: 'burning', pct: 100 },
      { phase: 'finalizing', pct: 0 },
      { phase: 'finalizing', pct: 100 },
    ]);
    expect(done()).toBe(true);
  });

  it('lets values through that are far enough apart', () => {
    const { source, seen } = throttled();
    source.next({ phase: 'verifying', pct: 0 });
    vi.advanceTimersByTime(300);
    source.next({ phase: 'verifying', pct: 40 });
    vi.advanceTimersByTime(300);
    source.next({ phase: 'verifying', pct: 80 });
    expect(seen.map((p) => p.pct)).toEqual([0, 40, 80]);
  });
});
