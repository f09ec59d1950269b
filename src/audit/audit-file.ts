// The audit file: one JSON record per line, appended, readable by its owner only (0600: it names
// patients). Written synchronously so a record is on its way to disk before the event's effects go
// on; a write that fails (disk full) is logged once per failure streak and never thrown at the caller.
import { chmodSync, closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

export class AuditFile {
  private fd: number | null;
  private failing = false;

  constructor(readonly file: string, private readonly logger: Logger) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, 'a', 0o600);
    // The mode of openSync applies to a new file only: an older, wider file is narrowed.
    chmodSync(file, 0o600);
  }

  write(line: string): void {
    if (this.fd === null) return;
    try {
      writeSync(this.fd, `${line}\n`);
      if (this.failing) this.logger.info({ file: this.file }, 'audit file writable again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.logger.error({ err, file: this.file }, 'cannot write the audit file: records are still sent to syslog if configured');
      this.failing = true;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
