// The dashboard in a real browser (Debian's headless Chromium via playwright-core) against a real
// `discrobot serve` with its simulated robot, studies sent by DCMTK's storescu. The person's view:
// a job goes through its states to done, live; a robot that finds its input bin empty pauses the
// job with the hint in plain words, the bin is refilled and the error cleared from the page, and
// the job finishes. Every action is in the audit trail under the operator's name; the page asks
// nothing of any server but the publisher. Screenshots of those moments: test-artifacts/dashboard/.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDashboard, type DashboardBrowser } from './support/browser.ts';
import { freshStudyUid, send, studySpec, writeInstances } from './support/patient-study.ts';
import { startPublisher, type RunningPublisher } from './support/publisher-process.ts';

const TEST_TIMEOUT_MS = 240_000;
const WAIT_MS = 120_000;
const OPERATOR = 'e2e-browser';
const ROBOT = 'robot1';

let work: string;
let publisher: RunningPublisher;
let browser: DashboardBrowser;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'discrobot-dashboard-'));
  publisher = await startPublisher({ dataDir: path.join(work, 'data'), quietPeriodSeconds: 2, timeScale: 100 });
  browser = await openDashboard(publisher.api.baseUrl);
  const { page } = browser;
  await page.fill('#operator', OPERATOR);
  await page.press('#operator', 'Tab');
  await page.waitForSelector('#connection[data-connection="live"]', { timeout: WAIT_MS });
  await page.waitForSelector(`article[data-robot="${ROBOT}"] [data-field="state"][data-state="idle"]`, { timeout: WAIT_MS });
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await publisher?.stop();
  await fs.rm(work, { recursive: true, force: true });
});

async function sendStudy(name: string, patientId: string): Promise<string> {
  const uid = freshStudyUid();
  const files = await writeInstances(path.join(work, name), studySpec(uid, [2, 1], { patientId, patientName: `${name}^Test`, patientBirthDate: '19700101' }));
  await send(publisher.dicomPort, files);
  return uid;
}

/** The job the page lists for a study, once it appears. */
async function jobRowOf(studyUid: string): Promise<string> {
  const row = await browser.page.waitForSelector(`#jobs tr[data-study-uid="${studyUid}"]`, { timeout: WAIT_MS });
  return (await row.getAttribute('data-job-id'))!;
}

/** States as the page's history of the chosen actor shows them. */
async function historyStates(): Promise<string[]> {
  return browser.page.$$eval('#actor-history li', (items) => items.map((item) => (item as HTMLElement).dataset['state'] ?? ''));
}

/** Whether `wanted` appears in `seen` in this order (other states may come between). */
function inOrder(seen: string[], wanted: string[]): boolean {
  let at = 0;
  for (const state of seen) if (state === wanted[at]) at += 1;
  return at === wanted.length;
}

describe('the dashboard in headless Chromium', () => {
  it('shows a study sent by storescu settle, and its job go live through its states to done, with its statechart', async () => {
    const { page } = browser;
    await browser.screenshot('01-opened');
    const studyUid = await sendStudy('Live', 'E2E-DASH-1');

    await page.waitForSelector(`#studies tr[data-study-uid="${studyUid}"] [data-field="received"]:text("3")`, { timeout: WAIT_MS });
    await browser.screenshot('02-study-received');

    const jobId = await jobRowOf(studyUid);
    await page.click(`#jobs tr[data-job-id="${jobId}"]`);
    await page.waitForSelector(`#detail [data-detail="job"][data-job-id="${jobId}"]`, { timeout: WAIT_MS });
    await page.waitForSelector(`#jobs tr[data-job-id="${jobId}"] [data-field="state"][data-state="done"]`, { timeout: WAIT_MS });
    await page.waitForSelector(`#actor-state [data-actor="job:${jobId}"][data-status="done"]`, { timeout: WAIT_MS });
    await page.waitForSelector('#statechart svg g.active[id="state:done"]', { timeout: WAIT_MS });
    await browser.screenshot('03-job-done');

    const seen = await historyStates();
    expect(inOrder(seen, ['mastering', 'disc.loading', 'disc.burning', 'disc.verifying', 'disc.printing', 'disc.delivering', 'done']), seen.join(' → ')).toBe(true);
    expect(await page.textContent(`#detail [data-detail="job"] [data-field="copies"]`)).toBe('1 of 1 done');
    expect(await page.$$eval('#detail [data-disc-id] [data-field="outcome"]', (cells) => cells.map((cell) => cell.textContent))).toEqual(['delivered']);
    await page.waitForSelector(`#studies tr[data-study-uid="${studyUid}"] [data-field="state"][data-state="published"]`, { timeout: WAIT_MS });
  }, TEST_TIMEOUT_MS);

  it('pauses a job when the input bin is found empty, shows the hint, and finishes it after a refill and a cleared error from the page', async () => {
    const { page } = browser;
    const card = `article[data-robot="${ROBOT}"]`;
    await page.click(`${card} details.simulator > summary`);
    await page.waitForSelector(`${card} [data-input="fault-code"] option[value="input-empty"]`, { state: 'attached', timeout: WAIT_MS });
    await page.selectOption(`${card} [data-input="fault-code"]`, 'input-empty');
    await page.selectOption(`${card} [data-input="fault-trigger"]`, 'next:PICKING');
    await page.click(`${card} [data-action="inject-fault"]`);
    await page.waitForSelector('#message.ok:text("Fault input-empty armed")', { timeout: WAIT_MS });

    const studyUid = await sendStudy('Paused', 'E2E-DASH-2');
    const jobId = await jobRowOf(studyUid);
    const pause = `#jobs tr[data-job-id="${jobId}"] [data-field="pause"]`;
    await page.waitForSelector(`${pause}:has-text("The input bin is empty")`, { timeout: WAIT_MS });
    await page.waitForSelector(`${card} [data-field="hint"]:has-text("load blank discs")`, { timeout: WAIT_MS });
    await browser.screenshot('04-paused-input-bin-empty');

    await page.selectOption(`${card} [data-input="fill-bin"]`, '1');
    await page.fill(`${card} [data-input="fill-bin-count"]`, '50');
    await page.click(`${card} [data-action="fill-bin"]`);
    await page.waitForSelector('#message.ok:text("Bin 1 filled")', { timeout: WAIT_MS });
    await page.click(`${card} [data-action="clear-error"]`);
    await page.waitForSelector(`#jobs tr[data-job-id="${jobId}"] [data-field="state"][data-state="done"]`, { timeout: WAIT_MS });
    await page.waitForSelector(`${card} [data-field="error"]`, { state: 'detached', timeout: WAIT_MS });
    await browser.screenshot('05-refilled-and-done');

    // Every action went through the API and is in the audit trail under the page's operator.
    const audit = await publisher.api.audit({ subject: `robot:${ROBOT}` });
    const byOperator = audit.filter((entry) => entry.actor === `operator:${OPERATOR}`).map((entry) => entry.action);
    expect(byOperator).toEqual(expect.arrayContaining(['simulator.fault', 'simulator.fillBin', 'robot.errorCleared']));
  }, TEST_TIMEOUT_MS);

  it('asks nothing of any server but the publisher: its policy refuses a request elsewhere, and none was made', async () => {
    const { page } = browser;
    const refused = await page.evaluate(() => new Promise<string>((resolve) => {
      document.addEventListener('securitypolicyviolation', (event) => resolve(event.violatedDirective), { once: true });
      const image = document.createElement('img');
      image.src = 'http://203.0.113.7/tracking.png';
      document.body.append(image);
    }));
    expect(refused).toBe('img-src');
    expect(browser.outside).toEqual([]);
    expect(browser.pageErrors.filter((text) => !text.includes('Content Security Policy'))).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
