// POST /fax/:id/cancel: happy, error and security cases.
import { describe, expect, it } from 'vitest';
import { api, createKey, faxForm, json, makePdf, sendFax, waitForStatus } from '../../support/api.ts';

const cancel = (id: string, key: string | null) => api(`/fax/${id}/cancel`, { method: 'POST', key });

describe('POST /fax/:id/cancel', () => {
  it('cancels a job before it is dialled, and the sandbox never dials it', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    // Scheduled an hour ahead, so the cancel deterministically comes before any dial.
    const form = faxForm({ to: '+15555550160', file: await makePdf(1) });
    form.set('send_at', new Date(Date.now() + 3600_000).toISOString());
    const job = await json(await api('/fax', { method: 'POST', body: form, key: key.token }));
    expect(job.status).toBe('scheduled');
    const res = await cancel(job.id, key.token);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id: job.id, status: 'canceled' });
    await new Promise((r) => setTimeout(r, 500)); // several sandbox steps
    const after = await json(await api(`/fax/${job.id}`, { key: key.token }));
    expect(after).toMatchObject({ status: 'canceled', dialed_at: null, attempts: [] });
    // Canceling again is harmless.
    expect((await cancel(job.id, key.token)).status).toBe(200);
  });

  it('refuses with 409 once the job is dialling or done', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const job = await json(await sendFax(key.token, { to: '+15555550161', file: await makePdf(1) }));
    await waitForStatus(job.id, key.token, ['success']);
    const res = await cancel(job.id, key.token);
    expect(res.status).toBe(409);
    expect((await json(res)).error).toMatchObject({ code: 'not_cancelable', details: { status: 'success' } });
  });

  it("cannot cancel another owner's job (404) and needs fax:send", async () => {
    const owner = await createKey(['fax:send']);
    const stranger = await createKey(['fax:send']);
    const reader = await createKey(['fax:read'], owner.owner);
    const job = await json(await sendFax(owner.token, { to: '+15555550162', file: await makePdf(1) }));
    expect((await cancel(job.id, stranger.token)).status).toBe(404);
    expect((await cancel(job.id, reader.token)).status).toBe(403);
    expect((await cancel(job.id, null)).status).toBe(401);
    expect((await cancel('fax_000000000000000000000000', owner.token)).status).toBe(404);
  });
});
