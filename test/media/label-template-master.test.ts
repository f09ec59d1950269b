// A route's label template on a real disc: objects go through the real store, a job row carries
// them, and the job's master actor (src/publisher/study-master.ts) masters the disc from an order's
// source with a label template, as the publisher hands it over. The SVG that master.ts renders into
// the label JPG is observed (the real label-svg module, wrapped) and read back with Python's XML
// parser: its text is exactly the template's lines, in order, with the route's institution.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createActor, toPromise } from 'xstate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../adapters/db/database.ts';
import { InstanceIndex } from '../../adapters/db/instances.ts';
import { JobRepository } from '../../adapters/db/jobs.ts';
import { InstanceStore } from '../../adapters/store/instance-store.ts';
import type { MasteredImage } from '../../machines/disc-job.machine.ts';
import { labelSvg } from '../../src/media/label-svg.ts';
import { studyMasterLogic, type StudyJobSource } from '../../src/publisher/study-master.ts';
import { makeInputs, PYTHON } from './support/disc-checks.ts';

// The real labelSvg, recorded: master.ts renders each label through it.
vi.mock(import('../../src/media/label-svg.ts'), async (importOriginal) => {
  const real = await importOriginal();
  return { ...real, labelSvg: vi.fn(real.labelSvg) };
});

const ROOT = '1.2.826.0.1.3680043.8.498.4207.';

/** The text elements of an SVG, top to bottom, read with Python's XML parser (an oracle independent of ours). */
function svgTextsTopToBottom(svg: string): string[] {
  const script = `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
texts = sorted(root.iter('{http://www.w3.org/2000/svg}text'), key=lambda t: float(t.get('y')))
print(json.dumps([t.text or '' for t in texts]))
`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { input: svg, encoding: 'utf8' })) as string[];
}

/** Stores a PS3.10 file (Explicit VR LE) as a C-STORE would deliver it: its data set alone. */
async function store(st: InstanceStore, file: string, messageId: number): Promise<void> {
  const bytes = await fs.readFile(file);
  const meta = new Map<number, string>();
  let pos = 132;
  while (bytes.readUInt16LE(pos) === 0x0002) {
    const element = bytes.readUInt16LE(pos + 2);
    const long = ['OB', 'OW', 'UN', 'SQ', 'UT'].includes(bytes.toString('latin1', pos + 4, pos + 6));
    const length = long ? bytes.readUInt32LE(pos + 8) : bytes.readUInt16LE(pos + 6);
    const start = pos + (long ? 12 : 8);
    meta.set(element, bytes.toString('latin1', start, start + length).replace(/[\0 ]+$/, ''));
    pos = start + length;
  }
  const sink = st.begin({
    associationId: 'test', messageId, sopClassUid: meta.get(0x0002)!, sopInstanceUid: meta.get(0x0003)!,
    transferSyntaxUid: meta.get(0x0010)!, callingAeTitle: 'CT1', calledAeTitle: 'DISCROBOT',
  });
  sink.end(bytes.subarray(pos));
  const outcome = await sink.completion;
  if (outcome.status !== 0) throw new Error(`the store refused ${file}: ${outcome.comment}`);
}

describe("a route's label template, mastered by the job's master actor", () => {
  let dir: string;
  let db: Db;
  let image: MasteredImage;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'label-template-'));
    const inputs = await makeInputs({
      out: path.join(dir, 'in'),
      root: ROOT,
      patient: { id: 'PAT4207', name: 'Müller^Jürgen', charset: 'ISO_IR 100', birth: '19600229', sex: 'M' },
      institution: 'Klinikum Süd',
      studies: [{ date: '20261201', time: '101500', id: 'S1', description: 'CT Thorax', series: [{ modality: 'CT', count: 3, syntax: 'evrle' }] }],
    });
    db = openDatabase(path.join(dir, 'db.sqlite'), { durable: false });
    const index = new InstanceIndex(db);
    const dataDir = path.join(dir, 'data');
    const st = new InstanceStore({ dataDir, durable: false, reserveBytes: 0, index, logger: pino({ level: 'silent' }) });
    await st.init();
    let messageId = 0;
    for (const input of inputs) await store(st, input.file, ++messageId);

    const jobs = new JobRepository(db);
    const rows = index.all();
    // no study row: the job row need not name one (the study's own record is not what this test is about)
    jobs.create({ jobId: 'J000007', studyInstanceUid: null, robot: null, copies: 1, instanceIds: rows.map((r) => r.id) });
    const source: StudyJobSource = {
      studyUid: rows[0]!.studyInstanceUid,
      jobId: 'J000007',
      media: 'cd',
      label: { institution: 'Radiologie Nord', lines: ['patientName', 'patientId', 'institution', 'disc'] },
    };
    vi.mocked(labelSvg).mockClear();
    const actor = createActor(studyMasterLogic({ db, jobs, dataDir }), { input: { jobId: 'J000007', source: { ...source } } }).start();
    image = await toPromise(actor);
  });

  afterAll(async () => {
    db?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('prints exactly the lines the template names, in its order, with the route\'s institution', async () => {
    expect(image.media).toBe('cd');
    expect(image.labelPath).not.toBeNull();
    expect((await fs.stat(image.labelPath!)).size).toBeGreaterThan(0);
    const rendered = vi.mocked(labelSvg).mock.results;
    expect(rendered).toHaveLength(1);
    expect(rendered[0]!.type).toBe('return');
    expect(svgTextsTopToBottom(rendered[0]!.value as string)).toEqual([
      'MÜLLER, Jürgen',
      'ID PAT4207 · born 1960-02-29',
      'Radiologie Nord',
      'Disc 1 of 1',
    ]);
  });
});
