// Inbound numbers page (scope keys:manage): which owner receives the faxes that arrive on each
// number. Numbers travel in form bodies only (never in console URLs).
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { apiError, csrfField, errorPage, page, when, type Fragment } from './layout.ts';
import { field } from './form-fields.ts';
import type { ConsoleEnv } from './session.ts';

async function numbersPage(c: Context<ConsoleEnv>, top: Fragment = '') {
  const answer = await c.get('api')('GET', '/admin/inbound-numbers');
  if (!answer.ok) return errorPage(c, 'Inbound numbers', '/console/numbers', answer);
  const rows = answer.body.data as Array<Record<string, any>>;
  const body = html`${top}
    <table>
      <caption class="visually-hidden">Number to owner</caption>
      <thead><tr><th scope="col">Number</th><th scope="col">Owner</th><th scope="col">Updated</th><th scope="col">Action</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr><td>${r.number}</td><td>${r.owner}</td><td>${when(r.updated_at)}</td>
        <td><form method="post" action="/console/numbers/delete" data-confirm="Remove this mapping? Faxes to the number go to the default owner.">${csrfField(c)}<input type="hidden" name="number" value="${r.number}"><button type="submit" class="danger">Remove</button></form></td></tr>`)}</tbody>
    </table>
    ${rows.length === 0 ? html`<p>No mappings: received faxes go to the default owner.</p>` : ''}
    <h2>Map a number</h2>
    <form method="post" action="/console/numbers" class="stack">${csrfField(c)}
      <label>Number (E.164) <input name="number" required autocomplete="off" inputmode="tel"></label>
      <label>Owner <input name="owner" required maxlength="100" autocomplete="off"></label>
      <div class="actions"><button type="submit">Save mapping</button></div>
    </form>`;
  return page(c, { title: 'Inbound numbers', active: '/console/numbers', body });
}


export const numberPages = new Hono<ConsoleEnv>()
  .get('/numbers', (c) => numbersPage(c))
  .post('/numbers', async (c) => {
    const f = await c.req.formData();
    const answer = await c.get('api')('PUT', `/admin/inbound-numbers/${encodeURIComponent((field(f, 'number') ?? ''))}`, { owner: field(f, 'owner') });
    if (!answer.ok) return c.status(answer.status as 400), numbersPage(c, apiError(answer));
    return c.redirect('/console/numbers?done=mapped', 303);
  })
  .post('/numbers/delete', async (c) => {
    const f = await c.req.formData();
    const answer = await c.get('api')('DELETE', `/admin/inbound-numbers/${encodeURIComponent((field(f, 'number') ?? ''))}`);
    if (!answer.ok) return c.status(answer.status as 400), numbersPage(c, apiError(answer));
    return c.redirect('/console/numbers?done=unmapped', 303);
  });
