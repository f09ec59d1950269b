// Writes the generated documents under docs/, or with --check verifies the committed ones are what
// the code would write now (CI runs the check through `npm test`). Each generated document is one
// entry in GENERATED_DOCUMENTS: add statechart diagrams, the media section... as more entries.
// docs/diagrams/ is wholly generated (one statechart SVG per machine): a file there that no entry
// writes, e.g. the diagram of a machine since removed, is stale too.
//
//   npx tsx scripts/gen-docs.ts                        write every document
//   npx tsx scripts/gen-docs.ts --check                exit 1, naming each stale or missing document
//   --root <dir>                                       write or check under <dir> instead of the repository
//   --only <prefix>                                    only the documents whose path starts with <prefix>
//                                                      (`npm run diagrams` is `--only docs/diagrams/`)
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderConformanceStatement } from '../src/docs/conformance.ts';
import { renderStatecharts } from '../src/docs/statecharts.ts';
import { renderRobotModels } from '../src/docs/robot-models.ts';
import { DIAGRAM_MACHINES } from '../src/diagrams/machines.ts';
import { renderMachineSvg } from '../src/diagrams/render-svg.ts';

interface GeneratedDocument {
  /** Path relative to the repository root. */
  readonly path: string;
  readonly render: () => string | Promise<string>;
}

const DIAGRAMS_DIRECTORY = 'docs/diagrams/';

const GENERATED_DOCUMENTS: readonly GeneratedDocument[] = [
  { path: 'docs/conformance.md', render: renderConformanceStatement },
  { path: 'docs/statecharts.md', render: renderStatecharts },
  { path: 'docs/robot-models.md', render: renderRobotModels },
  ...DIAGRAM_MACHINES.map((machine) => ({ path: `${DIAGRAMS_DIRECTORY}${machine.id}.svg`, render: () => renderMachineSvg(machine.id) })),
];

const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Files in docs/diagrams/ (under `root`) that no generated document writes. */
function unexpectedDiagrams(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(root, DIAGRAMS_DIRECTORY), { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return [];
  }
  const generated = new Set(GENERATED_DOCUMENTS.map((doc) => doc.path));
  return names.map((name) => `${DIAGRAMS_DIRECTORY}${name}`).filter((path) => !generated.has(path)).sort();
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { check: { type: 'boolean', default: false }, root: { type: 'string' }, only: { type: 'string' } },
    strict: true,
  });
  const root = values.root ? resolve(values.root) : REPOSITORY_ROOT;
  const only = values.only ?? '';
  const selected = GENERATED_DOCUMENTS.filter((doc) => doc.path.startsWith(only));
  if (selected.length === 0) {
    console.error(`gen-docs: --only ${only} matches no generated document (${GENERATED_DOCUMENTS.map((d) => d.path).join(', ')})`);
    return 2;
  }

  const stale: string[] = [];
  for (const doc of selected) {
    const target = join(root, doc.path);
    const expected = await doc.render();
    const current = readOrUndefined(target);
    if (current === expected) continue;
    if (values.check) {
      stale.push(`${doc.path} is ${current === undefined ? 'missing' : 'stale: it differs from what the code generates'}`);
    } else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, expected);
      console.log(`wrote ${doc.path}`);
    }
  }
  for (const path of unexpectedDiagrams(root).filter((p) => p.startsWith(only))) {
    if (values.check) {
      stale.push(`${path} is stale: no machine generates it any more`);
    } else {
      rmSync(join(root, path), { force: true });
      console.log(`removed ${path}`);
    }
  }
  if (stale.length > 0) {
    for (const line of stale) console.error(`gen-docs --check: ${line}`);
    console.error('Run `npx tsx scripts/gen-docs.ts` and commit the result.');
    return 1;
  }
  if (values.check) console.log(`gen-docs --check: ${selected.map((d) => d.path).join(', ')} up to date`);
  return 0;
}

process.exitCode = await main();
