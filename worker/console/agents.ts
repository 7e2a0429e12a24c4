// Agents page (scope agents:manage): each on-prem agent online or offline, last seen, calls in
// flight of its channels, version and tokens (delivered or not); create an agent (token shown
// once), rotate its token (shown once, with whether the live agent received it), revoke a token.
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { apiError, csrfField, errorPage, page, when, type Fragment } from './layout.ts';
import { secretNotice } from './secret-notice.ts';
import { field } from './form-fields.ts';
import type { ConsoleEnv } from './session.ts';

async function agentsPage(c: Context<ConsoleEnv>, top: Fragment = '') {
  const list = await c.get('api')('GET', '/admin/agents');
  if (!list.ok) return errorPage(c, 'Agents', '/console/agents', list);
  const agents = list.body.data as Array<Record<string, any>>;
  const body = html`${top}
    ${agents.length === 0 ? html`<p>No agents yet: create one below and give its token to the hospital's agent.</p>` : ''}
    ${agents.map(
      (a) => html`<section class="notice" aria-labelledby="agent-${a.id}">
      <h2 id="agent-${a.id}">${a.name} <span class="badge ${a.online ? 'online' : 'offline'}">${a.online ? 'online' : 'offline'}</span></h2>
      <p>Site <strong>${a.site ?? '—'}</strong> · channels in use <strong>${a.calls_in_flight} of ${a.max_channels}</strong> · version ${a.version ?? '—'} · last seen ${when(a.last_seen_at)} · <span class="mono">${a.id}</span></p>
      <table>
        <caption>Tokens</caption>
        <thead><tr><th scope="col">Token</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Delivered to the agent</th><th scope="col">State</th><th scope="col">Action</th></tr></thead>
        <tbody>${(a.tokens as Array<Record<string, any>>).map(
          (t) => html`<tr><td class="mono">${t.prefix}</td><td>${when(t.created_at)}</td><td>${when(t.expires_at)}</td><td>${t.delivered_at ? when(t.delivered_at) : 'not yet'}</td>
          <td>${t.revoked_at ? 'revoked' : 'active'}</td>
          <td>${t.revoked_at ? '' : html`<form method="post" action="/console/agents/${a.id}/tokens/${t.id}/revoke" data-confirm="Revoke this token? An agent using it is disconnected.">${csrfField(c)}<button type="submit" class="danger">Revoke token</button></form>`}</td></tr>`,
        )}</tbody>
      </table>
      <form method="post" action="/console/agents/${a.id}/tokens" class="actions">${csrfField(c)}
        <label class="inline">Old tokens valid for <select name="grace_hours"><option value="0">0 hours</option><option value="1">1 hour</option><option value="24" selected>24 hours</option></select></label>
        <button type="submit">Rotate token of ${a.name}</button>
      </form>
    </section>`,
    )}
    <h2>Create an agent</h2>
    <form method="post" action="/console/agents" class="stack">${csrfField(c)}
      <label>Name <input name="name" required maxlength="100" autocomplete="off"></label>
      <label>Site <input name="site" maxlength="100" autocomplete="off"></label>
      <label>Channels (concurrent calls) <input name="max_channels" inputmode="numeric" pattern="[0-9]+" value="2"></label>
      <div class="actions"><button type="submit">Create agent</button></div>
    </form>`;
  return page(c, { title: 'Agents', active: '/console/agents', body });
}


export const agentsPages = new Hono<ConsoleEnv>()
  .get('/agents', (c) => agentsPage(c))
  .post('/agents', async (c) => {
    const f = await c.req.formData();
    const channels = field(f, 'max_channels');
    const answer = await c.get('api')('POST', '/admin/agents', { name: field(f, 'name'), site: field(f, 'site'), max_channels: channels ? Number(channels) : undefined });
    if (!answer.ok) return c.status(answer.status as 400), agentsPage(c, apiError(answer));
    return agentsPage(c, secretNotice(`Token of the new agent “${answer.body.name}”`, answer.body.token, html`<p>Put it in the agent's configuration (<code>AGENT_TOKEN</code> or <code>AGENT_TOKEN_FILE</code>).</p>`));
  })
  .post('/agents/:id/tokens', async (c) => {
    const f = await c.req.formData();
    const answer = await c.get('api')('POST', `/admin/agents/${encodeURIComponent(c.req.param('id'))}/tokens`, { grace_hours: Number(field(f, 'grace_hours') ?? 24) });
    if (!answer.ok) return c.status(answer.status as 400), agentsPage(c, apiError(answer));
    const delivered = answer.body.pushed_to_connections > 0
      ? html`<p data-delivery="pushed">Sent to the connected agent over its connection (${answer.body.pushed_to_connections}); the Tokens table shows when it confirms.</p>`
      : html`<p data-delivery="offline">The agent is not connected: install this token on it yourself. Old tokens work until ${when(answer.body.previous_tokens_valid_until)}.</p>`;
    return agentsPage(c, secretNotice('New agent token', answer.body.token, delivered));
  })
  .post('/agents/:id/tokens/:tokenId/revoke', async (c) => {
    const answer = await c.get('api')('DELETE', `/admin/agents/${encodeURIComponent(c.req.param('id'))}/tokens/${encodeURIComponent(c.req.param('tokenId'))}`);
    if (!answer.ok) return c.status(answer.status as 400), agentsPage(c, apiError(answer));
    return c.redirect('/console/agents?done=revoked', 303);
  });
