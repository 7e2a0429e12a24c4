// Faxes pages (scope fax:read; actions fax:send): the list with a status filter and pagination, a
// fax's detail with its attempts, the transmission report and a PDF preview, cancel and resend.
// Numbers appear in page bodies only, never in titles or URLs.
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { FAX_STATUSES } from '../db/schema.ts';
import { apiError, csrfField, errorPage, page, when, type Fragment } from './layout.ts';
import { proxyDocument } from './documents.ts';
import type { ConsoleEnv } from './session.ts';

const badge = (status: string) => html`<span class="badge ${status}">${status}</span>`;
const id = (c: Context) => encodeURIComponent(c.req.param('id') ?? '');

async function detailPage(c: Context<ConsoleEnv>, top: Fragment = '') {
  const answer = await c.get('api')('GET', `/fax/${id(c)}`);
  if (!answer.ok) return errorPage(c, 'Fax', '/console/faxes', answer);
  const f = answer.body;
  const canSend = c.get('caller').scopes.has('fax:send');
  const body = html`${top}
    <p>${badge(f.status)} <span class="mono">${f.id}</span></p>
    <table>
      <tbody>
        <tr><th scope="row">To</th><td>${f.to}</td></tr>
        <tr><th scope="row">Owner</th><td>${f.owner}</td></tr>
        <tr><th scope="row">Backend</th><td>${f.backend}${f.site ? ` (site ${f.site})` : ''}</td></tr>
        <tr><th scope="row">Pages</th><td>${f.pages_sent ?? 0} of ${f.pages ?? '?'} sent${f.has_cover ? ' (with a cover sheet)' : ''}</td></tr>
        <tr><th scope="row">Tries</th><td>${f.tries} of ${f.max_tries}</td></tr>
        <tr><th scope="row">Created</th><td>${when(f.created_at)}</td></tr>
        <tr><th scope="row">Completed</th><td>${when(f.completed_at)}</td></tr>
        ${f.failure_reason ? html`<tr><th scope="row">Failure</th><td>${f.failure_reason}${f.failure_detail ? `: ${f.failure_detail}` : ''}</td></tr>` : ''}
      </tbody>
    </table>
    <h2>Attempts</h2>
    ${f.attempts.length === 0 ? html`<p>No attempt yet.</p>` : html`<table><thead><tr><th scope="col">#</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Result</th><th scope="col">Reason</th><th scope="col">Pages</th><th scope="col">Rate</th><th scope="col">Remote station</th></tr></thead>
      <tbody>${(f.attempts as Array<Record<string, any>>).map((a) => html`<tr><td>${a.number}</td><td>${when(a.started_at)}</td><td>${when(a.ended_at)}</td><td>${a.result ?? 'in progress'}</td><td>${a.failure_reason ?? ''}</td><td>${a.pages_sent ?? ''}</td><td>${a.bitrate ?? ''}</td><td>${a.remote_station_id ?? ''}</td></tr>`)}</tbody></table>`}
    <div class="actions">
      <a class="button secondary" href="/console/faxes/${f.id}/pdf" target="_blank" rel="noopener">Open the PDF</a>
      ${['success', 'failed', 'unknown', 'canceled'].includes(f.status) ? html`<a class="button secondary" href="/console/faxes/${f.id}/report" target="_blank" rel="noopener">Transmission report</a>` : ''}
      ${canSend && ['scheduled', 'queued'].includes(f.status) ? html`<form method="post" action="/console/faxes/${f.id}/cancel" data-confirm="Cancel this fax?">${csrfField(c)}<button type="submit" class="danger">Cancel fax</button></form>` : ''}
      ${canSend && ['unknown', 'failed', 'canceled'].includes(f.status) ? html`<form method="post" action="/console/faxes/${f.id}/resend" data-confirm="${f.status === 'unknown' ? 'The outcome is unknown: the recipient may already have it. Send again anyway?' : 'Send this document again as a new fax?'}">${csrfField(c)}<button type="submit">Resend</button></form>` : ''}
    </div>
    <h2>Preview</h2><iframe class="pdf" src="/console/faxes/${f.id}/pdf" title="The fax document (PDF)"></iframe>`;
  return page(c, { title: `Fax ${f.id}`, active: '/console/faxes', body });
}

export const faxPages = new Hono<ConsoleEnv>()
  .get('/faxes', async (c) => {
    const status = c.req.query('status');
    const cursor = c.req.query('cursor');
    const q = new URLSearchParams({ limit: '25' });
    if (status && (FAX_STATUSES as readonly string[]).includes(status)) q.set('status', status);
    if (cursor) q.set('cursor', cursor);
    const answer = await c.get('api')('GET', `/fax?${q}`);
    if (!answer.ok) return errorPage(c, 'Faxes', '/console/faxes', answer);
    const rows = answer.body.data as Array<Record<string, any>>;
    const next = answer.body.next_cursor ? `/console/faxes?${new URLSearchParams({ ...(q.get('status') ? { status: q.get('status')! } : {}), cursor: answer.body.next_cursor })}` : null;
    const body = html`<form method="get" action="/console/faxes" class="actions">
        <label class="inline">Status <select name="status"><option value="">any</option>${FAX_STATUSES.map((s) => html`<option value="${s}"${s === status ? ' selected' : ''}>${s}</option>`)}</select></label>
        <button type="submit" class="secondary">Filter</button>
      </form>
      <table>
        <caption class="visually-hidden">Faxes, newest first</caption>
        <thead><tr><th scope="col">Fax</th><th scope="col">Status</th><th scope="col">To</th><th scope="col">Pages</th><th scope="col">Owner</th><th scope="col">Created</th></tr></thead>
        <tbody>${rows.map((f) => html`<tr data-fax="${f.id}"><td><a href="/console/faxes/${f.id}" class="mono">${f.id}</a></td><td>${badge(f.status)}</td><td>${f.to}</td><td>${f.pages ?? ''}</td><td>${f.owner}</td><td>${when(f.created_at)}</td></tr>`)}</tbody>
      </table>
      ${rows.length === 0 ? html`<p>No faxes${status ? ` with status ${status}` : ''}.</p>` : ''}
      <div class="actions">${cursor ? html`<a href="/console/faxes${status ? `?status=${status}` : ''}">First page</a>` : ''}${next ? html`<a href="${next}">Next page</a>` : ''}</div>`;
    return page(c, { title: 'Faxes', active: '/console/faxes', body });
  })
  .get('/faxes/:id', (c) => detailPage(c))
  .get('/faxes/:id/pdf', (c) => proxyDocument(c, `/fax/${id(c)}/pdf`))
  .get('/faxes/:id/report', (c) => proxyDocument(c, `/fax/${id(c)}/report`))
  .post('/faxes/:id/cancel', async (c) => {
    const answer = await c.get('api')('POST', `/fax/${id(c)}/cancel`);
    if (!answer.ok) return c.status(answer.status as 400), detailPage(c, apiError(answer));
    return c.redirect(`/console/faxes/${id(c)}?done=canceled`, 303);
  })
  .post('/faxes/:id/resend', async (c) => {
    const answer = await c.get('api')('POST', `/fax/${id(c)}/resend`);
    if (!answer.ok) return c.status(answer.status as 400), detailPage(c, apiError(answer));
    return c.redirect(`/console/faxes/${encodeURIComponent(answer.body.id)}?done=resent`, 303);
  });
