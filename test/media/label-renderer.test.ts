// The rendered label, checked with outside tools: tesseract reads it back (deu for the Latin-1
// name, jpn for the CJK one), fontconfig says which fonts carry which scripts, and the JPEG's own
// markers give its size and resolution.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderLabel, rsvgToPng, type RenderedLabel } from '../../adapters/media/label-renderer.ts';
import type { LabelData } from '../../src/media/label-data.ts';
import { labelSvg, textBand } from '../../src/media/label-svg.ts';

const run = promisify(execFile);

const muller: LabelData = {
  patientName: 'Müller^Jürgen',
  patientId: '12345',
  birthDate: '19700131',
  studies: [
    { date: '20261127', description: 'Thorax', modalities: ['CT'] },
    { date: '20261128', description: 'Abdomen mit KM', modalities: ['MR', 'SR'] },
  ],
  institution: 'Klinikum Musterstadt',
  discIndex: 1,
  discCount: 2,
  createdAt: '2026-11-28T09:15:00Z',
};
const yamada: LabelData = { ...muller, patientName: '山田^太郎', institution: '東京中央病院' };
const special: LabelData = { ...muller, patientName: `O'Brien <&> "Al"^Ann`, institution: 'St. Mary & <Radiology>' };
/** Widest glyphs of several scripts, long values and many studies: the layout's worst cases. */
const crowded: LabelData = {
  ...muller,
  patientName: `${'W'.repeat(30)} ЖЩШЮ ${'M'.repeat(20)}^${'m'.repeat(20)} ${'W'.repeat(20)}`,
  patientId: 'WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW',
  institution: `Universitätsklinikum ${'Щ'.repeat(30)} Campus Kiel, Klinik für Radiologie und Neuroradiologie`,
  studies: Array.from({ length: 9 }, (_, i) => ({
    date: `2026010${i + 1}`,
    description: `${'W'.repeat(40)} 山田太郎山田太郎`,
    modalities: ['MG', 'CT', 'MR', 'PT'],
  })),
  discIndex: 12,
  discCount: 12,
};

let dir: string;
let labels: Record<'latin' | 'cjk' | 'special' | 'crowded' | 'lowRes', RenderedLabel>;
let ocr: Record<'latin' | 'cjk' | 'cjkWithoutCjkFont' | 'special', { stdout: string; stderr: string }>;

/** Text as OCR compares: NFC, upper case, no white space. */
const norm = (s: string): string => s.normalize('NFC').toUpperCase().replace(/\s+/g, '');

function tesseract(file: string, lang: string): Promise<{ stdout: string; stderr: string }> {
  return run('tesseract', [file, '-', '-l', lang], { encoding: 'utf8' });
}

/** The same SVG rendered with fontconfig limited to DejaVu, so CJK comes out as missing-glyph boxes. */
async function renderWithoutCjkFont(data: LabelData): Promise<string> {
  const conf = path.join(dir, 'dejavu-only.conf');
  await fs.writeFile(
    conf,
    `<?xml version="1.0"?><fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>` +
      `<cachedir>${path.join(dir, 'fc-cache')}</cachedir></fontconfig>`,
  );
  const png = await rsvgToPng(labelSvg(data), { ...process.env, FONTCONFIG_FILE: conf });
  const file = path.join(dir, 'no-cjk-font.png');
  await fs.writeFile(file, png);
  return file;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'discrobot-label-'));
  await fs.writeFile(path.join(dir, 'latin.jpg'), 'an older label, to be replaced whole');
  const [latin, cjk, specialLabel, crowdedLabel, lowRes] = await Promise.all([
    renderLabel(muller, path.join(dir, 'latin.jpg')),
    renderLabel(yamada, path.join(dir, 'cjk.jpg')),
    renderLabel(special, path.join(dir, 'special.jpg')),
    renderLabel(crowded, path.join(dir, 'crowded.jpg')),
    renderLabel(muller, path.join(dir, 'low-res.jpg'), { dpi: 150 }),
  ]);
  labels = { latin, cjk, special: specialLabel, crowded: crowdedLabel, lowRes };
  const noCjkFont = await renderWithoutCjkFont(yamada);
  const [latinText, cjkText, cjkWithoutCjkFont, specialText] = await Promise.all([
    tesseract(latin.path, 'deu'),
    tesseract(cjk.path, 'jpn'),
    tesseract(noCjkFont, 'jpn'),
    tesseract(specialLabel.path, 'eng'),
  ]);
  ocr = { latin: latinText, cjk: cjkText, cjkWithoutCjkFont, special: specialText };
});

afterAll(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

/** Width, height and JFIF density read from the JPEG's markers. */
function jpegInfo(bytes: Buffer): { width: number; height: number; densityUnits: number; xDensity: number; yDensity: number } {
  expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  expect(bytes.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
  expect(bytes.toString('latin1', 6, 11)).toBe('JFIF\0');
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    const marker = bytes.readUInt16BE(offset);
    const length = bytes.readUInt16BE(offset + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xffc0 && marker <= 0xffcf && ![0xffc4, 0xffc8, 0xffcc].includes(marker)) {
      return {
        height: bytes.readUInt16BE(offset + 5),
        width: bytes.readUInt16BE(offset + 7),
        densityUnits: bytes.readUInt8(13),
        xDensity: bytes.readUInt16BE(14),
        yDensity: bytes.readUInt16BE(16),
      };
    }
    offset += 2 + length;
  }
  throw new Error('no SOF marker');
}

/** How many pixels are inked (darker than mid grey) and their nearest and farthest distance from the centre. */
function inkRadiiMm(
  img: { width: number; height: number; data: Uint8Array },
  discMm: number,
): { pixels: number; nearest: number; farthest: number } {
  const mmPerPx = discMm / img.width;
  const centre = img.width / 2;
  let pixels = 0;
  let nearest = Infinity;
  let farthest = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 4;
      const luminance = 0.299 * (img.data[i] ?? 255) + 0.587 * (img.data[i + 1] ?? 255) + 0.114 * (img.data[i + 2] ?? 255);
      if (luminance > 160) continue;
      pixels++;
      const r = Math.hypot(x + 0.5 - centre, y + 0.5 - centre) * mmPerPx;
      nearest = Math.min(nearest, r);
      farthest = Math.max(farthest, r);
    }
  }
  return { pixels, nearest, farthest };
}

describe('renderLabel', () => {
  it('writes a real JPEG of a 120 mm disc at the chosen resolution, with that resolution in its header', async () => {
    for (const [label, dpi] of [
      [labels.latin, 300],
      [labels.lowRes, 150],
    ] as const) {
      const bytes = await fs.readFile(label.path);
      const side = Math.round((120 / 25.4) * dpi);
      expect(jpegInfo(bytes)).toEqual({ width: side, height: side, densityUnits: 1, xDensity: dpi, yDensity: dpi });
      expect(label).toMatchObject({ widthPx: side, heightPx: side, bytes: bytes.length });
    }
    // tesseract (leptonica/libjpeg) took the resolution from the file instead of guessing one.
    expect(ocr.latin.stderr).not.toMatch(/Estimating resolution/);
  });

  it('reads back by OCR: the Latin-1 name with its umlauts, the ID and "Disc 1 of 2"', () => {
    const text = norm(ocr.latin.stdout);
    expect(text).toContain('MÜLLER,JÜRGEN');
    expect(text).toContain('ID12345');
    expect(text).toContain('1OF2');
  });

  it('reads back by OCR: the CJK name, drawn by Noto Sans CJK (without it, OCR finds no name)', () => {
    const text = norm(ocr.cjk.stdout);
    expect(text).toContain('山田太郎');
    expect(text).toContain('東京中央病院');
    expect(text).toContain('1OF2');
    // Control: the same label without a CJK font shows missing-glyph boxes, which OCR cannot read as the name.
    const control = norm(ocr.cjkWithoutCjkFont.stdout);
    expect(control).toContain('1OF2');
    expect(control).not.toContain('山田');
  });

  it('renders names with XML specials as text', () => {
    const text = norm(ocr.special.stdout);
    expect(text).toContain('BRIEN');
    expect(text).toMatch(/<&>/);
    expect(text).toContain('MARY&');
  });

  it('keeps all ink in the printable ring, also for the widest glyphs and longest values', async () => {
    const { innerRadiusMm, outerRadiusMm } = textBand(120);
    for (const label of [labels.cjk, labels.crowded]) {
      const ink = inkRadiiMm(jpeg.decode(await fs.readFile(label.path)), 120);
      expect(ink.pixels).toBeGreaterThan(10_000);
      expect(ink.nearest).toBeGreaterThanOrEqual(innerRadiusMm);
      expect(ink.farthest).toBeLessThanOrEqual(outerRadiusMm);
    }
  });

  it('leaves only finished files: no temporary files, nothing when it fails', async () => {
    const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.jpg') || n.endsWith('.tmp'));
    expect(names.sort()).toEqual(['cjk.jpg', 'crowded.jpg', 'latin.jpg', 'low-res.jpg', 'special.jpg']);

    const missingDir = path.join(dir, 'no-such-dir', 'label.jpg');
    await expect(renderLabel(muller, missingDir)).rejects.toThrow(/no-such-dir/);
    const invalid = path.join(dir, 'invalid.jpg');
    await expect(renderLabel({ ...muller, discIndex: 3 }, invalid)).rejects.toThrow(RangeError);
    expect((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp') || n === 'invalid.jpg')).toEqual([]);
  });

  it('replaces an existing label whole', async () => {
    const bytes = await fs.readFile(labels.latin.path); // held other bytes before the render
    expect(bytes.length).toBe(labels.latin.bytes);
    expect(jpegInfo(bytes).width).toBe(1417);
  });
});

describe('label fonts', () => {
  it('fontconfig resolves the label font families to the Debian fonts', async () => {
    const match = async (family: string): Promise<string> => (await run('fc-match', ['-f', '%{family}', family])).stdout;
    expect(await match('DejaVu Sans')).toContain('DejaVu Sans');
    expect(await match('Noto Sans CJK JP')).toContain('Noto Sans CJK JP');
    expect(await match('Garuda')).toContain('Garuda');
  });

  // One character per DICOM repertoire (PS3.3 C.12.1.1.2) that names may be written in.
  it.each([
    ['ISO_IR 100 Latin-1', 'ü'],
    ['ISO_IR 101 Latin-2', 'ł'],
    ['ISO_IR 109 Latin-3', 'ĥ'],
    ['ISO_IR 110 Latin-4', 'ŗ'],
    ['ISO_IR 148 Latin-5', 'ş'],
    ['ISO_IR 203 Latin-9', '€'],
    ['ISO_IR 126 Greek', 'Ω'],
    ['ISO_IR 144 Cyrillic', 'Ж'],
    ['ISO_IR 127 Arabic', 'م'],
    ['ISO_IR 138 Hebrew', 'ש'],
    ['ISO_IR 166 Thai', 'ก'],
    ['ISO_IR 13 JIS X 0201 katakana', 'ｱ'],
    ['ISO 2022 IR 87 JIS X 0208', '山'],
    ['ISO 2022 IR 159 JIS X 0212', '丂'],
    ['ISO 2022 IR 149 KS X 1001', '가'],
    ['GB18030 / GBK', '中'],
  ])('%s (%s) has a font in the label font list', async (_repertoire, char) => {
    const codePoint = (char.codePointAt(0) ?? 0).toString(16);
    const { stdout } = await run('fc-list', [`:charset=${codePoint}`, 'family']);
    const families = new Set(stdout.split('\n').flatMap((line) => line.split(',')));
    expect(['DejaVu Sans', 'Noto Sans CJK JP', 'Garuda'].filter((f) => families.has(f))).not.toEqual([]);
  });
});
