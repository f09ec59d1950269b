// A person's actions from the dashboard, each by its button in headless Chromium against a real
// `discrobot serve` (long quiet period, so a study waits for the person): a settling study shows its
// countdown, is held with a reason and released; its finished job is burned again and its label
// reprinted; a job paused on an empty input bin is cancelled (a second click confirms). Each action
// lands in the audit trail under the operator's name.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDashboard, type DashboardBrowser } from './support/browser.ts';
import { OperatorClient } from './support/operator-client.ts';
import { freshStudyUid, send, studySpec, writeInstances } from './support/patient-study.ts';
import { startPublisher, type RunningPublisher } from './support/publisher-process.ts';

const WAIT_MS = 120_000;
const OPERATOR = 'e2e-actions';

let work: string;
let publisher: RunningPublisher;
let browser: DashboardBrowser;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'discrobot-dashboard-actions-'));
  publisher = await startPublisher({ dataDir: path.join(work, 'data'), quietPeriodSeconds: 600, timeScale: 100 });
  browser = await openDashboard(publisher.api.baseUrl);
  await browser.page.fill('#operator', OPERATOR);
  await browser.page.press('#operator', 'Tab');
  await browser.page.waitForSelector('#connection[data-connection="live"]', { timeout: WAIT_MS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await publisher?.stop();
  await fs.rm(work, { recursive: true, force: true });
});

async function sendStudy(name: string): Promise<string> {
  const uid = freshStudyUid();
  const files = await writeInstances(path.join(work, name), studySpec(uid, [2], { patientId: `E2E-${name}`, patientName: `${name}^Act`, patientBirthDate: '19650505' }));
  await send(publisher.dicomPort, files);
  return uid;
}

async function chooseStudy(uid: string): Promise<void> {
  await browser.page.click(`#studies tr[data-study-uid="${uid}"]`);
  await browser.page.waitForSelector(`#detail [data-detail="study"][data-study-uid="${uid}"]`, { timeout: WAIT_MS });
}

async function chooseJob(jobId: string): Promise<void> {
  await browser.page.click(`#jobs tr[data-job-id="${jobId}"]`);
  await browser.page.waitForSelector(`#detail [data-detail="job"][data-job-id="${jobId}"]`, { timeout: WAIT_MS });
}

const jobState = (jobId: string, state: string) => `#jobs tr[data-job-id="${jobId}"] [data-field="state"][data-state="${state}"]`;

describe('operator actions from the dashboard (headless Chromium)', () => {
  it('holds a settling study with a reason, releases it, burns its disc again and reprints its label', async () => {
    const { page } = browser;
    const uid = await sendStudy('Hold');
    await page.waitForSelector(`#studies tr[data-study-uid="${uid}"] [data-field="state"][data-state="settling"]`, { timeout: WAIT_MS });
    await chooseStudy(uid);
    await page.waitForSelector('#detail [data-field="deadline"]:has-text("publishes in")', { timeout: WAIT_MS });

    await page.fill('#detail [data-input="hold-reason"]', 'wrong side marker, check with the radiographer');
    await page.click('#detail [data-action="hold"]');
    await page.waitForSelector(`#studies tr[data-study-uid="${uid}"] [data-field="state"][data-state="held"]`, { timeout: WAIT_MS });
    await page.waitForSelector('#detail [data-field="operator-hold"]:has-text("wrong side marker, check with the radiographer")', { timeout: WAIT_MS });
    await browser.screenshot('20-study-held');

    await page.click('#detail [data-action="release"]');
    await page.waitForSelector(`#studies tr[data-study-uid="${uid}"] [data-field="state"][data-state="published"]`, { timeout: WAIT_MS });
    const first = await page.getAttribute(`#jobs tr[data-study-uid="${uid}"]`, 'data-job-id');
    await page.waitForSelector(jobState(first!, 'done'), { timeout: WAIT_MS });

    await chooseJob(first!);
    await page.fill('#detail [data-input="reburn-copies"]', '2');
    await page.click('#detail [data-action="reburn"]');
    await page.waitForSelector('#message.ok:text("Re-burn queued")', { timeout: WAIT_MS });
    await page.waitForSelector(`#jobs tr[data-study-uid="${uid}"]:not([data-job-id="${first}"])`, { timeout: WAIT_MS });
    const jobs = await page.$$eval(`#jobs tr[data-study-uid="${uid}"]`, (rows) => rows.map((row) => (row as HTMLElement).dataset['jobId']!));
    const reburn = jobs.find((id) => id !== first)!;
    await page.waitForSelector(jobState(reburn, 'done'), { timeout: WAIT_MS });
    expect(await page.textContent(`#jobs tr[data-job-id="${reburn}"] [data-field="copies"]`)).toContain('2 / 2');

    await chooseJob(first!);
    await page.click('#detail [data-action="reprint"]');
    await page.waitForSelector('#message.ok:text("Reprint queued")', { timeout: WAIT_MS });
    await page.waitForFunction((count) => document.querySelectorAll('#jobs tr[data-job-id]').length >= count, 3, { timeout: WAIT_MS });
    const reprint = await page.$$eval('#jobs tr[data-job-id]', (rows, known) =>
      rows.map((row) => (row as HTMLElement).dataset['jobId']!).find((id) => !known.includes(id)), [first!, reburn]);
    await page.waitForSelector(jobState(reprint!, 'done'), { timeout: WAIT_MS });
    await browser.screenshot('21-reburned-and-reprinted');

    const actions = (await publisher.api.audit({ limit: 500 })).filter((entry) => entry.actor === `operator:${OPERATOR}`).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['study.heldByOperator', 'study.released', 'job.reburn', 'job.reprint']));
  }, 240_000);

  it('cancels a job paused on an empty input bin, only after the second click confirms it', async () => {
    const { page } = browser;
    // The fault is armed by the test itself (the page's fault controls are the other test file's).
    const armed = await new OperatorClient(publisher.api.baseUrl, 'e2e-setup').simulator('robot1', { kind: 'fault', code: 'input-empty', trigger: 'next:PICKING' });
    expect(armed.status).toBe(200);
    const uid = await sendStudy('Cancel');
    await page.waitForSelector(`#studies tr[data-study-uid="${uid}"]`, { timeout: WAIT_MS });
    await chooseStudy(uid);
    await page.click('#detail [data-action="release-now"]');
    const row = await page.waitForSelector(`#jobs tr[data-study-uid="${uid}"]`, { timeout: WAIT_MS });
    const jobId = (await row.getAttribute('data-job-id'))!;
    await page.waitForSelector(`#jobs tr[data-job-id="${jobId}"] [data-field="pause"]:has-text("input bin is empty")`, { timeout: WAIT_MS });

    await chooseJob(jobId);
    await page.click('#detail [data-action="cancel"]');
    await page.waitForSelector('#detail [data-action="cancel"]:text("Really cancel?")', { timeout: WAIT_MS });
    expect((await publisher.api.job(jobId))?.state).not.toBe('cancelled');
    await page.click('#detail [data-action="cancel"]');
    await page.waitForSelector(jobState(jobId, 'cancelled'), { timeout: WAIT_MS });
    await browser.screenshot('22-job-cancelled');
    expect(browser.outside).toEqual([]);
  }, 240_000);
});
