// Per-key rate limits and the per-IP limit on failed authentication, on a worker with tiny limits:
// MAX_REQUESTS_PER_MINUTE=5, SEND_RPM=2, AUTH_FAILURES_PER_MINUTE=3 over a 2-second window.
// Keys are created through the main worker (same database), so the custom worker's bootstrap key
// is not used up by the setup.
//
// Client IP: the auth-failure bucket is keyed on CF-Connecting-IP. Cloudflare's edge sets that
// header itself; wrangler dev sets it to 127.0.0.1 but passes a client-supplied one through.
// Each test therefore sends its own documentation-range IP, which keeps the tests independent
// (of each other and of everything else calling from 127.0.0.1) and shows the block is per address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createKey, faxForm, json } from '../../support/api.ts';
import { tamperSecret } from '../admin-api-keys/helpers.ts';
import type { CustomWorker } from '../../support/custom-worker.ts';
import { expectSecurityHeaders } from './expect-headers.ts';
import { startWorker } from './start-worker.ts';

const WINDOW_SECONDS = 2;
let worker: CustomWorker;

beforeAll(async () => {
  worker = await startWorker({
    MAX_REQUESTS_PER_MINUTE: '5',
    SEND_RPM: '2',
    RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
    AUTH_FAILURES_PER_MINUTE: '3',
  });
});

afterAll(async () => {
  await worker?.stop();
});

let ipCounter = 0;
/** A fresh client address per test (TEST-NET-3 range plus the pid, so parallel runs never share). */
const freshIp = () => `203.0.${process.pid % 250}.${(ipCounter++ % 250) + 1}`;

function get(path: string, token: string | null, ip = freshIp()): Promise<Response> {
  const headers: Record<string, string> = { 'cf-connecting-ip': ip };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${worker.url}${path}`, { headers });
}

function sendFax(token: string): Promise<Response> {
  return fetch(`${worker.url}/fax`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'cf-connecting-ip': freshIp() },
    body: faxForm({ to: '+15555550100', file: new TextEncoder().encode('rate limit test') }),
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const int = (res: Response, name: string) => Number(res.headers.get(name));

async function expect429(res: Response, code: string, limit: number) {
  expect(res.status).toBe(429);
  const body = await json(res);
  expect(body.error.code).toBe(code);
  const retryAfter = res.headers.get('retry-after');
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(WINDOW_SECONDS);
  expect(body.error.details.retry_after_seconds).toBe(Number(retryAfter));
  expect(res.headers.get('ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('ratelimit-remaining')).toBe('0');
  expect(res.headers.get('ratelimit-reset')).toMatch(/^\d+$/);
  expectSecurityHeaders(res);
  return Number(retryAfter);
}

/** Waits until the window that refused us has certainly ended. */
const waitOut = (retryAfterSeconds: number) => sleep(retryAfterSeconds * 1000 + 250);

describe('per-key limit (MAX_REQUESTS_PER_MINUTE=5)', () => {
  it('the 6th GET /fax in the window is 429 rate_limited; remaining counts down before that', async () => {
    const key = await createKey(['fax:read']);
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await get('/fax', key.token);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      expect(res.headers.get('ratelimit-limit')).toBe('5');
      expect(res.headers.get('ratelimit-reset')).toMatch(/^\d+$/);
      expect(int(res, 'ratelimit-reset')).toBeLessThanOrEqual(WINDOW_SECONDS);
      remaining.push(int(res, 'ratelimit-remaining'));
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    await expect429(await get('/fax', key.token), 'rate_limited', 5);
  });

  it('counts the key, not the route or address: other routes and IPs share the default bucket', async () => {
    const key = await createKey(['fax:read']);
    for (const path of ['/fax', '/fax?limit=1', '/fax/fax_doesnotexist000000000000', '/fax', '/fax/x']) {
      const res = await get(path, key.token);
      expect(res.status).toBeLessThan(429);
      await res.arrayBuffer();
    }
    await expect429(await get('/fax', key.token, freshIp()), 'rate_limited', 5);
  });

  it('another key is unaffected while one is limited', async () => {
    const noisy = await createKey(['fax:read']);
    const quiet = await createKey(['fax:read']);
    for (let i = 0; i < 5; i++) await (await get('/fax', noisy.token)).arrayBuffer();
    await expect429(await get('/fax', noisy.token), 'rate_limited', 5);
    const res = await get('/fax', quiet.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-remaining')).toBe('4');
    await res.arrayBuffer();
  });

  it('requests succeed again once the window has passed', async () => {
    const key = await createKey(['fax:read']);
    for (let i = 0; i < 5; i++) await (await get('/fax', key.token)).arrayBuffer();
    const retryAfter = await expect429(await get('/fax', key.token), 'rate_limited', 5);
    await waitOut(retryAfter);
    const res = await get('/fax', key.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-remaining')).toBe('4');
    await res.arrayBuffer();
  });

  it('a refused request is not counted: the key is not locked out beyond the window', async () => {
    const key = await createKey(['fax:read']);
    for (let i = 0; i < 5; i++) await (await get('/fax', key.token)).arrayBuffer();
    let retryAfter = 0;
    for (let i = 0; i < 5; i++) retryAfter = await expect429(await get('/fax', key.token), 'rate_limited', 5);
    await waitOut(retryAfter);
    const res = await get('/fax', key.token);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });
});

describe('send limit (SEND_RPM=2), separate from the default bucket', () => {
  it('the 3rd POST /fax is 429 with RateLimit-Limit 2, while GET /fax still has its full allowance', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const first = await sendFax(key.token);
    expect(first.status).toBe(202);
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    await first.arrayBuffer();
    const second = await sendFax(key.token);
    expect(second.status).toBe(202);
    expect(second.headers.get('ratelimit-remaining')).toBe('0');
    await second.arrayBuffer();
    await expect429(await sendFax(key.token), 'rate_limited', 2);

    const list = await get('/fax', key.token);
    expect(list.status).toBe(200);
    expect(list.headers.get('ratelimit-limit')).toBe('5');
    expect(list.headers.get('ratelimit-remaining')).toBe('4');
    const body = await json(list);
    expect(body.data).toHaveLength(2); // the refused send created no job
  });

  it('exhausting GET does not block sending', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    for (let i = 0; i < 5; i++) await (await get('/fax', key.token)).arrayBuffer();
    await expect429(await get('/fax', key.token), 'rate_limited', 5);
    const res = await sendFax(key.token);
    expect(res.status).toBe(202);
    expect(res.headers.get('ratelimit-limit')).toBe('2');
    await res.arrayBuffer();
  });
});

describe('failed authentication per client IP (AUTH_FAILURES_PER_MINUTE=3)', () => {
  it('the 4th invalid token is 429 too_many_auth_failures, then even a valid key from that IP is refused until the window passes', async () => {
    const valid = await createKey(['fax:read']);
    const ip = freshIp();
    // Well-formed tokens with a wrong secret: a real key id and an unknown one.
    const wrong = [tamperSecret(valid.token), 'fbk_zzzzzzzzzzzzzzzz_' + 'A'.repeat(43)];
    expect(wrong[0]!.slice(0, 21)).toBe(valid.token.slice(0, 21)); // same key id, other secret
    expect(wrong[0]).not.toBe(valid.token);
    for (let i = 0; i < 3; i++) {
      const res = await get('/fax', wrong[i % 2]!, ip);
      expect(res.status).toBe(401);
      expect((await json(res)).error.code).toBe('invalid_api_key');
    }
    await expect429(await get('/fax', wrong[0]!, ip), 'too_many_auth_failures', 3);
    const retryAfter = await expect429(await get('/fax', valid.token, ip), 'too_many_auth_failures', 3);

    // The block is per address: the same valid key from elsewhere works.
    const elsewhere = await get('/fax', valid.token, freshIp());
    expect(elsewhere.status).toBe(200);
    await elsewhere.arrayBuffer();

    await waitOut(retryAfter);
    const after = await get('/fax', valid.token, ip);
    expect(after.status).toBe(200);
    await after.arrayBuffer();
  });

  it('malformed credentials (Basic, two tokens) count as failures up to 429; the audited paths are masked', async () => {
    const ip = freshIp();
    const number = '15557654399';
    const tag = `malformed-${process.pid}-${ipCounter}`;
    const headers = (authorization: string, i: number) => ({ authorization, 'cf-connecting-ip': ip, 'x-request-id': `${tag}-${i}`, 'content-type': 'application/json' });
    const put = (authorization: string, i: number) =>
      fetch(`${worker.url}/admin/inbound-numbers/%2B${number}`, { method: 'PUT', headers: headers(authorization, i), body: '{"owner":"x"}' });
    const malformed = ['Basic dXNlcjpwYXNz', 'Bearer fbk_a fbk_b', 'Token abc'];
    for (const [i, authorization] of malformed.entries()) {
      const res = await put(authorization, i);
      expect(res.status, authorization).toBe(401);
      expect((await json(res)).error.code).toBe('invalid_api_key');
    }
    const blocked = await put('Basic dXNlcjpwYXNz', 3);
    await expect429(blocked, 'too_many_auth_failures', 3);

    // Both kinds of event are audited with the number in the path masked (written in the background: poll).
    const events: any[] = [];
    for (let i = 0; i < 50 && events.length < 4; i++) {
      events.length = 0;
      for (const action of ['auth.failure', 'auth.blocked']) {
        const page = await json(await api(`/admin/audit?action=${action}&limit=200`));
        events.push(...page.data.filter((e: any) => String(e.request_id).startsWith(tag)));
      }
      if (events.length < 4) await sleep(100);
    }
    expect(events.map((e) => e.action).sort()).toEqual(['auth.blocked', 'auth.failure', 'auth.failure', 'auth.failure']);
    const text = JSON.stringify(events);
    expect(text).not.toContain(number);
    expect(text).toContain('***4399');
  });

  it('requests without any key do not count as failures', async () => {
    const valid = await createKey(['fax:read']);
    const ip = freshIp();
    for (let i = 0; i < 6; i++) {
      const res = await get('/fax', null, ip);
      expect(res.status).toBe(401);
      expect((await json(res)).error.code).toBe('missing_api_key');
    }
    const res = await get('/fax', valid.token, ip);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });

  it('successful authentications do not count as failures', async () => {
    const valid = await createKey(['fax:read']);
    const other = await createKey(['fax:read']);
    const ip = freshIp();
    // 2 failures, then successes with two keys, then one more failure: still under the limit of 3.
    for (let i = 0; i < 2; i++) await (await get('/fax', 'fbk_yyyyyyyyyyyyyyyy_' + 'A'.repeat(43), ip)).arrayBuffer();
    for (const key of [valid, other, valid]) expect((await get('/fax', key.token, ip)).status).toBe(200);
    const third = await get('/fax', 'fbk_yyyyyyyyyyyyyyyy_' + 'A'.repeat(43), ip);
    expect(third.status).toBe(401);
    await third.arrayBuffer();
    await expect429(await get('/fax', valid.token, ip), 'too_many_auth_failures', 3);
  });
});
