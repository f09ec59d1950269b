// Numbers into text: medians, units and the result tables the ingest benchmark prints (Markdown
// tables, readable in a terminal and pasteable into docs/benchmarks.md).

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Decimal megabytes (10^6 bytes), as disk and network figures are usually given. */
export const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
export const seconds = (ms: number): string => (ms / 1000).toFixed(2);

export interface Target {
  text: string;
  met: boolean;
}

export const targetCell = (target: Target | undefined): string => (target ? `${target.text}: ${target.met ? 'met' : 'MISSED'}` : '—');

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
}
