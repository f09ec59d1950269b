// Headless Chromium (Debian's, driven by playwright-core) pointed at the publisher's dashboard. It
// records every request the page makes: one that leaves the publisher's origin is blocked and kept,
// so a test can assert the page reaches nothing else (no CDN, no font service). Screenshots are
// written as test artifacts under test-artifacts/dashboard/.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../test-artifacts/dashboard/', import.meta.url));

export interface DashboardBrowser {
  page: Page;
  /** Requests to anywhere but the publisher (blocked). */
  outside: string[];
  /** Errors the page reported (console errors, uncaught exceptions). */
  pageErrors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openDashboard(url: string): Promise<DashboardBrowser> {
  const origin = new URL(url).origin;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1200 } });
    const outside: string[] = [];
    const pageErrors: string[] = [];
    const isOurs = (target: string) => target.startsWith('data:') || new URL(target).origin === origin;
    await context.route('**/*', (route) => {
      const target = route.request().url();
      if (isOurs(target)) return route.continue();
      outside.push(target);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(url);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    return {
      page,
      outside,
      pageErrors,
      async screenshot(name) {
        const file = path.join(SCREENSHOT_DIR, `${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        return file;
      },
      close: () => browser.close(),
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
