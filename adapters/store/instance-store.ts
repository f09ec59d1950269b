// Stores received C-STORE data sets as PS3.10 files in Explicit VR Little Endian, streaming, and
// durably before the caller may answer Success: temp file, fsync, rename, directory fsync, index row.
// The store decides each object's DIMSE status; it never throws at its caller. A SOP Instance UID
// stored before is a resend (same content: nothing new kept) or kept apart (different content).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { nodeFs, type DurableFs } from './durable-fs.ts';
import { InstanceSink, type FlowControl, type StoreRequest } from './instance-sink.ts';
import type { InstanceIndex } from '../db/instances.ts';
import { isDatabaseBusy, isDatabaseFull } from '../db/database.ts';

export type { Disposition, FlowControl, StoredInstance, StoreOutcome, StoreRequest } from './instance-sink.ts';

export interface InstanceStoreOptions {
  dataDir: string;
  /** fsync file and directory before Success; false only for benchmarks. */
  durable: boolean;
  /** Below this many free bytes new objects are refused with A700 instead of failing later. */
  reserveBytes: number;
  index: InstanceIndex;
  logger: Logger;
  fs?: DurableFs;
  /** Buffered bytes of one object before they are written out (large objects stream in such pieces). */
  flushBytes?: number;
}

const FREE_SPACE_MAX_AGE_MS = 1000;
/**
 * How long a C-STORE waits for a database another process holds locked before it is refused: long
 * enough for a short backup or a shell's quick write, short of a modality's usual DIMSE timeout.
 */
const INDEX_BUSY_WAIT_MS = 5000;
const INDEX_BUSY_RETRY_MS = 100;

/** The object could not be kept for want of a resource that may come back (disk space, the database): A700. */
export class StoreResourceError extends Error {}

export class InstanceStore {
  readonly storeDir: string;
  readonly incomingDir: string;
  readonly fs: DurableFs;
  private readonly knownDirs = new Set<string>();
  /** The last placement queued per SOP Instance UID (see placeExclusively). */
  private readonly placements = new Map<string, Promise<unknown>>();
  private tempSequence = 0;
  private freeBytes = Number.POSITIVE_INFINITY;
  private freeBytesCheckedAt = 0;
  private freeBytesRefresh: Promise<void> | undefined;

  constructor(readonly options: InstanceStoreOptions) {
    this.storeDir = path.join(options.dataDir, 'store');
    this.incomingDir = path.join(this.storeDir, '.incoming');
    this.fs = options.fs ?? nodeFs;
  }

  /** Creates the folders and removes temp files a crash left: they were never acknowledged. */
  async init(): Promise<void> {
    await this.fs.mkdir(this.incomingDir);
    const leftovers = await readdir(this.incomingDir);
    for (const name of leftovers) await this.fs.unlink(path.join(this.incomingDir, name));
    if (leftovers.length > 0) {
      this.options.logger.warn({ count: leftovers.length }, 'removed partial files left by an earlier stop; they were never acknowledged');
    }
    this.knownDirs.add(this.storeDir).add(this.incomingDir);
    await this.refreshFreeBytes();
  }

  begin(request: StoreRequest, flow?: FlowControl): InstanceSink {
    this.maybeRefreshFreeBytes();
    const refusal = this.freeBytes < this.options.reserveBytes
      ? { status: 0xa700, comment: `free disk space ${this.freeBytes} bytes is below the configured reserve of ${this.options.reserveBytes}` }
      : undefined;
    return new InstanceSink(this, request, flow, refusal);
  }

  nextTempPath(request: StoreRequest): string {
    this.tempSequence += 1;
    return path.join(this.incomingDir, `${process.pid}-${request.associationId}-${request.messageId}-${this.tempSequence}.part`);
  }

  finalPath(studyUid: string, seriesUid: string, sopUid: string, suffix = ''): string {
    return path.join(this.storeDir, studyUid, seriesUid, `${sopUid}${suffix}.dcm`);
  }

  /** mkdir -p, and in durable mode fsync each parent that got a new entry. */
  async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    const parent = path.dirname(dir);
    if (parent !== dir && !this.knownDirs.has(parent)) await this.ensureDir(parent);
    await this.fs.mkdir(dir);
    if (this.options.durable) await this.fs.fsyncDir(parent);
    this.knownDirs.add(dir);
  }

  /**
   * Runs place after every earlier placement of the same SOP Instance UID has settled. Placing is
   * look up, rename, record, with awaits between: two associations storing one UID at the same time
   * would otherwise both see "not stored yet", rename over each other's file and leave a row that
   * describes the other object (and fail the second insert on the unique index).
   */
  placeExclusively<T>(sopInstanceUid: string, place: () => Promise<T>): Promise<T> {
    const previous = this.placements.get(sopInstanceUid) ?? Promise.resolve();
    const run = previous.then(place);
    const settled = run.catch(() => {});
    this.placements.set(sopInstanceUid, settled);
    void settled.then(() => {
      if (this.placements.get(sopInstanceUid) === settled) this.placements.delete(sopInstanceUid);
    });
    return run;
  }

  /**
   * Records a file just renamed into the store (write: the index insert). The index row is what makes
   * the file stored; a file without one is not acknowledged and would be orphaned, so when the row
   * cannot be written the file is removed again. A database locked by another process is waited for,
   * without blocking the process, for INDEX_BUSY_WAIT_MS; busy or full, the object is refused A700.
   */
  async recordPlaced(file: string, write: () => number): Promise<number> {
    const deadline = Date.now() + INDEX_BUSY_WAIT_MS;
    for (;;) {
      try {
        return write();
      } catch (err) {
        if (isDatabaseBusy(err) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, INDEX_BUSY_RETRY_MS));
          continue;
        }
        await this.unplace(file);
        if (isDatabaseBusy(err)) {
          this.options.logger.error({ err }, `the database is busy (locked by another process for over ${INDEX_BUSY_WAIT_MS} ms): C-STORE refused, file removed`);
          throw new StoreResourceError(`database busy: locked by another process for over ${INDEX_BUSY_WAIT_MS} ms`);
        }
        if (isDatabaseFull(err)) throw new StoreResourceError(`disk full: the database could not grow: ${(err as Error).message}`);
        throw err;
      }
    }
  }

  /** Takes back a file whose index row could not be written. */
  private async unplace(file: string): Promise<void> {
    try {
      await this.fs.unlink(file);
      if (this.options.durable) await this.fs.fsyncDir(path.dirname(file));
    } catch (err) {
      this.options.logger.error({ err, path: file }, 'could not remove a stored file whose index row failed; it is not acknowledged');
    }
  }

  forgetDir(dir: string): void {
    this.knownDirs.delete(dir);
  }

  private maybeRefreshFreeBytes(): void {
    if (Date.now() - this.freeBytesCheckedAt > FREE_SPACE_MAX_AGE_MS && !this.freeBytesRefresh) {
      this.freeBytesRefresh = this.refreshFreeBytes().finally(() => (this.freeBytesRefresh = undefined));
    }
  }

  private async refreshFreeBytes(): Promise<void> {
    try {
      this.freeBytes = await this.fs.freeBytes(this.storeDir);
    } catch (err) {
      this.options.logger.error({ err }, 'could not read free disk space');
    }
    this.freeBytesCheckedAt = Date.now();
  }
}
