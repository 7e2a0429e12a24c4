// The console by keyboard alone and at 200% zoom (a 1280 px window at 2x: 640 CSS px): sign in
// with Tab and Enter, reach a page from the menu, and no page scrolls sideways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { adminKey, workerUrl } from '../../support/api.ts';
import { launchBrowser, newWatchedPage } from '../../support/browser.ts';

const PAGES = ['/console', '/console/send', '/console/faxes', '/console/inbox', '/console/keys', '/console/agents', '/console/numbers', '/console/audit'];

async function tabTo(page: Page, predicate: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(predicate)) return;
  }
  throw new Error(`Tab never reached: ${predicate}`);
}

describe('console accessibility', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => browser?.close());

  it('signs in and navigates by keyboard only, at 200% zoom, without sideways scrolling', async () => {
    const { page, problems, context } = await newWatchedPage(browser, { viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 });
    await page.goto(`${workerUrl()}/console/login`);
    await tabTo(page, "document.activeElement && document.activeElement.id === 'key'");
    await page.keyboard.type(adminKey());
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console$/);
    await tabTo(page, "document.activeElement && document.activeElement.getAttribute('href') === '/console/keys'");
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/keys$/);
    for (const path of PAGES) {
      await page.goto(`${workerUrl()}${path}`);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow, `${path} scrolls sideways by ${overflow}px at 200%`).toBeLessThanOrEqual(0);
      const unlabeled = await page.evaluate<number>(
        `[...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter((el) => !el.closest('label') && !(el.id && document.querySelector('label[for="' + el.id + '"]'))).length`,
      );
      expect(unlabeled, `${path}: form fields without a label`).toBe(0);
    }
    expect(problems.csp).toEqual([]);
    expect(problems.console).toEqual([]);
    await context.close();
  }, 90_000);
});
