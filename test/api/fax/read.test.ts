// GET /fax/:id and GET /fax: happy, error and security cases.
import { describe, expect, it } from 'vitest';
import { api, createKey, json, makePdf, sendFax, waitForStatus } from '../../support/api.ts';

async function queue(token: string, to = '+15555550130') {
  const res = await sendFax(token, { to, file: await makePdf(1) });
  expect(res.status).toBe(202);
  return json(res);
}

describe('GET /fax/:id', () => {
  it('returns the job to its owner', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const job = await queue(key.token);
    const res = await api(`/fax/${job.id}`, { key: key.token });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id: job.id, owner: key.owner, to: '+15555550130' });
  });

  it('404s for unknown and malformed ids', async () => {
    const key = await createKey(['fax:read']);
    for (const id of ['fax_000000000000000000000000', 'nope', "1'; drop table fax_jobs;--"]) {
      const res = await api(`/fax/${encodeURIComponent(id)}`, { key: key.token });
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe('fax_not_found');
    }
  });

  it("hides another owner's job (404), but admin keys see it", async () => {
    const owner = await createKey(['fax:send', 'fax:read']);
    const stranger = await createKey(['fax:read']);
    const job = await queue(owner.token);
    const res = await api(`/fax/${job.id}`, { key: stranger.token });
    expect(res.status).toBe(404);
    expect((await api(`/fax/${job.id}`)).status).toBe(200); // bootstrap admin
  });

  it('needs a key and the fax:read scope', async () => {
    const sender = await createKey(['fax:send']);
    const job = await queue(sender.token);
    expect((await api(`/fax/${job.id}`, { key: null })).status).toBe(401);
    const res = await api(`/fax/${job.id}`, { key: sender.token });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('insufficient_scope');
  });
});

describe('GET /fax', () => {
  it('pages through the owner’s jobs newest first with a cursor', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await queue(key.token, `+1555555014${i}`)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(`/fax?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: key.token });
      expect(res.status).toBe(200);
      const page = await json(res);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((j: { id: string }) => j.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by status and time', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const before = new Date(Date.now() - 1000).toISOString();
    const ok = await queue(key.token, '+15555550150');
    const bad = await queue(key.token, '+15555550199');
    await waitForStatus(ok.id, key.token, ['success']);
    await waitForStatus(bad.id, key.token, ['failed']);
    const failed = await json(await api('/fax?status=failed', { key: key.token }));
    expect(failed.data.map((j: { id: string }) => j.id)).toEqual([bad.id]);
    const both = await json(await api('/fax?status=failed,success', { key: key.token }));
    expect(both.data).toHaveLength(2);
    const since = await json(await api(`/fax?since=${encodeURIComponent(before)}`, { key: key.token }));
    expect(since.data).toHaveLength(2);
    const until = await json(await api(`/fax?until=${encodeURIComponent(before)}`, { key: key.token }));
    expect(until.data).toHaveLength(0);
  });

  it('rejects bad filters and forged cursors with 400', async () => {
    const key = await createKey(['fax:read']);
    for (const q of ['status=sent', 'since=yesterday', 'limit=0', 'limit=1000', 'cursor=not-a-cursor']) {
      const res = await api(`/fax?${q}`, { key: key.token });
      expect(res.status, q).toBe(400);
      expect(['invalid_request', 'invalid_cursor']).toContain((await json(res)).error.code);
    }
  });

  it('only lists the caller’s own jobs; admin sees all owners', async () => {
    const a = await createKey(['fax:send', 'fax:read']);
    const b = await createKey(['fax:send', 'fax:read']);
    const ja = await queue(a.token);
    await queue(b.token);
    const listA = await json(await api('/fax?limit=100', { key: a.token }));
    expect(listA.data.map((j: { id: string }) => j.id)).toEqual([ja.id]);
    const admin = await json(await api(`/fax?owner=${encodeURIComponent(b.owner)}`));
    expect(admin.data).toHaveLength(1);
    expect(admin.data[0].owner).toBe(b.owner);
    // A non-admin key cannot widen its view with ?owner=.
    const sneaky = await json(await api(`/fax?owner=${encodeURIComponent(b.owner)}`, { key: a.token }));
    expect(sneaky.data.map((j: { id: string }) => j.id)).toEqual([ja.id]);
  });

  it('needs a key and the fax:read scope', async () => {
    expect((await api('/fax', { key: null })).status).toBe(401);
    const key = await createKey(['fax:send']);
    expect((await api('/fax', { key: key.token })).status).toBe(403);
  });
});
