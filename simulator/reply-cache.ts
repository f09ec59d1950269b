// The device keeps its replies of the last 10 s by sequence number (docs/robot-protocol.md §3): a
// repeated line is answered from here without moving anything again; the same number with another
// line is a conflict (ERR 607).

export const REPLY_CACHE_MS = 10_000;

export type CacheLookup = { kind: 'new' } | { kind: 'repeat'; reply: string } | { kind: 'conflict' };

export class ReplyCache {
  private readonly entries = new Map<number, { line: string; reply: string; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  lookup(seq: number, line: string): CacheLookup {
    this.prune();
    const entry = this.entries.get(seq);
    if (!entry) return { kind: 'new' };
    return entry.line === line ? { kind: 'repeat', reply: entry.reply } : { kind: 'conflict' };
  }

  remember(seq: number, line: string, reply: string): void {
    this.entries.set(seq, { line, reply, at: this.now() });
  }

  clear(): void {
    this.entries.clear();
  }

  private prune(): void {
    const oldest = this.now() - REPLY_CACHE_MS;
    for (const [seq, entry] of this.entries) if (entry.at < oldest) this.entries.delete(seq);
  }
}
