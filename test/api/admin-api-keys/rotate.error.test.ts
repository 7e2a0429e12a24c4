// POST /admin/api-keys/:id/rotate — revoked -> 409, unknown -> 404, bad body -> 400/415.
import { describe, expect, it } from 'vitest';
import { api, createKey } from '../../support/api.ts';
import { errorBody, faxListStatus, revokeKey, rotateKey } from './helpers.ts';

describe('POST /admin/api-keys/:id/rotate (errors)', () => {
  it('a revoked key cannot be rotated -> 409 already_revoked, and stays dead', async () => {
    const key = await createKey(['fax:read']);
    expect((await revokeKey(key.id)).status).toBe(200);
    const res = await rotateKey(key.id, { grace_seconds: 60 });
    expect(res.status).toBe(409);
    const body = await errorBody(res);
    expect(body.error.code).toBe('already_revoked');
    expect(JSON.stringify(body)).not.toMatch(/fbk_/);
    expect(await faxListStatus(key.token)).toBe(401);
  });

  it('unknown id -> 404 api_key_not_found', async () => {
    const res = await rotateKey('0000000000000000');
    expect(res.status).toBe(404);
    expect((await errorBody(res)).error.code).toBe('api_key_not_found');
  });

  it('malformed id -> 404 api_key_not_found', async () => {
    const res = await rotateKey('NOT-AN-ID');
    expect(res.status).toBe(404);
    expect((await errorBody(res)).error.code).toBe('api_key_not_found');
  });

  it('invalid grace_seconds -> 400 invalid_request and the key is not rotated', async () => {
    const key = await createKey(['fax:read']);
    for (const grace_seconds of [-1, 1.5, '60', 7 * 24 * 3600 + 1, null]) {
      const res = await rotateKey(key.id, { grace_seconds });
      expect(res.status, String(grace_seconds)).toBe(400);
      const body = await errorBody(res);
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.details.problems.map((p: any) => p.field)).toContain('grace_seconds');
    }
    expect(await faxListStatus(key.token)).toBe(200);
  });

  it('accepts the maximum grace of 7 days', async () => {
    const key = await createKey(['fax:read']);
    const res = await rotateKey(key.id, { grace_seconds: 7 * 24 * 3600 });
    expect(res.status).toBe(200);
    expect(await faxListStatus(key.token)).toBe(200);
  });

  it('malformed JSON -> 400 invalid_json and the key is not rotated', async () => {
    const key = await createKey(['fax:read']);
    const res = await rotateKey(key.id, '{"grace_seconds": ');
    expect(res.status).toBe(400);
    expect((await errorBody(res)).error.code).toBe('invalid_json');
    expect(await faxListStatus(key.token)).toBe(200);
  });

  it('wrong content type -> 415 unsupported_media_type and the key is not rotated', async () => {
    const key = await createKey(['fax:read']);
    const res = await api(`/admin/api-keys/${key.id}/rotate`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ grace_seconds: 60 }),
    });
    expect(res.status).toBe(415);
    expect((await errorBody(res)).error.code).toBe('unsupported_media_type');
    expect(await faxListStatus(key.token)).toBe(200);
  });
});
