// The README's typed-client example is docs/samples/send-with-client.ts, shown verbatim in the README
// and run here as written with Node against the test worker: it sends, waits for success, saves the PDF.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createKey, workerUrl } from '../../support/api.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const sample = path.join(root, 'docs/samples/send-with-client.ts');
const cwd = mkdtempSync(path.join(os.tmpdir(), 'faxbot-client-sample-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('README typed-client example', () => {
  it('is the sample file, verbatim', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme.split('## From TypeScript: the typed client')[1] ?? '')?.[1];
    expect(block, 'README.md needs a ```ts block under "## From TypeScript: the typed client"').toBeDefined();
    expect(block).toBe(readFileSync(sample, 'utf8'));
  });

  it('runs with Node: sends the referral, waits for success (cover + 1 page) and writes sent.pdf', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const { stdout } = await promisify(execFile)(process.execPath, [sample], {
      cwd,
      timeout: 25_000,
      env: { ...process.env, FAXBOT_URL: workerUrl(), FAXBOT_API_KEY: key.token },
    });
    expect(stdout).toMatch(/^fax_\S+ success 2\/2 pages$/m);
    const pdf = readFileSync(path.join(cwd, 'sent.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  }, 30_000);
});
