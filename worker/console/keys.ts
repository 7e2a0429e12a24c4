// Keys page (scope keys:manage): list, create (scopes, owner, site, expiry; the token shown once),
// rotate with a grace period, revoke. Each action is its REST twin (/admin/api-keys), audited there.
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { SCOPES } from '../auth/scopes.ts';
import { apiError, csrfField, errorPage, page, when, type Fragment } from './layout.ts';
import { secretNotice } from './secret-notice.ts';
import { field } from './form-fields.ts';
import type { ConsoleEnv } from './session.ts';

const GRACE = [
  [0, 'at once'],
  [3600, '1 hour'],
  [86_400, '24 hours'],
  [604_800, '7 days'],
] as const;

async function keysPage(c: Context<ConsoleEnv>, top: Fragment = '') {
  const list = await c.get('api')('GET', '/admin/api-keys');
  if (!list.ok) return errorPage(c, 'Keys', '/console/keys', list);
  const keys = list.body.data as Array<Record<string, any>>;
  const body = html`${top}
    <table>
      <caption class="visually-hidden">API keys</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Owner</th><th scope="col">Scopes</th><th scope="col">Site</th><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
      <tbody>${keys.map(
        (k) => html`<tr>
        <td>${k.name}</td><td>${k.owner}</td><td>${(k.scopes as string[]).join(', ')}</td><td>${k.site ?? '—'}</td><td class="mono">${k.prefix}</td>
        <td>${when(k.created_at)}</td><td>${when(k.expires_at)}</td><td>${when(k.last_used_at)}</td>
        <td>${k.revoked_at ? html`<span class="badge failed">revoked</span>` : html`<span class="badge success">active</span>`}</td>
        <td>${k.revoked_at ? '' : html`<form method="post" action="/console/keys/${k.id}/rotate" class="actions">${csrfField(c)}
            <label class="inline">Old secret valid <select name="grace_seconds">${GRACE.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select></label>
            <button type="submit" class="secondary">Rotate ${k.name}</button></form>
          <form method="post" action="/console/keys/${k.id}/revoke" data-confirm="Revoke ${k.name}? Clients using it stop working at once.">${csrfField(c)}<button type="submit" class="danger">Revoke ${k.name}</button></form>`}</td>
      </tr>`,
      )}</tbody>
    </table>
    <h2>Create a key</h2>
    <form method="post" action="/console/keys" class="stack">${csrfField(c)}
      <label>Name <input name="name" required maxlength="100" autocomplete="off"></label>
      <label>Owner (department or application; keys see only their owner's faxes) <input name="owner" required maxlength="100" autocomplete="off"></label>
      <fieldset><legend>Scopes</legend>${SCOPES.map((s) => html`<label class="inline"><input type="checkbox" name="scopes" value="${s}"${s.startsWith('fax:') ? ' checked' : ''}> ${s}</label>`)}</fieldset>
      <label>Site (optional, for SIP routing) <input name="site" maxlength="100" autocomplete="off"></label>
      <label>Expires (optional, UTC) <input name="expires_at" type="datetime-local"></label>
      <div class="actions"><button type="submit">Create key</button></div>
    </form>`;
  return page(c, { title: 'Keys', active: '/console/keys', body });
}


export const keysPages = new Hono<ConsoleEnv>()
  .get('/keys', (c) => keysPage(c))
  .post('/keys', async (c) => {
    const f = await c.req.formData();
    const expires = field(f, 'expires_at');
    const answer = await c.get('api')('POST', '/admin/api-keys', {
      name: field(f, 'name'),
      owner: field(f, 'owner'),
      scopes: f.getAll('scopes'),
      site: field(f, 'site'),
      expires_at: expires ? new Date(`${expires}Z`).toISOString() : undefined,
    });
    if (!answer.ok) return c.status(answer.status as 400), keysPage(c, apiError(answer));
    return keysPage(c, secretNotice(`New key “${answer.body.name}” for ${answer.body.owner}`, answer.body.token));
  })
  .post('/keys/:id/rotate', async (c) => {
    const f = await c.req.formData();
    const answer = await c.get('api')('POST', `/admin/api-keys/${encodeURIComponent(c.req.param('id'))}/rotate`, { grace_seconds: Number(field(f, 'grace_seconds') ?? 0) });
    if (!answer.ok) return c.status(answer.status as 400), keysPage(c, apiError(answer));
    const grace = answer.body.previous_secret_expires_at ? html`<p>The old secret works until ${when(answer.body.previous_secret_expires_at)}.</p>` : html`<p>The old secret no longer works.</p>`;
    return keysPage(c, secretNotice(`New secret for “${answer.body.name}”`, answer.body.token, grace));
  })
  .post('/keys/:id/revoke', async (c) => {
    const answer = await c.get('api')('DELETE', `/admin/api-keys/${encodeURIComponent(c.req.param('id'))}`);
    if (!answer.ok) return c.status(answer.status as 400), keysPage(c, apiError(answer));
    return c.redirect('/console/keys?done=revoked', 303);
  });
