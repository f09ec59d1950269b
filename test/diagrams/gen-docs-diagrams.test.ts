// scripts/gen-docs.ts and the statechart SVGs, in a scratch root: `--only docs/diagrams/` (what
// `npm run diagrams` runs) writes just the diagrams, and `--check` catches a stale, missing or
// orphaned SVG without touching it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DIAGRAM_MACHINE_IDS } from '../../src/diagrams/machines.ts';
import { renderMachineSvg } from '../../src/diagrams/render-svg.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('gen-docs --only docs/diagrams/', () => {
  const root = mkdtempSync(join(tmpdir(), 'discrobot-diagrams-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const genDocs = (...args: string[]) =>
    spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'scripts/gen-docs.ts'), '--root', root, ...args], { encoding: 'utf8' });
  const diagram = (id: string) => join(root, `docs/diagrams/${id}.svg`);

  it('writes one SVG per machine and nothing else, each the render of its machine; then --check passes', async () => {
    const write = genDocs('--only', 'docs/diagrams/');
    expect(write.status, write.stderr).toBe(0);
    expect(filesUnder(root)).toEqual(DIAGRAM_MACHINE_IDS.map((id) => `docs/diagrams/${id}.svg`).sort());
    for (const id of DIAGRAM_MACHINE_IDS) expect(readFileSync(diagram(id), 'utf8'), id).toBe(await renderMachineSvg(id));
    const check = genDocs('--check', '--only', 'docs/diagrams/');
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('docs/diagrams/robot.svg');
    expect(check.stdout).not.toContain('docs/statecharts.md');
  });

  it('--check fails naming a stale SVG and leaves it as it was', () => {
    const fresh = readFileSync(diagram('robot'), 'utf8');
    const stale = fresh.replace('>busy<', '>very busy<');
    expect(stale).not.toBe(fresh);
    writeFileSync(diagram('robot'), stale);
    const check = genDocs('--check', '--only', 'docs/diagrams/');
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('docs/diagrams/robot.svg is stale');
    expect(check.stderr).not.toContain('association.svg');
    expect(readFileSync(diagram('robot'), 'utf8')).toBe(stale);
  });

  it('--check fails naming a missing SVG and an SVG no machine generates; writing restores one and removes the other', () => {
    unlinkSync(diagram('study'));
    writeFileSync(join(root, 'docs/diagrams/retired.svg'), '<svg/>');
    const check = genDocs('--check', '--only', 'docs/diagrams/');
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('docs/diagrams/study.svg is missing');
    expect(check.stderr).toContain('docs/diagrams/retired.svg is stale');
    const write = genDocs('--only', 'docs/diagrams/');
    expect(write.status, write.stderr).toBe(0);
    expect(existsSync(join(root, 'docs/diagrams/retired.svg'))).toBe(false);
    expect(genDocs('--check', '--only', 'docs/diagrams/').status).toBe(0);
  });

  it('without --only, --check covers the diagrams too', () => {
    writeFileSync(diagram('publisher'), '<svg/>');
    const check = genDocs('--check');
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('docs/diagrams/publisher.svg is stale');
    expect(check.stderr).toContain('docs/statecharts.md is missing');
  });

  it('an --only prefix that matches no document is an error', () => {
    const result = genDocs('--only', 'docs/nothing-here/');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('matches no generated document');
  });
});
