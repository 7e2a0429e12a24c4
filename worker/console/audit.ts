// Audit page (scope keys:manage): the audit log, filterable by action, outcome, actor and resource,
// newest first with pagination. Details are shown as stored (masked numbers, no PHI).
import { Hono } from 'hono';
import { html } from 'hono/html';
import { errorPage, page, when } from './layout.ts';
import type { ConsoleEnv } from './session.ts';

const FILTERS = ['action', 'outcome', 'actor_id', 'resource_id', 'cursor'] as const;

export const auditPages = new Hono<ConsoleEnv>().get('/audit', async (c) => {
  const q = new URLSearchParams({ limit: '50' });
  for (const name of FILTERS) {
    const v = c.req.query(name)?.trim();
    if (v) q.set(name, v);
  }
  const answer = await c.get('api')('GET', `/admin/audit?${q}`);
  if (!answer.ok) return errorPage(c, 'Audit', '/console/audit', answer);
  const rows = answer.body.data as Array<Record<string, any>>;
  const next = answer.body.next_cursor ? new URLSearchParams([...q].filter(([k]) => k !== 'limit' && k !== 'cursor')) : null;
  next?.set('cursor', answer.body.next_cursor);
  const body = html`<form method="get" action="/console/audit" class="actions">
      <label class="inline">Action <input name="action" value="${q.get('action') ?? ''}" placeholder="fax.send" autocomplete="off"></label>
      <label class="inline">Outcome <select name="outcome"><option value="">any</option>${['success', 'failure', 'denied'].map((o) => html`<option value="${o}"${q.get('outcome') === o ? ' selected' : ''}>${o}</option>`)}</select></label>
      <label class="inline">Actor <input name="actor_id" value="${q.get('actor_id') ?? ''}" autocomplete="off"></label>
      <label class="inline">Resource <input name="resource_id" value="${q.get('resource_id') ?? ''}" autocomplete="off"></label>
      <button type="submit" class="secondary">Filter</button>
    </form>
    <table>
      <caption class="visually-hidden">Audit events, newest first</caption>
      <thead><tr><th scope="col">Time</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">Actor</th><th scope="col">Resource</th><th scope="col">Details</th></tr></thead>
      <tbody>${rows.map((e) => html`<tr><td>${when(e.occurred_at)}</td><td>${e.action}</td><td>${e.outcome}</td><td>${e.actor_type ?? ''} ${e.actor_id ?? ''}</td><td>${e.resource_type ?? ''} ${e.resource_id ?? ''}</td><td class="mono">${e.details ? JSON.stringify(e.details) : ''}</td></tr>`)}</tbody>
    </table>
    ${rows.length === 0 ? html`<p>No events match.</p>` : ''}
    <div class="actions">${next ? html`<a href="/console/audit?${next}">Older events</a>` : ''}</div>`;
  return page(c, { title: 'Audit', active: '/console/audit', body });
});
