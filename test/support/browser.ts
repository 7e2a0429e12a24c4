// Browser tests: Debian's Chromium (or CHROMIUM_PATH) driven by playwright-core. Each page records
// console errors, page errors and CSP violations (`securitypolicyviolation`), which tests assert are
// empty. A missing browser fails the test with the command that installs it; it never skips.
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export interface PageProblems {
  console: string[];
  errors: string[];
  csp: string[];
}

function executable(): string {
  const candidates = [process.env.CHROMIUM_PATH, 'chromium', 'chromium-browser', 'google-chrome'].filter(Boolean) as string[];
  const found = candidates.find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).error === undefined);
  if (!found) throw new Error('browser tests need Chromium: sudo apt-get install chromium (or set CHROMIUM_PATH)');
  const which = spawnSync('sh', ['-c', `command -v ${found}`], { encoding: 'utf8' }).stdout.trim();
  return which || found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: executable(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A fresh context (own cookies) whose pages report their problems into the returned record. */
export async function newWatchedPage(browser: Browser, opts: { viewport?: { width: number; height: number }; deviceScaleFactor?: number } = {}): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 900 }, deviceScaleFactor: opts.deviceScaleFactor ?? 1 });
  const problems: PageProblems = { console: [], errors: [], csp: [] };
  await context.exposeFunction('__reportCsp', (v: string) => problems.csp.push(v));
  // Runs in every page before its own scripts (injected by the browser, so not subject to the CSP).
  await context.addInitScript(
    "document.addEventListener('securitypolicyviolation', function (e) { window.__reportCsp(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber); });",
  );
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.console.push(m.text());
  });
  page.on('pageerror', (e) => problems.errors.push(String(e)));
  return { context, page, problems };
}
