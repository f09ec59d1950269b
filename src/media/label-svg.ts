// The disc label as an SVG document in millimetre user units, sized in pixels for the printer's
// resolution: the label's lines, placed by label-layout.ts, on white. Pure; the renderer
// (adapters/media/label-renderer.ts) turns it into the JPG the printer takes.
import { labelContent, type LabelData } from './label-data.ts';
import { DEFAULT_DISC_MM, layoutLabel, textBand } from './label-layout.ts';

export { DEFAULT_DISC_MM, textBand } from './label-layout.ts';

/** 300 dpi: sharp enough for the printer and for OCR, small enough to render in well under a second. */
export const DEFAULT_LABEL_DPI = 300;

/**
 * DejaVu Sans draws Latin (all the ISO 8859 parts DICOM uses), Greek, Cyrillic, Hebrew and Arabic;
 * Noto Sans CJK draws Han, kana and Hangul; Garuda draws Thai. Fontconfig falls back per character
 * along this list, then to any installed font.
 */
export const LABEL_FONT_FAMILY = "'DejaVu Sans', 'Noto Sans CJK JP', 'Garuda', sans-serif";

/** The image's side in pixels for a disc of sizeMm at dpi. */
export function labelSidePx(sizeMm: number, dpi: number): number {
  return Math.round((sizeMm / 25.4) * dpi);
}

export function labelSvg(data: LabelData, options: { sizeMm?: number; dpi?: number } = {}): string {
  const sizeMm = options.sizeMm ?? DEFAULT_DISC_MM;
  const dpi = options.dpi ?? DEFAULT_LABEL_DPI;
  if (!(sizeMm >= 60 && sizeMm <= 130)) throw new RangeError(`disc size must be 60-130 mm, got ${sizeMm}`);
  if (!(dpi >= 72 && dpi <= 1200)) throw new RangeError(`dpi must be 72-1200, got ${dpi}`);

  const centre = sizeMm / 2;
  const side = labelSidePx(sizeMm, dpi);
  const texts = layoutLabel(labelContent(data), textBand(sizeMm)).map(
    (p) =>
      `    <text x="${num(centre)}" y="${num(centre + p.baselineOffsetMm)}" font-size="${num(p.sizeMm)}"` +
      `${p.bold ? ' font-weight="bold"' : ''}>${xmlEscape(p.text)}</text>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}" viewBox="0 0 ${num(sizeMm)} ${num(sizeMm)}">`,
    `  <rect width="${num(sizeMm)}" height="${num(sizeMm)}" fill="#ffffff"/>`,
    `  <g font-family="${xmlEscape(LABEL_FONT_FAMILY)}" fill="#000000" text-anchor="middle">`,
    ...texts,
    '  </g>',
    '</svg>',
    '',
  ].join('\n');
}

/** Escapes the five XML specials and drops what XML 1.0 cannot carry (C0 controls, lone surrogates, U+FFFE/FFFF). */
export function xmlEscape(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function num(n: number): string {
  return String(Number(n.toFixed(3)));
}
