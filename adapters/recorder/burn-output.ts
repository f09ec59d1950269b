// What a line of `xorriso -as cdrecord -v` output (stderr) says about the burn in hand. The texts are
// libisoburn 1.5.4's, as printed here:
//   xorriso : UPDATE :   15 of   95 MB written (fifo 99%) [buf  50%]  63.0x.
//   xorriso : UPDATE : Closing track/session. Working since 3 seconds     (real media: fixating)
//   Writing to 'stdio:/tmp/d0.img' completed successfully.
// The cdrecord emulation keeps its own pacifier format whatever `-pacifier` says.

export type BurnSignal =
  | { kind: 'written'; mb: number; totalMb: number }
  | { kind: 'closing' }
  | { kind: 'completed' };

const WRITTEN = /UPDATE :\s*(\d+) of\s*(\d+) MB written/;
const CLOSING = /UPDATE :\s*Closing track\/session/;
const COMPLETED = /^Writing to .* completed successfully\.?\s*$/;

export function parseBurnLine(line: string): BurnSignal | undefined {
  const written = WRITTEN.exec(line);
  if (written) return { kind: 'written', mb: Number(written[1]), totalMb: Number(written[2]) };
  if (CLOSING.test(line)) return { kind: 'closing' };
  if (COMPLETED.test(line)) return { kind: 'completed' };
  return undefined;
}

/** Percent of the track written; 100 only once xorriso says the writing is over. */
export function writtenPct(signal: { mb: number; totalMb: number }): number {
  if (signal.totalMb <= 0) return 0;
  return Math.max(0, Math.min(99, Math.floor((signal.mb * 100) / signal.totalMb)));
}

/**
 * Messages that blame the medium rather than the writing: no disc, a closed or written disc, a kind
 * the drive cannot write. Texts from libburn 1.5.4 / libisoburn 1.5.4.
 */
const MEDIA_PROBLEMS = [
  /No media detected/i,
  /media is not blank/i,
  /Closed media with data detected/i,
  /closed or not recordable/i,
  /no writeable media/i,
  /Unsuitable (drive and )?media/i,
  /Unsuitable media detected/i,
  /Disc status unsuitable for writing/i,
  /Media not properly formatted/i,
  /Cannot recognize state of drive and media/i,
];

export function isMediaProblem(messages: readonly string[]): boolean {
  return messages.some((line) => /:\s(SORRY|FAILURE|FATAL) : /.test(line) && MEDIA_PROBLEMS.some((re) => re.test(line)));
}
