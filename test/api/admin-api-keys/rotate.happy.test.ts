// POST /admin/api-keys/:id/rotate — new secret for the same id; optional grace for the old one.
import { describe, expect, it } from 'vitest';
import { createKey, json } from '../../support/api.ts';
import { TOKEN_RE, auditEventsFor, faxListStatus, listKeys, rotateKey } from './helpers.ts';

describe('POST /admin/api-keys/:id/rotate (happy)', () => {
  it('returns the same key with a new token; the old token fails at once (no body = grace 0)', async () => {
    const key = await createKey(['fax:read']);
    const res = await rotateKey(key.id);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.id).toBe(key.id);
    expect(body.token).toMatch(TOKEN_RE);
    expect(TOKEN_RE.exec(body.token)![1]).toBe(key.id);
    expect(body.token).not.toBe(key.token);
    expect(body).toMatchObject({ owner: key.owner, scopes: ['fax:read'], revoked_at: null, previous_secret_expires_at: null });
    expect(Number.isNaN(Date.parse(body.rotated_at))).toBe(false);

    expect(await faxListStatus(body.token, 'bearer')).toBe(200);
    expect(await faxListStatus(body.token, 'x-api-key')).toBe(200);
    expect(await faxListStatus(key.token)).toBe(401);
  });

  it('explicit {"grace_seconds": 0} also invalidates the old token at once', async () => {
    const key = await createKey(['fax:read']);
    const res = await rotateKey(key.id, { grace_seconds: 0 });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(await faxListStatus(body.token)).toBe(200);
    expect(await faxListStatus(key.token)).toBe(401);
  });

  it('with {"grace_seconds": 60} both the old and the new token work', async () => {
    const key = await createKey(['fax:read']);
    const res = await rotateKey(key.id, { grace_seconds: 60 });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(await faxListStatus(body.token)).toBe(200);
    expect(await faxListStatus(key.token)).toBe(200);
    expect(await faxListStatus(key.token, 'x-api-key')).toBe(200);
    const graceEnds = Date.parse(body.previous_secret_expires_at) - Date.parse(body.rotated_at);
    expect(graceEnds).toBe(60_000);
  });

  it('a second rotation replaces the grace secret: only the latest previous token survives', async () => {
    const key = await createKey(['fax:read']);
    const second = (await json(await rotateKey(key.id, { grace_seconds: 60 }))).token as string;
    const third = (await json(await rotateKey(key.id, { grace_seconds: 60 }))).token as string;
    expect(await faxListStatus(third)).toBe(200);
    expect(await faxListStatus(second)).toBe(200);
    expect(await faxListStatus(key.token)).toBe(401);
  });

  it('keeps scopes and owner, and the listing shows the rotation but not the token', async () => {
    const key = await createKey(['fax:read', 'inbound:list']);
    const body = await json(await rotateKey(key.id));
    const [row] = await listKeys(`?owner=${encodeURIComponent(key.owner)}`);
    expect(row).toMatchObject({ id: key.id, scopes: ['fax:read', 'inbound:list'], rotated_at: body.rotated_at });
    expect(JSON.stringify(row)).not.toContain(body.token);
  });

  it('writes an api_key.rotate audit event with grace_seconds and without any token', async () => {
    const key = await createKey(['fax:read']);
    const body = await json(await rotateKey(key.id, { grace_seconds: 60 }));
    const events = await auditEventsFor(key.id);
    const rotated = events.filter((e) => e.action === 'api_key.rotate');
    expect(rotated).toHaveLength(1);
    expect(rotated[0]).toMatchObject({ resource_type: 'api_key', resource_id: key.id, actor_id: 'bootstrap', outcome: 'success', details: { grace_seconds: 60 } });
    const serialized = JSON.stringify(events);
    for (const token of [key.token, body.token]) {
      expect(serialized).not.toContain(token);
      expect(serialized).not.toContain(TOKEN_RE.exec(token)![2]);
    }
  });
});
