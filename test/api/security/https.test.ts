// ENFORCE_PUBLIC_HTTPS=true (here with ENVIRONMENT=test): plain-http requests are refused with
// 403 `https_required` before authentication, unless the URL is https: or X-Forwarded-Proto's first
// entry is https. The test worker listens on plain http, so the header decides.
//
// Behaviour of the health routes (worker/middleware/config-gate.ts): only GET /health (liveness) is
// exempt, so uptime probes keep working over http; /health/ready is NOT exempt and answers 403
// over plain http like every API route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../../support/api.ts';
import { TEST_SECRETS, type CustomWorker } from '../../support/custom-worker.ts';
import { expectSecurityHeaders } from './expect-headers.ts';
import { startWorker } from './start-worker.ts';

let worker: CustomWorker;

beforeAll(async () => {
  worker = await startWorker({ ENVIRONMENT: 'test', ENFORCE_PUBLIC_HTTPS: 'true' });
});

afterAll(async () => {
  await worker?.stop();
});

const admin = { authorization: `Bearer ${TEST_SECRETS.API_KEY}` };
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${worker.url}${path}`, { headers });

describe('ENFORCE_PUBLIC_HTTPS=true', () => {
  it('the worker really is reached over plain http', () => {
    expect(new URL(worker.url).protocol).toBe('http:');
  });

  it('refuses plain http to /fax with a valid admin key: 403 https_required', async () => {
    const res = await get('/fax', admin);
    expect(res.status).toBe(403);
    const body = await json(res);
    expect(body.error.code).toBe('https_required');
    expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
    expectSecurityHeaders(res);
  });

  it('refuses before authentication: no key and a bogus key get 403 too, not 401', async () => {
    const variants: Record<string, string>[] = [{}, { authorization: 'Bearer fbk_aaaaaaaaaaaaaaaa_' + 'A'.repeat(43) }];
    for (const headers of variants) {
      const res = await get('/fax', headers);
      expect(res.status).toBe(403);
      expect((await json(res)).error.code).toBe('https_required');
    }
  });

  it('refuses plain-http POSTs (the body with the document is never read)', async () => {
    const form = new FormData();
    form.set('to', '+15555550100');
    form.set('file', new Blob(['hello']), 'a.txt');
    const res = await fetch(`${worker.url}/fax`, { method: 'POST', headers: admin, body: form });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('https_required');
  });

  it.each([
    ['https', 200],
    ['HTTPS', 200],
    ['https, http', 200],
    ['http', 403],
    ['http, https', 403],
    ['ftp', 403],
  ])('X-Forwarded-Proto: %s -> %i', async (proto, status) => {
    const res = await get('/fax', { ...admin, 'x-forwarded-proto': proto });
    expect(res.status).toBe(status);
    const body = await json(res);
    if (status === 200) expect(Array.isArray(body.data)).toBe(true);
    else expect(body.error.code).toBe('https_required');
  });

  it('with X-Forwarded-Proto: https the request is still authenticated normally', async () => {
    const res = await get('/fax', { 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe('missing_api_key');
  });

  it('GET /health (liveness) stays 200 over plain http', async () => {
    const res = await get('/health');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'ok' });
    expectSecurityHeaders(res);
  });

  it('GET /health/ready is not exempt: 403 over plain http, 200 with X-Forwarded-Proto: https', async () => {
    const plain = await get('/health/ready');
    expect(plain.status).toBe(403);
    expect((await json(plain)).error.code).toBe('https_required');
    const forwarded = await get('/health/ready', { 'x-forwarded-proto': 'https' });
    expect(forwarded.status).toBe(200);
    expect((await json(forwarded)).status).toBe('ready');
  });

  it('the sanitised config reports enforce_https', async () => {
    const res = await get('/admin/config', { ...admin, 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(200);
    expect((await json(res)).security.enforce_https).toBe(true);
  });
});
