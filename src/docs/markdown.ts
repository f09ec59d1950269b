// Small pure helpers for the generated Markdown documents (docs/*.md): tables, numbered headings and
// a table of contents built from them, so every generated document is laid out the same way.

/** A Markdown table; `|` in cells is escaped and line breaks become spaces. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A titled table, as PS3.2 numbers them ("Table 4.2-1 ..."). */
export function captionedTable(caption: string, headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return `**${caption}**\n\n${table(headers, rows)}`;
}

export function bulletList(items: readonly string[]): string {
  return items.map((item) => `- ${item}`).join('\n');
}

/** Inline code, for UIDs, setting names and values. */
export function code(text: string | number): string {
  return `\`${text}\``;
}

interface Heading {
  readonly level: number;
  readonly title: string;
}

/**
 * Collects a document's blocks; headings are remembered so `render` can put a table of contents where
 * `contents()` was called. Blocks are separated by one blank line; the result ends with one newline.
 */
export class MarkdownDocument {
  private readonly blocks: Array<string | { readonly from: number; readonly to: number }> = [];
  private readonly headings: Heading[] = [];

  heading(level: number, title: string): this {
    this.headings.push({ level, title });
    this.blocks.push(`${'#'.repeat(level)} ${title}`);
    return this;
  }

  /** Blocks of text; empty strings are skipped so optional parts can be passed as ''. */
  add(...blocks: string[]): this {
    this.blocks.push(...blocks.filter((b) => b.trim() !== '').map((b) => b.trim()));
    return this;
  }

  /** A table of contents of the headings from `fromLevel` to `toLevel`, placed here. */
  contents(fromLevel: number, toLevel: number): this {
    this.blocks.push({ from: fromLevel, to: toLevel });
    return this;
  }

  render(): string {
    const text = this.blocks.map((block) => (typeof block === 'string' ? block : this.toc(block.from, block.to)));
    return `${text.join('\n\n')}\n`;
  }

  private toc(from: number, to: number): string {
    return this.headings
      .filter((h) => h.level >= from && h.level <= to)
      .map((h) => `${'  '.repeat(h.level - from)}- [${h.title}](#${githubSlug(h.title)})`)
      .join('\n');
  }
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens. */
export function githubSlug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
