// GET /admin/api-keys — odd query strings and unknown sub-routes get stable answers, never a 500.
import { describe, expect, it } from 'vitest';
import { api, createKey, uniqueOwner } from '../../support/api.ts';
import { errorBody, listKeys, revokeKey } from './helpers.ts';

describe('GET /admin/api-keys (errors)', () => {
  it('include_revoked other than "true" is treated as false', async () => {
    const owner = uniqueOwner('flag');
    const key = await createKey(['fax:read'], owner);
    expect((await revokeKey(key.id)).status).toBe(200);
    for (const value of ['1', 'yes', 'TRUE', '']) {
      expect(await listKeys(`?owner=${encodeURIComponent(owner)}&include_revoked=${value}`), value).toEqual([]);
    }
  });

  it('an empty owner filter is ignored rather than matching nothing', async () => {
    const key = await createKey(['fax:read']);
    expect((await listKeys('?owner=')).map((r) => r.id)).toContain(key.id);
  });

  it('owner values with SQL metacharacters match literally', async () => {
    const key = await createKey(['fax:read']);
    expect(await listKeys(`?owner=${encodeURIComponent("' or '1'='1")}`)).toEqual([]);
    expect(await listKeys(`?owner=${encodeURIComponent('%')}`)).toEqual([]);
    expect((await listKeys(`?owner=${encodeURIComponent(key.owner)}`)).map((r) => r.id)).toEqual([key.id]);
  });

  it('GET /admin/api-keys/:id is not a route (only DELETE is) -> 405 with Allow', async () => {
    const key = await createKey(['fax:read']);
    const res = await api(`/admin/api-keys/${key.id}`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('DELETE');
    expect((await errorBody(res)).error.code).toBe('method_not_allowed');
  });

  it('unsupported methods on the collection -> 405 with Allow', async () => {
    for (const method of ['PUT', 'PATCH']) {
      const res = await api('/admin/api-keys', { method, headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);
      expect((await errorBody(res)).error.code).toBe('method_not_allowed');
    }
  });
});
