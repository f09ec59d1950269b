// The generated conformance statement: SOP class and transfer syntax names checked against the DICOM
// dictionary (pydicom's, as the oracle), every table of the code present in the document, the quotes
// of the CDRobot3 statement true to it, and `gen-docs --check` catching a stale document.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/config/defaults.ts';
import { STORAGE_SOP_CLASSES, type SopClassKind } from '../../src/dicom/sop-classes.ts';
import {
  APPLICATION_CONTEXT_DICOM,
  IMPLEMENTATION_CLASS_UID,
  IMPLEMENTATION_VERSION_NAME,
  TRANSFER_SYNTAX_NAMES,
  TRANSFER_SYNTAX_PREFERENCE,
  VERIFICATION_SOP_CLASS,
} from '../../src/dicom/uid.ts';
import {
  APPLICATION_CONTEXT_NAME,
  displayName,
  renderConformanceStatement,
  VERIFICATION_SOP_CLASS_NAME,
} from '../../src/docs/conformance.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const committed = readFileSync(join(ROOT, 'docs/conformance.md'), 'utf8');
const rendered = renderConformanceStatement();
const cdrobot3 = readFileSync(join(ROOT, '../shared/spec/cdrobot3-dicom-conformance-statement.txt'), 'utf8');

/** pydicom's UID dictionary entries (name, type, info, retired, keyword) for the given UIDs, null when absent. */
function dictionaryEntries(uids: readonly string[]): Record<string, [string, string, string, string, string] | null> {
  const script = [
    'import json, sys',
    'from pydicom._uid_dict import UID_dictionary as D',
    'uids = json.load(sys.stdin)',
    'print(json.dumps({u: (list(D[u]) if u in D else None) for u in uids}))',
  ].join('\n');
  const result = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(uids), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pydicom (Debian python3-pydicom) is needed as the oracle: ${result.stderr || result.error}`);
  return JSON.parse(result.stdout);
}

/** The body rows of the Markdown table captioned `**caption**`, as trimmed cells. */
function tableRows(markdown: string, caption: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`**${caption}**`);
  if (start < 0) throw new Error(`no table captioned "${caption}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()));
  }
  return rows.slice(2); // header and separator
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

describe('names against the DICOM dictionary (pydicom)', () => {
  const dictionary = dictionaryEntries([
    ...STORAGE_SOP_CLASSES.map((c) => c.uid),
    VERIFICATION_SOP_CLASS,
    APPLICATION_CONTEXT_DICOM,
    ...TRANSFER_SYNTAX_PREFERENCE,
  ]);

  it('every standard, retired and structured report storage class has the dictionary name, and is retired exactly when the dictionary says', () => {
    const mismatches: string[] = [];
    for (const sopClass of STORAGE_SOP_CLASSES.filter((c) => c.kind !== 'private')) {
      const entry = dictionary[sopClass.uid];
      if (!entry) {
        mismatches.push(`${sopClass.uid} "${sopClass.name}" is not in the dictionary`);
        continue;
      }
      const [name, type, , retired] = entry;
      if (type !== 'SOP Class') mismatches.push(`${sopClass.uid} is a ${type}, not a SOP Class`);
      if (name !== sopClass.name) mismatches.push(`${sopClass.uid}: "${sopClass.name}" should be "${name}"`);
      const isRetired = retired === 'Retired';
      if (isRetired !== (sopClass.kind === 'retired')) {
        mismatches.push(`${sopClass.uid} "${sopClass.name}" is ${isRetired ? '' : 'not '}retired in the dictionary but has kind ${sopClass.kind}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('private classes are absent from the dictionary', () => {
    const privateClasses = STORAGE_SOP_CLASSES.filter((c) => c.kind === 'private');
    expect(privateClasses.length).toBeGreaterThan(0);
    expect(privateClasses.filter((c) => dictionary[c.uid] !== null).map((c) => c.uid)).toEqual([]);
  });

  it('the Verification SOP class, the application context and the transfer syntaxes have their dictionary names', () => {
    expect(dictionary[VERIFICATION_SOP_CLASS]?.[0]).toBe(VERIFICATION_SOP_CLASS_NAME);
    expect(dictionary[APPLICATION_CONTEXT_DICOM]?.[0]).toBe(APPLICATION_CONTEXT_NAME);
    for (const uid of TRANSFER_SYNTAX_PREFERENCE) {
      expect(dictionary[uid]?.slice(0, 2), uid).toEqual([TRANSFER_SYNTAX_NAMES[uid], 'Transfer Syntax']);
    }
  });

  it('the document calls a transfer syntax retired exactly when the dictionary does', () => {
    for (const row of tableRows(rendered, 'Table 4.2-11 Acceptable Presentation Contexts')) {
      const uid = unquote(row[2] ?? '');
      expect(/retired/i.test(row[1] ?? ''), uid).toBe(dictionary[uid]?.[3] === 'Retired');
    }
  });
});

describe('docs/conformance.md', () => {
  it('is what the code generates now', () => {
    // On failure: run `npx tsx scripts/gen-docs.ts` and commit docs/conformance.md.
    expect(committed).toBe(rendered);
  });

  const groups: ReadonlyArray<[SopClassKind, string]> = [
    ['standard', 'Table 4.2-2 Storage SOP Classes'],
    ['retired', 'Table 4.2-3 Retired Storage SOP Classes'],
    ['private', 'Table 4.2-4 Private Storage SOP Classes'],
    ['structured-report', 'Table 4.2-5 Structured Report Storage SOP Classes (only when configured)'],
  ];

  it('lists every storage SOP class of the code, in its group, with its name (retired ones marked)', () => {
    const listed: string[] = [];
    for (const [kind, caption] of groups) {
      const expected = STORAGE_SOP_CLASSES.filter((c) => c.kind === kind);
      const rows = tableRows(rendered, caption);
      expect(rows.map((r) => [r[0], unquote(r[1] ?? ''), r[2], r[3]]), caption).toEqual(
        expected.map((c) => [displayName(c), c.uid, 'No', 'Yes']),
      );
      listed.push(...rows.map((r) => unquote(r[1] ?? '')));
    }
    expect(new Set(listed).size).toBe(STORAGE_SOP_CLASSES.length);
    for (const row of tableRows(rendered, 'Table 4.2-3 Retired Storage SOP Classes')) expect(row[0]).toMatch(/ \(Retired\)$/);
    for (const sopClass of STORAGE_SOP_CLASSES) expect(rendered).toContain(`\`${sopClass.uid}\``);
  });

  it('gives the overview counts from the code', () => {
    const rows = tableRows(rendered, 'Table 1-1 Network Services');
    expect(rows[0]).toEqual([VERIFICATION_SOP_CLASS_NAME, `\`${VERIFICATION_SOP_CLASS}\``, 'No', 'Yes']);
    groups.forEach(([kind, caption], i) => {
      const count = STORAGE_SOP_CLASSES.filter((c) => c.kind === kind).length;
      expect(rows[i + 1]?.[0]).toBe(`${caption.replace(/^Table [\d.-]+ /, '')}: ${count} SOP classes, see ${caption.match(/^Table [\d.-]+/)?.[0]}`);
    });
  });

  it('lists the transfer syntaxes in order of preference, and the implementation identity', () => {
    const rows = tableRows(rendered, 'Table 4.2-11 Acceptable Presentation Contexts');
    expect(rows.map((r) => unquote(r[2] ?? ''))).toEqual([...TRANSFER_SYNTAX_PREFERENCE]);
    expect(rows.map((r) => r[3])).toEqual(['1', '2', '3']);
    expect(tableRows(rendered, 'Table 4.2-9 Implementation Identification')).toEqual([
      ['Implementation Class UID', `\`${IMPLEMENTATION_CLASS_UID}\``],
      ['Implementation Version Name', `\`${IMPLEMENTATION_VERSION_NAME}\``],
    ]);
    expect(tableRows(rendered, 'Table 4.2-6 DICOM Application Context')).toEqual([
      [APPLICATION_CONTEXT_NAME, `\`${APPLICATION_CONTEXT_DICOM}\``],
    ]);
  });

  it('states the defaults of the configuration: AE title, port, PDU length, structured reports', () => {
    expect(tableRows(rendered, 'Table 4.4-1 AE Title Configuration Table')).toEqual([
      ['Storage AE', '`DISCROBOT`', '`0.0.0.0` port `104`'],
    ]);
    const parameters = new Map(tableRows(rendered, 'Table 4.4-2 Configuration Parameters').map((r) => [unquote(r[0] ?? ''), r]));
    expect(parameters.get('dicom.maxPduLength')?.[1]).toBe('`16384`');
    expect(parameters.get('dicom.acceptStructuredReports')?.[1]).toBe('`false`');
    // every setting of the configuration is documented
    // (nested sections such as media.capacities list each of their settings)
    // (lists of mappings, such as routes and robots, are one row each)
    const leafPaths = (values: object, prefix: string): string[] =>
      Array.isArray(values)
        ? [prefix]
        : Object.entries(values).flatMap(([k, v]) =>
          v !== null && typeof v === 'object' && !Array.isArray(v) ? leafPaths(v as object, `${prefix}.${k}`) : [`${prefix}.${k}`]);
    const leaves = Object.entries(DEFAULT_SETTINGS).flatMap(([section, values]) => leafPaths(values, section));
    expect([...parameters.keys()]).toEqual(leaves);
  });

  it('rejects associations with the PS3.8 reasons: called AE title as 7, calling AE title (allow-list) as 3, over a limit transient 2/3/2', () => {
    expect(tableRows(rendered, 'Table 4.2-10 Association Rejection Reasons').map((r) => r.slice(0, 3))).toEqual([
      ['1 – rejected-permanent', '1 – DICOM UL service-user', '1 – no-reason-given'],
      ['1 – rejected-permanent', '1 – DICOM UL service-user', '2 – application-context-name-not-supported'],
      ['1 – rejected-permanent', '1 – DICOM UL service-user', '7 – called-AE-title-not-recognized'],
      ['1 – rejected-permanent', '1 – DICOM UL service-user', '3 – calling-AE-title-not-recognized'],
      ['2 – rejected-transient', '3 – DICOM UL service-provider (presentation related function)', '2 – local-limit-exceeded'],
    ]);
  });

  it('answers C-STORE with 0000, A700, A900, 0110 and 0122, never B000 or B007', () => {
    expect(tableRows(rendered, 'Table 4.2-12 C-STORE Response Status').map((r) => r.slice(0, 3))).toEqual([
      ['Success', 'Success', '0000'],
      ['Refused', 'Out of Resources', 'A700'],
      ['Error', 'Data Set does not match SOP Class', 'A900'],
      ['Failure', 'Processing failure', '0110'],
      ['Failure', 'SOP Class not supported', '0122'],
    ]);
  });

  it('quotes the CDRobot3 statement truly where it differs from it', () => {
    const differences = new Map(tableRows(rendered, 'Table 3-1 Differences from the CDRobot3 Statement').map((r) => [r[0], r]));
    const quoted = (topic: string) => [...(differences.get(topic)?.[1] ?? '').matchAll(/"([^"]+)"|`([^`]+)`/g)].map((m) => m[1] ?? m[2] ?? '');
    const quotes = [
      ...quoted('SOP class names'),
      ...quoted('Implementation identification'),
      ...quoted('Default AE title'),
      ...quoted('IPv4 and IPv6'),
      ...quoted('No acceptable presentation context'),
      ...quoted('Called AE title not recognized'),
    ];
    expect(quotes).toContain('3 - called AE title not recognized');
    expect(quotes).toContain('ComputedRadiographylmageStorage');
    expect(quotes).toContain('XRyRayRadiationDoseSRStorage');
    for (const quote of quotes) expect(cdrobot3, quote).toContain(quote);
  });
});

describe('scripts/gen-docs.ts', () => {
  const root = mkdtempSync(join(tmpdir(), 'discrobot-gen-docs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const target = join(root, 'docs/conformance.md');
  const genDocs = (...args: string[]) =>
    spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'scripts/gen-docs.ts'), '--root', root, ...args], {
      encoding: 'utf8',
    });

  it('--check fails naming a missing document, writing nothing', () => {
    const result = genDocs('--check');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('docs/conformance.md is missing');
    expect(spawnSync('test', ['-e', target]).status).not.toBe(0);
  });

  it('writes the document, after which --check passes', () => {
    const write = genDocs();
    expect(write.status).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(rendered);
    const check = genDocs('--check');
    expect(check.status, check.stderr).toBe(0);
  });

  it('--check fails naming a stale document and leaves it as it was', () => {
    const stale = rendered.replace('| Verification SOP Class |', '| Verification |');
    expect(stale).not.toBe(rendered);
    writeFileSync(target, stale);
    const result = genDocs('--check');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('docs/conformance.md is stale');
    expect(result.stderr).toContain('npx tsx scripts/gen-docs.ts');
    expect(readFileSync(target, 'utf8')).toBe(stale);
  });
});
