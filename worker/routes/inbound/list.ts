// GET /inbound — received faxes of the caller's owner, newest first (scope inbound:list).
// Query: since, until, limit (1-100), cursor; admins may filter by owner.
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../context.ts';
import { decodeCursor, pageOf } from '../../lib/cursor.ts';
import { parseWith } from '../../lib/validate.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { presentInboundFax } from '../../views/inbound-fax.ts';

export const ListInboundQuery = z.object({
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional().default(20),
  cursor: z.string().max(512).optional(),
  owner: z.string().max(100).optional(),
});

export const listInbound = new Hono<AppEnv>().get('/', requireScope('inbound:list'), async (c) => {
  const q = parseWith(ListInboundQuery, c.req.query());
  const caller = c.get('caller');
  const rows = await c.get('services').inbound.list({
    owner: caller.isAdmin ? q.owner : caller.owner,
    since: q.since ? new Date(q.since) : undefined,
    until: q.until ? new Date(q.until) : undefined,
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const { page, nextCursor } = pageOf(rows, q.limit);
  return c.json({ data: await Promise.all(page.map((r) => presentInboundFax(c, r))), next_cursor: nextCursor });
});
