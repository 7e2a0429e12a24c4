// The once-only display of a new secret (API key or agent token) with a copy button
// (/assets/console.js). It is in this response only: never in a URL, a cookie or a later page.
import { html } from 'hono/html';
import type { Fragment } from './layout.ts';

export function secretNotice(what: string, token: string, extra: Fragment = ''): Fragment {
  return html`<section class="notice success" role="status" aria-labelledby="secret-title">
    <h2 id="secret-title">${what}: copy it now</h2>
    <p>It is shown this once; only its hash is stored.</p>
    <p class="secret" id="new-secret" data-secret="1">${token}</p>
    <div class="actions"><button type="button" class="secondary" data-copy="new-secret">Copy</button><span class="muted" data-copy-status="new-secret" aria-live="polite"></span></div>
    ${extra}
  </section>`;
}
