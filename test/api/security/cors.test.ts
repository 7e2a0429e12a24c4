// CORS only for the exact origins in CORS_ORIGINS: none at all by default, the configured origin
// echoed back (never `*`), nothing for any other origin, and `*` refused as a configuration error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, json } from '../../support/api.ts';
import { TEST_SECRETS, type CustomWorker } from '../../support/custom-worker.ts';
import { startWorker } from './start-worker.ts';
import { expectSecurityHeaders } from './expect-headers.ts';

const EHR = 'https://ehr.example.org';
const PORTAL = 'https://portal.example.org';
const EVIL = 'https://evil.example';

let allowList: CustomWorker;
let wildcard: CustomWorker;

beforeAll(async () => {
  // Started one after the other: two wrangler dev processes starting at once can collide.
  // The trailing slash and the spaces are normalised away by config.ts.
  allowList = await startWorker({ CORS_ORIGINS: `${EHR}, ${PORTAL}/` });
  wildcard = await startWorker({ CORS_ORIGINS: '*' });
});

afterAll(async () => {
  await Promise.all([allowList?.stop(), wildcard?.stop()]);
});

const preflight = (base: string, origin: string, path = '/fax', method = 'POST') =>
  fetch(`${base}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, idempotency-key, content-type' },
  });

const adminGet = (base: string, origin: string, path = '/fax') =>
  fetch(`${base}${path}`, { headers: { origin, authorization: `Bearer ${TEST_SECRETS.API_KEY}` } });

function expectNoCors(res: Response) {
  expect(res.headers.get('access-control-allow-origin')).toBeNull();
  expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  expect(res.headers.get('access-control-allow-headers')).toBeNull();
  expect(res.headers.get('access-control-allow-methods')).toBeNull();
  expect(res.headers.get('access-control-expose-headers')).toBeNull();
}

describe('CORS without CORS_ORIGINS (main worker)', () => {
  it('sends no CORS headers to a foreign origin on a normal request', async () => {
    for (const path of ['/health', '/fax']) {
      const res = await api(path, { headers: { origin: EVIL } });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      expectNoCors(res);
    }
  });

  it('does not answer preflights: OPTIONS goes through authentication like any request', async () => {
    const res = await api('/fax', {
      method: 'OPTIONS',
      key: null,
      headers: { origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(res.status).toBe(401);
    await res.arrayBuffer();
    expectNoCors(res);
    expectSecurityHeaders(res);
  });
});

describe('CORS with CORS_ORIGINS allow-list', () => {
  it('answers a preflight from an allowed origin with that exact origin and the needed headers', async () => {
    for (const origin of [EHR, PORTAL]) {
      const res = await preflight(allowList.url, origin);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      const allowHeaders = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(',').map((s) => s.trim());
      expect(allowHeaders).toEqual(expect.arrayContaining(['authorization', 'idempotency-key', 'content-type']));
      const allowMethods = (res.headers.get('access-control-allow-methods') ?? '').split(',').map((s) => s.trim());
      expect(allowMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'DELETE']));
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(res.headers.get('vary') ?? '').toMatch(/origin/i);
      expectSecurityHeaders(res);
    }
  });

  it('never answers with a wildcard origin', async () => {
    for (const origin of [EHR, EVIL, 'null', '']) {
      const res = await preflight(allowList.url, origin);
      expect(res.headers.get('access-control-allow-origin')).not.toBe('*');
    }
  });

  it('echoes the origin on actual requests and exposes the rate-limit and request-id headers', async () => {
    const res = await adminGet(allowList.url, EHR);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(EHR);
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(',').map((s) => s.trim());
    expect(exposed).toEqual(expect.arrayContaining(['x-request-id', 'retry-after', 'ratelimit-remaining']));
    expect(res.headers.get('vary') ?? '').toMatch(/origin/i);
    expectSecurityHeaders(res);
  });

  it.each([
    ['a foreign origin', EVIL],
    ['a suffix trick', `${EHR}.evil.example`],
    ['a prefix trick', 'https://evil-ehr.example.org'],
    ['the allowed host over http', 'http://ehr.example.org'],
    ['the allowed host on another port', `${EHR}:8443`],
    ['a subdomain', 'https://www.ehr.example.org'],
    ['the literal null origin', 'null'],
  ])('gives %s no Access-Control-Allow-Origin', async (_label, origin) => {
    const pre = await preflight(allowList.url, origin);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await adminGet(allowList.url, origin);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    await res.arrayBuffer();
  });

  it('a preflight grants nothing by itself: the actual request still needs a key', async () => {
    const res = await fetch(`${allowList.url}/fax`, { headers: { origin: EHR } });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe('missing_api_key');
    expect(res.headers.get('access-control-allow-origin')).toBe(EHR);
  });
});

describe('CORS_ORIGINS=* is a configuration error', () => {
  it('answers 503 config_invalid naming CORS_ORIGINS, with no CORS headers', async () => {
    const res = await adminGet(wildcard.url, EVIL);
    expect(res.status).toBe(503);
    const body = await json(res);
    expect(body.error.code).toBe('config_invalid');
    expect(body.error.details.problems.some((p: string) => p.startsWith('CORS_ORIGINS'))).toBe(true);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expectSecurityHeaders(res);
  });

  it('does not answer preflights with a wildcard either', async () => {
    const res = await preflight(wildcard.url, EVIL);
    expect(res.status).toBe(503);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    await res.arrayBuffer();
  });

  it('keeps liveness up so the operator can see the worker runs', async () => {
    expect((await fetch(`${wildcard.url}/health`)).status).toBe(200);
  });
});
