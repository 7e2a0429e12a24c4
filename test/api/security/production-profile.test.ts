// ENVIRONMENT=production with unsafe settings (a bootstrap API_KEY=changeme, plus the test stack's
// http S3 endpoint, DATABASE_WS_PROXY and no PUBLIC_API_URL): the worker stays alive on /health but
// refuses everything else with 503 `config_invalid`, naming the variables and never their values.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { json } from '../../support/api.ts';
import { TEST_SECRETS, type CustomWorker } from '../../support/custom-worker.ts';
import { expectSecurityHeaders } from './expect-headers.ts';
import { startWorker } from './start-worker.ts';

let worker: CustomWorker;

beforeAll(async () => {
  worker = await startWorker({ ENVIRONMENT: 'production', API_KEY: 'changeme' });
});

afterAll(async () => {
  await worker?.stop();
});

/** Values that must never be echoed: the weak key, the other secrets and connection strings. */
function secretValues(): string[] {
  const stack = inject('stackVars');
  return [
    'changeme',
    TEST_SECRETS.PDF_TOKEN_SECRET,
    stack.S3_SECRET_ACCESS_KEY!,
    stack.S3_ACCESS_KEY_ID!,
    stack.DATABASE_URL!,
    stack.DATABASE_WS_PROXY,
    stack.S3_ENDPOINT!,
  ].filter((v): v is string => typeof v === 'string' && v.length > 0);
}

const withKey = { authorization: 'Bearer changeme' };

describe('production profile with an unsafe configuration', () => {
  it('keeps GET /health at 200 (liveness), with the security headers', async () => {
    const res = await fetch(`${worker.url}/health`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'ok' });
    expectSecurityHeaders(res);
  });

  it('fails GET /health/ready on its config check, naming the variables, and probes nothing else', async () => {
    // Production enforces HTTPS on /health/ready too; a TLS-terminating proxy says so.
    const res = await fetch(`${worker.url}/health/ready`, { headers: { 'x-forwarded-proto': 'https' } });
    const text = await res.text();
    expect(res.status).toBe(503);
    const body = JSON.parse(text);
    expect(body.error.code).toBe('not_ready');
    expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
    expect(Object.keys(body.checks)).toEqual(['config']);
    expect(body.checks.config.ok).toBe(false);
    for (const name of ['API_KEY', 'PUBLIC_API_URL', 'DATABASE_WS_PROXY', 'S3_ENDPOINT']) expect(body.checks.config.error).toContain(name);
    for (const secret of secretValues()) expect(text, 'a secret value leaked').not.toContain(secret);
    expect(text.toLowerCase()).not.toContain('changeme');
    expectSecurityHeaders(res);
  });

  it.each([
    ['GET', '/fax', {}],
    ['GET', '/fax', withKey],
    ['POST', '/fax', withKey],
    ['GET', '/admin/config', withKey],
    ['GET', '/admin/audit', withKey],
    ['POST', '/admin/api-keys', withKey],
    ['GET', '/no-such-route', {}],
  ] as const)('%s %s -> 503 config_invalid (even with the bootstrap key)', async (method, path, headers) => {
    const res = await fetch(`${worker.url}${path}`, {
      method,
      headers: { ...headers, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    const text = await res.text();
    expect(res.status).toBe(503);
    const body = JSON.parse(text);
    expect(body.error.code).toBe('config_invalid');
    expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
    const problems: string[] = body.error.details.problems;
    expect(Array.isArray(problems)).toBe(true);
    expect(problems.some((p) => p.startsWith('API_KEY:'))).toBe(true);
    // Both the bootstrap key itself and its weak value are reported.
    expect(problems.filter((p) => p.startsWith('API_KEY:')).length).toBeGreaterThanOrEqual(2);
    for (const name of ['PUBLIC_API_URL', 'DATABASE_WS_PROXY', 'S3_ENDPOINT']) {
      expect(problems.some((p) => p.startsWith(`${name}:`)), name).toBe(true);
    }
    for (const secret of secretValues()) expect(text, 'a secret value leaked').not.toContain(secret);
    expect(text.toLowerCase()).not.toContain('changeme');
    expectSecurityHeaders(res);
  });

  it('does not even authenticate: a wrong key gets 503, not 401', async () => {
    const res = await fetch(`${worker.url}/fax`, { headers: { authorization: 'Bearer fbk_aaaaaaaaaaaaaaaa_' + 'A'.repeat(43) } });
    expect(res.status).toBe(503);
    expect((await json(res)).error.code).toBe('config_invalid');
  });

  it('never writes a secret value into its logs either', async () => {
    const res = await fetch(`${worker.url}/fax`, { headers: withKey });
    await res.arrayBuffer();
    const logs = worker.output.join('\n');
    for (const secret of [TEST_SECRETS.PDF_TOKEN_SECRET, inject('stackVars').S3_SECRET_ACCESS_KEY!]) expect(logs).not.toContain(secret);
    expect(logs).not.toContain('changeme');
  });
});
