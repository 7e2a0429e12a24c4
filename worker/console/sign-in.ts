// GET/POST /console/login and POST /console/logout. Sign-in takes an API key once (password field,
// POST from this origin only), counts failures in the API's failed-auth bucket, opens a session and
// sets its cookie; the key itself is not kept. Sign-out ends the session server-side. Both audited.
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { audit } from '../lib/audit.ts';
import { resolveCaller } from '../middleware/authenticate.ts';
import { authFailureLimiter } from '../middleware/rate-limit.ts';
import { shell } from './layout.ts';
import { clearSessionCookie, COOKIE, sameOrigin, sessionStore, setSessionCookie } from './session.ts';

function loginPage(c: Context<AppEnv>, message?: { text: string; error: boolean }, status: 200 | 401 | 403 | 429 = 200) {
  const body = html`<h1>Sign in</h1>
    ${message ? html`<p class="notice ${message.error ? 'error' : ''}" role="${message.error ? 'alert' : 'status'}">${message.text}</p>` : ''}
    <form method="post" action="/console/login" class="stack">
      <label for="key">API key</label>
      <input id="key" name="key" type="password" autocomplete="off" spellcheck="false" required placeholder="fbk_…" autofocus>
      <p class="muted">The key is checked once and exchanged for a session cookie; it is not stored in this browser. Pages show only what the key's scopes allow.</p>
      <div class="actions"><button type="submit">Sign in</button></div>
    </form>`;
  c.status(status);
  return c.html(shell('Sign in', '', body));
}

export const signIn = new Hono<AppEnv>()
  .get('/login', (c) => loginPage(c, c.req.query('ended') ? { text: 'Your session ended (signed out, idle too long, or its key was revoked). Sign in again.', error: false } : undefined))
  .post('/login', async (c) => {
    if (!sameOrigin(c)) return loginPage(c, { text: 'Sign-in must come from this site’s own page.', error: true }, 403);
    const form = await c.req.formData().catch(() => null);
    const key = String(form?.get('key') ?? '').trim();
    const failures = authFailureLimiter(c);
    try {
      await failures.assertNotBlocked();
    } catch (e) {
      if (e instanceof ApiError) return loginPage(c, { text: 'Too many failed sign-ins from this address; wait a minute.', error: true }, 429);
      throw e;
    }
    const caller = /^\S{1,512}$/.test(key) ? await resolveCaller(c, key) : null;
    if (!caller) {
      await failures.recordFailure();
      c.executionCtx.waitUntil(audit(c, { action: 'console.sign_in', outcome: 'denied', details: { reason: 'invalid_api_key' } }).catch(() => {}));
      return loginPage(c, { text: 'That key is invalid, expired or revoked.', error: true }, 401);
    }
    c.set('caller', caller);
    const { session, token } = await sessionStore(c).open(caller.id);
    await audit(c, { action: 'console.sign_in', resourceType: 'console_session', resourceId: session.id, outcome: 'success' });
    setSessionCookie(c, token);
    return c.redirect('/console', 303);
  })
  .post('/logout', async (c) => {
    // Sign-out changes nothing but the caller's own session, so it needs only this origin.
    if (!sameOrigin(c)) return c.text('Sign-out must come from this site’s own page.', 403);
    const token = getCookie(c, COOKIE);
    const store = sessionStore(c);
    const session = token ? await store.resume(token) : null;
    if (session) {
      await store.end(session.id);
      c.set('caller', { kind: session.keyId === 'bootstrap' ? 'bootstrap' : 'api_key', id: session.keyId, owner: '', scopes: new Set(), isAdmin: false });
      await audit(c, { action: 'console.sign_out', resourceType: 'console_session', resourceId: session.id, outcome: 'success' });
    }
    clearSessionCookie(c);
    return c.redirect('/console/login?ended=1', 303);
  });
