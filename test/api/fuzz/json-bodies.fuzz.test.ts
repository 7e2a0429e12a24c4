// Generated-input tests of every JSON body and query string: arbitrary JSON values, broken JSON
// text and random query parameters never produce a 5xx.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createKey, json } from '../../support/api.ts';

/**
 * Sized to time, not to a count: on a loaded 2-core machine a property stops at the time box instead
 * of timing out. The test's own timeout (FUZZ_TEST_TIMEOUT) leaves room for the time box plus one
 * request's abort (10 s) and the last run's shrinking.
 */
const TIME_BOXED = { interruptAfterTimeLimit: 15000, markInterruptAsFailure: false } as const;
const FUZZ_TEST_TIMEOUT = 60_000;

let keyId: string;
beforeAll(async () => {
  keyId = (await createKey(['fax:read'])).id;
});

async function expectHandled(res: Response) {
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBeLessThan(500);
  if (res.status >= 400) expect(body.error.code).toMatch(/^[a-z_]+$/);
}

const jsonBody = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.record(
    { name: fc.jsonValue(), owner: fc.jsonValue(), scopes: fc.jsonValue(), expires_at: fc.jsonValue(), grace_seconds: fc.jsonValue() },
    { requiredKeys: [] },
  ).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
);

describe('JSON bodies under generated input', () => {
  it('POST /admin/api-keys never fails with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(jsonBody, async (body) => {
        await expectHandled(await api('/admin/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
      }),
      { numRuns: 500, ...TIME_BOXED },
    );
  }, FUZZ_TEST_TIMEOUT);

  it('POST /admin/api-keys/:id/rotate never fails with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(jsonBody, fc.constantFrom(keyId, 'aaaaaaaaaaaaaaaa', 'x'), async (body, id) => {
        await expectHandled(await api(`/admin/api-keys/${id}/rotate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
      }),
      { numRuns: 300, ...TIME_BOXED },
    );
  }, FUZZ_TEST_TIMEOUT);
});

describe('query strings under generated input', () => {
  const params = fc.dictionary(
    fc.constantFrom('status', 'since', 'until', 'limit', 'cursor', 'owner', 'action', 'actor_id', 'resource_id', 'outcome', 'include_revoked', fc.string({ maxLength: 8 }) as unknown as string),
    fc.string({ maxLength: 60 }),
    { maxKeys: 5 },
  );
  for (const path of ['/fax', '/admin/audit', '/admin/api-keys']) {
    it(`GET ${path} never fails with a 5xx`, async () => {
      await fc.assert(
        fc.asyncProperty(params, async (p) => {
          await expectHandled(await api(`${path}?${new URLSearchParams(p)}`));
        }),
        { numRuns: 300, ...TIME_BOXED },
      );
    }, FUZZ_TEST_TIMEOUT);
  }
  it('path parameters never fail with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), fc.constantFrom('/fax/', '/fax/%s/pdf', '/fax/%s/cancel', '/admin/api-keys/'), async (id, pattern) => {
        const enc = encodeURIComponent(id) || 'x';
        const path = pattern.includes('%s') ? pattern.replace('%s', enc) : pattern + enc;
        const method = pattern.endsWith('cancel') ? 'POST' : pattern.startsWith('/admin') ? 'DELETE' : 'GET';
        await expectHandled(await api(path, { method }));
      }),
      { numRuns: 300, ...TIME_BOXED },
    );
  }, FUZZ_TEST_TIMEOUT);
});
