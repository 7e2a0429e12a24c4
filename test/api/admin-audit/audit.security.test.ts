// GET /admin/audit (security): the trail needs keys:manage; failed authentication and scope
// denials are themselves recorded (outcome `denied`); no token value ever appears in the trail.
import { describe, expect, it } from 'vitest';
import { api, createKey, json, makePdf, sendFax, workerUrl } from '../../support/api.ts';
import { tamperSecret } from '../admin-api-keys/helpers.ts';
import { auditAll, auditPage, auditRequest, errorOf, traceId, waitForAudit } from './helpers.ts';

const since = () => new Date(Date.now() - 60_000).toISOString();

describe('GET /admin/audit (security)', () => {
  it('401 without a key and with an invalid key', async () => {
    expect(await errorOf(await auditRequest({}, null))).toMatchObject({ status: 401, code: 'missing_api_key' });
    expect(await errorOf(await auditRequest({}, 'fbk_aaaaaaaaaaaaaaaa_' + 'A'.repeat(43)))).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it.each([[['fax:read']], [['fax:send', 'fax:read', 'inbound:list', 'inbound:read', 'agents:manage']]])(
    '403 insufficient_scope for a key with %j',
    async (scopes) => {
      const key = await createKey(scopes);
      const { status, code, body } = await errorOf(await auditRequest({}, key.token));
      expect({ status, code }).toEqual({ status: 403, code: 'insufficient_scope' });
      expect(body.error.details).toEqual({ required_scope: 'keys:manage' });
      expect(body.data).toBeUndefined();
    },
  );

  it('a revoked keys:manage key is refused', async () => {
    const admin = await createKey(['keys:manage']);
    expect((await auditRequest({ limit: 1 }, admin.token)).status).toBe(200);
    expect((await api(`/admin/api-keys/${admin.id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await errorOf(await auditRequest({}, admin.token))).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('a keys:manage key reads the trail (it is an administrator)', async () => {
    const admin = await createKey(['keys:manage']);
    const page = await auditPage({ limit: 5 }, admin.token);
    expect(Array.isArray(page.data)).toBe(true);
  });

  it('records failed authentication as auth.failure / denied, without the presented token', async () => {
    const victim = await createKey(['fax:read']);
    const wrong = tamperSecret(victim.token);
    const requestId = traceId('authfail');
    const res = await api('/fax', { key: wrong, headers: { 'x-request-id': requestId } });
    expect(res.status).toBe(401);
    await res.arrayBuffer();

    const event = await waitForAudit({ action: 'auth.failure', outcome: 'denied', since: since() }, (e) => e.request_id === requestId);
    expect(event).toMatchObject({
      action: 'auth.failure',
      outcome: 'denied',
      actor_type: 'anonymous',
      actor_id: null,
      details: { reason: 'invalid_api_key', path: '/fax' },
    });
    const { text } = await auditAll({ action: 'auth.failure', since: since() });
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(wrong.slice(-43));
    expect(text).not.toContain(victim.token);
  });

  it('records a scope denial as auth.scope_denied / denied with the key as actor', async () => {
    const key = await createKey(['fax:read']);
    const requestId = traceId('scope');
    const res = await api('/admin/audit', { key: key.token, headers: { 'x-request-id': requestId } });
    expect(res.status).toBe(403);
    await res.arrayBuffer();
    const event = await waitForAudit({ action: 'auth.scope_denied', actor_id: key.id });
    expect(event).toMatchObject({
      actor_type: 'api_key',
      actor_id: key.id,
      outcome: 'denied',
      request_id: requestId,
      details: { required_scope: 'keys:manage', path: '/admin/audit' },
    });
    // The outcome filter finds it too.
    const denied = await auditAll({ actor_id: key.id, outcome: 'denied' });
    expect(denied.data.map((e) => e.id)).toContain(event.id);
    expect(denied.text).not.toContain(key.token);
  });

  it('records a scope denial on sending (fax:read key posting a fax)', async () => {
    const key = await createKey(['fax:read']);
    const res = await sendFax(key.token, { to: '+15555550125', file: await makePdf(1) });
    expect(res.status).toBe(403);
    await res.arrayBuffer();
    const event = await waitForAudit({ action: 'auth.scope_denied', actor_id: key.id });
    expect(event.details).toEqual({ required_scope: 'fax:send', path: '/fax' });
  });

  it('no token value ever appears in the trail: create, use, rotate, fail, revoke', async () => {
    const admin = await createKey(['keys:manage']);
    const created = await json(
      await api('/admin/api-keys', {
        method: 'POST',
        key: admin.token,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'leak-check', owner: admin.owner, scopes: ['fax:send', 'fax:read'] }),
      }),
    );
    const job = await json(await sendFax(created.token, { to: '+15555550126', file: await makePdf(1) }));
    const pdf = await fetch(job.pdf_url.replace(/^https?:\/\/[^/]+/, workerUrl()));
    expect(pdf.status).toBe(200);
    await pdf.arrayBuffer();
    const rotated = await json(await api(`/admin/api-keys/${created.id}/rotate`, { method: 'POST', key: admin.token }));
    const stale = await api('/fax', { key: created.token }); // old token, now invalid
    expect(stale.status).toBe(401);
    await stale.arrayBuffer();
    expect((await api(`/admin/api-keys/${created.id}`, { method: 'DELETE', key: admin.token })).status).toBe(200);

    const signedToken = new URL(job.pdf_url).searchParams.get('token')!;
    const texts = [
      (await auditAll({ actor_id: admin.id })).text,
      (await auditAll({ actor_id: created.id })).text,
      (await auditAll({ resource_id: created.id })).text,
      (await auditAll({ resource_id: job.id })).text,
      (await auditAll({ action: 'auth.failure', since: since() })).text,
    ].join('\n');
    expect(texts).toContain(created.id); // sanity: the queries found the events
    for (const secret of [admin.token, created.token, rotated.token, signedToken]) {
      expect(secret.length).toBeGreaterThan(20);
      expect(texts).not.toContain(secret);
    }
    for (const t of [admin.token, created.token, rotated.token]) expect(texts).not.toContain(t.slice(-43));
    expect(texts).not.toContain('5555550126');
  });
});
