// DELETE /admin/api-keys/:id — already revoked -> 409; unknown or malformed id -> 404.
import { describe, expect, it } from 'vitest';
import { createKey } from '../../support/api.ts';
import { auditEventsFor, errorBody, revokeKey } from './helpers.ts';

describe('DELETE /admin/api-keys/:id (errors)', () => {
  it('revoking twice -> 409 already_revoked, audited once', async () => {
    const key = await createKey(['fax:read']);
    expect((await revokeKey(key.id)).status).toBe(200);
    const res = await revokeKey(key.id);
    expect(res.status).toBe(409);
    expect((await errorBody(res)).error.code).toBe('already_revoked');
    expect((await auditEventsFor(key.id)).filter((e) => e.action === 'api_key.revoke')).toHaveLength(1);
  });

  it('unknown id -> 404 api_key_not_found', async () => {
    const res = await revokeKey('zzzzzzzzzzzzzzzz');
    expect(res.status).toBe(404);
    const body = await errorBody(res);
    expect(body.error.code).toBe('api_key_not_found');
  });

  it('malformed ids -> 404 api_key_not_found, never a 500', async () => {
    for (const id of ['short', 'ABCDEFGHIJKLMNOP', 'abcdefghijklmnopq', encodeURIComponent("' or 1=1 --"), '%00']) {
      const res = await revokeKey(id);
      expect(res.status, id).toBe(404);
      expect((await errorBody(res)).error.code).toBe('api_key_not_found');
    }
  });

  it('a full token instead of the id -> 404 (the id is the key id only)', async () => {
    const key = await createKey(['fax:read']);
    const res = await revokeKey(encodeURIComponent(key.token));
    expect(res.status).toBe(404);
    expect((await errorBody(res)).error.code).toBe('api_key_not_found');
  });
});
