// Provider settings as the API shows them: keys routed to a provider (and refused for an unknown
// backend), readiness per provider, and the Sinch source allow-list (its own worker).
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { api, faxForm, json, makePdf, uniqueOwner } from '../../support/api.ts';
import { eventually, freshNumber, providers } from '../../support/provider-control.ts';
import type { CustomWorker } from '../../support/custom-worker.ts';
import { startWorker } from '../security/start-worker.ts';

const createKey = (body: Record<string, unknown>) =>
  api('/admin/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'routed', owner: uniqueOwner('routing'), scopes: ['fax:send'], ...body }) });

describe('routing per key', () => {
  it('records the backend a key names, and audits it', async () => {
    const res = await createKey({ backend: 'sinch' });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ backend: 'sinch' });
  });

  it('refuses an unknown backend with 400 invalid_request', async () => {
    const res = await createKey({ backend: 'fax-o-matic' });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('invalid_request');
  });

  it('a key without a backend uses FAX_BACKEND (backend null)', async () => {
    expect(await json(await createKey({}))).toMatchObject({ backend: null });
  });
});

describe('GET /health/ready', () => {
  it('reports each configured provider', async () => {
    const body = await json(await api('/health/ready', { key: null }));
    expect(body.checks['provider:phaxio']).toEqual({ ok: true });
    expect(body.checks['provider:sinch']).toEqual({ ok: true });
  });
});

describe('a deployment with a Sinch source allow-list and an unconfigured Phaxio key backend', () => {
  let worker: CustomWorker;
  beforeAll(async () => {
    worker = await startWorker({ ...providers().vars, PUBLIC_API_URL: inject('workerUrl'), SINCH_CALLBACK_ALLOWED_IPS: '203.0.113.0/24', PHAXIO_API_KEY: undefined });
  }, 120_000);
  afterAll(() => worker?.stop());

  it('refuses Sinch callbacks from other addresses with 403, before looking at credentials', async () => {
    const auth = `Basic ${Buffer.from(`${providers().sinch.callbackUsername}:${providers().sinch.callbackPassword}`).toString('base64')}`;
    const res = await fetch(`${worker.url}/callbacks/sinch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json', 'cf-connecting-ip': '198.51.100.9' }, body: '{}' });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('source_not_allowed');
  });

  it('refuses a key routed to a provider it has no credentials for', async () => {
    const res = await fetch(`${worker.url}/admin/api-keys`, {
      method: 'POST',
      headers: { authorization: 'Bearer custom-worker-admin-key-0123456789abcdef', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', owner: 'o', scopes: ['fax:send'], backend: 'phaxio' }),
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('backend_not_configured');
  });
});

describe('SIP first, Phaxio as the fallback', () => {
  let worker: CustomWorker;
  const admin = { authorization: 'Bearer custom-worker-admin-key-0123456789abcdef' };
  beforeAll(async () => {
    // Callbacks reach the suite's worker: it shares the database, so either worker applies them.
    worker = await startWorker({ ...providers().vars, PUBLIC_API_URL: inject('workerUrl'), FAX_BACKEND: 'sip', FAX_FALLBACK_BACKEND: 'phaxio', FAX_FALLBACK_AFTER_MINUTES: '0' });
  }, 120_000);
  afterAll(() => worker?.stop());

  it('sends a SIP job through Phaxio when no agent of its site is online, and the attempt says so', async () => {
    const form = faxForm({ to: freshNumber(), file: await makePdf(1), filename: 'a.pdf' });
    // A site no agent serves, so agents other tests left connected do not count.
    form.set('site', `nowhere-${process.pid}-${Date.now()}`);
    const res = await fetch(`${worker.url}/fax`, { method: 'POST', headers: admin, body: form });
    expect(res.status).toBe(202);
    const job = await json(res);
    expect(job.backend).toBe('sip');
    const done = await eventually(async () => {
      const j = await json(await fetch(`${worker.url}/fax/${job.id}`, { headers: admin }));
      return j.status === 'success' ? j : null;
    }, 80_000, 'fallback delivery');
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({ backend: 'phaxio', result: 'success' });
  }, 100_000);
});
