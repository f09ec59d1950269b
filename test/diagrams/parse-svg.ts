// Reads a Graphviz SVG with a real XML parser (Python's ElementTree, /usr/bin/python3): parsing
// fails on a document that is not well-formed XML, and values come back unescaped. Returns the
// drawing's <g> groups (nodes, clusters, edges) and every element's tag, id and attribute values.
import { spawnSync } from 'node:child_process';

export interface SvgGroup {
  readonly id: string | null;
  /** The class attribute split on spaces, e.g. ['edge', 'transition']. */
  readonly classes: string[];
  readonly title: string | null;
  /** The group's <text> elements in order (a two-line label is two texts). */
  readonly texts: string[];
  /** `d` of the group's <path> children; `points` of its <polygon> children; its <ellipse> count. */
  readonly paths: string[];
  readonly polygons: string[];
  readonly ellipses: number;
}

export interface ParsedSvg {
  readonly groups: SvgGroup[];
  /** Every element in document order: local tag name, id (or null) and all attribute values. */
  readonly elements: { tag: string; id: string | null; values: string[] }[];
}

const SCRIPT = String.raw`
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
SVG = '{http://www.w3.org/2000/svg}'
local = lambda tag: tag.split('}')[-1]
groups = []
for g in root.iter(SVG + 'g'):
    title = g.find(SVG + 'title')
    groups.append({
        'id': g.get('id'),
        'classes': (g.get('class') or '').split(),
        'title': title.text if title is not None else None,
        'texts': [t.text or '' for t in g.findall(SVG + 'text')],
        'paths': [p.get('d') for p in g.findall(SVG + 'path')],
        'polygons': [p.get('points') for p in g.findall(SVG + 'polygon')],
        'ellipses': len(g.findall(SVG + 'ellipse')),
    })
elements = [{'tag': local(e.tag), 'id': e.get('id'), 'values': list(e.attrib.values())} for e in root.iter()]
print(json.dumps({'rootTag': root.tag, 'groups': groups, 'elements': elements}))
`;

export function parseSvg(svg: string): ParsedSvg {
  const result = spawnSync('/usr/bin/python3', ['-c', SCRIPT], { input: svg, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`the SVG is not well-formed XML: ${result.stderr || result.error}`);
  const parsed = JSON.parse(result.stdout) as ParsedSvg & { rootTag: string };
  if (parsed.rootTag !== '{http://www.w3.org/2000/svg}svg') throw new Error(`root element is ${parsed.rootTag}, not an SVG <svg>`);
  return parsed;
}

/** Every x,y pair of a path's `d` or a polygon's `points`. */
export function points(geometry: string): [number, number][] {
  return [...geometry.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}
