// POST /admin/api-keys — happy paths: the key is issued, its token is shown once and works.
import { describe, expect, it } from 'vitest';
import { api, createKey, json, uniqueOwner } from '../../support/api.ts';
import { TOKEN_RE, auditEventsFor, createKeyRequest, faxListStatus, listKeys } from './helpers.ts';

describe('POST /admin/api-keys (happy)', () => {
  it('returns 201 with the key and a token in the documented format', async () => {
    const owner = uniqueOwner('create');
    const res = await createKeyRequest({ name: 'Front desk', owner, scopes: ['fax:send', 'fax:read'] });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await json(res);
    expect(body.token).toMatch(TOKEN_RE);
    const [, tokenId, secret] = TOKEN_RE.exec(body.token)!;
    expect(tokenId).toBe(body.id);
    expect(body.id).toMatch(/^[a-z0-9]{16}$/);
    expect(secret).toHaveLength(43);
    expect(body).toMatchObject({
      name: 'Front desk',
      owner,
      scopes: ['fax:send', 'fax:read'],
      prefix: `fbk_${body.id}_…`,
      created_by: 'bootstrap',
      expires_at: null,
      last_used_at: null,
      rotated_at: null,
      previous_secret_expires_at: null,
      revoked_at: null,
    });
    expect(Number.isNaN(Date.parse(body.created_at))).toBe(false);
    // Nothing secret-derived besides the token itself.
    expect(Object.keys(body).sort()).toEqual(
      ['backend', 'created_at', 'created_by', 'expires_at', 'id', 'last_used_at', 'name', 'owner', 'prefix', 'previous_secret_expires_at', 'revoked_at', 'rotated_at', 'scopes', 'site', 'token'].sort(),
    );
  });

  it('issues a token that authenticates via Authorization: Bearer', async () => {
    const key = await createKey(['fax:read']);
    expect(await faxListStatus(key.token, 'bearer')).toBe(200);
  });

  it('issues a token that authenticates via X-API-Key', async () => {
    const key = await createKey(['fax:read']);
    expect(await faxListStatus(key.token, 'x-api-key')).toBe(200);
  });

  it('accepts the Bearer scheme case-insensitively', async () => {
    const key = await createKey(['fax:read']);
    const res = await api('/fax', { key: null, headers: { authorization: `bearer ${key.token}` } });
    expect(res.status).toBe(200);
  });

  it('issues distinct ids and tokens for every key', async () => {
    const owner = uniqueOwner('distinct');
    const a = await createKey(['fax:read'], owner);
    const b = await createKey(['fax:read'], owner);
    expect(a.id).not.toBe(b.id);
    expect(a.token).not.toBe(b.token);
  });

  it('removes duplicate scopes and trims labels', async () => {
    const owner = uniqueOwner('dedupe');
    const res = await createKeyRequest({ name: '  padded name  ', owner: `  ${owner} `, scopes: ['fax:read', 'fax:read', 'fax:send'] });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.scopes).toEqual(['fax:read', 'fax:send']);
    expect(body.name).toBe('padded name');
    expect(body.owner).toBe(owner);
  });

  it('accepts a future expires_at (with or without an offset) and reports it normalised', async () => {
    const future = new Date(Date.now() + 3_600_000);
    future.setMilliseconds(0);
    const zulu = await createKeyRequest({ name: 'expiring', owner: uniqueOwner('exp'), scopes: ['fax:read'], expires_at: future.toISOString() });
    expect(zulu.status).toBe(201);
    const zuluBody = await json(zulu);
    expect(zuluBody.expires_at).toBe(future.toISOString());
    expect(await faxListStatus(zuluBody.token)).toBe(200);

    const withOffset = future.toISOString().replace('Z', '+00:00');
    const offset = await createKeyRequest({ name: 'expiring', owner: uniqueOwner('exp'), scopes: ['fax:read'], expires_at: withOffset });
    expect(offset.status).toBe(201);
    expect((await json(offset)).expires_at).toBe(future.toISOString());
  });

  it('a keys:manage key (not only the bootstrap key) can issue keys, recorded as created_by', async () => {
    const admin = await createKey(['keys:manage']);
    const res = await createKeyRequest({ name: 'delegated', owner: uniqueOwner('deleg'), scopes: ['fax:read'] }, admin.token);
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.created_by).toBe(admin.id);
    expect(await faxListStatus(body.token)).toBe(200);
  });

  it('the new key is listed under its owner', async () => {
    const key = await createKey(['inbound:list']);
    const rows = await listKeys(`?owner=${encodeURIComponent(key.owner)}`);
    expect(rows.map((r) => r.id)).toEqual([key.id]);
    expect(rows[0].scopes).toEqual(['inbound:list']);
  });

  it('writes an api_key.create audit event without the token', async () => {
    const owner = uniqueOwner('audit');
    const res = await createKeyRequest({ name: 'audited', owner, scopes: ['fax:read'] }, undefined);
    const body = await json(res);
    const events = await auditEventsFor(body.id);
    const created = events.filter((e) => e.action === 'api_key.create');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ resource_type: 'api_key', resource_id: body.id, actor_type: 'bootstrap', actor_id: 'bootstrap', outcome: 'success' });
    expect(created[0]!.details).toMatchObject({ owner, scopes: ['fax:read'] });
    const [, , secret] = TOKEN_RE.exec(body.token)!;
    const serialized = JSON.stringify(events);
    expect(serialized).not.toContain(body.token);
    expect(serialized).not.toContain(secret);
  });
});
