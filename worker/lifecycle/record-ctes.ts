// The outbox event and audit row of a change as data-modifying CTEs over the changed row (`from`),
// so a change, its event and its audit commit as ONE statement: atomic without BEGIN/COMMIT and
// one round trip (the accept path of POST /fax uses this; see docs/benchmarks.md).
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { auditEvents, faxEvents } from '../db/schema.ts';
import type { AuditEvent } from '../services/audit-log.ts';
import type { Actor } from './job-lifecycle.ts';

export function eventCte(db: Database, from: string, type: string, payload: Record<string, unknown>, at: Date) {
  return db.$with('recorded_event', { id: sql<number>`id` }).as(
    sql`insert into ${faxEvents} (job_id, owner, type, payload, created_at)
        select id, owner, ${type}, ${JSON.stringify(payload)}::jsonb, ${at.toISOString()}::timestamptz from ${sql.identifier(from)} returning id`,
  );
}

export function auditCte(db: Database, from: string, audit: Pick<AuditEvent, 'action' | 'outcome' | 'details'>, actor: Actor, at: Date) {
  return db.$with('recorded_audit', { id: sql<number>`id` }).as(
    sql`insert into ${auditEvents} (occurred_at, actor_type, actor_id, action, resource_type, resource_id, outcome, client_ip, request_id, details)
        select ${at.toISOString()}::timestamptz, ${actor.type}, ${actor.id}, ${audit.action}, 'fax_job', id, ${audit.outcome},
          ${actor.clientIp ?? null}, ${actor.requestId ?? null}, ${JSON.stringify(audit.details ?? {})}::jsonb
        from ${sql.identifier(from)} returning id`,
  );
}
