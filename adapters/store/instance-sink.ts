// One C-STORE data set on its way to disk. Bytes are rewritten to Explicit VR Little Endian as they
// arrive and written in large batches (one writev per batch, not one write per 16 KB fragment); the
// DIMSE status is known once `completion` settles. Never emits 'error': failures become statuses.
// The data set's digest is computed on the way, so a SOP Instance UID that comes again is known as
// the same object (a resend) or a different one (kept apart; a patient-safety hold reason).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import { DatasetRewriter, DatasetError } from '../../src/dicom/dataset-rewriter.ts';
import { encodeFileMeta } from '../../src/dicom/file-meta.ts';
import { INDEX_TAGS, indexEntry, headerJson } from '../../src/dicom/index-keys.ts';
import { DimseStatus as Status } from '../../src/dicom/status.ts';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, TransferSyntax, isValidUid } from '../../src/dicom/uid.ts';
import type { InstanceRecord } from '../db/instances.ts';
import { StoreResourceError, type InstanceStore } from './instance-store.ts';
import type { StoredInstanceFacts } from '../../machines/association.machine.ts';

export interface StoreRequest {
  associationId: string;
  messageId: number;
  /** Affected SOP Class and Instance UID of the C-STORE command. */
  sopClassUid: string;
  sopInstanceUid: string;
  /** The accepted transfer syntax the data set arrives in. */
  transferSyntaxUid: string;
  callingAeTitle: string;
  calledAeTitle: string;
}

/**
 * What became of the received file: 'new' (the SOP Instance UID's first row), 'kept-apart' (its own
 * row flagged duplicate_of the first) or 'discarded' (that exact content was stored already; no
 * second file, nothing replaced).
 */
export type Disposition = 'new' | 'kept-apart' | 'discarded';

/** A stored object: the facts for the publisher and where the object lies. */
export interface StoredInstance extends StoredInstanceFacts {
  seriesInstanceUid: string;
  /** The file holding this content (for 'discarded': the one stored earlier). */
  path: string;
  disposition: Disposition;
  contentDigest: string;
}

export interface StoreOutcome {
  status: number;
  comment?: string;
  sopInstanceUid: string;
  bytes: number;
  /** Present exactly when the status is Success. */
  stored?: StoredInstance;
}

interface Placement {
  instanceId: number;
  path: string;
  disposition: Disposition;
  duplicate?: 'same' | 'different';
  receivedAtMs: number;
}

export interface FlowControl {
  pause(): void;
  resume(): void;
}

/** Stop reading the socket while this much of one object waits for the disk. */
const HIGH_WATER_BYTES = 32 * 1024 * 1024;
const DEFAULT_FLUSH_BYTES = 4 * 1024 * 1024;

class StoreFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export class InstanceSink extends Writable {
  readonly completion: Promise<StoreOutcome>;
  private settle!: (outcome: StoreOutcome) => void;
  private readonly rewriter: DatasetRewriter;
  private readonly flushBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private fd: number | undefined;
  private tempPath: string | undefined;
  private writing: Promise<void> = Promise.resolve();
  private inFlightBytes = 0;
  private paused = false;
  private failure: StoreFailure | undefined;
  private abandoned = false;
  private bytesWritten = 0;
  /** SHA-256 of the data set as written; the File Meta Information (ours, per sender) stays out. */
  private readonly digest = createHash('sha256');

  constructor(
    private readonly store: InstanceStore,
    private readonly request: StoreRequest,
    private readonly flow: FlowControl | undefined,
    refusal: { status: number; comment: string } | undefined,
  ) {
    super({ decodeStrings: false });
    // A stream without an 'error' listener crashes the process when destroyed mid-write.
    this.on('error', () => {});
    this.completion = new Promise((resolve) => (this.settle = resolve));
    this.flushBytes = store.options.flushBytes ?? DEFAULT_FLUSH_BYTES;
    this.rewriter = new DatasetRewriter({ transferSyntaxUid: request.transferSyntaxUid, collectTags: INDEX_TAGS });
    if (refusal) this.failure = new StoreFailure(refusal.status, refusal.comment);
    else if (!isValidUid(request.sopInstanceUid) || !isValidUid(request.sopClassUid)) {
      this.failure = new StoreFailure(Status.ProcessingFailure, 'the command\'s Affected SOP Class or Instance UID is not a valid UID');
    } else {
      this.pending.push(encodeFileMeta({
        mediaStorageSopClassUid: request.sopClassUid,
        mediaStorageSopInstanceUid: request.sopInstanceUid,
        transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
        implementationClassUid: IMPLEMENTATION_CLASS_UID,
        implementationVersionName: IMPLEMENTATION_VERSION_NAME,
        sourceApplicationEntityTitle: request.callingAeTitle,
      }));
      this.pendingBytes = this.pending[0]!.length;
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (!this.failure && !this.abandoned) {
      try {
        for (const out of this.rewriter.push(chunk)) this.take(out);
        if (this.pendingBytes >= this.flushBytes) this.flush();
      } catch (err) {
        this.fail(err);
      }
    }
    done();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.finish().then((outcome) => {
      this.settle(outcome);
      done();
    });
  }

  /** Queues rewritten data set bytes for writing and adds them to the digest. */
  private take(out: Buffer): void {
    this.digest.update(out);
    this.pending.push(out);
    this.pendingBytes += out.length;
  }

  /** The connection went away mid-transfer: drop everything, leave no file behind. */
  abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.pending = [];
    this.writing = this.writing.then(() => this.discardTemp());
    this.writing.then(() => this.settle({ status: Status.ProcessingFailure, comment: 'association ended during the transfer', sopInstanceUid: this.request.sopInstanceUid, bytes: 0 }));
  }

  private fail(err: unknown): void {
    if (this.failure) return;
    if (err instanceof StoreFailure) this.failure = err;
    else if (err instanceof DatasetError) this.failure = new StoreFailure(Status.ProcessingFailure, `malformed data set: ${err.message}`);
    else if (err instanceof StoreResourceError) this.failure = new StoreFailure(Status.OutOfResources, err.message);
    else if (isOutOfSpace(err)) this.failure = new StoreFailure(Status.OutOfResources, `disk full: ${(err as Error).message}`);
    else this.failure = new StoreFailure(Status.ProcessingFailure, `storage error: ${err instanceof Error ? err.message : String(err)}`);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Queues the pending bytes for writing; writes stay in order because each waits for the last. */
  private flush(): Promise<void> {
    const batch = this.pending;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.inFlightBytes += bytes;
    if (!this.paused && this.inFlightBytes > HIGH_WATER_BYTES && this.flow) {
      this.paused = true;
      this.flow.pause();
    }
    this.writing = this.writing.then(async () => {
      try {
        if (this.failure || this.abandoned || batch.length === 0) return;
        if (this.fd === undefined) {
          this.tempPath = this.store.nextTempPath(this.request);
          this.fd = await this.store.fs.open(this.tempPath);
        }
        this.bytesWritten += await this.store.fs.writev(this.fd, batch);
      } catch (err) {
        this.fail(err);
      } finally {
        this.inFlightBytes -= bytes;
        if (this.paused && this.inFlightBytes <= HIGH_WATER_BYTES / 2) {
          this.paused = false;
          this.flow?.resume();
        }
      }
    });
    return this.writing;
  }

  private async finish(): Promise<StoreOutcome> {
    const base = { sopInstanceUid: this.request.sopInstanceUid };
    try {
      if (this.abandoned) return await this.completion;
      if (!this.failure) {
        try {
          for (const out of this.rewriter.end()) this.take(out);
        } catch (err) {
          this.fail(err);
        }
      }
      const identity = this.failure ? undefined : this.checkIdentity();
      await this.flush();
      if (this.failure || !identity) throw this.failure;
      const fs = this.store.fs;
      if (this.store.options.durable) await fs.fsync(this.fd!);
      await fs.close(this.fd!);
      this.fd = undefined;
      const contentDigest = this.digest.digest('hex');
      const placed = await this.store.placeExclusively(this.request.sopInstanceUid, () => this.place(identity, contentDigest));
      return { ...base, status: Status.Success, bytes: this.bytesWritten, stored: this.storedInstance(identity, contentDigest, placed) };
    } catch (err) {
      if (!(err instanceof StoreFailure)) this.fail(err);
      await this.discardTemp();
      const failure = this.failure!;
      return { ...base, status: failure.status, comment: failure.message, bytes: 0 };
    }
  }

  /** The data set must be the object the command announced: its file could never be consistent otherwise. */
  private checkIdentity(): { study: string; series: string } | undefined {
    const entry = indexEntry(this.rewriter.collected);
    const { sopClassUid, sopInstanceUid } = this.request;
    if (entry.sopInstanceUid !== sopInstanceUid || entry.sopClassUid !== sopClassUid) {
      this.fail(new StoreFailure(Status.DataSetDoesNotMatchSopClass,
        `data set SOP Class/Instance UID (${entry.sopClassUid ?? 'missing'} / ${entry.sopInstanceUid ?? 'missing'}) differs from the command's (${sopClassUid} / ${sopInstanceUid})`));
      return undefined;
    }
    for (const [name, value] of [['Study Instance UID', entry.studyInstanceUid], ['Series Instance UID', entry.seriesInstanceUid]] as const) {
      if (!value || !isValidUid(value)) {
        this.fail(new StoreFailure(Status.ProcessingFailure, `${name} is ${value ? 'not a valid UID' : 'missing'}; the file's place is derived only from valid UIDs`));
        return undefined;
      }
    }
    return { study: entry.studyInstanceUid!, series: entry.seriesInstanceUid! };
  }

  /**
   * Decides what the finished temp file is, then renames it into the store and records it, or drops
   * it. Runs alone per SOP Instance UID (placeExclusively). A SOP Instance UID already stored:
   * - same content as its current row: a resend. The temp file is dropped, nothing is replaced, and
   *   the answer is Success; the object is already safe on disk.
   * - different content: kept apart in its own row and file, never replacing the first, whether or
   *   not the first is on a disc job yet: which object is right is for a person to decide (the study
   *   is held). A content already kept apart is not kept twice. A row without a digest (written
   *   before digests existed) cannot be shown to be the same, so it counts as different.
   */
  private async place(identity: { study: string; series: string }, contentDigest: string): Promise<Placement> {
    const { store, request } = this;
    const index = store.options.index;
    const log = store.options.logger;
    const receivedAtMs = Date.now();
    // UIDs only in these lines: they are logged at info and warn, where patient data never goes.
    const where = { association: request.associationId, sopInstanceUid: request.sopInstanceUid };
    const current = index.current(request.sopInstanceUid);
    if (current && current.contentDigest === contentDigest) {
      await this.discardTemp();
      log.info({ ...where, instanceId: current.id }, 'SOP Instance UID received again with the same content: a resend, nothing new stored');
      return { instanceId: current.id, path: current.path, disposition: 'discarded', duplicate: 'same', receivedAtMs };
    }
    const earlier = current ? index.keptApartWithDigest(request.sopInstanceUid, contentDigest) : undefined;
    if (current && earlier) {
      await this.discardTemp();
      log.warn({ ...where, instanceId: earlier.id, duplicateOf: current.id },
        'SOP Instance UID received again with different content, already kept apart once: not stored twice; still flagged');
      return { instanceId: earlier.id, path: earlier.path, disposition: 'discarded', duplicate: 'different', receivedAtMs };
    }
    const suffix = current ? `.dup${index.keptApartCount(request.sopInstanceUid) + 1}` : '';
    const target = store.finalPath(identity.study, identity.series, request.sopInstanceUid, suffix);
    await this.renameInto(target);
    const record = this.record(target, contentDigest, receivedAtMs);
    if (!current) return { instanceId: await store.recordPlaced(target, () => index.add(record)), path: target, disposition: 'new', receivedAtMs };
    const instanceId = await store.recordPlaced(target, () => index.addKeptApart(record, current.id));
    log.warn({ ...where, instanceId, duplicateOf: current.id, firstOnJob: current.jobId !== null, path: target },
      'SOP Instance UID received again with different content: kept apart and flagged; a person decides which object is right');
    return { instanceId, path: target, disposition: 'kept-apart', duplicate: 'different', receivedAtMs };
  }

  /** Moves the finished temp file to its place in the store, durably. */
  private async renameInto(target: string): Promise<void> {
    const { store } = this;
    const fs = store.fs;
    const dir = path.dirname(target);
    await store.ensureDir(dir);
    try {
      await fs.rename(this.tempPath!, target);
    } catch (err) {
      // Someone removed the folder since we last saw it (retention, an operator): make it again once.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      store.forgetDir(dir);
      await store.ensureDir(dir);
      await fs.rename(this.tempPath!, target);
    }
    this.tempPath = undefined;
    if (store.options.durable) await fs.fsyncDir(dir);
  }

  private storedInstance(identity: { study: string; series: string }, contentDigest: string, placed: Placement): StoredInstance {
    const entry = indexEntry(this.rewriter.collected);
    const stored: StoredInstance = {
      instanceId: placed.instanceId,
      studyInstanceUid: identity.study,
      seriesInstanceUid: identity.series,
      patientId: entry.patientId,
      patientName: entry.patientName,
      patientBirthDate: entry.patientBirthDate,
      callingAeTitle: this.request.callingAeTitle,
      calledAeTitle: this.request.calledAeTitle,
      receivedAtMs: placed.receivedAtMs,
      path: placed.path,
      disposition: placed.disposition,
      contentDigest,
    };
    if (placed.duplicate) stored.duplicate = placed.duplicate;
    return stored;
  }

  private record(target: string, contentDigest: string, receivedAtMs: number): InstanceRecord {
    const entry = indexEntry(this.rewriter.collected);
    return {
      sopInstanceUid: this.request.sopInstanceUid,
      sopClassUid: this.request.sopClassUid,
      studyInstanceUid: entry.studyInstanceUid!,
      seriesInstanceUid: entry.seriesInstanceUid!,
      patientId: entry.patientId,
      patientName: entry.patientName,
      patientBirthDate: entry.patientBirthDate,
      patientSex: entry.patientSex,
      studyDate: entry.studyDate,
      studyTime: entry.studyTime,
      studyId: entry.studyId,
      accessionNumber: entry.accessionNumber,
      studyDescription: entry.studyDescription,
      seriesNumber: entry.seriesNumber,
      modality: entry.modality,
      instanceNumber: entry.instanceNumber,
      specificCharacterSet: entry.specificCharacterSet,
      path: target,
      bytes: this.bytesWritten,
      receivedTransferSyntax: this.request.transferSyntaxUid,
      callingAeTitle: this.request.callingAeTitle,
      calledAeTitle: this.request.calledAeTitle,
      receivedAt: new Date(receivedAtMs).toISOString(),
      headerJson: JSON.stringify(headerJson(this.rewriter.collected)),
      contentDigest,
    };
  }

  private async discardTemp(): Promise<void> {
    const fs = this.store.fs;
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      await fs.close(fd).catch(() => {});
    }
    if (this.tempPath) {
      const temp = this.tempPath;
      this.tempPath = undefined;
      await fs.unlink(temp).catch(() => {});
    }
  }
}

function isOutOfSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
