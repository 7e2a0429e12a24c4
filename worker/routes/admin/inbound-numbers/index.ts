// Number -> owner mapping for inbound faxes (scope keys:manage): which department owns the faxes
// sent to each of the hospital's numbers. GET, PUT /admin/inbound-numbers/:number, DELETE.
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../../context.ts';
import { ApiError } from '../../../errors.ts';
import { audit } from '../../../lib/audit.ts';
import { readJson } from '../../../lib/validate.ts';
import { requireScope } from '../../../middleware/require-scope.ts';
import { maskNumber, normalizeNumber } from '../../../../shared/phone.ts';
import { LABEL } from '../api-keys/create.ts';

export const MapInboundNumberRequest = z.object({ owner: LABEL });

function number(c: { req: { param(n: string): string | undefined } }, cc: string): string {
  // Hono has decoded the path parameter already: decoding again turned `%25` into a 500.
  const r = normalizeNumber(c.req.param('number') ?? '', cc);
  if (!r.ok) throw new ApiError(400, 'invalid_number', `Not a valid number: ${r.reason}.`);
  return r.e164;
}

export const inboundNumbers = new Hono<AppEnv>()
  .get('/', requireScope('keys:manage'), async (c) => {
    const rows = await c.get('services').inbound.listNumbers();
    return c.json({ data: rows.map((r) => ({ number: r.number, owner: r.owner, updated_at: r.updatedAt.toISOString() })) });
  })
  .put('/:number', requireScope('keys:manage'), async (c) => {
    const n = number(c, c.get('config').defaultCountryCode);
    const { owner } = await readJson(c, MapInboundNumberRequest);
    const row = await c.get('services').inbound.upsertNumber(n, owner, c.get('caller').id);
    await audit(c, { action: 'inbound_number.set', resourceType: 'inbound_number', resourceId: maskNumber(n), outcome: 'success', details: { owner } });
    return c.json({ number: row.number, owner: row.owner, updated_at: row.updatedAt.toISOString() });
  })
  .delete('/:number', requireScope('keys:manage'), async (c) => {
    const n = number(c, c.get('config').defaultCountryCode);
    if (!(await c.get('services').inbound.deleteNumber(n))) throw new ApiError(404, 'inbound_number_not_found', 'This number has no owner mapping.');
    await audit(c, { action: 'inbound_number.delete', resourceType: 'inbound_number', resourceId: maskNumber(n), outcome: 'success' });
    return c.json({ number: n, deleted: true });
  });
