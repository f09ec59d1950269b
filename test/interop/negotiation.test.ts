// Association negotiation as DCMTK sees it: called AE titles (one, several, none configured),
// structured reports refused or accepted by configuration, and JPEG-only proposals refused. Whatever is
// refused must leave nothing in the data folder or the database.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../src/dicom/uid.ts';
import { echoscu, runTool, storescu } from '../support/dcmtk.ts';
import { dcmdumpFiles, negotiatedContexts } from '../support/dcmtk-process.ts';
import { startInteropServer } from '../support/interop-server.ts';
import { filesUnder } from '../support/part10.ts';
import {
  compareDatasets,
  makeImages,
  makeStructuredReports,
  type ImageFixture,
  type StructuredReportFixture,
} from '../support/python-fixtures.ts';
import type { TestServer } from '../support/server.ts';

const CALLED_AE_NOT_RECOGNIZED = /Result: Rejected Permanent, Source: Service User\s+F: Reason: Called AE Title Not Recognized/;
/** PS3.8 Table 9-21 reason 1 (no-reason-given), as DCMTK prints it. */
const REJECTED_NO_REASON = /Result: Rejected Permanent, Source: Service User\s+F: Reason: No Reason\b/;
const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';

let work: string;
let images: ImageFixture[];
let reports: StructuredReportFixture[];
let jpegImage: string;
let enhancedImage: ImageFixture;
let profiles: string;

/** Files in the data folder's store (temp files included) and rows in the database. */
function storedState(server: TestServer): { files: string[]; rows: string[] } {
  return {
    files: filesUnder(path.join(server.dataDir, 'store')).map((f) => path.basename(f)).sort(),
    rows: server.index.all().map((r) => r.sopInstanceUid).sort(),
  };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'discrobot-negotiation-'));
  images = await makeImages(path.join(work, 'images'), 4, { studies: 2, root: '1.2.826.0.1.3680043.8.498.61.' });
  enhancedImage = (await makeImages(path.join(work, 'enhanced'), 1, { frames: 2, root: '1.2.826.0.1.3680043.8.498.62.' }))[0]!;
  reports = await makeStructuredReports(path.join(work, 'sr'));
  jpegImage = path.join(work, 'ct-jpeg-lossless.dcm');
  const compressed = await runTool('dcmcjpeg', ['+e1', images[0]!.file, jpegImage]);
  if (compressed.code !== 0) throw new Error(`dcmcjpeg failed: ${compressed.output}`);
  const header = await runTool('dcmdump', ['-Un', '+P', '0002,0010', jpegImage]);
  if (!header.stdout.includes(JPEG_LOSSLESS_SV1)) throw new Error(`dcmcjpeg did not write JPEG Lossless SV1: ${header.output}`);
  // storescu association profiles: JPEG transfer syntaxes only, and JPEG for CT beside uncompressed Enhanced CT.
  profiles = path.join(work, 'profiles.cfg');
  writeFileSync(profiles, [
    '[[TransferSyntaxes]]',
    '[JPEGLossless]', 'TransferSyntax1 = JPEGLossless:Non-hierarchical-1stOrderPrediction',
    '[JPEGBaseline]', 'TransferSyntax1 = JPEGBaseline',
    '[Uncompressed]', 'TransferSyntax1 = LittleEndianExplicit', 'TransferSyntax2 = LittleEndianImplicit',
    '[[PresentationContexts]]',
    '[JPEGOnly]',
    'PresentationContext1 = CTImageStorage\\JPEGLossless',
    'PresentationContext2 = CTImageStorage\\JPEGBaseline',
    'PresentationContext3 = SecondaryCaptureImageStorage\\JPEGBaseline',
    '[JPEGBesideUncompressed]',
    'PresentationContext1 = CTImageStorage\\JPEGLossless',
    'PresentationContext2 = EnhancedCTImageStorage\\Uncompressed',
    '[[Profiles]]',
    '[JPEGOnly]', 'PresentationContexts = JPEGOnly',
    '[JPEGBesideUncompressed]', 'PresentationContexts = JPEGBesideUncompressed',
    '',
  ].join('\n'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('called AE title', () => {
  describe('one configured AE title', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startInteropServer({ dicom: { aeTitles: ['DISCROBOT'] } });
    });
    afterAll(async () => {
      await server?.dispose();
    });

    it('echoscu calling another AE title is rejected: Called AE Title Not Recognized (reason 7)', async () => {
      const result = await echoscu(server.port, 'NOT_DISCROBOT');
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(CALLED_AE_NOT_RECOGNIZED);
    });

    it('storescu calling another AE title is rejected the same way and nothing is stored', async () => {
      const result = await storescu(server.port, 'PACS', [images[0]!.file]);
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(CALLED_AE_NOT_RECOGNIZED);
      expect(result.output).not.toMatch(/Sending Store Request/);
      expect(storedState(server)).toEqual({ files: [], rows: [] });
    });

    it('the configured AE title is accepted; the A-ASSOCIATE-AC names our implementation', async () => {
      const result = await echoscu(server.port, 'DISCROBOT');
      expect(result.code, result.output).toBe(0);
      const store = await storescu(server.port, 'DISCROBOT', [images[0]!.file], ['+v']);
      expect(store.code, store.output).toBe(0);
      expect(store.output).toMatch(new RegExp(`Their Implementation Class UID:\\s+${IMPLEMENTATION_CLASS_UID.replaceAll('.', '\\.')}\\s`));
      expect(store.output).toMatch(new RegExp(`Their Implementation Version Name:\\s+${IMPLEMENTATION_VERSION_NAME}\\s`));
    });
  });

  describe('several configured AE titles', () => {
    const titles = ['DISCROBOT', 'BURNER_2', 'CD ROBOT'];
    let server: TestServer;
    beforeAll(async () => {
      server = await startInteropServer({ dicom: { aeTitles: titles } });
    });
    afterAll(async () => {
      await server?.dispose();
    });

    it.each(titles)('"%s" is accepted for C-ECHO and C-STORE, and the row records it as the called AE', async (title) => {
      const echo = await echoscu(server.port, title);
      expect(echo.code, echo.output).toBe(0);
      const image = images[titles.indexOf(title)]!;
      const store = await storescu(server.port, title, [image.file]);
      expect(store.code, store.output).toBe(0);
      const row = server.index.all().find((r) => r.sopInstanceUid === image.sopInstanceUid);
      expect(row?.calledAeTitle).toBe(title);
    });

    it('a title that is none of them is still rejected with reason 7', async () => {
      const result = await echoscu(server.port, 'BURNER_3');
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(CALLED_AE_NOT_RECOGNIZED);
    });
  });

  describe('no configured AE title (empty list)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startInteropServer({ dicom: { aeTitles: [] } });
    });
    afterAll(async () => {
      await server?.dispose();
    });

    it.each(['ANY-SCP', 'whatever', 'X'])('any called AE title is accepted: "%s"', async (title) => {
      const echo = await echoscu(server.port, title);
      expect(echo.code, echo.output).toBe(0);
    });

    it('a C-STORE to an arbitrary called AE title is stored', async () => {
      const image = images[3]!;
      const store = await storescu(server.port, 'SOMEWHERE_ELSE', [image.file]);
      expect(store.code, store.output).toBe(0);
      expect(server.index.all().map((r) => [r.sopInstanceUid, r.calledAeTitle])).toEqual([[image.sopInstanceUid, 'SOMEWHERE_ELSE']]);
    });
  });
});

describe('structured reports', () => {
  describe('acceptStructuredReports: false', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startInteropServer({ dicom: { aeTitles: ['DISCROBOT'], acceptStructuredReports: false } });
    });
    afterAll(async () => {
      await server?.dispose();
    });

    it('the SR contexts are refused (storescu has no presentation context for them) while an image beside them is stored', async () => {
      // -nh: go on after the refused objects, so the image proves the association itself worked.
      const result = await storescu(server.port, 'DISCROBOT', [...reports.map((r) => r.file), images[0]!.file], ['-nh', '+v']);
      const contexts = negotiatedContexts(result.output);
      for (const name of ['=BasicTextSRStorage', '=ComprehensiveSRStorage']) {
        const proposed = contexts.filter((c) => c.abstractSyntax === name);
        expect(proposed.length, name).toBeGreaterThan(0);
        expect(proposed.every((c) => c.result === 'Abstract Syntax Not Supported'), name).toBe(true);
      }
      expect(contexts.find((c) => c.abstractSyntax === '=CTImageStorage')?.result).toBe('Accepted');
      for (const report of reports) {
        expect(result.output).toMatch(new RegExp(`No presentation context for: \\(\\w+\\) ${report.sopClassUid.replaceAll('.', '\\.')}\\b`));
      }
      expect(result.output.match(/Sending Store Request/g)).toHaveLength(1);
      expect(storedState(server).rows).toEqual([images[0]!.sopInstanceUid]);
      expect(storedState(server).files).toEqual([`${images[0]!.sopInstanceUid}.dcm`]);
    });

    it('proposing only the SR classes (-R) gets the association rejected (reason 1) and nothing stored', async () => {
      const before = storedState(server);
      const result = await storescu(server.port, 'DISCROBOT', reports.map((r) => r.file), ['-R']);
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(REJECTED_NO_REASON);
      expect(storedState(server)).toEqual(before);
    });
  });

  describe('acceptStructuredReports: true', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startInteropServer({ dicom: { aeTitles: ['DISCROBOT'], acceptStructuredReports: true } });
    });
    afterAll(async () => {
      await server?.dispose();
    });

    it('Basic Text SR and Comprehensive SR are stored as the same objects', async () => {
      const result = await storescu(server.port, 'DISCROBOT', reports.map((r) => r.file), ['-R', '+v']);
      expect(result.code, result.output).toBe(0);
      expect(negotiatedContexts(result.output).map((c) => [c.abstractSyntax, c.result]).sort()).toEqual([
        ['=BasicTextSRStorage', 'Accepted'], ['=BasicTextSRStorage', 'Accepted'],
        ['=ComprehensiveSRStorage', 'Accepted'], ['=ComprehensiveSRStorage', 'Accepted'],
      ]);
      const rows = server.index.all();
      expect(rows.map((r) => [r.sopInstanceUid, r.sopClassUid]).sort()).toEqual(reports.map((r) => [r.sopInstanceUid, r.sopClassUid]).sort());
      const comparisons = await compareDatasets(reports.map((r) => ({ original: r.file, rewritten: rows.find((row) => row.sopInstanceUid === r.sopInstanceUid)!.path })));
      for (const c of comparisons) {
        expect(c.differences).toEqual([]);
        expect(c.elements).toBeGreaterThan(30);
      }
      const dump = await dcmdumpFiles(rows.map((r) => r.path));
      expect(dump.complaints).toEqual([]);
      expect(dump.code).toBe(0);
    });
  });
});

describe('compressed transfer syntaxes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startInteropServer({ dicom: { aeTitles: ['DISCROBOT'] } });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('an association proposing only JPEG transfer syntaxes is rejected (reason 1) and nothing is stored', async () => {
    const result = await storescu(server.port, 'DISCROBOT', [jpegImage], ['-xf', profiles, 'JPEGOnly']);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(REJECTED_NO_REASON);
    expect(storedState(server)).toEqual({ files: [], rows: [] });
  });

  it('a JPEG context beside an uncompressed one is refused (transfer syntaxes not supported); only the uncompressed object is stored', async () => {
    const result = await storescu(server.port, 'DISCROBOT', [jpegImage, enhancedImage.file], ['-xf', profiles, 'JPEGBesideUncompressed', '-nh', '+v']);
    expect(negotiatedContexts(result.output).map((c) => [c.id, c.abstractSyntax, c.result])).toEqual([
      [1, '=CTImageStorage', 'Transfer Syntaxes Not Supported'],
      [3, '=EnhancedCTImageStorage', 'Accepted'],
    ]);
    expect(result.output).toMatch(/No presentation context for: \(CT\) 1\.2\.840\.10008\.5\.1\.4\.1\.1\.2\b/);
    expect(storedState(server)).toEqual({ files: [`${enhancedImage.sopInstanceUid}.dcm`], rows: [enhancedImage.sopInstanceUid] });
  });
});
