// The admin console in a real Chromium: sign in with an admin key, create a key and see its token
// once, create an agent and rotate its token, watch a fax sent through the API reach success and
// open its PDF, see an inbound fax in the Inbox, sign out. Every page is checked for console errors
// and CSP violations. CONSOLE_SCREENSHOTS=1 also writes docs/console/<page>.png.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestAgent, uploadInbound } from '../../support/agents.ts';
import { adminKey, createKey, makePdf, sendFax, json, workerUrl } from '../../support/api.ts';
import { launchBrowser, newWatchedPage, type PageProblems } from '../../support/browser.ts';

const SHOTS = process.env.CONSOLE_SCREENSHOTS === '1' ? path.resolve(import.meta.dirname, '../../../docs/console') : null;
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(page: Page, key: string) {
  await page.goto(`${workerUrl()}/console`);
  await page.waitForURL(/\/console\/login/);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/console$/);
}

function expectClean(problems: PageProblems) {
  expect(problems.csp, 'CSP violations').toEqual([]);
  expect(problems.errors, 'page errors').toEqual([]);
  expect(problems.console, 'console errors').toEqual([]);
}

describe('admin console in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;
  beforeAll(async () => {
    browser = await launchBrowser();
    ({ context, page, problems } = await newWatchedPage(browser));
    await signIn(page, adminKey());
  }, 60_000);
  afterAll(async () => browser?.close());

  it('signs in to the Status page; the cookie is Secure, HttpOnly, SameSite=Strict and the key is not stored', async () => {
    await expect(page.title()).resolves.toBe('Status · Faxbot console');
    await page.getByText(/Ready: every check passes/).waitFor();
    await shot(page, 'status');
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'faxbot_console', httpOnly: true, secure: true, sameSite: 'Strict', path: '/console' });
    expect(cookies[0]!.value).not.toContain(adminKey());
    const storage = await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })');
    expect(storage).toBe('{}{}');
    expectClean(problems);
  });

  it('creates a key and shows its token once, with a copy button', async () => {
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByLabel('Name').fill('console-made');
    await page.getByLabel(/^Owner/).fill('radiology-console');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = page.locator('#new-secret');
    await expect.poll(() => secret.textContent()).toMatch(/^fbk_/);
    const token = (await secret.textContent())!.trim();
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    await shot(page, 'keys');
    // The token works against the API, and the list never shows it again.
    const res = await fetch(`${workerUrl()}/fax`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    await page.goto(`${workerUrl()}/console/keys`);
    expect(await page.content()).not.toContain(token);
    await page.getByRole('cell', { name: 'radiology-console' }).waitFor();
    expect(page.url()).not.toContain('fbk_');
    expectClean(problems);
  });

  it('creates an agent and rotates its token, saying whether it was delivered', async () => {
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByLabel('Name').fill('console agent');
    await page.getByLabel('Site').fill('north');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await expect.poll(() => page.locator('#new-secret').textContent()).toMatch(/^fba_/);
    const first = (await page.locator('#new-secret').textContent())!.trim();
    await page.getByRole('button', { name: 'Rotate token of console agent' }).first().click();
    await expect.poll(() => page.locator('#new-secret').textContent()).toMatch(/^fba_/);
    expect((await page.locator('#new-secret').textContent())!.trim()).not.toBe(first);
    await page.locator('[data-delivery="offline"]').waitFor();
    await shot(page, 'agents');
    expectClean(problems);
  });

  it('shows a fax sent through the API reaching success, with its attempts and PDF', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const job = await json(await sendFax(key.token, { to: '+15555550142', file: await makePdf(1) }));
    await page.getByRole('link', { name: 'Faxes' }).click();
    const row = page.locator(`tr[data-fax="${job.id}"]`);
    await expect.poll(async () => {
      await page.reload();
      return row.locator('.badge').textContent();
    }, { timeout: 20_000, interval: 500 }).toBe('success');
    await shot(page, 'faxes');
    await row.getByRole('link').click();
    await page.getByRole('heading', { name: `Fax ${job.id}` }).waitFor();
    await page.getByRole('cell', { name: 'success' }).first().waitFor();
    await shot(page, 'fax-detail');
    const pdf = await context.request.get(`${workerUrl()}/console/faxes/${job.id}/pdf`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    expect(pdf.headers()['x-frame-options']).toBe('SAMEORIGIN');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    expect(page.url()).not.toContain('5555550142');
    expect(await page.title()).not.toContain('5555550142');
    expectClean(problems);
  });

  it('shows an inbound fax in the Inbox with its number and owner', async () => {
    const agent = await createTestAgent({ name: 'inbox agent' });
    const up = await uploadInbound(agent.token, { uniqueid: `console-${Date.now()}`, from: '+15555550143', to: '+15555550144', pages: 1 });
    expect([200, 201]).toContain(up.status);
    const inbound = (await up.json()) as { id: string };
    await page.getByRole('link', { name: 'Inbox' }).click();
    const row = page.locator(`tr[data-inbound="${inbound.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('+15555550144');
    await shot(page, 'inbox');
    await row.getByRole('link').click();
    await page.locator('iframe.pdf').waitFor();
    const pdf = await context.request.get(`${workerUrl()}/console/inbox/${inbound.id}/pdf`);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    expectClean(problems);
  });

  it('renders Send, Inbound numbers and Audit without errors, and the audit shows the console sign-in', async () => {
    await page.getByRole('link', { name: 'Send' }).click();
    await page.getByLabel(/Fax number/).waitFor();
    await shot(page, 'send');
    await page.getByRole('link', { name: 'Inbound numbers' }).click();
    await page.getByLabel(/^Number/).fill('+15555550145');
    await page.getByLabel('Owner').fill('cardiology');
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await page.getByText('The number mapping was saved.').waitFor();
    expect(page.url()).not.toContain('5555550145');
    await shot(page, 'numbers');
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('Action').fill('console.sign_in');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'console.sign_in' }).first().waitFor();
    await shot(page, 'audit');
    expectClean(problems);
  });

  it('sends a fax from the Send page and lands on its detail page', async () => {
    await page.getByRole('link', { name: 'Send' }).click();
    await page.getByLabel(/Fax number/).fill('+1 555 555 0146');
    await page.getByLabel(/Document/).setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('Console test document\n') });
    await page.getByLabel('Subject').fill('From the console');
    await page.getByRole('button', { name: 'Send fax' }).click();
    await page.getByText('The fax was accepted').waitFor();
    expect(page.url()).toMatch(/\/console\/faxes\/fax_[a-z0-9]+\?done=sent$/);
    expectClean(problems);
  });

  it('signs out: the session ends server-side and pages go back to sign-in', async () => {
    const cookie = (await context.cookies())[0]!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/login/);
    await shot(page, 'login');
    await page.goto(`${workerUrl()}/console/keys`);
    expect(page.url()).toContain('/console/login');
    // The old cookie, replayed, no longer opens anything.
    const replay = await fetch(`${workerUrl()}/console/keys`, { headers: { cookie: `${cookie.name}=${cookie.value}` }, redirect: 'manual' });
    expect(replay.status).toBe(303);
    expectClean(problems);
  });
});
