// GET /fax/:id/pdf: with a key, with the signed URL, and every way to get it wrong.
import { describe, expect, it } from 'vitest';
import { api, createKey, json, makePdf, sendFax, workerUrl } from '../../support/api.ts';

/** The job's pdf_url, re-pointed at the test worker (PUBLIC_API_URL is not set in tests). */
const local = (url: string) => `${workerUrl()}${new URL(url).pathname}${new URL(url).search}`;

describe('GET /fax/:id/pdf', () => {
  it('returns the exact stored PDF with a fax:read key, never cached', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const pdf = await makePdf(2);
    const job = await json(await sendFax(key.token, { to: '+15555550170', file: pdf }));
    const res = await api(`/fax/${job.id}/pdf`, { key: key.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(pdf);
  });

  it('works through the signed URL without a key', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const job = await json(await sendFax(key.token, { to: '+15555550171', file: await makePdf(1) }));
    expect(job.pdf_url_expires_at).not.toBeNull();
    const res = await fetch(local(job.pdf_url));
    expect(res.status).toBe(200);
    expect(new TextDecoder().decode((await res.arrayBuffer()).slice(0, 5))).toBe('%PDF-');
  });

  it('rejects tampered, expired and cross-job tokens', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const a = await json(await sendFax(key.token, { to: '+15555550172', file: await makePdf(1) }));
    const b = await json(await sendFax(key.token, { to: '+15555550173', file: await makePdf(1) }));
    const url = new URL(local(a.pdf_url));
    const tampered = new URL(url);
    tampered.searchParams.set('token', url.searchParams.get('token')!.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')));
    expect((await fetch(tampered)).status).toBe(401);
    const extended = new URL(url);
    extended.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    expect((await fetch(extended)).status).toBe(401);
    const expired = new URL(url);
    expired.searchParams.set('expires', '1000');
    const res = await fetch(expired);
    expect(res.status).toBe(401);
    // a's token presented for b
    const cross = new URL(local(b.pdf_url));
    cross.searchParams.set('token', url.searchParams.get('token')!);
    cross.searchParams.set('expires', url.searchParams.get('expires')!);
    expect((await fetch(cross)).status).toBe(401);
  });

  it('needs fax:read (or a token), and hides other owners’ documents', async () => {
    const owner = await createKey(['fax:send', 'fax:read']);
    const stranger = await createKey(['fax:read']);
    const sender = await createKey(['fax:send'], owner.owner);
    const job = await json(await sendFax(owner.token, { to: '+15555550174', file: await makePdf(1) }));
    const noKey = await api(`/fax/${job.id}/pdf`, { key: null });
    expect(noKey.status).toBe(401);
    expect((await json(noKey)).error.code).toBe('missing_api_key');
    expect((await api(`/fax/${job.id}/pdf`, { key: stranger.token })).status).toBe(404);
    expect((await api(`/fax/${job.id}/pdf`, { key: sender.token })).status).toBe(403);
  });
});
