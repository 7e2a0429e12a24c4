// Sinch OAuth2 client-credentials tokens, cached for the isolate's life and shared by every request
// and alarm it serves: fetched once, refreshed a while before they expire (never per request), one
// fetch in flight at a time. A token the API refuses is dropped and fetched again once.
import { basicAuth, ProviderError, providerFetch } from '../provider-http.ts';

interface Cached {
  token: string;
  /** Refresh from this time on (before the real expiry). */
  refreshAt: number;
  expiresAt: number;
}

const tokens = new Map<string, Cached>();
const inflight = new Map<string, Promise<Cached>>();

export interface TokenSource {
  authUrl: string;
  keyId: string;
  keySecret: string;
}

const cacheKey = (s: TokenSource) => `${s.authUrl}\n${s.keyId}`;

async function fetchToken(s: TokenSource): Promise<Cached> {
  const res = await providerFetch(
    () =>
      new Request(s.authUrl, {
        method: 'POST',
        headers: { authorization: basicAuth(s.keyId, s.keySecret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: 'grant_type=client_credentials',
      }),
    { provider: 'sinch', idempotent: true },
  );
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
  if (!res.ok || !body.access_token) throw new ProviderError('sinch', res.status, false, `token request answered HTTP ${res.status}`);
  const lifetimeMs = Math.max(1, Number(body.expires_in ?? 3600)) * 1000;
  const now = Date.now();
  // Refresh 5 minutes early, or at 80% of a short lifetime.
  return { token: body.access_token, refreshAt: now + (lifetimeMs > 600_000 ? lifetimeMs - 300_000 : lifetimeMs * 0.8), expiresAt: now + lifetimeMs };
}

export async function sinchToken(s: TokenSource): Promise<string> {
  const key = cacheKey(s);
  const cached = tokens.get(key);
  const now = Date.now();
  if (cached && now < cached.refreshAt) return cached.token;
  let pending = inflight.get(key);
  if (!pending) {
    pending = fetchToken(s).finally(() => inflight.delete(key));
    inflight.set(key, pending);
    pending.then((t) => tokens.set(key, t)).catch(() => undefined);
  }
  try {
    return (await pending).token;
  } catch (err) {
    // The refresh failed but the old token is still valid: use it meanwhile.
    if (cached && now < cached.expiresAt) return cached.token;
    throw err;
  }
}

/** The API refused this token: forget it so the next call fetches a new one. */
export function dropSinchToken(s: TokenSource, token: string): void {
  const key = cacheKey(s);
  if (tokens.get(key)?.token === token) tokens.delete(key);
}
