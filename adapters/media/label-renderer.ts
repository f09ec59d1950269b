// Renders a disc label to the JPG that Primera's PTRobot/PTBurn print (PrintLabel=*.JPG):
// SVG from src/media/label-svg.ts -> PNG by rsvg-convert (librsvg, with fontconfig's per-character
// font fallback, so DejaVu draws Latin and Noto Sans CJK draws CJK) -> JPEG by jpeg-js, written
// under a temporary name and renamed into place, so no half-written label is ever seen.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import type { LabelData } from '../../src/media/label-data.ts';
import { DEFAULT_LABEL_DPI, labelSvg } from '../../src/media/label-svg.ts';

export interface RenderedLabel {
  path: string;
  widthPx: number;
  heightPx: number;
  bytes: number;
}

/** High enough that small text keeps sharp edges; a label is about 150 kB at 300 dpi. */
const JPEG_QUALITY = 92;
const RSVG_TIMEOUT_MS = 30_000;

export async function renderLabel(
  data: LabelData,
  outPath: string,
  options: { dpi?: number } = {},
): Promise<RenderedLabel> {
  const dpi = options.dpi ?? DEFAULT_LABEL_DPI;
  const svg = labelSvg(data, { dpi });
  // Fail before rendering when the label could not be written anyway.
  await fs.access(path.dirname(outPath), fsConstants.W_OK).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot write a label into ${path.dirname(outPath)}: ${e.code ?? e.message}`, { cause: e });
  });
  const png = pngjs.PNG.sync.read(await rsvgToPng(svg));
  const jpg = withJfifDensity(jpeg.encode({ data: png.data, width: png.width, height: png.height }, JPEG_QUALITY).data, dpi);
  await writeAtomically(outPath, jpg);
  return { path: outPath, widthPx: png.width, heightPx: png.height, bytes: jpg.length };
}

/** Runs rsvg-convert with the SVG on stdin; resolves to the PNG it writes to stdout. */
export function rsvgToPng(svg: string, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('rsvg-convert', ['--format=png', '--background-color=white'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: RSVG_TIMEOUT_MS,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new Error(`cannot run rsvg-convert (Debian librsvg2-bin): ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out));
      const why = Buffer.concat(err).toString('utf8').trim();
      reject(new Error(`rsvg-convert failed (${signal ?? `exit ${code}`}): ${why}`));
    });
    child.stdin.on('error', () => undefined); // a failing child may close stdin early; 'close' reports it
    child.stdin.end(svg, 'utf8');
  });
}

/**
 * Sets the JFIF APP0 density (jpeg-js writes "no units, 1:1") to dpi, so that drivers that size a
 * raster by its resolution print it at the disc's size. Layout (JFIF 1.02): FFD8 FFE0 len(2)
 * "JFIF\0" version(2) units(1) Xdensity(2) Ydensity(2).
 */
function withJfifDensity(jpg: Buffer, dpi: number): Buffer {
  const isJfif = jpg.readUInt16BE(0) === 0xffd8 && jpg.readUInt16BE(2) === 0xffe0 && jpg.toString('latin1', 6, 11) === 'JFIF\0';
  if (!isJfif) throw new Error('jpeg-js wrote no JFIF APP0 segment');
  jpg.writeUInt8(1, 13); // units: dots per inch
  jpg.writeUInt16BE(Math.round(dpi), 14);
  jpg.writeUInt16BE(Math.round(dpi), 16);
  return jpg;
}

async function writeAtomically(outPath: string, bytes: Buffer): Promise<void> {
  const temp = path.join(path.dirname(outPath), `.${path.basename(outPath)}.${randomUUID()}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, outPath);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
}
