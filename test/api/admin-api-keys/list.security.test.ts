// GET /admin/api-keys — only keys:manage may list; nothing secret is ever returned.
import { describe, expect, it } from 'vitest';
import { api, createKey, json } from '../../support/api.ts';
import { errorBody, withDb } from './helpers.ts';

describe('GET /admin/api-keys (security)', () => {
  it('no key -> 401 missing_api_key', async () => {
    const res = await api('/admin/api-keys', { key: null });
    expect(res.status).toBe(401);
    expect((await errorBody(res)).error.code).toBe('missing_api_key');
  });

  it('garbage key -> 401 invalid_api_key', async () => {
    const res = await api('/admin/api-keys', { key: 'garbage' });
    expect(res.status).toBe(401);
    expect((await errorBody(res)).error.code).toBe('invalid_api_key');
  });

  it('a key without keys:manage -> 403 insufficient_scope, even for its own owner', async () => {
    const key = await createKey(['fax:read', 'fax:send']);
    const res = await api(`/admin/api-keys?owner=${encodeURIComponent(key.owner)}`, { key: key.token });
    expect(res.status).toBe(403);
    const body = await errorBody(res);
    expect(body.error.code).toBe('insufficient_scope');
    expect(JSON.stringify(body)).not.toContain(key.id);
  });

  it('a keys:manage key created through the API may list', async () => {
    const admin = await createKey(['keys:manage']);
    const res = await api(`/admin/api-keys?owner=${encodeURIComponent(admin.owner)}`, { key: admin.token });
    expect(res.status).toBe(200);
    expect((await json(res)).data.map((k: any) => k.id)).toEqual([admin.id]);
  });

  it('the stored secret hash (current or previous) never appears in the listing', async () => {
    const key = await createKey(['fax:read']);
    // Rotate with grace so a previous hash is stored too.
    const rotated = await api(`/admin/api-keys/${key.id}/rotate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grace_seconds: 60 }),
    });
    expect(rotated.status).toBe(200);
    const newToken = (await json(rotated)).token as string;
    const hashes = await withDb(async (db) => {
      const { rows } = await db.query('select secret_hash, previous_secret_hash from api_keys where id = $1', [key.id]);
      return rows[0] as { secret_hash: string; previous_secret_hash: string };
    });
    expect(hashes.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes.previous_secret_hash).toMatch(/^[0-9a-f]{64}$/);
    const text = await (await api(`/admin/api-keys?owner=${encodeURIComponent(key.owner)}&include_revoked=true`)).text();
    expect(text).toContain(key.id);
    for (const secret of [hashes.secret_hash, hashes.previous_secret_hash, key.token, newToken]) expect(text).not.toContain(secret);
  });
});
