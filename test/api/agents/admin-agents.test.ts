// /admin/agents and agent tokens: happy, error and security cases (scope agents:manage).
import { describe, expect, it } from 'vitest';
import { api, createKey, json } from '../../support/api.ts';
import { createTestAgent } from '../../support/agents.ts';

const post = (path: string, body?: unknown, key?: string) =>
  api(path, { method: 'POST', key, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });

describe('/admin/agents', () => {
  it('registers an agent with a token shown once, and lists it without secrets', async () => {
    const res = await post('/admin/agents', { name: 'Mercy PBX', site: 'mercy-main', max_channels: 4 });
    expect(res.status).toBe(201);
    const agent = await json(res);
    expect(agent.id).toMatch(/^agt_[a-z0-9]{16}$/);
    expect(agent.token).toMatch(/^fba_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    expect(agent).toMatchObject({ name: 'Mercy PBX', site: 'mercy-main', max_channels: 4, online: false });
    const list = await api('/admin/agents');
    const text = await list.text();
    expect(text).toContain(agent.id);
    expect(text).not.toContain(agent.token.split('_')[2]);
    expect(text).not.toMatch(/secret_hash|secretHash/);
  });

  it('rotates tokens with a grace period: the old token keeps working until it ends', async () => {
    const agent = await createTestAgent();
    const rotated = await json(await post(`/admin/agents/${agent.id}/tokens`, { grace_hours: 1 }));
    expect(rotated.token).not.toBe(agent.token);
    expect(new Date(rotated.previous_tokens_valid_until).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    const immediate = await json(await post(`/admin/agents/${agent.id}/tokens`, { grace_hours: 0 }));
    const list = await json(await api('/admin/agents'));
    const tokens = list.data.find((a: { id: string }) => a.id === agent.id).tokens;
    expect(tokens).toHaveLength(3);
    const live = tokens.filter((t: { expires_at: string | null; revoked_at: string | null }) => !t.revoked_at && (!t.expires_at || new Date(t.expires_at) > new Date()));
    expect(live.map((t: { id: string }) => t.id)).toEqual([immediate.token_id]);
  });

  it('validates input and ids', async () => {
    expect((await post('/admin/agents', { name: '' })).status).toBe(400);
    expect((await post('/admin/agents', { name: 'x', max_channels: 0 })).status).toBe(400);
    expect((await api('/admin/agents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' })).status).toBe(400);
    const missing = await post('/admin/agents/agt_0000000000000000/tokens');
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.code).toBe('agent_not_found');
    const agent = await createTestAgent();
    const del = await api(`/admin/agents/${agent.id}/tokens/zzzzzzzzzzzzzzzz`, { method: 'DELETE' });
    expect(del.status).toBe(404);
    expect((await json(del)).error.code).toBe('agent_token_not_found');
  });

  it('needs agents:manage', async () => {
    const key = await createKey(['fax:send', 'keys:manage']);
    const reader = await createKey(['fax:read']);
    expect((await api('/admin/agents', { key: reader.token })).status).toBe(403);
    expect((await post('/admin/agents', { name: 'x' }, reader.token)).status).toBe(403);
    expect((await api('/admin/agents', { key: null })).status).toBe(401);
    // keys:manage alone is not agents:manage.
    expect((await api('/admin/agents', { key: key.token })).status).toBe(403);
  });
});
