// Status page (any signed-in key): /health/ready's checks with what to do about a failing one and,
// for keys:manage, the effective configuration (/admin/config: secrets only as set / not set) and
// its problems. The console's landing page.
import { Hono } from 'hono';
import { html } from 'hono/html';
import { page } from './layout.ts';
import type { ConsoleEnv } from './session.ts';

const FIX: Record<string, string> = {
  database: 'Check DATABASE_URL and that PostgreSQL is reachable from the worker (docs/deployment.md).',
  storage: 'Check S3_ENDPOINT, S3_BUCKET and the access key, and that the bucket policy allows the worker (docs/deployment.md).',
  config: 'Fix the configuration problems listed below (docs/configuration.md).',
  backend: 'Check FAX_BACKEND and its settings; for SIP, that an agent is connected (Agents).',
};

function tree(value: unknown): ReturnType<typeof html> | string {
  if (value === null || typeof value !== 'object') return String(value ?? '—');
  return html`<table><tbody>${Object.entries(value as Record<string, unknown>).map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${Array.isArray(v) ? v.join(', ') || '—' : tree(v)}</td></tr>`)}</tbody></table>`;
}

export const statusPages = new Hono<ConsoleEnv>().get('/', async (c) => {
  const api = c.get('api');
  const isAdmin = c.get('caller').scopes.has('keys:manage');
  const [ready, config] = await Promise.all([api('GET', '/health/ready'), isAdmin ? api('GET', '/admin/config') : Promise.resolve(null)]);
  const checks = Object.entries((ready.body?.checks ?? {}) as Record<string, { ok: boolean; error?: string }>);
  const body = html`<p class="notice ${ready.ok ? 'success' : 'error'}" role="status">${ready.ok ? `Ready: every check passes (backend ${ready.body?.backend}).` : `Not ready: ${ready.body?.error?.message ?? ready.status}`}</p>
    <table>
      <caption>Readiness checks</caption>
      <thead><tr><th scope="col">Check</th><th scope="col">State</th><th scope="col">What to do</th></tr></thead>
      <tbody>${checks.map(([name, r]) => html`<tr><td>${name}</td><td>${r.ok ? html`<span class="badge success">ok</span>` : html`<span class="badge failed">failing</span> ${r.error ?? ''}`}</td><td>${r.ok ? '' : (FIX[name] ?? 'See docs/deployment.md.')}</td></tr>`)}</tbody>
    </table>
    ${config?.ok
      ? html`<h2>Effective configuration</h2>${(config.body.problems ?? []).length ? html`<div class="notice error" role="alert"><p>Configuration problems:</p><ul>${(config.body.problems as string[]).map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}${tree(config.body)}`
      : html`<p class="muted">The effective configuration is shown to keys with keys:manage.</p>`}`;
  return page(c, { title: 'Status', active: '/console', body });
});
