// Splits a byte stream into DPRP lines. A line ends at `\n`; a `\r` before it is dropped. A run of
// bytes longer than a line may be (1024 bytes plus the `\r`) is handed on once, cut at that length,
// as a line that will fail to decode, and the rest up to the next `\n` is skipped: noise on a cable
// must not make the host buffer without bound (docs/robot-protocol.md §2).

import { MAX_LINE_BYTES } from '../../src/robot/dprp/frame.ts';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** True after an overlong line was handed on, until its `\n`. */
  private skipping = false;

  /** `maxBytes`: the most bytes a line may hold before its `\n`, `\r` included. */
  constructor(private readonly maxBytes = MAX_LINE_BYTES + 1) {}

  /** The complete lines in `chunk` (and in what came before it), as UTF-8 text. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline < 0 ? chunk.length : newline;
      if (!this.skipping && end > start) {
        this.parts.push(chunk.subarray(start, end));
        this.size += end - start;
        if (this.size > this.maxBytes) {
          lines.push(this.take(true));
          this.skipping = true;
        }
      }
      if (newline < 0) break;
      if (this.skipping) this.skipping = false;
      else lines.push(this.take(false));
      start = newline + 1;
    }
    return lines;
  }

  private take(overlong: boolean): string {
    let bytes = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    if (overlong) bytes = bytes.subarray(0, this.maxBytes + 1);
    else if (bytes.at(-1) === CARRIAGE_RETURN) bytes = bytes.subarray(0, -1);
    return bytes.toString('utf8');
  }
}
