// The console's page frame: title (never PHI), navigation filtered by the session key's scopes,
// the sign-out form, and helpers every page uses (CSRF field, API error notices, times).
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Scope } from '../auth/scopes.ts';
import type { ApiAnswer } from './internal-call.ts';
import type { ConsoleEnv } from './session.ts';

export type Fragment = HtmlEscapedString | Promise<HtmlEscapedString> | string;

const NAV: Array<{ href: string; label: string; scope?: Scope }> = [
  { href: '/console', label: 'Status' },
  { href: '/console/send', label: 'Send', scope: 'fax:send' },
  { href: '/console/faxes', label: 'Faxes', scope: 'fax:read' },
  { href: '/console/inbox', label: 'Inbox', scope: 'inbound:list' },
  { href: '/console/keys', label: 'Keys', scope: 'keys:manage' },
  { href: '/console/agents', label: 'Agents', scope: 'agents:manage' },
  { href: '/console/numbers', label: 'Inbound numbers', scope: 'keys:manage' },
  { href: '/console/audit', label: 'Audit', scope: 'keys:manage' },
];

export function shell(title: string, nav: Fragment, body: Fragment): Fragment {
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} · Faxbot console</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/assets/faxbot.css">
  <script src="/assets/console.js" defer></script>
</head>
<body>
  <a class="skip" href="#main">Skip to content</a>
  <header class="top"><span class="brand">Faxbot console</span>${nav}</header>
  <main id="main">${body}</main>
</body>
</html>`;
}

export function page(c: Context<ConsoleEnv>, opts: { title: string; active: string; body: Fragment }): Response | Promise<Response> {
  const caller = c.get('caller');
  const links = NAV.filter((n) => !n.scope || caller.scopes.has(n.scope));
  const nav = html`<nav class="tabs" aria-label="Console">${links.map((n) =>
    n.href === opts.active ? html`<a href="${n.href}" aria-current="page">${n.label}</a>` : html`<a href="${n.href}">${n.label}</a>`,
  )}</nav>
  <form method="post" action="/console/logout" class="actions">${csrfField(c)}<span class="muted">${caller.owner} · ${caller.id}</span><button type="submit" class="secondary">Sign out</button></form>`;
  return c.html(shell(opts.title, nav, html`<h1>${opts.title}</h1>${flash(c)}${opts.body}`));
}

export function csrfField(c: Context<ConsoleEnv>): Fragment {
  return html`<input type="hidden" name="csrf" value="${c.get('csrf')}">`;
}

const FLASH: Record<string, string> = {
  sent: 'The fax was accepted; this page shows its progress when you reload it.',
  canceled: 'The fax was canceled.',
  resent: 'A new job was created from this fax.',
  revoked: 'Revoked.',
  mapped: 'The number mapping was saved.',
  unmapped: 'The number mapping was removed.',
};

function flash(c: Context<ConsoleEnv>): Fragment {
  const key = c.req.query('done');
  return key && FLASH[key] ? html`<p class="notice success" role="status">${FLASH[key]}</p>` : '';
}

/** The API's own error, shown as the page says it: code and message (never a stack trace). */
export function apiError(answer: ApiAnswer): Fragment {
  const e = answer.body?.error;
  return html`<p class="notice error" role="alert"><strong>${answer.status} ${e?.code ?? 'error'}</strong>: ${e?.message ?? 'The request failed.'}</p>`;
}

export const when = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '—');

/** A page answered with the API's error status (e.g. 403 for a key without the page's scope). */
export function errorPage(c: Context<ConsoleEnv>, title: string, active: string, answer: ApiAnswer): Response | Promise<Response> {
  c.status(answer.status >= 400 && answer.status < 600 ? (answer.status as 400) : 500);
  return page(c, { title, active, body: apiError(answer) });
}
