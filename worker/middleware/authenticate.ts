// Authenticates every request that is not on the public allow-list: `Authorization: Bearer <key>`
// or `X-API-Key: <key>`. The bootstrap API_KEY has every scope. Unauthenticated access exists only
// with REQUIRE_API_KEY=false in development (config.ts refuses it elsewhere).
import { redact } from '../../shared/redact.ts';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { SCOPES } from '../auth/scopes.ts';
import type { AppEnv, Caller } from '../context.ts';
import { ApiError } from '../errors.ts';
import { timingSafeEqualString } from '../lib/crypto.ts';
import { audit } from '../lib/audit.ts';
import { authFailureLimiter } from './rate-limit.ts';
import { ASSET_PATHS } from '../static/asset-registry.ts';
import { internalCaller } from '../console/internal-call.ts';
import type { ApiKeyRow } from '../db/schema.ts';

/** Routes reachable without a key. The route enumeration test holds every other route to a 401. */
export const PUBLIC_ROUTES: ReadonlyArray<{ method: string; path: string }> = [
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/health/ready' },
  { method: 'GET', path: '/.well-known/oauth-protected-resource' },
  { method: 'GET', path: '/.well-known/oauth-protected-resource/mcp' },
  { method: 'GET', path: '/openapi.json' },
  { method: 'GET', path: '/docs' },
  ...ASSET_PATHS.map((path) => ({ method: 'GET', path })),
];

/** Routes that may authenticate with their own short-lived signed token instead of a key. */
const SIGNED_TOKEN_ROUTE = /^\/(fax|inbound)\/[^/]+\/pdf$/;

/** Routes for on-prem agents: they authenticate with agent tokens (middleware/agent-auth.ts). */
export const AGENT_ROUTE_PREFIX = '/agent/';

/** The admin console: signed in with a session cookie, not a key (worker/console/). */
export const CONSOLE_PREFIX = '/console';

/** Cloud providers' callbacks: verified by their own signature or credentials (routes/callbacks/). */
export const PROVIDER_CALLBACK_PREFIX = '/callbacks/';

const TOUCH_INTERVAL_MS = 60_000;

/** A credential header that is present but not `Bearer <one token>` (two tokens, `Basic ...`). */
export const MALFORMED = Symbol('malformed credentials');

export function presentedKey(header: (name: string) => string | undefined): string | typeof MALFORMED | undefined {
  const auth = header('authorization');
  if (auth !== undefined && auth.trim() !== '') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : MALFORMED;
  }
  const raw = header('x-api-key');
  if (raw === undefined || raw.trim() === '') return undefined;
  const key = raw.trim();
  return /\s/.test(key) ? MALFORMED : key;
}

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const { method, path } = c.req;
  // The console's own requests to the API (console/internal-call.ts) carry their session's caller.
  const internal = internalCaller(c.req.raw);
  if (internal) {
    c.set('caller', internal);
    return next();
  }
  // The console authenticates with its session cookie (console/session.ts).
  if (path === CONSOLE_PREFIX || path.startsWith(`${CONSOLE_PREFIX}/`)) return next();
  if (PUBLIC_ROUTES.some((r) => r.path === path && (r.method === method || method === 'HEAD'))) return next();
  if (path.startsWith(AGENT_ROUTE_PREFIX) || path.startsWith(PROVIDER_CALLBACK_PREFIX)) return next();
  const config = c.get('config');
  const token = presentedKey((n) => c.req.header(n));
  if (!token && SIGNED_TOKEN_ROUTE.test(path) && c.req.query('token')) return next();
  if (!token) {
    if (!config.requireApiKey && config.environment === 'development') {
      c.set('caller', anonymousAdmin());
      return next();
    }
    // MCP clients find how to authenticate from the protected-resource metadata (RFC 9728).
    const challenge = path === '/mcp' ? { 'WWW-Authenticate': `Bearer resource_metadata="${config.publicApiUrl ?? new URL(c.req.url).origin}/.well-known/oauth-protected-resource"` } : undefined;
    throw new ApiError(401, 'missing_api_key', 'Send an API key in the Authorization: Bearer header or X-API-Key.', undefined, challenge);
  }
  const failures = authFailureLimiter(c);
  if (token === MALFORMED) {
    // Credentials were sent, just not in a form we accept: a failed authentication, counted and audited.
    await failures.assertNotBlocked();
    await failures.recordFailure();
    c.executionCtx.waitUntil(
      audit(c, { action: 'auth.failure', outcome: 'denied', details: { reason: 'malformed_credentials', path: redact(c.req.path) } }).catch(() => {}),
    );
    throw new ApiError(401, 'invalid_api_key', 'The credentials are malformed: send one key as Authorization: Bearer <key> or X-API-Key: <key>.');
  }
  // Checked in parallel with the key lookup, so honest callers pay no extra round trip.
  const [, caller] = await Promise.all([failures.assertNotBlocked(), resolveCaller(c, token)]);
  if (!caller) {
    await failures.recordFailure();
    c.executionCtx.waitUntil(
      audit(c, { action: 'auth.failure', outcome: 'denied', details: { reason: 'invalid_api_key', path: redact(c.req.path) } }).catch(() => {}),
    );
    throw new ApiError(401, 'invalid_api_key', 'The API key is invalid, expired or revoked.');
  }
  c.set('caller', caller);
  await next();
});

/** The caller a presented token (the bootstrap key or an API key) acts as; null if it is not valid. Also used by the console's sign-in. */
export async function resolveCaller(c: Context<AppEnv>, token: string): Promise<Caller | null> {
  const { bootstrapApiKey } = c.get('config');
  if (bootstrapApiKey && (await timingSafeEqualString(token, bootstrapApiKey))) {
    return bootstrapCaller();
  }
  const { apiKeys } = c.get('services');
  const row = await apiKeys.verify(token);
  if (!row) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    c.executionCtx.waitUntil(apiKeys.touch(row.id).catch(() => {}));
  }
  return callerFromKey(row);
}

/** The caller an API key row acts as (also the console's, for the key its session was opened with). */
export function callerFromKey(row: ApiKeyRow): Caller {
  const scopes = new Set(row.scopes.filter((s): s is (typeof SCOPES)[number] => (SCOPES as readonly string[]).includes(s)));
  return { kind: 'api_key', id: row.id, owner: row.owner, site: row.site, backend: row.backend, scopes, isAdmin: scopes.has('keys:manage') };
}

export function bootstrapCaller(): Caller {
  return { kind: 'bootstrap', id: 'bootstrap', owner: 'admin', scopes: new Set(SCOPES), isAdmin: true };
}

function anonymousAdmin(): Caller {
  return { kind: 'anonymous', id: 'anonymous', owner: 'admin', scopes: new Set(SCOPES), isAdmin: true };
}
