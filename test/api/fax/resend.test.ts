// POST /fax/:id/resend: happy, error and security cases. An unknown outcome is resent only by
// this explicit request; the new job links to the original and carries the same document.
import { describe, expect, it } from 'vitest';
import { api, createKey, json, makePdf, sendFax, waitForStatus } from '../../support/api.ts';

const resend = (id: string, key: string | null, headers: Record<string, string> = {}) => api(`/fax/${id}/resend`, { method: 'POST', key, headers });
const FINAL = ['success', 'failed', 'unknown', 'canceled'];

describe('POST /fax/:id/resend', () => {
  it('resends an unknown outcome as a new job with the same document, linked to the original', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const original = await json(await sendFax(key.token, { to: '+15555550195', file: await makePdf(2, 'resend me') }));
    await waitForStatus(original.id, key.token, FINAL);
    const res = await resend(original.id, key.token, { 'idempotency-key': `resend-${original.id}` });
    expect(res.status).toBe(202);
    const copy = await json(res);
    expect(copy).toMatchObject({ resend_of: original.id, to: '+15555550195', pages: 2, status: 'queued' });
    expect(copy.id).not.toBe(original.id);
    const [a, b] = await Promise.all([original.id, copy.id].map(async (id) => new Uint8Array(await (await api(`/fax/${id}/pdf`, { key: key.token })).arrayBuffer())));
    expect(Buffer.from(b!).equals(Buffer.from(a!))).toBe(true);
    // The same Idempotency-Key replays the resend instead of making a third job.
    const again = await resend(original.id, key.token, { 'idempotency-key': `resend-${original.id}` });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await json(again)).id).toBe(copy.id);
    expect((await json(await api(`/fax/${original.id}`, { key: key.token }))).status).toBe('unknown');
  });

  it('refuses a job that is still open with 409 not_resendable', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const form = new FormData();
    form.set('to', '+15555550112');
    form.set('file', new Blob([new Uint8Array(await makePdf(1))]), 'doc.pdf');
    form.set('send_at', new Date(Date.now() + 3600_000).toISOString());
    const scheduled = await json(await api('/fax', { method: 'POST', body: form, key: key.token }));
    const res = await resend(scheduled.id, key.token);
    expect(res.status).toBe(409);
    expect((await json(res)).error).toMatchObject({ code: 'not_resendable', details: { status: 'scheduled' } });
  });

  it('needs a key with fax:send, and only sees its own owner', async () => {
    const owner = await createKey(['fax:send', 'fax:read']);
    const job = await json(await sendFax(owner.token, { to: '+15555550113', file: await makePdf(1) }));
    await waitForStatus(job.id, owner.token, FINAL);
    const stranger = await createKey(['fax:send']);
    const reader = await createKey(['fax:read'], owner.owner);
    expect((await resend(job.id, null)).status).toBe(401);
    expect((await resend(job.id, reader.token)).status).toBe(403);
    const other = await resend(job.id, stranger.token);
    expect(other.status).toBe(404);
    expect((await json(other)).error.code).toBe('fax_not_found');
    expect((await resend('fax_000000000000000000000000', owner.token)).status).toBe(404);
  });
});
