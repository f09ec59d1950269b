// The .JRQ codec (src/robot/ptburn/jrq.ts): the SDK manual's literal examples read to the expected
// requests, canonical ones written back byte for byte, seeded round trips, and every validation
// problem naming its key.
import { describe, expect, it } from 'vitest';
import {
  FILE_SYSTEMS, DATA_IMAGE_OPTIONS, JrqValidationError, jobRequest, jrqDefaults, parseJobRequest, writeJobRequest,
  type DataImageOption, type JobRequest,
} from '../../../src/robot/ptburn/jrq.ts';
import { seededRng, type Rng } from '../../../simulator/rng.ts';
import { crlf, JRQ_BURN_AND_PRINT, JRQ_KEY_EXAMPLES, JRQ_PRINT_ONLY, JRQ_READ_DATA, JRQ_SIMPLE_AUDIO, JRQ_SIMPLE_DATA } from './sdk-samples.ts';

describe('JRQ samples from the PTBurn SDK manual', () => {
  it('§2.2.1 simple data job reads as one Data folder and writes back byte for byte', () => {
    const text = crlf(JRQ_SIMPLE_DATA);
    const { request, problems } = parseJobRequest(text);
    expect(problems).toEqual([]);
    expect(request).toEqual(jobRequest({ data: [{ source: 'c:\\MyBackup' }] }));
    expect(writeJobRequest(request)).toBe(text);
    expect(jrqDefaults(request, 'Test1')).toMatchObject({ jobId: 'Test1', clientId: 'Unknown', importance: 4, copies: 1, volumeName: 'NewDisc', closeDisc: false });
  });

  it('§2.2.3 burn-and-print job reads every key and writes back byte for byte', () => {
    const text = crlf(JRQ_BURN_AND_PRINT);
    const { request, problems } = parseJobRequest(text);
    expect(problems).toEqual([]);
    expect(request).toEqual(jobRequest({
      jobId: 'Kevin’s Photos',
      clientId: 'COMPANYX-KEVIN1',
      data: [{ source: '\\\\SERVER\\PTBurnJobs\\KevinsJob\\Photos\\Data' }, { source: 'c:\\MyBackup\\File1.jpg' }],
      deleteFiles: true,
      dataImageType: { fileSystem: 'ISOLEVEL1', options: ['SAO', 'SETNOW'] },
      closeDisc: true,
      copies: 5,
      printLabel: '\\\\SERVER\\PTBurnJobs\\KevinsJob\\Print\\Photos.std',
      volumeName: 'My Photos',
      verifyDisc: true,
      notifyClient: 'Message',
    }));
    expect(writeJobRequest(request)).toBe(text);
  });

  it('§2.2.2 audio job keeps the keys it does not model, in order, and the values it does', () => {
    const { request, problems } = parseJobRequest(crlf(JRQ_SIMPLE_AUDIO));
    expect(problems).toEqual([]);
    expect(request).toEqual(jobRequest({
      burnSpeed: 8, closeDisc: true, copies: 2,
      other: [
        { key: 'AudioFile', value: 'c:\\MyMusic\\MyTrack1.wav' },
        { key: 'AudioFile', value: 'c:\\MyMusic\\MyTrack2.mp3, Pregap75' },
        { key: 'AudioFile', value: 'c:\\MyMusic\\MyTrack3.wma, Pregap150' },
      ],
    }));
    // Our canonical order puts unmodelled keys last; the text differs, the request does not.
    expect(parseJobRequest(writeJobRequest(request)).request).toEqual(request);
  });

  it('§2.2.4 print-only job is recognised as print-only and survives a rewrite', () => {
    const { request, problems } = parseJobRequest(crlf(JRQ_PRINT_ONLY));
    expect(problems).toEqual([]);
    expect(request).toEqual(jobRequest({ jobId: 'My Print Job', clientId: 'MyWorkstation', printLabel: '\\\\SERVER\\PTBurnJobs\\MyJob\\MyImage.STD', copies: 25 }));
    expect(jrqDefaults(request, 'x').printOnly).toBe(true);
    expect(parseJobRequest(writeJobRequest(request)).request).toEqual(request);
  });

  it('§2.2.5 read job written without spaces reads the same as with them', () => {
    const { request, problems } = parseJobRequest(crlf(JRQ_READ_DATA));
    expect(problems).toEqual([]);
    expect(request).toMatchObject({ clientId: 'MyComputer', jobId: 'Job0', importance: 2, copies: 3, notifyClient: 'Message' });
    expect(request.other.map((o) => o.key)).toEqual(['ReadDataTo', 'ReadDataFormat', 'CreateSubFolders']);
  });

  it('§2.1 key examples: sessions, renames, merge fields and robot name', () => {
    const { dataSession, dataRename, dataIntoFolder, folderIntoFolder, imageSession, mergeFields, robotName } = JRQ_KEY_EXAMPLES;
    // The manual's multisession case: an image in session 1, a folder in session 2.
    const multi = parseJobRequest(crlf([imageSession, dataSession]));
    expect(multi.problems).toEqual([]);
    expect(multi.request.images).toEqual([{ path: 'c:\\MyImage.ISO', session: 1 }]);
    expect(multi.request.data).toEqual([{ source: 'C:\\MyFolder1', session: 2 }]);
    // Both in session 1 is what PTBurn forbids (§2.1.4): the reader says so, with error 21.
    expect(parseJobRequest(crlf([imageSession, dataRename])).problems).toEqual([
      { key: 'Data', message: 'Data and ImageFile must not share session 1', jobError: 21 },
    ]);
    const { request, problems } = parseJobRequest(crlf([dataRename, dataIntoFolder, folderIntoFolder, 'PrintLabel = c:\\l.std', ...mergeFields, robotName]));
    expect(problems).toEqual([]);
    expect(request.data).toEqual([
      { source: 'C:\\MyFolder1\\MyFile.txt', destination: '\\YourFile.txt' },
      { source: 'C:\\MyFolder1\\MyFile.txt', destination: '\\YourFolder1\\YourFile.txt' },
      { source: 'C:\\MyFolder1', destination: '\\YourFolder1\\YourFolder2' },
    ]);
    expect(request.mergeFields).toEqual(['Kevin’s Merge Job Disc', 'C:\\images\\logo.bmp', 'C:\\Documents and Settings\\kevin\\My Documents\\My Pictures\\sample.jpg']);
    expect(request.robotName).toBe('Disc Publisher XRP (Copy 1)');
  });
});

describe('JRQ reader tolerance', () => {
  it('ignores case and spacing of keys and values, any line ending, a BOM and comment lines', () => {
    const text = '\uFEFF  jobid=A1\n; a comment\r\nCOPIES   =   3\rverifydisc = yes\n\n dataimagetype = udf260 , setnow \nImageFile=x.iso';
    const { request, problems } = parseJobRequest(text);
    expect(problems).toEqual([]);
    expect(request).toEqual(jobRequest({ jobId: 'A1', copies: 3, verifyDisc: true, dataImageType: { fileSystem: 'UDF260', options: ['SETNOW'] }, images: [{ path: 'x.iso' }] }));
  });

  it('lets a repeated single key win with its last value', () => {
    expect(parseJobRequest('Copies = 2\r\nData = d\r\nCopies = 7\r\n').request.copies).toBe(7);
  });

  it('names the key of a value it cannot read, and the line of a line it cannot read', () => {
    const { problems } = parseJobRequest('Data = d\r\nCopies = many\r\nVerifyDisc = perhaps\r\nDataImageType = FAT32\r\nno equals sign\r\n');
    expect(problems.map((p) => p.key)).toEqual(['line 5', 'Copies', 'VerifyDisc', 'DataImageType']);
    expect(problems.every((p) => p.jobError === 25 || p.jobError === 8)).toBe(true);
  });
});

/** A printable string without path-breaking characters, including non-ASCII and "=". */
function randomText(random: Rng, min: number, max: number, alphabet = 'abcXYZ019 _-.=,;()’éü日本'): string {
  const length = min + Math.floor(random() * (max - min + 1));
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(random() * alphabet.length)];
  s = s.trim();
  return s.length >= min && s.length > 0 ? s : 'x'.repeat(Math.max(min, 1));
}

function randomRequest(random: Rng): JobRequest {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const maybe = <T>(make: () => T) => (random() < 0.5 ? make() : undefined);
  const path = () => `\\\\srv\\PTBurnJobs\\${randomText(random, 1, 20, 'abcXYZ019_-. ')}`;
  const req = jobRequest();
  const set = <K extends keyof JobRequest>(key: K, value: JobRequest[K] | undefined) => {
    if (value !== undefined) req[key] = value;
  };
  set('jobId', maybe(() => randomText(random, 1, 32, 'abcXYZ019 _-.()’é')));
  set('clientId', maybe(() => randomText(random, 1, 32)));
  set('importance', maybe(() => Math.floor(random() * 401)));
  const useImage = random() < 0.3;
  if (useImage) req.images.push({ path: `${path()}.iso`, session: 1 });
  const dataCount = Math.floor(random() * 4);
  for (let i = 0; i < dataCount; i++) {
    req.data.push({
      source: path(),
      ...(random() < 0.4 ? { destination: `\\${randomText(random, 1, 12, 'abc019_ ')}` } : {}),
      ...(useImage ? { session: 2 as const } : random() < 0.3 ? { session: pick([1, 2] as const) } : {}),
    });
  }
  set('imageType', useImage ? maybe(() => pick(['MODE_1_2048', 'MODE_2_2336', 'MODE_2_2352'] as const)) : undefined);
  set('deleteFiles', maybe(() => random() < 0.5));
  set('dataImageType', maybe(() => ({
    fileSystem: pick(FILE_SYSTEMS),
    options: DATA_IMAGE_OPTIONS.filter(() => random() < 0.4) as DataImageOption[],
  })));
  set('discType', maybe(() => pick(['CDR', 'DVDR'] as const)));
  set('closeDisc', maybe(() => random() < 0.5));
  set('copies', maybe(() => 1 + Math.floor(random() * 10_000)));
  const std = random() < 0.5;
  set('printLabel', std ? `${path()}.STD` : maybe(() => `${path()}.${pick(['jpg', 'bmp', 'PRN'])}`));
  if (std) for (let i = Math.floor(random() * 4); i > 0; i--) req.mergeFields.push(randomText(random, 1, 260));
  set('printQuality', maybe(() => Math.floor(random() * 5)));
  set('printInnerDiam', maybe(() => 150 + Math.floor(random() * 351)));
  set('printOuterMargin', maybe(() => Math.floor(random() * 21)));
  set('printReject', maybe(() => random() < 0.5));
  set('volumeName', maybe(() => randomText(random, 1, 32)));
  set('burnSpeed', maybe(() => Math.floor(random() * 101)));
  set('verifyDisc', maybe(() => random() < 0.5));
  set('rejectIfNotBlank', maybe(() => random() < 0.5));
  set('testRecord', maybe(() => random() < 0.5));
  set('preMasterData', maybe(() => random() < 0.5));
  for (let i = Math.floor(random() * 3); i > 0; i--) req.driveIds.push(Math.floor(random() * 10));
  set('binId', maybe(() => Math.floor(random() * 3)));
  set('robotName', maybe(() => randomText(random, 1, 40)));
  set('loadUnloadOverride', maybe(() => random() < 0.5));
  set('pvd', maybe(() => ({ systemId: randomText(random, 1, 32), applicationId: randomText(random, 1, 128) })));
  set('notifyClient', maybe(() => pick(['Message', 'Disabled'] as const)));
  if (random() < 0.2) req.other.push({ key: 'CheckFileOnDisc', value: 'Server\\myFile.txt' });
  if (req.data.length === 0 && req.images.length === 0 && req.printLabel === undefined) req.data.push({ source: path() });
  return req;
}

describe('JRQ round trips', () => {
  it('writes and reads back 500 seeded random requests unchanged, with CRLF line endings', () => {
    const random = seededRng(0x7a1c);
    for (let i = 0; i < 500; i++) {
      const request = randomRequest(random);
      const text = writeJobRequest(request);
      expect(text.endsWith('\r\n')).toBe(true);
      expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      const parsed = parseJobRequest(text);
      expect(parsed.problems, text).toEqual([]);
      expect(parsed.request).toEqual(request);
      expect(writeJobRequest(parsed.request)).toBe(text);
    }
  });
});

describe('JRQ validation names the key', () => {
  const base = () => jobRequest({ jobId: 'J1', data: [{ source: 'c:\\d' }] });
  const cases: Array<[string, (r: JobRequest) => void, string, number]> = [
    ['JobID too long', (r) => { r.jobId = 'x'.repeat(33); }, 'JobID', 38],
    ['JobID with a path', (r) => { r.jobId = 'a\\b'; }, 'JobID', 38],
    ['JobID with a colon', (r) => { r.jobId = 'c:x'; }, 'JobID', 38],
    ['JobID empty', (r) => { r.jobId = ''; }, 'JobID', 38],
    ['ClientID too long', (r) => { r.clientId = 'c'.repeat(33); }, 'ClientID', 25],
    ['VolumeName too long', (r) => { r.volumeName = 'v'.repeat(33); }, 'VolumeName', 25],
    ['VolumeName with a line break', (r) => { r.volumeName = 'a\r\nCopies = 9'; }, 'VolumeName', 25],
    ['VolumeName with trailing space', (r) => { r.volumeName = 'a '; }, 'VolumeName', 25],
    ['Copies 0', (r) => { r.copies = 0; }, 'Copies', 25],
    ['Copies 10001', (r) => { r.copies = 10_001; }, 'Copies', 25],
    ['Copies fractional', (r) => { r.copies = 1.5; }, 'Copies', 25],
    ['Importance -1', (r) => { r.importance = -1; }, 'Importance', 25],
    ['Importance 401', (r) => { r.importance = 401; }, 'Importance', 25],
    ['MergeField 261 chars', (r) => { r.printLabel = 'l.std'; r.mergeFields = ['m'.repeat(261)]; }, 'MergeField', 39],
    ['MergeField with LF', (r) => { r.printLabel = 'l.std'; r.mergeFields = ['a\nb']; }, 'MergeField', 25],
    ['MergeField without .STD label', (r) => { r.mergeFields = ['x']; }, 'MergeField', 7],
    ['PrintLabel .png', (r) => { r.printLabel = 'l.png'; }, 'PrintLabel', 7],
    ['Data source with ">"', (r) => { r.data = [{ source: 'a>b' }]; }, 'Data', 25],
    ['Data destination not rooted', (r) => { r.data = [{ source: 'a', destination: 'b' }]; }, 'Data', 25],
    ['Data with CR', (r) => { r.data = [{ source: 'a\rb' }]; }, 'Data', 25],
    ['Data and image in one session', (r) => { r.images = [{ path: 'i.iso' }]; }, 'Data', 21],
    ['100 top-level items', (r) => { r.data = Array.from({ length: 100 }, (_, i) => ({ source: `d${i}` })); }, 'Data', 5],
    ['nothing to do', (r) => { r.data = []; }, 'Data', 6],
    ['ImageFile empty', (r) => { r.data = []; r.images = [{ path: '' }]; }, 'ImageFile', 25],
    ['BurnSpeed 101', (r) => { r.burnSpeed = 101; }, 'BurnSpeed', 25],
    ['PrintQuality 5', (r) => { r.printQuality = 5; }, 'PrintQuality', 25],
    ['PrintInnerDiam 149', (r) => { r.printInnerDiam = 149; }, 'PrintInnerDiam', 25],
    ['PrintOuterMargin 21', (r) => { r.printOuterMargin = 21; }, 'PrintOuterMargin', 25],
    ['DriveID 10', (r) => { r.driveIds = [10]; }, 'DriveID', 25],
    ['BinID 3', (r) => { r.binId = 3; }, 'BinID', 25],
    ['RobotName empty', (r) => { r.robotName = ''; }, 'RobotName', 25],
    ['PVDSystemID 33 chars', (r) => { r.pvd = { systemId: 's'.repeat(33) }; }, 'PVDSystemID', 33],
    ['PVDPublisherID 129 chars', (r) => { r.pvd = { publisherId: 'p'.repeat(129) }; }, 'PVDPublisherID', 33],
    ['DataImageType option repeated', (r) => { r.dataImageType = { fileSystem: 'UDF260', options: ['SAO', 'SAO'] }; }, 'DataImageType', 25],
    ['extra key shadowing a modelled one', (r) => { r.other = [{ key: 'copies', value: '3' }]; }, 'copies', 25],
    ['extra value with a line break', (r) => { r.other = [{ key: 'AudioFile', value: 'a\nJobID = x' }]; }, 'AudioFile', 25],
  ];
  it.each(cases)('%s → %s', (_name, mutate, key, jobError) => {
    const request = base();
    mutate(request);
    let caught: unknown;
    try {
      writeJobRequest(request);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JrqValidationError);
    const problems = (caught as JrqValidationError).problems;
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.key === key)).toBe(true);
    expect(problems.some((p) => p.jobError === jobError)).toBe(true);
    expect((caught as Error).message).toContain(`${key}:`);
  });

  it('accepts the limits themselves', () => {
    const request = base();
    Object.assign(request, { jobId: 'j'.repeat(32), volumeName: 'v'.repeat(32), copies: 10_000, importance: 400, printLabel: 'x.STD', mergeFields: ['m'.repeat(260)] });
    expect(() => writeJobRequest(request)).not.toThrow();
    Object.assign(request, { copies: 1, importance: 0 });
    expect(() => writeJobRequest(request)).not.toThrow();
  });
});
