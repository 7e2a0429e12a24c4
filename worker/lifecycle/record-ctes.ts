// The outbox event and audit row of a change as data-modifying CTEs over the changed row (`from`),
// so a change, its event and its audit commit as ONE statement: atomic without BEGIN/COMMIT and
// one round trip (the accept path of POST /fax uses this; see docs/benchmarks.md). Each value may
// be a placeholder, for the prepared accept (accept-statement.ts).
import { Placeholder, SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { auditEvents, faxEvents } from '../db/schema.ts';
import type { AuditEvent } from '../services/audit-log.ts';
import type { Actor } from './job-lifecycle.ts';
import { redactDetails } from '../../shared/redact.ts';

type Value<T> = T | Placeholder;
/** JSON values: a placeholder, an SQL expression over the changed row, or a value to serialise. */
type Json<T> = Value<T> | SQL;
const json = (v: Json<unknown>) => (v instanceof Placeholder || v instanceof SQL ? v : JSON.stringify(v ?? {}));
/** Audit details as JSON, every string redacted (shared/redact.ts); placeholders are redacted by their binder. */
const auditJson = (v: Json<unknown>) => (v instanceof Placeholder || v instanceof SQL ? v : JSON.stringify(redactDetails(v ?? {})));
const time = (v: Value<Date>) => (v instanceof Placeholder ? v : v.toISOString());

export function eventCte(db: Database, from: string, type: Value<string>, payload: Json<Record<string, unknown>>, at: Value<Date>) {
  return db.$with('recorded_event', { id: sql<number>`id` }).as(
    sql`insert into ${faxEvents} (job_id, owner, type, payload, created_at)
        select id, owner, ${type}, ${json(payload)}::jsonb, ${time(at)}::timestamptz from ${sql.identifier(from)} returning id`,
  );
}

type AuditValues = { action?: Value<AuditEvent['action']>; outcome?: Value<AuditEvent['outcome']>; details?: Json<AuditEvent['details']> };
type ActorValues = { type: Value<Actor['type']>; id: Value<Actor['id']>; clientIp?: Value<string | null>; requestId?: Value<string | null> };

export function auditCte(db: Database, from: string, audit: AuditValues, actor: ActorValues, at: Value<Date>) {
  return db.$with('recorded_audit', { id: sql<number>`id` }).as(
    sql`insert into ${auditEvents} (occurred_at, actor_type, actor_id, action, resource_type, resource_id, outcome, client_ip, request_id, details)
        select ${time(at)}::timestamptz, ${actor.type}, ${actor.id}, ${audit.action}, 'fax_job', id, ${audit.outcome},
          ${actor.clientIp ?? null}, ${actor.requestId ?? null}, ${auditJson(audit.details)}::jsonb
        from ${sql.identifier(from)} returning id`,
  );
}
