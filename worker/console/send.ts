// Send page (scope fax:send): a form for POST /fax — number, document, header and cover fields,
// optional send time. The form carries a fresh Idempotency-Key, so a double submit sends once.
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { randomId } from '../lib/crypto.ts';
import { apiError, csrfField, page, type Fragment } from './layout.ts';
import type { ConsoleEnv } from './session.ts';

const FIELDS = ['to', 'header_text', 'cover_to', 'cover_from', 'cover_subject', 'cover_message'] as const;

function sendPage(c: Context<ConsoleEnv>, top: Fragment = '') {
  const body = html`${top}
    <form method="post" action="/console/send" enctype="multipart/form-data" class="stack">${csrfField(c)}
      <input type="hidden" name="idempotency_key" value="console-${randomId(24)}">
      <label>Fax number (E.164, e.g. +1 555 555 0123) <input name="to" required autocomplete="off" inputmode="tel"></label>
      <label>Document (PDF or UTF-8 text) <input name="file" type="file" required accept="application/pdf,text/plain"></label>
      <label>Header line (optional) <input name="header_text" maxlength="100" autocomplete="off"></label>
      <fieldset><legend>Cover sheet (optional)</legend>
        <label>To <input name="cover_to" maxlength="200" autocomplete="off"></label>
        <label>From <input name="cover_from" maxlength="200" autocomplete="off"></label>
        <label>Subject <input name="cover_subject" maxlength="200" autocomplete="off"></label>
        <label>Message <textarea name="cover_message" maxlength="3000"></textarea></label>
      </fieldset>
      <label>Send at (optional, UTC; up to 30 days ahead) <input name="send_at" type="datetime-local"></label>
      <p class="muted">Sending is irreversible once the call starts; a queued or scheduled fax can still be canceled.</p>
      <div class="actions"><button type="submit">Send fax</button></div>
    </form>`;
  return page(c, { title: 'Send a fax', active: '/console/send', body });
}

export const sendPages = new Hono<ConsoleEnv>()
  .get('/send', (c) => sendPage(c))
  .post('/send', async (c) => {
    const form = await c.req.formData();
    const out = new FormData();
    for (const name of FIELDS) {
      const v = form.get(name);
      if (typeof v === 'string' && v.trim() !== '') out.set(name, v);
    }
    const sendAt = form.get('send_at');
    if (typeof sendAt === 'string' && sendAt !== '') out.set('send_at', new Date(`${sendAt}Z`).toISOString());
    const file = form.get('file');
    if (file instanceof File && file.size > 0) out.set('file', file, file.name);
    const api = c.get('api');
    const key = form.get('idempotency_key');
    const answer = await api('POST', '/fax', out, typeof key === 'string' && /^console-[a-z0-9]{24}$/.test(key) ? { 'idempotency-key': key } : undefined);
    if (!answer.ok) return c.status(answer.status as 400), sendPage(c, apiError(answer));
    return c.redirect(`/console/faxes/${encodeURIComponent(answer.body.id)}?done=sent`, 303);
  });
