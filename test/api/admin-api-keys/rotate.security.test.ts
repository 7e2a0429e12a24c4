// POST /admin/api-keys/:id/rotate — only keys:manage may rotate; rotation never revives a key.
import { describe, expect, it } from 'vitest';
import { api, createKey, json, uniqueOwner } from '../../support/api.ts';
import { errorBody, faxListStatus, rotateKey, sleep, tamperSecret } from './helpers.ts';

describe('POST /admin/api-keys/:id/rotate (security)', () => {
  it('no key -> 401 missing_api_key and nothing changes', async () => {
    const key = await createKey(['fax:read']);
    const res = await rotateKey(key.id, { grace_seconds: 0 }, null);
    expect(res.status).toBe(401);
    expect((await errorBody(res)).error.code).toBe('missing_api_key');
    expect(await faxListStatus(key.token)).toBe(200);
  });

  it('garbage or tampered key -> 401 invalid_api_key', async () => {
    const admin = await createKey(['keys:manage']);
    const target = await createKey(['fax:read']);
    for (const bad of ['garbage', tamperSecret(admin.token)]) {
      const res = await rotateKey(target.id, undefined, bad);
      expect(res.status).toBe(401);
      expect((await errorBody(res)).error.code).toBe('invalid_api_key');
    }
    expect(await faxListStatus(target.token)).toBe(200);
  });

  it('a key without keys:manage cannot rotate itself (no token is leaked)', async () => {
    const key = await createKey(['fax:read', 'fax:send']);
    const res = await rotateKey(key.id, undefined, key.token);
    expect(res.status).toBe(403);
    const body = await errorBody(res);
    expect(body.error.code).toBe('insufficient_scope');
    expect(JSON.stringify(body)).not.toMatch(/fbk_/);
    expect(await faxListStatus(key.token)).toBe(200);
  });

  it('the old token used during the grace period cannot do more than before', async () => {
    const key = await createKey(['fax:read']);
    expect((await rotateKey(key.id, { grace_seconds: 60 })).status).toBe(200);
    const res = await api('/admin/api-keys', { key: key.token });
    expect(res.status).toBe(403);
    expect((await errorBody(res)).error.code).toBe('insufficient_scope');
  });

  it('a new token issued in a rotation made by the key itself still carries only its scopes', async () => {
    const admin = await createKey(['keys:manage']);
    const res = await rotateKey(admin.id, undefined, admin.token);
    expect(res.status).toBe(200);
    const { token } = await json(res);
    expect(await faxListStatus(admin.token)).toBe(401);
    expect((await api('/admin/api-keys?owner=x', { key: token })).status).toBe(200);
    expect((await api('/fax', { key: token })).status).toBe(403);
  });

  it('rotating does not extend an expiry: the new token dies with the key', async () => {
    const expiresAt = new Date(Date.now() + 2_500);
    const key = await createKey(['fax:read'], uniqueOwner('rot-exp'), { expires_at: expiresAt.toISOString() });
    const body = await json(await rotateKey(key.id));
    expect(body.expires_at).toBe(expiresAt.toISOString());
    expect(await faxListStatus(body.token)).toBe(200);
    const wait = expiresAt.getTime() - Date.now() + 500;
    if (wait > 0) await sleep(wait);
    const res = await api('/fax', { key: body.token });
    expect(res.status).toBe(401);
    expect((await errorBody(res)).error.code).toBe('invalid_api_key');
  });
});
