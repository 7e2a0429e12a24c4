// DELETE /admin/api-keys/:id — only keys:manage may revoke; revocation also ends any grace period.
import { describe, expect, it } from 'vitest';
import { createKey, json } from '../../support/api.ts';
import { errorBody, faxListStatus, revokeKey, rotateKey } from './helpers.ts';

describe('DELETE /admin/api-keys/:id (security)', () => {
  it('no key -> 401 missing_api_key and the target keeps working', async () => {
    const key = await createKey(['fax:read']);
    const res = await revokeKey(key.id, null);
    expect(res.status).toBe(401);
    expect((await errorBody(res)).error.code).toBe('missing_api_key');
    expect(await faxListStatus(key.token)).toBe(200);
  });

  it('garbage key -> 401 invalid_api_key', async () => {
    const key = await createKey(['fax:read']);
    const res = await revokeKey(key.id, 'fbk_garbage');
    expect(res.status).toBe(401);
    expect((await errorBody(res)).error.code).toBe('invalid_api_key');
    expect(await faxListStatus(key.token)).toBe(200);
  });

  it('a key without keys:manage cannot revoke, not even itself', async () => {
    const key = await createKey(['fax:read', 'fax:send']);
    const other = await createKey(['fax:read']);
    for (const id of [key.id, other.id]) {
      const res = await revokeKey(id, key.token);
      expect(res.status).toBe(403);
      expect((await errorBody(res)).error.code).toBe('insufficient_scope');
    }
    expect(await faxListStatus(key.token)).toBe(200);
    expect(await faxListStatus(other.token)).toBe(200);
  });

  it('revoking also invalidates the old token still inside a rotation grace period', async () => {
    const key = await createKey(['fax:read']);
    const rotated = await rotateKey(key.id, { grace_seconds: 600 });
    expect(rotated.status).toBe(200);
    const newToken = (await json(rotated)).token as string;
    expect(await faxListStatus(key.token)).toBe(200);
    expect((await revokeKey(key.id)).status).toBe(200);
    expect(await faxListStatus(key.token)).toBe(401);
    expect(await faxListStatus(newToken)).toBe(401);
  });

  it('an admin key that revokes itself loses access immediately', async () => {
    const admin = await createKey(['keys:manage']);
    expect((await revokeKey(admin.id, admin.token)).status).toBe(200);
    const victim = await createKey(['fax:read']);
    const res = await revokeKey(victim.id, admin.token);
    expect(res.status).toBe(401);
    expect((await errorBody(res)).error.code).toBe('invalid_api_key');
    expect(await faxListStatus(victim.token)).toBe(200);
  });
});
