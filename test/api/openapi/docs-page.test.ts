// GET /docs: the interactive reference, rendered from the OpenAPI document, under a strict CSP with
// no inline script or style and no third-party origin; checked as HTML and in a real Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { OPERATIONS } from '../../../worker/openapi/operations.ts';
import { adminKey, api, workerUrl } from '../../support/api.ts';
import { launchBrowser, newWatchedPage } from '../../support/browser.ts';

describe('GET /docs (HTML)', () => {
  it('is public, lists every operation, and has no inline script, style or foreign origin', async () => {
    const res = await api('/docs', { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const page = await res.text();
    const doc = (await (await api('/openapi.json', { key: null })).json()) as any;
    for (const op of OPERATIONS) expect(page, op.path).toContain(`id="${doc.paths[op.path][op.method].operationId}"`);
    for (const tag of page.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
      expect(tag[0]).toMatch(/src="\/assets\//);
      expect(tag[1]).toBe('');
    }
    expect(page).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    for (const m of page.matchAll(/\s(?:src|href)="([^"]+)"/g)) expect(m[1]).toMatch(/^(\/|#|data:,$)/);
    expect(page).not.toMatch(/\+1\d{10}/);
  });

  it('serves its assets with their types, under the same security headers', async () => {
    const js = await api('/assets/reference.js', { key: null });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    const css = await api('/assets/faxbot.css', { key: null });
    expect(css.headers.get('content-type')).toContain('text/css');
    expect((await api('/assets/nope.js', { key: null })).status).toBe(401);
  });
});

describe('GET /docs in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => browser?.close());

  it('renders without console errors or CSP violations and runs "Try it" with a key', async () => {
    const { context, page, problems } = await newWatchedPage(browser);
    await page.goto(`${workerUrl()}/docs`);
    await expect(page.title()).resolves.toBe('Faxbot API reference');
    await page.fill('#api-key', adminKey());
    const op = page.locator('details#getFax');
    await op.locator('summary').click();
    await op.locator('input[name="query.limit"]').fill('2');
    await op.getByRole('button', { name: /Send GET \/fax$/ }).click();
    const result = op.locator('pre.result');
    await expect.poll(() => result.textContent(), { timeout: 10_000 }).toMatch(/^200 /);
    expect(await result.textContent()).toContain('"data"');
    // Without a key the same form shows the API's error, not a broken page.
    await page.fill('#api-key', '');
    await op.getByRole('button', { name: /Send GET \/fax$/ }).click();
    await expect.poll(() => result.textContent(), { timeout: 10_000 }).toMatch(/^401 [\s\S]*missing_api_key/);
    expect(problems.csp).toEqual([]);
    expect(problems.errors).toEqual([]);
    // The 401 above is logged by Chromium as a failed resource load; nothing else may be.
    expect(problems.console.filter((m) => !/status of 401/.test(m))).toEqual([]);
    await context.close();
  }, 60_000);
});
