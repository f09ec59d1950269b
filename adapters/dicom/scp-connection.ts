// One TCP connection of the storage SCP: dcmjs-dimse parses DIMSE commands and fragments, our own
// framer and A-ASSOCIATE-RQ parser guard the PDU layer, the instance store writes the data sets,
// and every association-level decision is the association actor's: this class reports what
// happened on the wire (events) and carries out what the actor decides (commands).
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { Scp, Association, Implementation, Dataset } from './dimse.ts';
import type { DimseAssociation, DimseCStoreRequest, DimseCEchoRequest, DimsePresentationContext, DimseDataset } from './dimse.ts';
import type { Writable } from 'node:stream';
import { PduFramer, PduType, AbortReason, type PduLimits } from './pdu-framer.ts';
import { parseAssociateRq, AssociateRqError, type ParsedAssociateRq } from './associate-rq.ts';
import { PdvGuard } from './pdv-guard.ts';
import type { InstanceStore } from '../store/instance-store.ts';
import { InstanceSink, type StoreOutcome } from '../store/instance-sink.ts';
import { DimseStatus as Status, formatStatus } from '../../src/dicom/status.ts';
import { encodeCEchoResponse, encodeCStoreResponse, pDataCommandPdu } from '../../src/dicom/command-set.ts';
import { VERIFICATION_SOP_CLASS } from '../../src/dicom/uid.ts';
import { storedInstanceFacts, type ConnectionCommand, type ConnectionEvent } from '../../machines/association.machine.ts';

export interface ScpConnectionDeps {
  id: string;
  store: InstanceStore;
  logger: Logger;
  limits: PduLimits;
}

/** After we sent A-ASSOCIATE-RJ, A-RELEASE-RP or A-ABORT the peer should close; if not, we do. */
const CLOSE_AFTER_LAST_PDU_MS = 2000;
// Well below any sensible idle timeout, so a steady transfer always restarts the stall timer in time.
const PROGRESS_REPORT_INTERVAL_MS = 250;
/**
 * P-DATA a peer may send while its C-STORE response is pending. No asynchronous operations are
 * negotiated, so a well-behaved peer sends nothing then; beyond this it is refused, not buffered.
 */
const MAX_HELD_BYTES = 1024 * 1024;
/** PS3.4 Table B.2-1: the command's SOP Class is not the one negotiated on its presentation context. */
const STATUS_SOP_CLASS_NOT_SUPPORTED = 0x0122;

export class ScpConnection extends Scp {
  readonly id: string;
  private readonly log: Logger;
  private readonly store: InstanceStore;
  private readonly framer: PduFramer;
  private emitToActor: ((event: ConnectionEvent) => void) | undefined;
  private readonly early: ConnectionEvent[] = [];
  private request: ParsedAssociateRq | undefined;
  private established = false;
  private ended = false;
  private sink: InstanceSink | undefined;
  private outcome: StoreOutcome | undefined;
  private storeContextId = 0;
  private progressBytes = 0;
  private progressReportedAt = 0;
  /** P-DATA held back while a C-STORE is being made durable (one operation at a time). */
  private held: Buffer[] | undefined;
  private heldBytes = 0;
  private guard: PdvGuard | undefined;

  constructor(private readonly socket: Socket, deps: ScpConnectionDeps) {
    // The library's own timers are replaced by the actor's (ARTIM, idle, release).
    super(socket, { connectTimeout: 2 ** 31 - 1, associationTimeout: 2 ** 31 - 1, pduTimeout: 2 ** 31 - 1 });
    this.id = deps.id;
    this.log = deps.logger;
    this.store = deps.store;
    this.framer = new PduFramer(deps.limits);
    socket.setNoDelay(true);
    socket.setTimeout(0);
    // Replace the library's quadratic, unbounded PDU accumulator with our framer.
    for (const listener of socket.listeners('data')) socket.removeListener('data', listener as never);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    this.on('networkError', (err: Error) => this.violation(`DIMSE layer: ${err.message}`));
    this.on('close', () => this.closed());
    socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
  }

  /** Connects this connection to its association actor; events seen before are delivered now. */
  attach(emit: (event: ConnectionEvent) => void): void {
    this.emitToActor = emit;
    for (const event of this.early.splice(0)) emit(event);
  }

  detach(): void {
    this.emitToActor = undefined;
  }

  execute(command: ConnectionCommand): void {
    try {
      switch (command.type) {
        case 'accept': return this.accept(command);
        case 'reject':
          this.writePdu(Buffer.from([0x03, 0, 0, 0, 0, 4, 0, command.result, command.source, command.reason]));
          return this.endSoon();
        case 'release.respond':
          this.writePdu(Buffer.from([0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
          return this.endSoon();
        case 'abort':
          this.writePdu(Buffer.from([0x07, 0, 0, 0, 0, 4, 0, 0, command.source, command.reason]));
          this.sink?.abandon();
          return this.endSoon();
        case 'close':
          this.sink?.abandon();
          this.socket.destroy();
          return;
      }
    } catch (err) {
      this.log.error({ err, command: command.type }, 'could not carry out a connection command');
      this.socket.destroy();
    }
  }

  // ---- what the wire says -------------------------------------------------------------------

  private report(event: ConnectionEvent): void {
    if (this.emitToActor) this.emitToActor(event);
    else this.early.push(event);
  }

  private received(chunk: Buffer): void {
    if (this.ended) return;
    if (this.sink) this.reportProgress(chunk.length);
    for (const verdict of this.framer.push(chunk)) {
      if (verdict.kind === 'violation') return this.violation(verdict.reason, verdict.abortReason);
      this.handlePdu(verdict.type, verdict.pdu);
      if (this.ended) return;
    }
  }

  private handlePdu(type: number, pdu: Buffer): void {
    switch (type) {
      case PduType.AssociateRq: return this.associateRequested(pdu);
      case PduType.PData: {
        if (!this.established) return this.violation('P-DATA-TF before the association was established', AbortReason.UnexpectedPdu);
        // Checked as it arrives, so the guard follows the peer's own order even for held PDUs.
        const verdict = this.guard!.check(pdu);
        if (!verdict.ok) return this.violation(verdict.reason, verdict.abortReason);
        if (this.held) return this.hold(pdu);
        return this.deliver(pdu);
      }
      case PduType.ReleaseRq:
        if (!this.established) return this.violation('A-RELEASE-RQ outside an association', AbortReason.UnexpectedPdu);
        return this.report({ type: 'release.requested' });
      case PduType.Abort:
        this.sink?.abandon();
        this.ended = true;
        this.report({ type: 'peer.aborted', source: pdu[8] ?? 0, reason: pdu[9] ?? 0 });
        this.socket.destroy();
        return;
      default:
        return this.violation(`unexpected PDU type 0x${type.toString(16).padStart(2, '0')} for an SCP`, AbortReason.UnexpectedPdu);
    }
  }

  private deliver(pdu: Buffer): void {
    void (this as unknown as { _processPdu(pdu: Buffer): Promise<void> })._processPdu(pdu);
  }

  private hold(pdu: Buffer): void {
    this.held!.push(pdu);
    this.heldBytes += pdu.length;
    if (this.heldBytes > MAX_HELD_BYTES) {
      this.violation(`more than ${MAX_HELD_BYTES} bytes of P-DATA sent while a C-STORE response was pending (no asynchronous operations were negotiated)`);
    }
  }

  /** Tells the actor a data set is still arriving, a few times a second at most (its stall timer restarts). */
  private reportProgress(bytes: number): void {
    this.progressBytes += bytes;
    const now = Date.now();
    if (now - this.progressReportedAt < PROGRESS_REPORT_INTERVAL_MS) return;
    this.progressReportedAt = now;
    this.report({ type: 'transfer.progressed', bytes: this.progressBytes });
    this.progressBytes = 0;
  }

  private associateRequested(pdu: Buffer): void {
    if (this.request) return this.violation('second A-ASSOCIATE-RQ on one connection', AbortReason.UnexpectedPdu);
    try {
      this.request = parseAssociateRq(pdu);
    } catch (err) {
      if (err instanceof AssociateRqError) return this.violation(`malformed A-ASSOCIATE-RQ: ${err.message}`, AbortReason.InvalidParameterValue);
      throw err;
    }
    const rq = this.request;
    this.report({
      type: 'association.requested',
      request: {
        calledAeTitle: rq.calledAeTitle,
        callingAeTitle: rq.callingAeTitle,
        applicationContextName: rq.applicationContextName,
        maxPduLength: rq.maxPduLength,
        implementationClassUid: rq.implementationClassUid,
        implementationVersionName: rq.implementationVersionName,
        presentationContexts: rq.presentationContexts.map((pc) => ({ id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntaxes: [...pc.transferSyntaxes] })),
      },
    });
  }

  private violation(reason: string, abortReason: number = AbortReason.NotSpecified): void {
    if (this.ended) return;
    this.report({ type: 'protocol.violated', reason, abortReason });
  }

  private closed(): void {
    this.sink?.abandon();
    this.ended = true;
    this.report({ type: 'connection.closed' });
  }

  // ---- what the actor decided ---------------------------------------------------------------

  private accept(command: Extract<ConnectionCommand, { type: 'accept' }>): void {
    const rq = this.request!;
    // Contexts are added in ascending ID order: the library renumbers an ID lower than one it has.
    const association = new Association(rq.callingAeTitle, rq.calledAeTitle);
    for (const pc of [...rq.presentationContexts].sort((a, b) => a.id - b.id)) {
      association.addPresentationContext(pc.abstractSyntax, pc.id);
      for (const ts of pc.transferSyntaxes) association.addTransferSyntaxToPresentationContext(pc.id, ts);
    }
    for (const decided of command.contexts) {
      const pc = association.getPresentationContext(decided.id);
      pc.setResult(decided.result, decided.transferSyntax);
    }
    // The AC carries min(association, Implementation) as our Maximum Length Received.
    Implementation.setMaxPduLength(command.maxPduLength);
    association.setMaxPduLength(command.maxPduLength);
    (this as unknown as { association: unknown }).association = association;
    this.guard = new PdvGuard(new Set(command.contexts.filter((c) => c.result === 0).map((c) => c.id)));
    this.sendAssociationAccept();
    // What we send is fragmented to the peer's limit (0: unlimited, capped at ours).
    association.setMaxPduLength(command.peerMaxPduLength === 0 ? command.maxPduLength : Math.min(command.peerMaxPduLength, command.maxPduLength));
    this.established = true;
  }

  private writePdu(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  private endSoon(): void {
    this.ended = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_AFTER_LAST_PDU_MS).unref();
  }

  // ---- DIMSE (called by dcmjs-dimse) --------------------------------------------------------

  override cEchoRequest(request: DimseCEchoRequest): void {
    try {
      const association = (this as unknown as { association: DimseAssociation }).association;
      const contextId = this.guard?.lastCommandContextId;
      const context = contextId === undefined ? undefined : association.getPresentationContext(contextId);
      if (!context) return this.violation('C-ECHO-RQ on a presentation context that was not accepted', AbortReason.UnexpectedPdu);
      // Verification is answered only on a Verification context (like a C-STORE under its own class).
      const verification = context.getAbstractSyntaxUid() === VERIFICATION_SOP_CLASS;
      this.writePdu(pDataCommandPdu(context.getPresentationContextId(), encodeCEchoResponse({
        affectedSopClassUid: request.getAffectedSopClassUid(),
        messageIdBeingRespondedTo: request.getMessageId(),
        status: verification ? Status.Success : STATUS_SOP_CLASS_NOT_SUPPORTED,
      })));
      this.report({ type: 'echo.answered', messageId: request.getMessageId() });
    } catch (err) {
      this.log.error({ err }, 'C-ECHO handling failed');
    }
  }

  override createStoreWritableStream(context: DimsePresentationContext, request: DimseCStoreRequest): InstanceSink {
    const messageId = request.getMessageId();
    const sopClassUid = request.getAffectedSopClassUid();
    const sopInstanceUid = request.getAffectedSopInstanceUid();
    this.report({ type: 'store.started', messageId, sopClassUid, sopInstanceUid });
    this.outcome = undefined;
    this.storeContextId = context.getPresentationContextId();
    this.progressReportedAt = Date.now();
    this.progressBytes = 0;
    const storeRequest = {
      associationId: this.id,
      messageId,
      sopClassUid,
      sopInstanceUid,
      transferSyntaxUid: context.getAcceptedTransferSyntaxUid() ?? '',
      callingAeTitle: this.request?.callingAeTitle ?? '',
      calledAeTitle: this.request?.calledAeTitle ?? '',
    };
    const flow = { pause: () => this.socket.pause(), resume: () => this.socket.resume() };
    const negotiated = context.getAbstractSyntaxUid();
    // An object is stored only under the SOP class its presentation context was negotiated for.
    this.sink = sopClassUid === negotiated
      ? this.store.begin(storeRequest, flow)
      : new InstanceSink(this.store, storeRequest, flow, {
        status: STATUS_SOP_CLASS_NOT_SUPPORTED,
        comment: `SOP class ${sopClassUid} sent on presentation context ${context.getPresentationContextId()}, negotiated for ${negotiated}`,
      });
    return this.sink;
  }

  override createDatasetFromStoreWritableStream(writable: Writable, context: DimsePresentationContext, callback: (dataset: DimseDataset) => void): void {
    this.held = [];
    this.heldBytes = 0;
    (writable as InstanceSink).completion.then((outcome) => {
      this.outcome = outcome;
      // The library never looks inside this dataset: the object is already on disk.
      callback(new Dataset({}, context.getAcceptedTransferSyntaxUid()));
    });
  }

  override cStoreRequest(request: DimseCStoreRequest): void {
    const outcome = this.outcome;
    this.sink = undefined;
    this.outcome = undefined;
    try {
      const status = outcome?.status ?? Status.ProcessingFailure;
      const messageId = request.getMessageId();
      if (status !== Status.Success) {
        this.log.error({ messageId, status: formatStatus(status), reason: outcome?.comment }, 'C-STORE failed');
      }
      // The response is encoded here, not by the library: its dcmjs-based encoder costs more than
      // storing a small object does.
      if (!this.ended) {
        this.writePdu(pDataCommandPdu(this.storeContextId, encodeCStoreResponse({
          affectedSopClassUid: request.getAffectedSopClassUid(),
          affectedSopInstanceUid: request.getAffectedSopInstanceUid(),
          messageIdBeingRespondedTo: messageId,
          status,
          errorComment: status === Status.Success ? undefined : outcome?.comment ?? 'no outcome',
        })));
      }
      const finished = { type: 'store.finished', messageId, status, bytes: outcome?.bytes ?? 0, sopInstanceUid: request.getAffectedSopInstanceUid() } as const;
      // What the store recorded goes to the publisher (the study actor's facts); paths stay here.
      this.report(outcome?.stored ? { ...finished, ...storedInstanceFacts(outcome.stored) } : finished);
    } catch (err) {
      this.log.error({ err }, 'C-STORE response failed');
    } finally {
      // After the library has reset its per-message state, which it does once this returns.
      setImmediate(() => this.release());
    }
  }

  /** Lets P-DATA that arrived while the last object was being stored through, in order. */
  private release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.heldBytes = 0;
    for (const pdu of held) {
      if (this.ended) return;
      // Already checked by the guard; a held PDU may end the next C-STORE and start holding again.
      if (this.held) this.hold(pdu);
      else this.deliver(pdu);
    }
  }

  override abort(): void {
    // Handled in handlePdu: the A-ABORT never reaches the library.
  }

  override associationRequested(): void {}
  override associationReleaseRequested(): void {}
}

