// GET /admin/audit — the audit trail (scope keys:manage), newest first. Filters: action, actor_id,
// resource_id, outcome, since, until; limit (1-200) and cursor. Entries never carry PHI.
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../context.ts';
import { parseWith } from '../../lib/validate.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { listAuditEvents } from '../../services/audit-query.ts';

export const AuditQuery = z.object({
  action: z.string().max(100).optional(),
  actor_id: z.string().max(100).optional(),
  resource_id: z.string().max(100).optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional().default(50),
  cursor: z.string().regex(/^\d{1,18}$/, 'a cursor from a previous page').optional(),
});

export const auditLog = new Hono<AppEnv>().get('/', requireScope('keys:manage'), async (c) => {
  const q = parseWith(AuditQuery, c.req.query());
  const rows = await listAuditEvents(c.get('services').db(), {
    action: q.action,
    actorId: q.actor_id,
    resourceId: q.resource_id,
    outcome: q.outcome,
    since: q.since ? new Date(q.since) : undefined,
    until: q.until ? new Date(q.until) : undefined,
    beforeId: q.cursor ? Number(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  return c.json({
    data: page.map((e) => ({
      id: e.id,
      occurred_at: e.occurredAt.toISOString(),
      actor_type: e.actorType,
      actor_id: e.actorId,
      action: e.action,
      resource_type: e.resourceType,
      resource_id: e.resourceId,
      outcome: e.outcome,
      client_ip: e.clientIp,
      request_id: e.requestId,
      details: e.details,
    })),
    next_cursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
  });
});
