// GET /api/robots and GET /api/associations against the real publisher (serve() in this process,
// its robot simulated in-process): what a robot reported of itself (bins, cover, picker, printer
// tray, drives, the unit's own description), the disc in its hands while a fault pauses it, and a
// DICOM association seen while it is open (AE titles, counts, the SOP class being received) and
// gone once released. The scenarios share one robot and run in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AssociationView, JobSummaryView, RobotView } from '../../src/api/publisher-api.ts';
import { embeddedDefaults, type Config } from '../../src/config/schema.ts';
import { discIdOf } from '../../machines/disc-job/naming.ts';
import { serve, type RunningPublisher } from '../../src/serve.ts';
import type { SimulatorHandle } from '../../simulator/server.ts';
import { CT_IMAGE, IMPLICIT_LE, VERIFICATION, ctDataset, freshUids } from '../e2e/support/dataset.ts';
import { cEcho, cStoreRq, messagePdus, readResponse } from '../e2e/support/dimse.ts';
import { associate, PDU, releaseRq } from '../support/pdu.ts';

const ROBOT = 'robot1';
const WAIT = { timeout: 60_000, interval: 25 };
const PATIENT_NAME = 'Viewless^Vera';
const PATIENT_ID = 'VIEWS-PID-1';

let dataDir: string;
let running: RunningPublisher;
let sim: SimulatorHandle;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'discrobot-live-views-'));
  const defaults = embeddedDefaults();
  const config: Config = {
    ...defaults,
    dicom: { ...defaults.dicom, listeners: [{ host: '127.0.0.1', port: 0 }] },
    storage: { ...defaults.storage, data: dataDir, reserveBytes: 0 },
    http: { ...defaults.http, listen: '127.0.0.1:0' },
    // A study goes to its disc as soon as it arrives, with a label (so the disc visits the printer).
    routes: defaults.routes.map((route) => ({ ...route, quietPeriodSeconds: 0, print: true })),
    robots: [{ name: ROBOT, kind: 'sim', model: 'DP-4100', timeScale: 0 }],
  };
  running = await serve(config, pino({ level: 'silent' }));
  sim = running.robots.find((robot) => robot.name === ROBOT)!.sim!;
});

afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(`${running.http.url}${url}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function post(url: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${running.http.url}${url}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Operator': 'views-tester' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

const robot = async (): Promise<RobotView> => (await getJson<{ robots: RobotView[] }>('/api/robots')).robots.find((r) => r.name === ROBOT)!;
const associations = async (): Promise<AssociationView[]> => (await getJson<{ associations: AssociationView[] }>('/api/associations')).associations;
const jobs = async (): Promise<JobSummaryView[]> => (await getJson<{ jobs: JobSummaryView[] }>('/api/jobs')).jobs;

async function robotWhen(check: (view: RobotView) => void): Promise<RobotView> {
  let last: RobotView | undefined;
  await vi.waitFor(async () => {
    last = await robot();
    check(last);
  }, WAIT);
  return last!;
}

/** Every job finished and the robot idle with nothing in hand. */
async function settled(): Promise<RobotView> {
  await vi.waitFor(async () => expect((await jobs()).filter((job) => job.finishedAtMs === null)).toEqual([]), WAIT);
  return robotWhen((view) => expect([view.state, view.disc]).toEqual(['idle', null]));
}

describe('GET /api/robots', () => {
  it('shows what an idle robot reported of itself, in plain words', async () => {
    const view = await settled();
    const { model } = sim;
    expect(view.info).toEqual({
      description: model.description,
      firmware: model.firmware,
      connection: 'sim',
      drives: model.drives.count,
      printers: 1,
      bins: model.bins.count,
      maxPerBin: model.bins.maxPerBin,
      kiosk: model.bins.kiosk,
    });
    expect(view.phase).toBe('IDLE');
    expect([view.cover, view.picker, view.printerTray]).toEqual(['closed', 'empty', 'empty']);
    // Left to right, numbered as the robot numbers them: 1 is the right-most.
    expect(view.bins.map((bin) => bin.bin)).toEqual(Array.from({ length: model.bins.count }, (_, i) => model.bins.count - i));
    expect(view.drives).toEqual(Array.from({ length: model.drives.count }, (_, index) => ({
      index, name: `SIM ${model.drives.media[0]} drive`, activity: 'idle', holdsCurrentDisc: false,
    })));
    expect(view.jobId).toBeNull();
  });

  it('follows the bins and the cover as the operator changes them', async () => {
    const count = sim.model.bins.maxPerBin - 3;
    expect(await post(`/api/robots/${ROBOT}/simulator`, { kind: 'fillBin', bin: 1, count })).toEqual({ status: 200, body: { ok: true } });
    await robotWhen((view) => expect(view.bins.find((bin) => bin.bin === 1)?.count).toBe(count));

    expect(await post(`/api/robots/${ROBOT}/simulator`, { kind: 'cover', open: true })).toEqual({ status: 200, body: { ok: true } });
    // An open cover: the robot no longer knows its bin counts.
    const open = await robotWhen((view) => expect(view.cover).toBe('open'));
    await robotWhen((view) => expect(view.bins.map((bin) => bin.count)).toEqual(open.bins.map(() => null)));

    expect(await post(`/api/robots/${ROBOT}/simulator`, { kind: 'cover', open: false })).toEqual({ status: 200, body: { ok: true } });
    // Closed again, the robot counts its bins before anything else.
    await robotWhen((view) => {
      expect([view.cover, view.state]).toEqual(['closed', 'idle']);
      expect(view.bins.find((bin) => bin.bin === 1)?.count).toBe(count);
    });
  });
});

describe('GET /api/associations', () => {
  it('shows an association while it is open, with its counts and the SOP class being received, and no patient data', async () => {
    expect(await associations()).toEqual([]);
    const uids = freshUids();
    const dataset = ctDataset({ ...uids, patientName: PATIENT_NAME, patientId: PATIENT_ID, pixelBytes: 8192 });
    const before = Date.now();
    const { connection } = await associate(running.listening[0]!.port, {
      callingAeTitle: 'VIEWSCU',
      calledAeTitle: embeddedDefaults().dicom.aeTitles[0]!,
      contexts: [
        { id: 1, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] },
        { id: 3, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] },
      ],
    });
    const after = Date.now();
    try {
      const [open] = await associations();
      expect(open).toMatchObject({
        peerAddress: '127.0.0.1', peerPort: connection.socket.localPort, callingAeTitle: 'VIEWSCU', calledAeTitle: embeddedDefaults().dicom.aeTitles[0],
        state: 'established.idle', stored: 0, failed: 0, bytes: 0, echoes: 0, ratePerSecond: 0, currentSopClass: null,
      });
      expect(open!.startedAtMs).toBeGreaterThanOrEqual(before);
      expect(open!.startedAtMs).toBeLessThanOrEqual(after);

      expect((await cEcho(connection, 3, 1)).status).toBe(0);
      await vi.waitFor(async () => expect((await associations())[0]?.echoes).toBe(1), WAIT);

      // The command and the first half of the data set: the object is being received.
      const [command, ...fragments] = messagePdus(1, cStoreRq(2, CT_IMAGE, uids.sopInstanceUid), dataset, dataset.length / 2);
      expect(fragments).toHaveLength(2);
      connection.send(command!);
      connection.send(fragments[0]!);
      await vi.waitFor(async () => {
        expect((await associations())[0]).toMatchObject({ state: 'established.receiving.transferring', currentSopClass: { uid: CT_IMAGE, name: 'CT Image Storage' } });
      }, WAIT);

      connection.send(fragments[1]!);
      expect((await readResponse(connection)).status).toBe(0);
      let asked = { from: 0, to: 0 };
      const stored = (await vi.waitFor(async () => {
        const from = Date.now();
        const [view] = await associations();
        asked = { from, to: Date.now() };
        expect(view).toMatchObject({ id: open!.id, state: 'established.idle', stored: 1, failed: 0, currentSopClass: null });
        return view!;
      }, WAIT));
      expect(stored.bytes).toBeGreaterThanOrEqual(dataset.length);
      // One object over the time since it started, as of some moment while the request was answered.
      const rateAt = (ms: number) => 1 / (Math.max(ms - stored.startedAtMs, 1) / 1000);
      expect(stored.ratePerSecond).toBeGreaterThanOrEqual(Math.floor(rateAt(asked.to) * 100) / 100);
      expect(stored.ratePerSecond).toBeLessThanOrEqual(Math.ceil(rateAt(asked.from) * 100) / 100);

      const text = JSON.stringify(await associations());
      expect(text).not.toContain('Viewless');
      expect(text).not.toContain(PATIENT_ID);
      expect(text).not.toContain(uids.sopInstanceUid);
      expect(text).not.toContain(uids.studyInstanceUid);

      connection.send(releaseRq());
      expect((await connection.nextPdu(30_000)).type).toBe(PDU.ReleaseRp);
      await vi.waitFor(async () => expect(await associations()).toEqual([]), WAIT);
    } finally {
      connection.destroy();
    }
  });
});

describe('the disc in the robot\'s hands', () => {
  it('is shown with its drive while a fault pauses it, and gone once the job is done', async () => {
    await settled();
    // The carriage stalls as the disc goes from its drive to the printer, once recorded.
    expect(await post(`/api/robots/${ROBOT}/simulator`, { kind: 'fault', code: 'carriage-move', trigger: 'next:LOADING_PRINTER' })).toEqual({ status: 200, body: { ok: true } });
    const uids = freshUids();
    const { connection } = await associate(running.listening[0]!.port, {
      callingAeTitle: 'VIEWSCU',
      calledAeTitle: embeddedDefaults().dicom.aeTitles[0]!,
      contexts: [{ id: 1, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] }],
    });
    try {
      for (const pdu of messagePdus(1, cStoreRq(1, CT_IMAGE, uids.sopInstanceUid), ctDataset({ ...uids, patientName: PATIENT_NAME, patientId: PATIENT_ID }))) connection.send(pdu);
      expect((await readResponse(connection)).status).toBe(0);
      connection.send(releaseRq());
      await connection.nextPdu(30_000);
    } finally {
      connection.destroy();
    }

    const paused = await robotWhen((view) => expect(view.state).toMatch(/^error\./));
    const job = (await jobs()).find((summary) => summary.studyInstanceUid === uids.studyInstanceUid)!;
    const disc = paused.disc!;
    expect(paused.jobId).toBe(job.jobId);
    expect(disc).toEqual({
      discId: discIdOf(job.jobId, 1, 1), jobId: job.jobId, copy: 1, attempt: 1, step: 'printing', where: 'drive', drive: disc.drive,
      progress: null, paused: true, cancelling: false,
    });
    expect(paused.drives.map((drive) => [drive.index, drive.activity, drive.holdsCurrentDisc])).toEqual(
      paused.drives.map((drive) => (drive.index === disc.drive ? [drive.index, 'unloading', true] : [drive.index, 'idle', false])),
    );
    expect(paused.phase).toBe('LOADING_PRINTER');
    expect(paused.error).toMatchObject({ code: 10, kind: 'mechanical' });

    expect(await post(`/api/robots/${ROBOT}/clear-error`)).toEqual({ status: 200, body: { ok: true } });
    const done = await settled();
    expect(done.drives.every((drive) => drive.activity === 'idle' && !drive.holdsCurrentDisc)).toBe(true);
    expect((await jobs()).find((summary) => summary.jobId === job.jobId)?.state).toBe('done');
  });
});
