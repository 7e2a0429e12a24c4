// POST /admin/api-keys — authentication and authorisation, expiry, tampered tokens.
import { describe, expect, it } from 'vitest';
import { api, createKey, faxForm, makePdf, uniqueOwner } from '../../support/api.ts';
import { createKeyRequest, errorBody, faxListStatus, listKeys, sleep, tamperSecret } from './helpers.ts';

const input = () => ({ name: 'sec', owner: uniqueOwner('sec'), scopes: ['keys:manage'] });

describe('POST /admin/api-keys (security)', () => {
  it('no key -> 401 missing_api_key', async () => {
    const res = await createKeyRequest(input(), null);
    expect(res.status).toBe(401);
    const body = await errorBody(res);
    expect(body.error.code).toBe('missing_api_key');
  });

  it('garbage key -> 401 invalid_api_key', async () => {
    for (const garbage of ['not-a-key', 'fbk_short_secret', `fbk_${'a'.repeat(16)}_${'b'.repeat(43)}`]) {
      const res = await createKeyRequest(input(), garbage);
      expect(res.status, garbage).toBe(401);
      expect((await errorBody(res)).error.code).toBe('invalid_api_key');
    }
  });

  it('a key without keys:manage gets 403 insufficient_scope and cannot mint an admin key', async () => {
    const reader = await createKey(['fax:read', 'fax:send', 'inbound:list', 'inbound:read', 'agents:manage']);
    const attempt = input();
    const res = await createKeyRequest(attempt, reader.token);
    expect(res.status).toBe(403);
    const body = await errorBody(res);
    expect(body.error.code).toBe('insufficient_scope');
    expect(body.error.details).toMatchObject({ required_scope: 'keys:manage' });
    expect(await listKeys(`?owner=${encodeURIComponent(attempt.owner)}&include_revoked=true`)).toEqual([]);
  });

  it('a fax:read-only key gets 403 insufficient_scope on /admin/* and on POST /fax', async () => {
    const reader = await createKey(['fax:read']);
    for (const [method, path] of [
      ['GET', '/admin/api-keys'],
      ['DELETE', `/admin/api-keys/${reader.id}`],
      ['POST', `/admin/api-keys/${reader.id}/rotate`],
    ] as const) {
      const res = await api(path, { method, key: reader.token });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await errorBody(res)).error.code).toBe('insufficient_scope');
    }
    const fax = await api('/fax', { method: 'POST', key: reader.token, body: faxForm({ to: '+15555550100', file: await makePdf() }) });
    expect(fax.status).toBe(403);
    const body = await errorBody(fax);
    expect(body.error.code).toBe('insufficient_scope');
    expect(body.error.details).toMatchObject({ required_scope: 'fax:send' });
    // It still authenticates for what it may do.
    expect(await faxListStatus(reader.token)).toBe(200);
  });

  it('an expired key -> 401 invalid_api_key', async () => {
    const expiresAt = new Date(Date.now() + 2_500);
    const key = await createKey(['fax:read'], uniqueOwner('expired'), { expires_at: expiresAt.toISOString() });
    expect(await faxListStatus(key.token)).toBe(200);
    const wait = expiresAt.getTime() - Date.now() + 500;
    if (wait > 0) await sleep(wait);
    const res = await api('/fax', { key: key.token });
    expect(res.status).toBe(401);
    expect((await errorBody(res)).error.code).toBe('invalid_api_key');
  });

  it('same key id with a different secret -> 401 invalid_api_key (and the real token still works)', async () => {
    const key = await createKey(['fax:read']);
    const forged = tamperSecret(key.token);
    expect(forged).not.toBe(key.token);
    expect(await faxListStatus(forged, 'bearer')).toBe(401);
    expect(await faxListStatus(forged, 'x-api-key')).toBe(401);
    const res = await api('/fax', { key: forged });
    expect((await errorBody(res)).error.code).toBe('invalid_api_key');
    expect(await faxListStatus(key.token)).toBe(200);
  });

  it('the key id alone, or the token with trailing junk, does not authenticate', async () => {
    const key = await createKey(['fax:read']);
    expect(await faxListStatus(key.id)).toBe(401);
    expect(await faxListStatus(`fbk_${key.id}_`)).toBe(401);
    expect(await faxListStatus(`${key.token}x`)).toBe(401);
    expect(await faxListStatus(key.token.slice(0, -1))).toBe(401);
  });

  it('a key in the query string is not accepted', async () => {
    const key = await createKey(['fax:read']);
    for (const param of ['api_key', 'key', 'token']) {
      const res = await api(`/fax?${param}=${encodeURIComponent(key.token)}`, { key: null });
      expect(res.status, param).toBe(401);
      expect((await errorBody(res)).error.code).toBe('missing_api_key');
    }
  });

  it('an invalid Authorization header is not rescued by a valid X-API-Key', async () => {
    const key = await createKey(['fax:read']);
    const res = await api('/fax', { key: null, headers: { authorization: 'Bearer nonsense', 'x-api-key': key.token } });
    expect(res.status).toBe(401);
    expect((await errorBody(res)).error.code).toBe('invalid_api_key');
  });

  it('a non-Bearer Authorization scheme is not accepted', async () => {
    const key = await createKey(['fax:read']);
    const res = await api('/fax', { key: null, headers: { authorization: `Basic ${key.token}` } });
    expect(res.status).toBe(401);
  });
});
