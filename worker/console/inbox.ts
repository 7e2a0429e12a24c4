// Inbox pages (scopes inbound:list / inbound:read): received faxes with the number they came in on
// and their owner, and each one's PDF preview.
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { errorPage, page, when } from './layout.ts';
import { proxyDocument } from './documents.ts';
import type { ConsoleEnv } from './session.ts';

const id = (c: Context) => encodeURIComponent(c.req.param('id') ?? '');

export const inboxPages = new Hono<ConsoleEnv>()
  .get('/inbox', async (c) => {
    const cursor = c.req.query('cursor');
    const answer = await c.get('api')('GET', `/inbound?${new URLSearchParams({ limit: '25', ...(cursor ? { cursor } : {}) })}`);
    if (!answer.ok) return errorPage(c, 'Inbox', '/console/inbox', answer);
    const rows = answer.body.data as Array<Record<string, any>>;
    const body = html`<table>
        <caption class="visually-hidden">Received faxes, newest first</caption>
        <thead><tr><th scope="col">Fax</th><th scope="col">Received</th><th scope="col">From</th><th scope="col">To number</th><th scope="col">Owner</th><th scope="col">Pages</th><th scope="col">Via</th></tr></thead>
        <tbody>${rows.map((r) => html`<tr data-inbound="${r.id}"><td><a href="/console/inbox/${r.id}" class="mono">${r.id}</a></td><td>${when(r.received_at)}</td><td>${r.from ?? 'unknown'}</td><td>${r.to ?? ''}</td><td>${r.owner}</td><td>${r.pages ?? ''}</td><td>${r.source}</td></tr>`)}</tbody>
      </table>
      ${rows.length === 0 ? html`<p>Nothing received yet.</p>` : ''}
      <div class="actions">${cursor ? html`<a href="/console/inbox">First page</a>` : ''}${answer.body.next_cursor ? html`<a href="/console/inbox?${new URLSearchParams({ cursor: answer.body.next_cursor })}">Next page</a>` : ''}</div>`;
    return page(c, { title: 'Inbox', active: '/console/inbox', body });
  })
  .get('/inbox/:id', async (c) => {
    const answer = await c.get('api')('GET', `/inbound/${id(c)}`);
    if (!answer.ok) return errorPage(c, 'Received fax', '/console/inbox', answer);
    const r = answer.body;
    const body = html`<table><tbody>
        <tr><th scope="row">Received</th><td>${when(r.received_at)}</td></tr>
        <tr><th scope="row">From</th><td>${r.from ?? 'unknown'}${r.remote_station_id ? ` (${r.remote_station_id})` : ''}</td></tr>
        <tr><th scope="row">To number</th><td>${r.to ?? ''}</td></tr>
        <tr><th scope="row">Owner</th><td>${r.owner}</td></tr>
        <tr><th scope="row">Pages</th><td>${r.pages ?? ''}</td></tr>
        <tr><th scope="row">Via</th><td>${r.source}</td></tr>
      </tbody></table>
      ${r.document_deleted_at
        ? html`<p class="muted">The document was deleted by retention on ${when(r.document_deleted_at)}.</p>`
        : html`<div class="actions"><a class="button secondary" href="/console/inbox/${r.id}/pdf" target="_blank" rel="noopener">Open the PDF</a></div>
          <h2>Preview</h2><iframe class="pdf" src="/console/inbox/${r.id}/pdf" title="The received fax (PDF)"></iframe>`}`;
    return page(c, { title: `Received fax ${r.id}`, active: '/console/inbox', body });
  })
  .get('/inbox/:id/pdf', (c) => proxyDocument(c, `/inbound/${id(c)}/pdf`));
