// POST /admin/api-keys — invalid input gets 400/415 with stable codes and nothing is created.
import { describe, expect, it } from 'vitest';
import { api, uniqueOwner } from '../../support/api.ts';
import { createKeyRequest, errorBody, listKeys } from './helpers.ts';

const valid = () => ({ name: 'a key', owner: uniqueOwner('err'), scopes: ['fax:read'] });

async function expectNoKeys(owner: string) {
  expect(await listKeys(`?owner=${encodeURIComponent(owner)}&include_revoked=true`)).toEqual([]);
}

function fields(body: { error: { details?: any } }): string[] {
  return (body.error.details?.problems ?? []).map((p: { field: string }) => p.field);
}

describe('POST /admin/api-keys (errors)', () => {
  it('missing owner -> 400 invalid_request naming the field', async () => {
    const { owner: _owner, ...input } = valid();
    const res = await createKeyRequest(input);
    expect(res.status).toBe(400);
    const body = await errorBody(res);
    expect(body.error.code).toBe('invalid_request');
    expect(fields(body)).toContain('owner');
  });

  it('missing name -> 400 invalid_request', async () => {
    const { name: _name, ...input } = valid();
    const res = await createKeyRequest(input);
    expect(res.status).toBe(400);
    const body = await errorBody(res);
    expect(body.error.code).toBe('invalid_request');
    expect(fields(body)).toContain('name');
    await expectNoKeys(input.owner);
  });

  it('unknown scope -> 400 invalid_request and no key', async () => {
    const input = { ...valid(), scopes: ['fax:read', 'fax:delete'] };
    const res = await createKeyRequest(input);
    expect(res.status).toBe(400);
    const body = await errorBody(res);
    expect(body.error.code).toBe('invalid_request');
    expect(fields(body)).toContain('scopes.1');
    await expectNoKeys(input.owner);
  });

  it('empty scopes -> 400 invalid_request', async () => {
    const input = { ...valid(), scopes: [] };
    const res = await createKeyRequest(input);
    expect(res.status).toBe(400);
    expect((await errorBody(res)).error.code).toBe('invalid_request');
    await expectNoKeys(input.owner);
  });

  it('scopes not an array -> 400 invalid_request', async () => {
    const res = await createKeyRequest({ ...valid(), scopes: 'fax:read' });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).error.code).toBe('invalid_request');
  });

  it('owner with disallowed characters or too long -> 400 invalid_request', async () => {
    for (const owner of ['<script>', 'a'.repeat(101), '   ', 'tab\there']) {
      const res = await createKeyRequest({ ...valid(), owner });
      expect(res.status, owner).toBe(400);
      const body = await errorBody(res);
      expect(body.error.code).toBe('invalid_request');
      expect(fields(body)).toContain('owner');
    }
  });

  it('expires_at in the past -> 400 invalid_request on expires_at, no key', async () => {
    const input = { ...valid(), expires_at: new Date(Date.now() - 60_000).toISOString() };
    const res = await createKeyRequest(input);
    expect(res.status).toBe(400);
    const body = await errorBody(res);
    expect(body.error.code).toBe('invalid_request');
    expect(fields(body)).toContain('expires_at');
    await expectNoKeys(input.owner);
  });

  it('expires_at that is not an ISO datetime -> 400 invalid_request', async () => {
    for (const expires_at of ['tomorrow', '2099-01-01', 1893456000]) {
      const res = await createKeyRequest({ ...valid(), expires_at });
      expect(res.status, String(expires_at)).toBe(400);
      const body = await errorBody(res);
      expect(body.error.code).toBe('invalid_request');
      expect(fields(body)).toContain('expires_at');
    }
  });

  it('malformed JSON -> 400 invalid_json', async () => {
    const res = await createKeyRequest('{"name": "x", "owner": ');
    expect(res.status).toBe(400);
    const body = await errorBody(res);
    expect(body.error.code).toBe('invalid_json');
    expect(body.error.request_id).toEqual(expect.any(String));
  });

  it('empty body -> 400 invalid_json', async () => {
    const res = await api('/admin/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).error.code).toBe('invalid_json');
  });

  it('JSON that is not an object -> 400 invalid_request', async () => {
    for (const raw of ['[]', 'null', '"key"', '42']) {
      const res = await createKeyRequest(raw);
      expect(res.status, raw).toBe(400);
      expect((await errorBody(res)).error.code).toBe('invalid_request');
    }
  });

  it('wrong content type -> 415 unsupported_media_type, no key', async () => {
    const input = valid();
    const res = await api('/admin/api-keys', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(input) });
    expect(res.status).toBe(415);
    expect((await errorBody(res)).error.code).toBe('unsupported_media_type');
    await expectNoKeys(input.owner);
  });

  it('form-encoded body -> 415 unsupported_media_type', async () => {
    const res = await api('/admin/api-keys', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=x&owner=y&scopes=fax:read',
    });
    expect(res.status).toBe(415);
    expect((await errorBody(res)).error.code).toBe('unsupported_media_type');
  });

  it('accepts a +json media type with a charset', async () => {
    const res = await api('/admin/api-keys', {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.faxbot+json; charset=utf-8' },
      body: JSON.stringify(valid()),
    });
    expect(res.status).toBe(201);
  });
});
