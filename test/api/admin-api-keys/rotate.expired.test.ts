import { describe, expect, it } from 'vitest';
import { api, createKey, json } from '../../support/api.ts';

describe('POST /admin/api-keys/:id/rotate on an expired key', () => {
  it('refuses with 409 key_expired instead of issuing a token that can never work', async () => {
    const key = await createKey(['fax:read'], undefined, { expires_at: new Date(Date.now() + 1500).toISOString() });
    await new Promise((r) => setTimeout(r, 2000));
    const res = await api(`/admin/api-keys/${key.id}/rotate`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe('key_expired');
  });
});
