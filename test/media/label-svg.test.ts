import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { labelLines, type LabelData } from '../../src/media/label-data.ts';
import { labelSvg, textBand, xmlEscape } from '../../src/media/label-svg.ts';

const base: LabelData = {
  patientName: 'Müller^Jürgen',
  patientId: '12345',
  birthDate: '19700131',
  studies: [{ date: '20261127', description: 'Thorax', modalities: ['CT'] }],
  institution: 'Klinikum Musterstadt',
  discIndex: 1,
  discCount: 2,
  createdAt: '2026-11-28',
};

interface SvgText {
  text: string;
  x: number;
  y: number;
  size: number;
  bold: boolean;
}

interface ParsedSvg {
  width: string;
  height: string;
  viewBox: string;
  texts: SvgText[];
}

/** Parses the SVG with Python's XML parser (an independent oracle for well-formedness and escaping). */
function parseSvg(svg: string): ParsedSvg {
  const script = `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
ns = '{http://www.w3.org/2000/svg}'
texts = [dict(text=t.text or '', x=float(t.get('x')), y=float(t.get('y')), size=float(t.get('font-size')),
              bold=t.get('font-weight') == 'bold') for t in root.iter(ns + 'text')]
print(json.dumps(dict(width=root.get('width'), height=root.get('height'), viewBox=root.get('viewBox'), texts=texts)))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: svg, encoding: 'utf8' })) as ParsedSvg;
}

describe('labelSvg', () => {
  it('is a 120 mm square in millimetre user units, sized in pixels for the DPI', () => {
    for (const dpi of [300, 600]) {
      const svg = parseSvg(labelSvg(base, { dpi }));
      const side = String(Math.round((120 / 25.4) * dpi));
      expect(svg).toMatchObject({ width: side, height: side, viewBox: '0 0 120 120' });
    }
    expect(parseSvg(labelSvg(base, { sizeMm: 80, dpi: 300 }))).toMatchObject({ width: '945', viewBox: '0 0 80 80' });
  });

  it('carries every label line, centred, as well-formed XML', () => {
    const svg = parseSvg(labelSvg(base));
    expect(svg.texts.map((t) => t.text).sort()).toEqual(labelLines(base).sort());
    for (const t of svg.texts) expect(t.x).toBe(60);
    expect(svg.texts.find((t) => t.text === 'MÜLLER, Jürgen')?.bold).toBe(true);
  });

  it("carries exactly the lines of a label template, in its order within each half of the disc", () => {
    const lines = ['patientId', 'patientName', 'institution', 'disc'] as const;
    const svg = parseSvg(labelSvg({ ...base, institution: 'Radiologie Nord', lines: [...lines] }));
    const topToBottom = [...svg.texts].sort((a, b) => a.y - b.y).map((t) => t.text);
    expect(topToBottom).toEqual(['ID 12345 · born 1970-01-31', 'MÜLLER, Jürgen', 'Radiologie Nord', 'Disc 1 of 2']);
  });

  it('puts institution, name and ID above the hub and the rest below it, inside the band', () => {
    const { innerRadiusMm, outerRadiusMm } = textBand(120);
    const svg = parseSvg(labelSvg(base));
    const byText = new Map(svg.texts.map((t) => [t.text, t]));
    for (const line of ['Klinikum Musterstadt', 'MÜLLER, Jürgen', 'ID 12345 · born 1970-01-31']) {
      const y = byText.get(line)?.y ?? NaN;
      expect(y).toBeGreaterThan(60 - outerRadiusMm);
      expect(y).toBeLessThan(60 - innerRadiusMm);
    }
    for (const line of ['CT 2026-11-27 Thorax', 'Disc 1 of 2', 'Created 2026-11-28 · DICOM ONLY']) {
      const t = byText.get(line);
      expect(t).toBeDefined();
      // Baseline below the hub by at least the glyphs' height: the whole line clears the hub.
      expect((t?.y ?? NaN) - (t?.size ?? NaN)).toBeGreaterThan(60 + innerRadiusMm - 0.01);
      expect(t?.y ?? NaN).toBeLessThan(60 + outerRadiusMm);
    }
    // Reading order top to bottom is the order of labelLines.
    const ys = labelLines(base).map((line) => byText.get(line)?.y ?? NaN);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
  });

  it('escapes XML specials in every value and drops characters XML cannot carry', () => {
    const nasty: LabelData = {
      ...base,
      patientName: `O'Brien <&> "Al"^Ann\u0001`,
      patientId: 'A&B<1>',
      institution: `St. Mary's "<Radiology>" & X-Ray\uD800`,
      studies: [{ date: '20261127', description: '<script>alert(1)</script>', modalities: ['CT'] }],
    };
    const raw = labelSvg(nasty);
    expect(raw).toContain('O&apos;BRIEN &lt;&amp;&gt; &quot;AL&quot;, Ann');
    expect(raw).toContain('ID A&amp;B&lt;1&gt;');
    expect(raw).not.toContain('<script>');
    expect(raw).not.toContain('\u0001');
    const texts = parseSvg(raw).texts.map((t) => t.text);
    expect(texts).toContain(`O'BRIEN <&> "AL", Ann`);
    expect(texts).toContain(`St. Mary's "<Radiology>" & X-Ray`);
    expect(texts).toContain('CT 2026-11-27 <script>alert(1)</script>');
    expect(xmlEscape(`a\u0000b\u001Fc\uFFFEd\tℕ𝄞`)).toBe('abcd\tℕ𝄞');
  });

  it('shrinks a somewhat long name on its line', () => {
    const svg = parseSvg(labelSvg({ ...base, patientName: 'Müller-Lüdenscheidt^Hans' }));
    const name = svg.texts.find((t) => t.bold && t.text !== 'Disc 1 of 2');
    expect(name?.text).toBe('MÜLLER-LÜDENSCHEIDT, Hans');
    expect(name?.size).toBeLessThan(6.5);
    expect(name?.size).toBeGreaterThan(2.2);
  });

  it('wraps a long name or institution onto two lines of one size, in reading order', () => {
    const svg = parseSvg(
      labelSvg({
        ...base,
        patientName: 'Müller-Lüdenscheidt^Hans-Christian Maximilian',
        institution: 'Universitätsklinikum Schleswig-Holstein, Campus Kiel, Klinik für Radiologie',
      }),
    );
    const top = [...svg.texts].sort((a, b) => a.y - b.y);
    const name = top.filter((t) => t.bold && t.text !== 'Disc 1 of 2');
    expect(name.map((t) => t.text).join(' ')).toBe('MÜLLER-LÜDENSCHEIDT, Hans-Christian Maximilian');
    expect(name).toHaveLength(2);
    expect(name[0]?.size).toBe(name[1]?.size);
    const institution = top.slice(0, top.indexOf(name[0] as SvgText));
    expect(institution.map((t) => t.text).join(' ')).toBe(
      'Universitätsklinikum Schleswig-Holstein, Campus Kiel, Klinik für Radiologie',
    );
    expect(institution).toHaveLength(2);
  });

  it('cuts with an ellipsis what does not fit at the smallest size', () => {
    const absurd = parseSvg(labelSvg({ ...base, patientName: `${'W'.repeat(64)}^${'M'.repeat(64)}` }));
    const cut = absurd.texts.filter((t) => t.text.startsWith('WWW') || t.text.startsWith('MMM'));
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.some((t) => t.text.endsWith('…'))).toBe(true);
    for (const t of cut) expect(t.size).toBe(2.2);
  });

  it('gives all study lines one size', () => {
    const studies = ['Thorax', 'CT Thorax Abdomen Becken mit Kontrastmittel und Spätphase', 'Knie'].map((d) => ({
      date: '20260101',
      description: d,
      modalities: ['CT'],
    }));
    const sizes = parseSvg(labelSvg({ ...base, studies })).texts.filter((t) => t.text.startsWith('CT ')).map((t) => t.size);
    expect(sizes).toHaveLength(3);
    expect(new Set(sizes).size).toBe(1);
  });

  it('rejects sizes and resolutions no disc printer has', () => {
    expect(() => labelSvg(base, { dpi: 10 })).toThrow(RangeError);
    expect(() => labelSvg(base, { dpi: 5000 })).toThrow(RangeError);
    expect(() => labelSvg(base, { sizeMm: 300 })).toThrow(RangeError);
    expect(() => labelSvg(base, { dpi: Number.NaN })).toThrow(RangeError);
  });
});
