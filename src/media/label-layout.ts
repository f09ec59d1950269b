// Where each label line goes on the disc: lines stacked from the hub outwards, above and below
// it, each no wider than the chord of the printable circle at its outer edge. Pure: no font files
// are read, so text widths are estimated with generous per-character widths; a line too wide is
// wrapped (name, institution), shrunk, and at the smallest size cut with an ellipsis.
import type { LabelLine, LabelLineRole } from './label-data.ts';

export const DEFAULT_DISC_MM = 120;

/**
 * Primera printers print out to the disc's edge less PrintOuterMargin (0-2 mm) and in to PrintInnerDiam
 * (15-50 mm; 41-44 mm on discs whose hub is not printable). Text keeps 3 mm from the edge and stays
 * outside a 46 mm circle, so the same image prints on hub-printable and non-hub-printable media.
 */
export const EDGE_CLEARANCE_MM = 3;
export const HUB_CLEAR_DIAMETER_MM = 46;

/** Below this em size a line is cut rather than shrunk further (about 6 pt: still readable, and by OCR). */
export const MIN_TEXT_MM = 2.2;

export interface TextBand {
  innerRadiusMm: number;
  outerRadiusMm: number;
}

/** The ring, as radii from the disc centre, that the text of a disc of this size stays in. */
export function textBand(sizeMm: number = DEFAULT_DISC_MM): TextBand {
  return { innerRadiusMm: HUB_CLEAR_DIAMETER_MM / 2, outerRadiusMm: sizeMm / 2 - EDGE_CLEARANCE_MM };
}

export interface PlacedLine {
  role: LabelLineRole;
  text: string;
  sizeMm: number;
  bold: boolean;
  /** Baseline relative to the disc centre (negative: above it). */
  baselineOffsetMm: number;
}

interface LineStyle {
  sizeMm: number; // nominal em size
  bold: boolean;
  maxLines: number; // a value longer than one line may wrap onto this many
}

const STYLES: Record<LabelLineRole, LineStyle> = {
  institution: { sizeMm: 3.6, bold: false, maxLines: 2 },
  patientName: { sizeMm: 6.5, bold: true, maxLines: 2 },
  patientId: { sizeMm: 4.2, bold: false, maxLines: 2 },
  study: { sizeMm: 3.4, bold: false, maxLines: 1 },
  disc: { sizeMm: 5.5, bold: true, maxLines: 1 },
  created: { sizeMm: 3.2, bold: false, maxLines: 1 },
};

/** Lines above the hub; the rest go below it. */
const UPPER: ReadonlySet<LabelLineRole> = new Set(['institution', 'patientName', 'patientId']);

/** Line box around the baseline, in em: covers accents above capitals and descenders (DejaVu, Noto CJK). */
const ASCENT_EM = 0.95;
const DESCENT_EM = 0.25;
const GAP_EM = 0.25;
/** Space between the hub circle and the first line. */
const HUB_GAP_MM = 0.8;
/** A line shrunk below this share of its nominal size is wrapped instead, where its role allows. */
const WRAP_BELOW = 0.75;

/** Places the label's lines (given top to bottom) in the band; all sizes in mm. */
export function layoutLabel(lines: readonly LabelLine[], band: TextBand): PlacedLine[] {
  const upper = groupByRole(lines.filter((l) => UPPER.has(l.role)));
  const lower = groupByRole(lines.filter((l) => !UPPER.has(l.role)));
  return [...stackOutwards(upper, band, -1), ...stackOutwards(lower, band, +1)];
}

/** Consecutive lines of one role (the studies) are one block: one size for all of them. */
interface Block {
  role: LabelLineRole;
  texts: string[];
}

function groupByRole(lines: readonly LabelLine[]): Block[] {
  const blocks: Block[] = [];
  for (const line of lines) {
    const last = blocks.at(-1);
    if (last?.role === line.role) last.texts.push(line.text);
    else blocks.push({ role: line.role, texts: [line.text] });
  }
  return blocks;
}

/** Stacks blocks from the hub outwards (direction -1: up, +1: down), scaled down until they all fit. */
function stackOutwards(blocks: readonly Block[], band: TextBand, direction: -1 | 1): PlacedLine[] {
  let scale = 1;
  for (;;) {
    const attempt = stackAtScale(blocks, band, direction, scale);
    if (attempt.outerEdgeMm <= band.outerRadiusMm || scale < 0.2) return attempt.placed;
    scale *= 0.95;
  }
}

function stackAtScale(
  blocks: readonly Block[],
  band: TextBand,
  direction: -1 | 1,
  scale: number,
): { placed: PlacedLine[]; outerEdgeMm: number } {
  // Upwards, the hub side of the stack is the bottom: blocks and their lines go in reverse reading order.
  const outwards = direction < 0 ? [...blocks].reverse() : blocks;
  const toStackOrder = <T>(items: readonly T[]): T[] => (direction < 0 ? [...items].reverse() : [...items]);
  let near = band.innerRadiusMm + HUB_GAP_MM; // distance from the centre of the next line's near edge
  const placed: PlacedLine[] = [];
  for (const block of outwards) {
    const style = STYLES[block.role];
    const nominalMm = style.sizeMm * scale;
    const single = block.texts.length === 1 ? block.texts[0] : undefined;
    const candidates = single === undefined ? [block.texts] : wrapCandidates(single, style.maxLines, style.bold);
    const minMm = Math.min(MIN_TEXT_MM, nominalMm);
    const fitted = chooseFit(candidates.map(toStackOrder), style.bold, nominalMm, minMm, near, band.outerRadiusMm) ?? {
      // Too long even at the smallest size: fill the lines in reading order and cut what is left over.
      pieces: toStackOrder(
        fillAndCut(
          single === undefined ? block.texts : [single],
          toStackOrder((candidates.at(-1) ?? []).map((_, i) => chordWidth(outerEdge(near, minMm, i), band.outerRadiusMm))),
          style.bold,
          minMm,
        ),
      ),
      sizeMm: minMm,
    };
    for (const text of fitted.pieces) {
      // Upwards the near edge is the descender side; downwards it is the ascender side.
      const baseline = near + fitted.sizeMm * (direction < 0 ? DESCENT_EM : ASCENT_EM);
      placed.push({ role: block.role, text, sizeMm: fitted.sizeMm, bold: style.bold, baselineOffsetMm: direction * baseline });
      near += fitted.sizeMm * (ASCENT_EM + DESCENT_EM + GAP_EM);
    }
  }
  return { placed, outerEdgeMm: near - (placed.at(-1)?.sizeMm ?? 0) * GAP_EM };
}

/** The value on one line, then split at spaces into 2..maxLines lines, as far as it has words. */
function wrapCandidates(text: string, maxLines: number, bold: boolean): string[][] {
  const candidates = [[text]];
  for (let count = 2; count <= maxLines; count++) {
    const pieces = splitBalanced(text, count, bold);
    if (pieces.length < count) break;
    candidates.push(pieces);
  }
  return candidates;
}

/**
 * Chooses among candidate line sets (each in stacking order, fewest lines first) and a size for
 * them: the first that keeps near its nominal size, else the one allowing the largest size; null
 * when none fits at the smallest size.
 */
function chooseFit(
  candidates: readonly string[][],
  bold: boolean,
  nominalMm: number,
  minMm: number,
  nearMm: number,
  outerRadiusMm: number,
): { pieces: string[]; sizeMm: number } | null {
  let best: { pieces: string[]; sizeMm: number } | null = null;
  for (const pieces of candidates) {
    const sizeMm = largestSize(pieces, bold, nominalMm, nearMm, outerRadiusMm);
    if (best === null || sizeMm > best.sizeMm) best = { pieces, sizeMm };
    if (sizeMm >= nominalMm * WRAP_BELOW) break;
  }
  return best !== null && best.sizeMm >= minMm ? best : null;
}

/**
 * Lines (in reading order) of the given widths at sizeMm. Several values: one per line, each cut to
 * its width. One value: words fill each line in turn, the last line takes the rest, cut to fit.
 */
function fillAndCut(values: readonly string[], readingWidths: readonly number[], bold: boolean, sizeMm: number): string[] {
  const fits = (text: string, i: number): boolean => estimateEmWidth(text, bold) * sizeMm <= (readingWidths[i] ?? 0);
  if (values.length > 1) return values.map((v, i) => cutToFit(v, bold, sizeMm, readingWidths[i] ?? 0));
  const words = (values[0] ?? '').split(' ');
  const lines: string[] = [];
  for (let i = 0; i < readingWidths.length - 1 && words.length > 0; i++) {
    let line = words.shift() ?? '';
    while (words.length > 0 && fits(`${line} ${words[0]}`, i)) line = `${line} ${words.shift()}`;
    lines.push(cutToFit(line, bold, sizeMm, readingWidths[i] ?? 0));
  }
  if (words.length > 0) lines.push(cutToFit(words.join(' '), bold, sizeMm, readingWidths[lines.length] ?? 0));
  return lines;
}

/** Distance from the centre of the outer edge of the i-th line of a block (0 = nearest the hub). */
function outerEdge(nearMm: number, sizeMm: number, i: number): number {
  return nearMm + sizeMm * ((i + 1) * (ASCENT_EM + DESCENT_EM) + i * GAP_EM);
}

/**
 * The largest size, up to nominal, at which every piece (in stacking order, from the hub outwards)
 * fits the chord at its outer edge; edges are taken at nominal size, which errs on the safe side.
 */
function largestSize(pieces: readonly string[], bold: boolean, nominalMm: number, nearMm: number, outerRadiusMm: number): number {
  let size = nominalMm;
  pieces.forEach((piece, i) => {
    size = Math.min(size, chordWidth(outerEdge(nearMm, nominalMm, i), outerRadiusMm) / estimateEmWidth(piece, bold));
  });
  return size;
}

/** Width of the printable circle at this distance from the centre (0 beyond it). */
function chordWidth(distanceMm: number, radiusMm: number): number {
  return 2 * Math.sqrt(Math.max(0, radiusMm ** 2 - distanceMm ** 2));
}

/** Splits at spaces into count lines of about equal estimated width. */
function splitBalanced(text: string, count: number, bold: boolean): string[] {
  const words = text.split(' ');
  const target = estimateEmWidth(text, bold) / count;
  const pieces: string[] = [];
  let current: string[] = [];
  for (const [i, word] of words.entries()) {
    const wordsLeft = words.length - i;
    const piecesLeft = count - pieces.length;
    const withWord = [...current, word].join(' ');
    // Close the current piece when the word would overshoot more than it undershoots, keeping a word per piece left.
    const overshoot = estimateEmWidth(withWord, bold) - target;
    const undershoot = target - estimateEmWidth(current.join(' '), bold);
    if (current.length > 0 && piecesLeft > 1 && (overshoot > undershoot || wordsLeft < piecesLeft)) {
      pieces.push(current.join(' '));
      current = [];
    }
    current.push(word);
  }
  if (current.length > 0) pieces.push(current.join(' '));
  return pieces;
}

function cutToFit(text: string, bold: boolean, sizeMm: number, widthMm: number): string {
  if (estimateEmWidth(text, bold) * sizeMm <= widthMm) return text;
  const chars = Array.from(text);
  while (chars.length > 0 && estimateEmWidth(`${chars.join('').trimEnd()}…`, bold) * sizeMm > widthMm) chars.pop();
  return `${chars.join('').trimEnd()}…`;
}

/**
 * Advance widths in em (regular, bold), each at least the widest glyph of its class as rendered
 * with DejaVu Sans / Noto Sans CJK here (measured: W 0.99/1.10, m 0.97/1.04, O 0.79/0.85, b 0.64/0.72,
 * digits 0.64/0.70, r 0.39/0.49, Щ 1.09/1.33, Hebrew, Arabic, Thai, Greek lower case under 0.9/1.0).
 */
const WIDTHS = {
  eastAsian: [1.0, 1.0],
  wideLatin: [1.0, 1.12],
  latinUpper: [0.79, 0.86],
  latinLowerOrDigit: [0.64, 0.72],
  narrow: [0.4, 0.5],
  cyrillicOrGreekUpper: [1.1, 1.35],
  otherLetter: [0.9, 1.0],
  other: [0.9, 1.0],
} as const satisfies Record<string, readonly [number, number]>;

const WIDE_LATIN = new Set(Array.from('MWmw@%ÆŒæœ—'));
const NARROW = new Set(Array.from(" ijlIJftr.,:;'!|()[]-·"));
const EAST_ASIAN_WIDE =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}\u3000-\u303F\uFF01-\uFF60\uFFE0-\uFFE6]/u;

function widthClass(c: string): keyof typeof WIDTHS {
  if (EAST_ASIAN_WIDE.test(c)) return 'eastAsian';
  if (WIDE_LATIN.has(c)) return 'wideLatin';
  if (NARROW.has(c)) return 'narrow';
  if (/\p{Script=Latin}/u.test(c)) return /\p{Lu}/u.test(c) ? 'latinUpper' : 'latinLowerOrDigit';
  if (/\p{Nd}/u.test(c)) return 'latinLowerOrDigit';
  // Cyrillic lower case too: ш, щ are 0.94/1.11.
  if (/\p{Script=Cyrillic}/u.test(c) || (/\p{Script=Greek}/u.test(c) && /\p{Lu}/u.test(c))) return 'cyrillicOrGreekUpper';
  if (/\p{L}/u.test(c)) return 'otherLetter';
  return 'other';
}

/** Width of a line in em, erring wide (see WIDTHS). Combining marks take no advance. */
export function estimateEmWidth(text: string, bold: boolean): number {
  let em = 0;
  for (const c of text) {
    if (/\p{M}/u.test(c)) continue;
    em += WIDTHS[widthClass(c)][bold ? 1 : 0];
  }
  return em;
}
