// GET /fax — the caller's jobs, newest first, with cursor pagination and filters (scope fax:read).
// Query: status (comma-separated), since / until (ISO 8601, on created_at), limit (1-100), cursor.
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../context.ts';
import { FAX_STATUSES } from '../../db/schema.ts';
import { decodeCursor, pageOf } from '../../lib/cursor.ts';
import { parseWith } from '../../lib/validate.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { presentFaxJob } from '../../views/fax-job.ts';

export const ListFaxQuery = z.object({
  status: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()) : undefined))
    .pipe(z.array(z.enum(FAX_STATUSES)).optional()),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional().default(20),
  cursor: z.string().max(512).optional(),
  owner: z.string().max(100).optional(),
});

export const listFax = new Hono<AppEnv>().get('/', requireScope('fax:read'), async (c) => {
  const q = parseWith(ListFaxQuery, c.req.query());
  const caller = c.get('caller');
  const rows = await c.get('services').jobs.list({
    // Admin keys see every owner (optionally one); other keys only their own.
    owner: caller.isAdmin ? q.owner : caller.owner,
    statuses: q.status,
    since: q.since ? new Date(q.since) : undefined,
    until: q.until ? new Date(q.until) : undefined,
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const { page, nextCursor } = pageOf(rows.map((r) => ({ ...r, createdAt: r.job.createdAt, id: r.job.id })), q.limit);
  return c.json({ data: await Promise.all(page.map((r) => presentFaxJob(c, r.job, r.attempts))), next_cursor: nextCursor });
});
