// Cuts the incoming byte stream into lines at `\n`. Bytes that are not a line (noise on a serial
// cable) end at the next `\n` and are handed on as one bad line; a line that grows past the limit
// without a `\n` is handed on at once (it cannot be a valid frame) and the rest up to `\n` dropped.

import { MAX_LINE_BYTES } from '../src/robot/dprp/frame.ts';

export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, start)) {
      this.take(chunk.subarray(start, i));
      this.flush();
      start = i + 1;
    }
    this.take(chunk.subarray(start));
  }

  private take(part: Buffer): void {
    if (this.discarding || part.length === 0) return;
    this.pending.push(part);
    this.pendingBytes += part.length;
    if (this.pendingBytes > MAX_LINE_BYTES + 1) {
      const line = Buffer.concat(this.pending).toString('utf8');
      this.reset();
      this.discarding = true;
      this.onLine(line);
    }
  }

  private flush(): void {
    const wasDiscarding = this.discarding;
    const line = Buffer.concat(this.pending).toString('utf8');
    this.reset();
    if (!wasDiscarding) this.onLine(line);
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = false;
  }
}
