// DELETE /admin/api-keys/:id — revocation takes effect at once and is audited.
import { describe, expect, it } from 'vitest';
import { api, createKey, json } from '../../support/api.ts';
import { TOKEN_RE, auditEventsFor, errorBody, faxListStatus, listKeys, revokeKey } from './helpers.ts';

describe('DELETE /admin/api-keys/:id (happy)', () => {
  it('returns 200 with the revoked key (no token) and the key stops working at once', async () => {
    const key = await createKey(['fax:read']);
    expect(await faxListStatus(key.token)).toBe(200);
    const res = await revokeKey(key.id);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ id: key.id, owner: key.owner, scopes: ['fax:read'] });
    expect(Number.isNaN(Date.parse(body.revoked_at))).toBe(false);
    expect(body).not.toHaveProperty('token');

    for (const via of ['bearer', 'x-api-key'] as const) expect(await faxListStatus(key.token, via)).toBe(401);
    const after = await api('/fax', { key: key.token });
    expect((await errorBody(after)).error.code).toBe('invalid_api_key');
  });

  it('revoking one key leaves the owner’s other keys working', async () => {
    const a = await createKey(['fax:read']);
    const b = await createKey(['fax:read'], a.owner);
    expect((await revokeKey(a.id)).status).toBe(200);
    expect(await faxListStatus(a.token)).toBe(401);
    expect(await faxListStatus(b.token)).toBe(200);
  });

  it('the revoked key is hidden from the default listing', async () => {
    const key = await createKey(['fax:read']);
    await revokeKey(key.id);
    expect(await listKeys(`?owner=${encodeURIComponent(key.owner)}`)).toEqual([]);
  });

  it('a keys:manage key can revoke another key', async () => {
    const admin = await createKey(['keys:manage']);
    const target = await createKey(['fax:read']);
    expect((await revokeKey(target.id, admin.token)).status).toBe(200);
    expect(await faxListStatus(target.token)).toBe(401);
  });

  it('writes an api_key.revoke audit event naming the actor, without the token', async () => {
    const admin = await createKey(['keys:manage']);
    const key = await createKey(['fax:read']);
    expect((await revokeKey(key.id, admin.token)).status).toBe(200);
    const events = await auditEventsFor(key.id);
    const revoked = events.filter((e) => e.action === 'api_key.revoke');
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ resource_type: 'api_key', resource_id: key.id, actor_type: 'api_key', actor_id: admin.id, outcome: 'success' });
    const secret = TOKEN_RE.exec(key.token)![2]!;
    expect(JSON.stringify(events)).not.toContain(secret);
  });
});
