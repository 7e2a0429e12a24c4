// The console's security over plain HTTP: every page needs a session; a session cookie without its
// CSRF token (or from another Origin) changes nothing; sign-in failures are refused and audited;
// sessions end on idle, on expiry, at sign-out and when their key is revoked; a non-admin key sees
// only its scopes' pages.
import { describe, expect, inject, it } from 'vitest';
import { adminKey, api, createKey, json, workerUrl } from '../../support/api.ts';
import { sql } from '../../support/provider-control.ts';
import { consoleRoutes } from '../../support/routes.ts';

const origin = () => new URL(workerUrl()).origin;

async function signIn(key: string, headers: Record<string, string> = { origin: origin() }) {
  const res = await fetch(`${workerUrl()}/console/login`, { method: 'POST', body: new URLSearchParams({ key }), headers, redirect: 'manual' });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { res, setCookie, cookie: setCookie.split(';')[0]! };
}

async function get(path: string, cookie: string) {
  return fetch(`${workerUrl()}${path}`, { headers: { cookie }, redirect: 'manual' });
}

async function csrfOf(cookie: string): Promise<string> {
  const html = await (await get('/console/keys', cookie)).text();
  return /name="csrf" value="([^"]+)"/.exec(html)![1]!;
}

async function post(path: string, cookie: string, fields: Record<string, string>, headers: Record<string, string> = { origin: origin() }) {
  return fetch(`${workerUrl()}${path}`, { method: 'POST', body: new URLSearchParams(fields), headers: { cookie, ...headers }, redirect: 'manual' });
}

const keyCount = async () => (await json(await api('/admin/api-keys'))).data.length as number;

describe('console sessions', () => {
  it('every console page and form refuses without a session: GET -> sign-in, POST -> 401', async () => {
    const routes = consoleRoutes().filter((r) => !['/console/login', '/console/logout'].includes(r.path));
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const r of routes) {
      const path = r.path.replace(/:(\w+)/g, 'abcdefghij012345');
      const res = await fetch(`${workerUrl()}${path}`, { method: r.method, headers: { authorization: `Bearer ${adminKey()}`, origin: origin() }, redirect: 'manual' });
      await res.arrayBuffer();
      if (r.method === 'GET') {
        expect(res.status, `${r.method} ${r.path}`).toBe(303);
        expect(res.headers.get('location')).toBe('/console/login');
      } else expect(res.status, `${r.method} ${r.path}`).toBe(401);
    }
  });

  it('sets a Secure, HttpOnly, SameSite=Strict cookie scoped to /console that does not contain the key', async () => {
    const { res, setCookie } = await signIn(adminKey());
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
    expect(setCookie).toMatch(/^faxbot_console=fcs_[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toMatch(/; Path=\/console/);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).not.toContain(adminKey());
  });

  it('a session cookie without its CSRF token, with a wrong one, or from another Origin changes nothing', async () => {
    const { cookie } = await signIn(adminKey());
    const csrf = await csrfOf(cookie);
    const before = await keyCount();
    const fields = { name: 'csrf-probe', owner: 'csrf-probe', scopes: 'fax:read' };
    for (const [label, res] of [
      ['no token', await post('/console/keys', cookie, fields)],
      ['wrong token', await post('/console/keys', cookie, { ...fields, csrf: `${csrf.slice(0, -2)}xx` })],
      ['other origin', await post('/console/keys', cookie, { ...fields, csrf }, { origin: 'https://evil.example' })],
      ['null origin', await post('/console/keys', cookie, { ...fields, csrf }, { origin: 'null' })],
    ] as const) {
      expect(res.status, label).toBe(403);
      expect(await res.text()).toContain('nothing was changed');
    }
    expect(await keyCount()).toBe(before);
    const ok = await post('/console/keys', cookie, { ...fields, csrf });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/fbk_[a-z0-9]{16}_/);
    expect(await keyCount()).toBe(before + 1);
  });

  it('refuses a form larger than MAX_FILE_SIZE_MB plus its fields with 413 before reading it', async () => {
    const { cookie } = await signIn(adminKey());
    const big = new FormData();
    big.set('csrf', await csrfOf(cookie));
    big.set('to', '+15555550151');
    big.set('file', new Blob([new Uint8Array((inject('maxFileSizeMb') + 1) * 1024 * 1024)]), 'big.pdf');
    const res = await fetch(`${workerUrl()}/console/send`, { method: 'POST', body: big, headers: { cookie, origin: origin() }, redirect: 'manual' });
    expect(res.status).toBe(413);
  });

  it('acts through the API: the key created in the console is audited as api_key.create by the signed-in key', async () => {
    const admin = await createKey(['keys:manage']);
    const { cookie } = await signIn(admin.token);
    const res = await post('/console/keys', cookie, { name: 'audited', owner: 'audit-owner', scopes: 'fax:read', csrf: await csrfOf(cookie) });
    const id = /<td class="mono">fbk_([a-z0-9]{16})_/.exec(await res.text())?.[1];
    expect(id).toBeTruthy();
    const events = (await json(await api(`/admin/audit?action=api_key.create&resource_id=${id}`))).data;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_id: admin.id, outcome: 'success' });
    const signIns = (await json(await api(`/admin/audit?action=console.sign_in&actor_id=${admin.id}`))).data;
    expect(signIns[0]).toMatchObject({ outcome: 'success', resource_type: 'console_session' });
  });

  it('refuses a wrong key (401, audited), a foreign Origin (403) and never sets a cookie', async () => {
    const bad = await signIn('fbk_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    expect(bad.res.status).toBe(401);
    expect(bad.setCookie).toBe('');
    expect(await bad.res.text()).toContain('invalid, expired or revoked');
    const foreign = await signIn(adminKey(), { origin: 'https://evil.example' });
    expect(foreign.res.status).toBe(403);
    expect(foreign.setCookie).toBe('');
    const denied = (await json(await api('/admin/audit?action=console.sign_in&outcome=denied&limit=5'))).data;
    expect(denied.length).toBeGreaterThan(0);
    expect(JSON.stringify(denied)).not.toContain('bbbbbbbb');
  });

  it('ends a session idle for longer than CONSOLE_IDLE_MINUTES, and one past CONSOLE_SESSION_HOURS', async () => {
    const idle = await signIn(adminKey());
    expect((await get('/console', idle.cookie)).status).toBe(200);
    await sql(`update console_sessions set last_seen_at = now() - interval '16 minutes' where ended_at is null and last_seen_at > now() - interval '1 minute' and token_hash = encode(sha256($1::bytea), 'hex')`, [idle.cookie.split('=')[1]]);
    const after = await get('/console', idle.cookie);
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/console/login?ended=1');
    const old = await signIn(adminKey());
    await sql(`update console_sessions set expires_at = now() - interval '1 second' where token_hash = encode(sha256($1::bytea), 'hex')`, [old.cookie.split('=')[1]]);
    expect((await get('/console', old.cookie)).status).toBe(303);
  });

  it('ends the session when its key is revoked, and at sign-out (the cookie replayed opens nothing)', async () => {
    const key = await createKey(['fax:read']);
    const revoked = await signIn(key.token);
    expect((await get('/console/faxes', revoked.cookie)).status).toBe(200);
    await api(`/admin/api-keys/${key.id}`, { method: 'DELETE' });
    expect((await get('/console/faxes', revoked.cookie)).status).toBe(303);

    const { cookie } = await signIn(adminKey());
    const out = await post('/console/logout', cookie, {});
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/faxbot_console=;.*Max-Age=0/);
    expect((await get('/console', cookie)).status).toBe(303);
  });

  it('shows a non-admin key only its scopes: no admin pages in the menu, 403 on them', async () => {
    const reader = await createKey(['fax:read']);
    const { cookie } = await signIn(reader.token);
    const home = await (await get('/console', cookie)).text();
    expect(home).toContain('href="/console/faxes"');
    expect(home).not.toContain('href="/console/keys"');
    expect(home).not.toContain('href="/console/send"');
    expect(home).toContain('shown to keys with keys:manage');
    const keys = await get('/console/keys', cookie);
    expect(keys.status).toBe(403);
    expect(await keys.text()).toContain('insufficient_scope');
    const send = await post('/console/send', cookie, { to: '+15555550150', csrf: await csrfOf(cookie).catch(() => '') });
    expect([401, 403]).toContain(send.status);
    expect((await get('/console/faxes', cookie)).status).toBe(200);
  });
});
