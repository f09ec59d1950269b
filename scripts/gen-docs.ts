// Writes the generated documents under docs/, or with --check verifies the committed ones are what
// the code would write now (CI runs the check through `npm test`). Each generated document is one
// entry in GENERATED_DOCUMENTS: add statechart diagrams, the media section... as more entries.
//
//   npx tsx scripts/gen-docs.ts            write every document
//   npx tsx scripts/gen-docs.ts --check    exit 1, naming each stale or missing document
//   --root <dir>                           write or check under <dir> instead of the repository
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderConformanceStatement } from '../src/docs/conformance.ts';
import { renderStatecharts } from '../src/docs/statecharts.ts';
import { renderRobotModels } from '../src/docs/robot-models.ts';

interface GeneratedDocument {
  /** Path relative to the repository root. */
  readonly path: string;
  readonly render: () => string;
}

const GENERATED_DOCUMENTS: readonly GeneratedDocument[] = [
  { path: 'docs/conformance.md', render: renderConformanceStatement },
  { path: 'docs/statecharts.md', render: renderStatecharts },
  { path: 'docs/robot-models.md', render: renderRobotModels },
];

const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function main(): number {
  const { values } = parseArgs({
    options: { check: { type: 'boolean', default: false }, root: { type: 'string' } },
    strict: true,
  });
  const root = values.root ? resolve(values.root) : REPOSITORY_ROOT;

  const stale: string[] = [];
  for (const doc of GENERATED_DOCUMENTS) {
    const target = join(root, doc.path);
    const expected = doc.render();
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
  if (stale.length > 0) {
    for (const line of stale) console.error(`gen-docs --check: ${line}`);
    console.error('Run `npx tsx scripts/gen-docs.ts` and commit the result.');
    return 1;
  }
  if (values.check) console.log(`gen-docs --check: ${GENERATED_DOCUMENTS.map((d) => d.path).join(', ')} up to date`);
  return 0;
}

process.exitCode = main();
