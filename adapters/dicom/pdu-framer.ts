// Cuts the TCP byte stream into whole PDUs (PS3.8 9.3), in linear time, and enforces the length
// bounds before buffering a PDU: dcmjs-dimse's own accumulator concatenates on every chunk
// (quadratic) and never checks a length, so it is replaced by this one.

export const PduType = {
  AssociateRq: 0x01,
  AssociateAc: 0x02,
  AssociateRj: 0x03,
  PData: 0x04,
  ReleaseRq: 0x05,
  ReleaseRp: 0x06,
  Abort: 0x07,
} as const;

const PDU_HEADER_BYTES = 6;

export interface PduLimits {
  /** Largest PDU-length of a P-DATA-TF we accept: our advertised Maximum Length Received. */
  maxPDataLength: number;
  /** Largest A-ASSOCIATE-RQ: many presentation contexts make it larger than a P-DATA PDU. */
  maxAssociateLength: number;
}

export type FramerVerdict =
  | { kind: 'pdu'; type: number; pdu: Buffer }
  | { kind: 'violation'; reason: string; abortReason: number };

/** A-ABORT reasons (PS3.8 9.3.8): 1 unrecognized PDU, 6 invalid PDU parameter value. */
export const AbortReason = { NotSpecified: 0, UnrecognizedPdu: 1, UnexpectedPdu: 2, InvalidParameterValue: 6 } as const;

// Fixed-size PDUs carry 4 bytes; a little slack tolerates nothing larger than that in practice.
const SMALL_PDU_MAX_LENGTH = 64;

export class PduFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;

  constructor(private readonly limits: PduLimits) {}

  /** Feeds received bytes; returns every PDU completed by them, or stops at the first violation. */
  push(chunk: Buffer): FramerVerdict[] {
    if (this.failed) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: FramerVerdict[] = [];
    while (this.buffered >= PDU_HEADER_BYTES) {
      const header = this.peek(PDU_HEADER_BYTES);
      const type = header[0]!;
      const length = header.readUInt32BE(2);
      const bound = this.boundFor(type);
      if (bound === undefined) {
        this.failed = true;
        out.push({ kind: 'violation', reason: `unrecognized PDU type 0x${type.toString(16).padStart(2, '0')}`, abortReason: AbortReason.UnrecognizedPdu });
        return out;
      }
      if (length > bound) {
        this.failed = true;
        out.push({ kind: 'violation', reason: `PDU type 0x${type.toString(16).padStart(2, '0')} of ${length} bytes exceeds the limit of ${bound}`, abortReason: AbortReason.InvalidParameterValue });
        return out;
      }
      if (this.buffered < PDU_HEADER_BYTES + length) break;
      out.push({ kind: 'pdu', type, pdu: this.take(PDU_HEADER_BYTES + length) });
    }
    return out;
  }

  private boundFor(type: number): number | undefined {
    switch (type) {
      case PduType.PData: return this.limits.maxPDataLength;
      case PduType.AssociateRq:
      case PduType.AssociateAc:
      case PduType.AssociateRj: return this.limits.maxAssociateLength;
      case PduType.ReleaseRq:
      case PduType.ReleaseRp:
      case PduType.Abort: return SMALL_PDU_MAX_LENGTH;
      default: return undefined;
    }
  }

  /**
   * The first n buffered bytes, visiting at most n chunks: Buffer.concat(this.chunks, n) walks the
   * whole list, and a peer dripping one byte per segment made every push cost O(chunks buffered).
   */
  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const out = Buffer.alloc(n);
    let filled = 0;
    for (let i = 0; filled < n; i++) {
      const chunk = this.chunks[i]!;
      filled += chunk.copy(out, filled, 0, Math.min(chunk.length, n - filled));
    }
    return out;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let result: Buffer;
    if (first.length >= n) {
      result = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      // Walk by index and drop the used chunks with one splice: shift() per chunk moves the whole
      // array each time, quadratic when a PDU arrived in many small segments.
      const parts: Buffer[] = [];
      let need = n;
      let used = 0;
      while (need > 0) {
        const head = this.chunks[used]!;
        if (head.length <= need) {
          parts.push(head);
          used += 1;
          need -= head.length;
        } else {
          parts.push(head.subarray(0, need));
          this.chunks[used] = head.subarray(need);
          need = 0;
        }
      }
      this.chunks.splice(0, used);
      result = Buffer.concat(parts, n);
    }
    this.buffered -= n;
    return result;
  }
}
