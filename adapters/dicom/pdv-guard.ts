// Checks each P-DATA-TF of an established association before dcmjs-dimse sees it (PS3.8 9.3.5):
// every PDV well formed and on a presentation context we accepted, command sets readable and of
// bounded size, and only a small data set for any command but C-STORE. The library keeps command sets and every
// non-C-STORE data set in memory without limit, so a peer could otherwise exhaust it with one
// endless C-FIND identifier; C-STORE data sets stream to disk and are bounded there.
import { AbortReason } from './pdu-framer.ts';

/** A command set is a few hundred bytes; anything near this is not one. */
export const MAX_COMMAND_SET_BYTES = 64 * 1024;
/** We serve C-ECHO and C-STORE only: another command's data set is read just to be refused. */
export const MAX_IN_MEMORY_DATA_SET_BYTES = 1024 * 1024;

const C_STORE_RQ = 0x0001;
const COMMAND_FIELD_TAG = 0x00000100;

export type PdvVerdict = { ok: true } | { ok: false; reason: string; abortReason: number };

export class PdvGuard {
  private commandParts: Buffer[] = [];
  private commandBytes = 0;
  /** Command Field of the last complete command set, whose data set may follow. */
  private commandField: number | undefined;
  private dataSetBytes = 0;
  /** Presentation context of the last complete command set (DIMSE handlers are not told it). */
  lastCommandContextId: number | undefined;

  constructor(private readonly acceptedContextIds: ReadonlySet<number>) {}

  check(pdu: Buffer): PdvVerdict {
    const end = 6 + pdu.readUInt32BE(2);
    let offset = 6;
    while (offset < end) {
      if (offset + 6 > end) return fail(`PDV header at offset ${offset} runs past the P-DATA-TF`, AbortReason.InvalidParameterValue);
      const length = pdu.readUInt32BE(offset);
      if (length < 2 || offset + 4 + length > end) return fail(`PDV length ${length} at offset ${offset} is invalid`, AbortReason.InvalidParameterValue);
      const contextId = pdu[offset + 4]!;
      const control = pdu[offset + 5]!;
      const value = pdu.subarray(offset + 6, offset + 4 + length);
      offset += 4 + length;
      if (!this.acceptedContextIds.has(contextId)) {
        return fail(`PDV on presentation context ${contextId}, which was not accepted`, AbortReason.InvalidParameterValue);
      }
      const isCommand = (control & 0x01) === 1;
      const last = (control & 0x02) !== 0;
      if (isCommand && last) this.lastCommandContextId = contextId;
      const verdict = isCommand ? this.commandFragment(value, last) : this.dataSetFragment(value, last);
      if (!verdict.ok) return verdict;
    }
    return { ok: true };
  }

  private commandFragment(value: Buffer, last: boolean): PdvVerdict {
    this.commandBytes += value.length;
    if (this.commandBytes > MAX_COMMAND_SET_BYTES) return fail(`command set longer than ${MAX_COMMAND_SET_BYTES} bytes`, AbortReason.NotSpecified);
    this.commandParts.push(value);
    if (last) {
      const read = readCommandField(Buffer.concat(this.commandParts));
      this.commandParts = [];
      this.commandBytes = 0;
      this.dataSetBytes = 0;
      // The library drops a command set it cannot parse without a word, and the association would
      // sit idle until its timeout: refuse it here instead.
      if (typeof read === 'string') return fail(`unreadable command set: ${read}`, AbortReason.NotSpecified);
      this.commandField = read;
    }
    return { ok: true };
  }

  private dataSetFragment(value: Buffer, last: boolean): PdvVerdict {
    if (this.commandField !== C_STORE_RQ) {
      this.dataSetBytes += value.length;
      if (this.dataSetBytes > MAX_IN_MEMORY_DATA_SET_BYTES) {
        return fail(`data set of more than ${MAX_IN_MEMORY_DATA_SET_BYTES} bytes for command 0x${(this.commandField ?? 0).toString(16).padStart(4, '0')} (only C-STORE data sets may be large)`, AbortReason.NotSpecified);
      }
    }
    if (last) this.dataSetBytes = 0;
    return { ok: true };
  }
}

function fail(reason: string, abortReason: number): PdvVerdict {
  return { ok: false, reason, abortReason };
}

/**
 * The Command Field (0000,0100) of an Implicit VR LE command set (PS3.7 9.3), or why the command set
 * cannot be read: every element must lie inside it and belong to group 0000, and the Command Field
 * must be there.
 */
function readCommandField(command: Buffer): number | string {
  let offset = 0;
  let field: number | undefined;
  while (offset < command.length) {
    if (offset + 8 > command.length) return `element header at offset ${offset} runs past the end`;
    const group = command.readUInt16LE(offset);
    const tag = ((group << 16) | command.readUInt16LE(offset + 2)) >>> 0;
    const length = command.readUInt32LE(offset + 4);
    if (group !== 0x0000) return `element (${hex(group)},${hex(tag & 0xffff)}) outside group 0000`;
    if (offset + 8 + length > command.length) return `element (0000,${hex(tag & 0xffff)}) of length ${length} runs past the end`;
    if (tag === COMMAND_FIELD_TAG && length === 2) field = command.readUInt16LE(offset + 8);
    offset += 8 + length;
  }
  return field ?? 'no Command Field (0000,0100)';
}

const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
