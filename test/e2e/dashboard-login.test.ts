// The dashboard of a publisher whose API is protected by a token (as it must be when it listens
// beyond this machine): the page itself loads, shows no data, and asks for the token; a wrong token
// is refused in words; the right one opens the live view. Headless Chromium against a real
// `discrobot serve`.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDashboard, type DashboardBrowser } from './support/browser.ts';
import { startPublisher, type RunningPublisher } from './support/publisher-process.ts';

const TOKEN = 'dashboard-e2e-token-7f3a';
const WAIT_MS = 60_000;

let work: string;
let publisher: RunningPublisher;
let browser: DashboardBrowser;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'discrobot-dashboard-login-'));
  publisher = await startPublisher({
    dataDir: path.join(work, 'data'),
    quietPeriodSeconds: 2,
    config: { file: path.join(work, 'discrobot.json'), content: { http: { listen: '127.0.0.1:0', token: TOKEN } } },
  });
  browser = await openDashboard(publisher.api.baseUrl);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await publisher?.stop();
  await fs.rm(work, { recursive: true, force: true });
});

describe('the dashboard behind an API token (headless Chromium)', () => {
  it('asks for the token, refuses a wrong one in words, and shows the live robots with the right one', async () => {
    const { page } = browser;
    await page.waitForSelector('#login:not([hidden])', { timeout: WAIT_MS });
    await page.waitForSelector('#connection[data-connection="unauthorized"]', { timeout: WAIT_MS });
    expect(await page.$$('article[data-robot]')).toEqual([]);
    await browser.screenshot('10-token-asked');

    await page.fill('#token', 'not-the-token');
    await page.click('#login button[type="submit"]');
    await page.waitForSelector('#login:not([hidden]) #login-error:text("That token was not accepted.")', { timeout: WAIT_MS });

    await page.fill('#token', TOKEN);
    await page.click('#login button[type="submit"]');
    await page.waitForSelector('#connection[data-connection="live"]', { timeout: WAIT_MS });
    await page.waitForSelector('article[data-robot="robot1"] [data-field="state"]', { timeout: WAIT_MS });
    expect(await page.isHidden('#login')).toBe(true);
    await browser.screenshot('11-token-accepted');
    expect(browser.outside).toEqual([]);
  }, 180_000);
});
