// One C-STORE data set on its way to disk. Bytes are rewritten to Explicit VR Little Endian as they
// arrive and written in large batches (one writev per batch, not one write per 16 KB fragment); the
// DIMSE status is known once `completion` settles. Never emits 'error': failures become statuses.
import path from 'node:path';
import { Writable } from 'node:stream';
import { DatasetRewriter, DatasetError } from '../../src/dicom/dataset-rewriter.ts';
import { encodeFileMeta } from '../../src/dicom/file-meta.ts';
import { INDEX_TAGS, indexEntry, headerJson } from '../../src/dicom/index-keys.ts';
import { DimseStatus as Status } from '../../src/dicom/status.ts';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, TransferSyntax, isValidUid } from '../../src/dicom/uid.ts';
import type { InstanceRecord } from '../db/instances.ts';
import type { InstanceStore } from './instance-store.ts';

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

export interface StoreOutcome {
  status: number;
  comment?: string;
  sopInstanceUid: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  path?: string;
  bytes: number;
  disposition?: 'new' | 'replaced' | 'kept-apart';
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
        for (const out of this.rewriter.push(chunk)) {
          this.pending.push(out);
          this.pendingBytes += out.length;
        }
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
          for (const out of this.rewriter.end()) {
            this.pending.push(out);
            this.pendingBytes += out.length;
          }
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
      const placed = await this.store.placeExclusively(this.request.sopInstanceUid, () => this.place(identity));
      return { ...base, status: Status.Success, studyInstanceUid: identity.study, seriesInstanceUid: identity.series, path: placed.path, bytes: this.bytesWritten, disposition: placed.disposition };
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

  /** Renames the finished temp file into the store and records it; decides replace versus keep apart. */
  private async place(identity: { study: string; series: string }): Promise<{ path: string; disposition: 'new' | 'replaced' | 'kept-apart' }> {
    const { store, request } = this;
    const index = store.options.index;
    const fs = store.fs;
    const current = index.current(request.sopInstanceUid);
    const keptApart = current !== undefined && current.jobId !== null;
    const suffix = keptApart ? `.dup${index.keptApartCount(request.sopInstanceUid) + 1}` : '';
    const target = store.finalPath(identity.study, identity.series, request.sopInstanceUid, suffix);
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
    const record = this.record(target);
    if (!current) {
      index.add(record);
      return { path: target, disposition: 'new' };
    }
    if (keptApart) {
      index.addKeptApart(record, current.id);
      store.options.logger.warn({ association: request.associationId, sopInstanceUid: request.sopInstanceUid, path: target },
        'SOP Instance UID received again while its first copy is on a disc job: kept apart and flagged');
      return { path: target, disposition: 'kept-apart' };
    }
    index.replaceCurrent(current.id, record);
    if (current.path !== target) await fs.unlink(current.path).catch(() => {});
    store.options.logger.info({ association: request.associationId, sopInstanceUid: request.sopInstanceUid },
      'SOP Instance UID received again before any disc job: the newer object replaced the older');
    return { path: target, disposition: 'replaced' };
  }

  private record(target: string): InstanceRecord {
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
      receivedAt: new Date().toISOString(),
      headerJson: JSON.stringify(headerJson(this.rewriter.collected)),
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
