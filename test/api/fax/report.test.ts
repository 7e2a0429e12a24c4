// GET /fax/:id/report: a one-page PDF transmission report (job, destination, result, pages sent
// of total, every attempt, a reduced first page). Text is read back with Ghostscript's txtwrite.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { api, createKey, json, makePdf, sendFax, waitForStatus } from '../../support/api.ts';

function pdfText(bytes: Uint8Array): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'faxbot-report-')), 'report.pdf');
  writeFileSync(file, bytes);
  // Ghostscript is a prerequisite (.ci/run installs it); without it this fails loudly.
  return execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-sDEVICE=txtwrite', '-sOutputFile=-', file], { encoding: 'utf8' });
}

describe('GET /fax/:id/report', () => {
  it('is a one-page PDF with the job, result, pages and every attempt; never cached', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const job = await json(await sendFax(key.token, { to: '+15555550196', file: await makePdf(3, 'first page of the referral') }));
    await waitForStatus(job.id, key.token, ['success', 'failed'], 20_000);
    const res = await api(`/fax/${job.id}/report`, { key: key.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('cache-control')).toContain('no-store');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(1);
    const text = pdfText(bytes);
    expect(text).toContain(job.id);
    expect(text).toContain('+15555550196');
    expect(text).toContain('SUCCESS');
    expect(text).toContain('3 of 3');
    expect(text).toMatch(/busy/);
    // The reduced first page is drawn from the document itself.
    expect(text).toContain('first page of the referral page 1');
  });

  it('needs fax:read and only shows its own owner', async () => {
    const owner = await createKey(['fax:send', 'fax:read']);
    const job = await json(await sendFax(owner.token, { to: '+15555550114', file: await makePdf(1) }));
    const sender = await createKey(['fax:send'], owner.owner);
    const stranger = await createKey(['fax:read']);
    expect((await api(`/fax/${job.id}/report`, { key: null })).status).toBe(401);
    expect((await api(`/fax/${job.id}/report`, { key: sender.token })).status).toBe(403);
    expect((await api(`/fax/${job.id}/report`, { key: stranger.token })).status).toBe(404);
    expect((await api('/fax/not-a-job/report', { key: owner.token })).status).toBe(404);
  });
});
