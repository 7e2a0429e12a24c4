// Reads the audit trail for GET /admin/audit (newest first, cursor = last id) and applies the
// retention policy (AUDIT_RETENTION_DAYS) from the scheduled handler.
import { and, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { auditEvents, type AuditEventRow } from '../db/schema.ts';

export interface AuditFilter {
  action?: string;
  actorId?: string;
  resourceId?: string;
  outcome?: string;
  since?: Date;
  until?: Date;
  beforeId?: number;
  limit: number;
}

export async function listAuditEvents(db: Database, f: AuditFilter): Promise<AuditEventRow[]> {
  const where: SQL[] = [];
  if (f.action) where.push(eq(auditEvents.action, f.action));
  if (f.actorId) where.push(eq(auditEvents.actorId, f.actorId));
  if (f.resourceId) where.push(eq(auditEvents.resourceId, f.resourceId));
  if (f.outcome) where.push(eq(auditEvents.outcome, f.outcome as AuditEventRow['outcome']));
  if (f.since) where.push(gte(auditEvents.occurredAt, f.since));
  if (f.until) where.push(lte(auditEvents.occurredAt, f.until));
  if (f.beforeId !== undefined) where.push(lt(auditEvents.id, f.beforeId));
  return db.select().from(auditEvents).where(and(...where)).orderBy(desc(auditEvents.id)).limit(f.limit);
}

/** Deletes audit events older than the retention period; returns how many. */
export async function pruneAuditEvents(db: Database, retentionDays: number): Promise<number> {
  const rows = await db
    .delete(auditEvents)
    .where(lt(auditEvents.occurredAt, sql`now() - make_interval(days => ${retentionDays})`))
    .returning({ id: auditEvents.id });
  return rows.length;
}
