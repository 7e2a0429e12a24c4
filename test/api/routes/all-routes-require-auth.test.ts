// Every API route the app registers must answer 401 `missing_api_key` without a key, except the
// explicit public allow-list (the console's pages need a session instead: console/console-session.test.ts). The routes are read from the real Hono app, so a new route is held
// to this rule the moment it is registered.
import { describe, expect, it } from 'vitest';
import { apiRoutes } from '../../support/routes.ts';
import { AGENT_ROUTE_PREFIX, PROVIDER_CALLBACK_PREFIX, PUBLIC_ROUTES } from '../../../worker/middleware/authenticate.ts';
import { api, json } from '../../support/api.ts';

/** Plausible values for path parameters, so the request reaches the route rather than 404. */
const PARAM_VALUES: Record<string, string> = {
  id: 'abcdefghij012345',
  tokenId: 'abcdefghij012345',
  number: '%2B15555550100',
  deliveryId: 'whd_abcdefghijklmnopqrstuvwx',
};
const FAX_ID = 'fax_abcdefghijklmnopqrstuvwx';

function concretePath(path: string): string {
  return path.replace(/:([A-Za-z_]+)(\{[^}]*\})?/g, (_, name: string) => {
    if (path.startsWith('/fax/')) return FAX_ID;
    const value = PARAM_VALUES[name];
    if (!value) throw new Error(`no sample value for path parameter :${name} in ${path}`);
    return value;
  });
}

const routes = apiRoutes();

const isPublic = (r: { method: string; path: string }) => PUBLIC_ROUTES.some((p) => p.method === r.method && p.path === r.path);
const protectedRoutes = routes.filter((r) => !isPublic(r));
/** Agent routes authenticate with agent tokens instead of API keys; provider callbacks with their own proof. */
const CALLBACK_CODES: Record<string, string> = { '/callbacks/phaxio': 'invalid_signature', '/callbacks/sinch': 'invalid_credentials' };
const expectedCode = (r: { path: string }) => {
  if (r.path.startsWith(PROVIDER_CALLBACK_PREFIX)) return CALLBACK_CODES[r.path] ?? 'unlisted provider callback';
  return r.path.startsWith(AGENT_ROUTE_PREFIX) ? 'missing_agent_token' : 'missing_api_key';
};

describe('route enumeration', () => {
  it('finds at least every known route', () => {
    const found = routes.map((r) => `${r.method} ${r.path}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'GET /health',
        'GET /health/ready',
        'POST /fax',
        'GET /fax',
        'GET /fax/:id',
        'POST /fax/:id/cancel',
        'GET /fax/:id/pdf',
        'POST /admin/api-keys',
        'GET /admin/api-keys',
        'DELETE /admin/api-keys/:id',
        'POST /admin/api-keys/:id/rotate',
      ]),
    );
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(9);
  });

  it('has exactly the expected public allow-list (growing it must be deliberate)', () => {
    expect([...PUBLIC_ROUTES].map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET /.well-known/oauth-protected-resource', 'GET /.well-known/oauth-protected-resource/mcp', 'GET /assets/console.js', 'GET /assets/faxbot.css', 'GET /assets/reference.js', 'GET /docs', 'GET /health', 'GET /health/ready', 'GET /openapi.json']);
  });

  it('every public route is a registered route', () => {
    for (const p of PUBLIC_ROUTES) expect(routes.some((r) => r.method === p.method && r.path === p.path)).toBe(true);
  });
});

describe('every non-public route requires an API key (agent routes: an agent token)', () => {
  it.each(protectedRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s -> 401 without credentials', async (_label, r) => {
    const res = await api(concretePath(r.path), {
      method: r.method,
      key: null,
      ...(r.method === 'GET' || r.method === 'HEAD' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' }),
    });
    expect(res.status).toBe(401);
    const body = await json(res);
    expect(body.error.code).toBe(expectedCode(r));
    expect(typeof body.error.message).toBe('string');
  });

  it.each(PUBLIC_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('public %s answers without a key', async (_label, r) => {
    const res = await api(r.path, { method: r.method, key: null });
    expect(res.status).not.toBe(401);
    expect(res.status).not.toBe(403);
  });
});
