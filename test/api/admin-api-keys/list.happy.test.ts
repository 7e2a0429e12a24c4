// GET /admin/api-keys — listing keys without secrets, filters, last_used_at.
import { describe, expect, it } from 'vitest';
import { api, createKey, json, uniqueOwner } from '../../support/api.ts';
import { eventually, faxListStatus, listKeys, revokeKey } from './helpers.ts';

const byOwner = (owner: string, extra = '') => `?owner=${encodeURIComponent(owner)}${extra}`;

describe('GET /admin/api-keys (happy)', () => {
  it('returns {data: [...]} with the public fields, newest first', async () => {
    const owner = uniqueOwner('list');
    const first = await createKey(['fax:read'], owner);
    const second = await createKey(['fax:send'], owner);
    const res = await api(`/admin/api-keys${byOwner(owner)}`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(Object.keys(body)).toEqual(['data']);
    expect(body.data.map((k: any) => k.id)).toEqual([second.id, first.id]);
    expect(body.data[1]).toMatchObject({
      id: first.id,
      owner,
      scopes: ['fax:read'],
      prefix: `fbk_${first.id}_…`,
      created_by: 'bootstrap',
      revoked_at: null,
    });
    expect(body.data[1]).not.toHaveProperty('token');
  });

  it('never includes the token, its secret or any hash', async () => {
    const owner = uniqueOwner('nosecret');
    const key = await createKey(['fax:read'], owner);
    const res = await api(`/admin/api-keys${byOwner(owner, '&include_revoked=true')}`);
    const text = await res.text();
    const secret = key.token.split('_').slice(2).join('_');
    expect(text).toContain(key.id);
    expect(text).not.toContain(key.token);
    expect(text).not.toContain(secret);
    expect(text).not.toMatch(/secret_hash|"hash"|[0-9a-f]{64}/i);
  });

  it('filters by owner', async () => {
    const a = await createKey(['fax:read'], uniqueOwner('owner-a'));
    const b = await createKey(['fax:read'], uniqueOwner('owner-b'));
    const rows = await listKeys(byOwner(a.owner));
    expect(rows.map((r) => r.id)).toEqual([a.id]);
    expect(rows.every((r) => r.owner === a.owner)).toBe(true);
    expect((await listKeys(byOwner(b.owner))).map((r) => r.id)).toEqual([b.id]);
  });

  it('without a filter includes keys of every owner', async () => {
    const a = await createKey(['fax:read'], uniqueOwner('all-a'));
    const b = await createKey(['fax:read'], uniqueOwner('all-b'));
    const ids = (await listKeys()).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('hides revoked keys unless include_revoked=true', async () => {
    const owner = uniqueOwner('revoked');
    const live = await createKey(['fax:read'], owner);
    const gone = await createKey(['fax:read'], owner);
    expect((await revokeKey(gone.id)).status).toBe(200);
    expect((await listKeys(byOwner(owner))).map((r) => r.id)).toEqual([live.id]);
    const all = await listKeys(byOwner(owner, '&include_revoked=true'));
    expect(all.map((r) => r.id).sort()).toEqual([live.id, gone.id].sort());
    expect(all.find((r) => r.id === gone.id).revoked_at).toEqual(expect.any(String));
    expect(all.find((r) => r.id === live.id).revoked_at).toBeNull();
  });

  it('sets last_used_at after the key is used', async () => {
    const key = await createKey(['fax:read']);
    expect((await listKeys(byOwner(key.owner)))[0].last_used_at).toBeNull();
    expect(await faxListStatus(key.token)).toBe(200);
    const lastUsed = await eventually(
      async () => (await listKeys(byOwner(key.owner)))[0].last_used_at as string | null,
      5_000,
      'last_used_at',
    );
    expect(Number.isNaN(Date.parse(lastUsed))).toBe(false);
  });

  it('does not set last_used_at for failed authentication with the key id', async () => {
    const key = await createKey(['fax:read']);
    const forged = `fbk_${key.id}_${'A'.repeat(43)}`;
    expect(await faxListStatus(forged)).toBe(401);
    // Use another key afterwards as a barrier: once its touch is visible, an earlier touch would be too.
    const barrier = await createKey(['fax:read']);
    expect(await faxListStatus(barrier.token)).toBe(200);
    await eventually(async () => (await listKeys(byOwner(barrier.owner)))[0].last_used_at, 5_000, 'barrier last_used_at');
    expect((await listKeys(byOwner(key.owner)))[0].last_used_at).toBeNull();
  });

  it('lists an unknown owner as empty', async () => {
    expect(await listKeys(byOwner(uniqueOwner('nobody')))).toEqual([]);
  });
});
