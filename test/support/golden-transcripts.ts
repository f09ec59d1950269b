// Reads the golden DPRP transcripts out of docs/robot-protocol.md (```dprp-golden name=… model=…
// blocks): `>` lines go host → device, `<` lines device → host. The driver test and the simulator
// test each check one side against the same literal lines.

import fs from 'node:fs';
import path from 'node:path';

export interface GoldenLine {
  dir: 'host' | 'device';
  text: string;
}

export interface GoldenTranscript {
  name: string;
  model: string;
  lines: GoldenLine[];
}

export const PROTOCOL_DOC = path.resolve(import.meta.dirname, '../../docs/robot-protocol.md');

export function readGoldenTranscripts(file = PROTOCOL_DOC): GoldenTranscript[] {
  const text = fs.readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/^```dprp-golden ([^\n]*)\n([\s\S]*?)^```$/gm)];
  return blocks.map(([, header = '', body = '']) => {
    const attrs = Object.fromEntries(header.trim().split(/\s+/).map((pair) => pair.split('=') as [string, string]));
    if (!attrs.name || !attrs.model) throw new Error(`golden block without name= and model=: ${header}`);
    const lines = body.split('\n').filter((l) => l.trim() !== '').map((l): GoldenLine => {
      if (l.startsWith('> ')) return { dir: 'host', text: l.slice(2) };
      if (l.startsWith('< ')) return { dir: 'device', text: l.slice(2) };
      throw new Error(`golden ${attrs.name}: line neither "> " nor "< ": ${l}`);
    });
    return { name: attrs.name, model: attrs.model, lines };
  });
}

/** Groups a transcript into turns: the device lines that follow each host line (and those before the first). */
export function turns(transcript: GoldenTranscript): Array<{ host: string | null; device: string[] }> {
  const result: Array<{ host: string | null; device: string[] }> = [{ host: null, device: [] }];
  for (const line of transcript.lines) {
    if (line.dir === 'host') result.push({ host: line.text, device: [] });
    else result[result.length - 1]!.device.push(line.text);
  }
  return result.filter((t, i) => i > 0 || t.device.length > 0);
}
