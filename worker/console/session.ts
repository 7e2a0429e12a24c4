// The console's session: a cookie (`Secure; HttpOnly; SameSite=Strict; Path=/console`) holding a
// random token; the API key is checked at sign-in and never reaches the browser again. Every
// request re-checks the key behind the session (revoked or expired keys end it), slides the idle
// window, and every state-changing request must carry the session's CSRF token (an HMAC of the
// cookie token, in a hidden field) and, when the browser sends one, this origin's Origin header.
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv, Caller } from '../context.ts';
import { hmacSha256, timingSafeEqualString } from '../lib/crypto.ts';
import { bootstrapCaller, callerFromKey } from '../middleware/authenticate.ts';
import { apiCaller, type CallApi } from './internal-call.ts';
import { ConsoleSessionStore, type ConsoleSession } from './session-store.ts';

export const COOKIE = 'faxbot_console';
const COOKIE_PATH = '/console';

export interface ConsoleEnv extends AppEnv {
  Variables: AppEnv['Variables'] & { session: ConsoleSession; csrf: string; api: CallApi };
}

export function sessionStore(c: Context<AppEnv>): ConsoleSessionStore {
  return new ConsoleSessionStore(() => c.get('services').db(), c.get('config').console);
}

export const csrfFor = (token: string) => hmacSha256(token, 'faxbot-console-csrf');

export function setSessionCookie(c: Context, token: string): void {
  setCookie(c, COOKIE, token, { path: COOKIE_PATH, secure: true, httpOnly: true, sameSite: 'Strict' });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, COOKIE, { path: COOKIE_PATH, secure: true, httpOnly: true, sameSite: 'Strict' });
}

/** True when a state-changing request comes from this origin's pages (or a client that sends no Origin). */
export function sameOrigin(c: Context<any>): boolean {
  const origin = c.req.header('origin');
  if (origin === undefined) return true;
  const own = [new URL(c.req.url).origin, (c.get('config') as AppEnv['Variables']['config']).publicApiUrl].filter(Boolean).map((u) => new URL(u!).origin);
  try {
    const sent = new URL(origin);
    // Behind a local proxy (wrangler dev) the worker sees its inner address; the Host header is the client's.
    return own.includes(sent.origin) || sent.host === c.req.header('host');
  } catch {
    return false;
  }
}

/** The caller a session acts as, or null when its key is gone, revoked or expired. */
async function callerOf(c: Context<AppEnv>, keyId: string): Promise<Caller | null> {
  if (keyId === 'bootstrap') return c.get('config').bootstrapApiKey ? bootstrapCaller() : null;
  const row = await c.get('services').apiKeys.findById(keyId);
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= new Date())) return null;
  return callerFromKey(row);
}

const SAFE = new Set(['GET', 'HEAD']);

/** Requires a live session; sets caller, session, csrf and `api` (the API as this caller). */
export function requireSession(app: () => Hono<AppEnv>) {
  return createMiddleware<ConsoleEnv>(async (c, next) => {
    const base = c as unknown as Context<AppEnv>;
    const token = getCookie(c, COOKIE);
    const store = sessionStore(base);
    const session = token ? await store.resume(token) : null;
    const caller = session ? await callerOf(base, session.keyId) : null;
    if (!session || !caller || !token) {
      if (session) await store.end(session.id);
      clearSessionCookie(c);
      if (SAFE.has(c.req.method)) return c.redirect(`/console/login${token ? '?ended=1' : ''}`, 303);
      return c.text('Your console session has ended: sign in again.', 401);
    }
    const csrf = await csrfFor(token);
    if (!SAFE.has(c.req.method)) {
      // Forms are parsed whole: refuse anything larger than the biggest document plus its fields.
      const length = Number(c.req.header('content-length') ?? NaN);
      if (!(length <= c.get('config').maxFileSizeBytes + 64 * 1024)) return c.text('The form is too large (or has no Content-Length): see MAX_FILE_SIZE_MB.', 413);
      const form = await c.req.formData().catch(() => null);
      const sent = form?.get('csrf');
      if (!sameOrigin(c) || typeof sent !== 'string' || !(await timingSafeEqualString(sent, csrf))) {
        return c.text('This form is missing its CSRF token or comes from another site; nothing was changed.', 403);
      }
    }
    c.set('caller', caller);
    c.set('session', session);
    c.set('csrf', csrf);
    c.set('api', apiCaller(base, app, caller));
    await next();
  });
}
