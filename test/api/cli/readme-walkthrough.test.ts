// The README's curl walk-through, run as written (bash, curl, jq) against the test worker: only the
// API address and the admin key lines are pointed at the test stack. If the README changes, this runs it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { adminKey, api, json, waitForStatus, workerUrl } from '../../support/api.ts';
import { missingPrerequisites } from '../../../scripts/check-prerequisites.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const cwd = mkdtempSync(path.join(os.tmpdir(), 'faxbot-readme-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function walkthrough(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.split('## Walk-through with curl')[1];
  const block = /```sh\n([\s\S]*?)```/.exec(section ?? '')?.[1];
  if (!block) throw new Error('README.md has no ```sh block under "## Walk-through with curl"');
  expect(block).toMatch(/^API=http:\/\/127\.0\.0\.1:8787$/m);
  expect(block).toMatch(/^ADMIN=\$\(cat \.data\/admin-key\)/m);
  return block
    .replace(/^API=.*$/m, `API=${workerUrl()}`)
    .replace(/^ADMIN=.*$/m, `ADMIN='${adminKey()}'`);
}

describe('README walk-through', () => {
  it('runs as written: a key, a fax of the sample document, its status and its PDF twice', async () => {
    const missing = missingPrerequisites().filter((m) => m.command === 'curl' || m.command === 'jq');
    if (missing.length > 0) throw new Error(`the README walk-through needs ${missing.map((m) => m.command).join(' and ')}: sudo apt-get install curl jq`);
    symlinkSync(path.join(root, 'docs'), path.join(cwd, 'docs'));
    const script = `set -euo pipefail\n${walkthrough()}\necho "JOB=$JOB TOKEN=$TOKEN"\n`;
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', script], { cwd, timeout: 20_000 });
    expect(stderr).toBe('');
    const job = /JOB=(\S+) TOKEN=(\S+)/.exec(stdout);
    expect(job, stdout).not.toBeNull();
    const [, id = "", token = ""] = job!;
    expect(id).toMatch(/^fax_/);
    // Step 3 printed the status summary.
    expect(JSON.parse(stdout.slice(0, stdout.indexOf('JOB=')))).toMatchObject({ pages: 1, failure_reason: null });
    // Step 4 downloaded the document (the second download, through pdf_url, overwrote the first).
    const sent = readFileSync(path.join(cwd, 'sent.pdf'));
    expect(sent.subarray(0, 5).toString()).toBe('%PDF-');
    expect(sent.equals(readFileSync(path.join(root, 'docs/samples/referral.pdf')))).toBe(true);
    // The job is the cardiology department's and completes in the sandbox.
    expect((await waitForStatus(id, token, ['success'])).status).toBe('success');
    const keys = await json(await api('/admin/api-keys'));
    expect(keys.data.some((k: { name: string; owner: string }) => k.name === 'ehr-prod' && k.owner === 'cardiology')).toBe(true);
  });
});
