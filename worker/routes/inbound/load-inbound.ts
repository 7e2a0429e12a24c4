// Loads an inbound fax the caller may see (own owner, or any for admins); others are 404.
import type { Context } from 'hono';
import type { AppEnv } from '../../context.ts';
import type { InboundFaxRow } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';

export async function loadVisibleInbound(c: Context<AppEnv>, id: string): Promise<InboundFaxRow> {
  const row = /^inb_[a-f0-9]{24}$/.test(id) ? await c.get('services').inbound.findById(id) : null;
  const caller = c.get('caller');
  if (!row || (caller && !caller.isAdmin && row.owner !== caller.owner)) throw new ApiError(404, 'inbound_not_found', 'No inbound fax with this id.');
  return row;
}
