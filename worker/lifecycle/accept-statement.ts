// The accept of a new job (row, outbox event, audit row: one statement of data-modifying CTEs) as a
// prepared statement: drizzle builds its SQL once per database and audit setting, and each accept
// only fills the values in. Building it per request was the largest JavaScript cost of POST /fax
// (drizzle's query builder walks every column of the insert and both CTEs; scripts/profile-workerd.ts).
// A job with a column outside ACCEPT_COLUMNS set, or without one of them, is built the usual way.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { faxJobs, type FaxJobRow } from '../db/schema.ts';
import type { AuditEvent } from '../services/audit-log.ts';
import type { Actor, NewFaxJob } from './job-lifecycle.ts';
import { auditCte, eventCte } from './record-ctes.ts';
import { redactDetails } from '../../shared/redact.ts';

/** The columns an accept writes (every other column keeps its default). */
export const ACCEPT_COLUMNS = [
  'id', 'owner', 'apiKeyId', 'toNumber', 'headerText', 'status', 'backend', 'site', 'pages', 'sourceType', 'documentKey',
  'documentSha256', 'documentBytes', 'idempotencyKey', 'requestHash', 'maxTries', 'sendAt', 'wakeAt', 'expiresAt',
  'resendOf', 'hasCover', 'createdAt', 'updatedAt',
] as const satisfies readonly (keyof NewFaxJob)[];
/** May be absent (null then, as the column's default is null). */
const NULLABLE = new Set<string>(['headerText', 'site', 'pages', 'idempotencyKey', 'requestHash', 'sendAt', 'wakeAt', 'expiresAt', 'resendOf']);

export interface AcceptRecord {
  job: NewFaxJob;
  eventType: string;
  payload: Record<string, unknown>;
  audit: Required<Pick<AuditEvent, 'action' | 'outcome' | 'details'>> | null;
  actor: Actor;
  at: Date;
}

const p = (name: string) => sql.placeholder(name);
/** Timestamps go in as ISO text (drizzle's date encoder does not take the null a placeholder may hold). */
const TIMESTAMPS = new Set<string>(['sendAt', 'wakeAt', 'expiresAt', 'createdAt', 'updatedAt']);

type Value = Parameters<typeof eventCte>[2];

/**
 * The accept statement: insert (owner's Idempotency-Key wins on conflict), its event and, with
 * `audit`, its audit row. Values may be placeholders (the prepared form below) or values.
 */
export function acceptStatement(
  db: Database,
  values: NewFaxJob,
  event: { type: Value; payload: Parameters<typeof eventCte>[3]; at: Parameters<typeof eventCte>[4] },
  audit: { record: Parameters<typeof auditCte>[2]; actor: Parameters<typeof auditCte>[3] } | null,
) {
  const inserted = db.$with('accepted_job').as(
    db
      .insert(faxJobs)
      .values(values)
      .onConflictDoNothing({ target: [faxJobs.owner, faxJobs.idempotencyKey], where: sql`${faxJobs.idempotencyKey} is not null` })
      .returning(),
  );
  const records = [eventCte(db, 'accepted_job', event.type, event.payload, event.at), ...(audit ? [auditCte(db, 'accepted_job', audit.record, audit.actor, event.at)] : [])];
  return db.with(inserted, ...records).select().from(inserted);
}

// Unnamed (''): over a WebSocket session a named statement would be prepared on the server, which a
// transaction-mode pooler (Neon's PgBouncer) may not keep; over HTTP the name is not used at all.
function build(db: Database, audit: boolean) {
  const values = Object.fromEntries(ACCEPT_COLUMNS.map((c) => [c, TIMESTAMPS.has(c) ? sql`${p(c)}::timestamptz` : p(c)])) as unknown as NewFaxJob;
  const auditValues = audit
    ? { record: { action: p('action'), outcome: p('outcome'), details: p('details') }, actor: { type: p('actorType'), id: p('actorId'), clientIp: p('clientIp'), requestId: p('requestId') } }
    : null;
  return acceptStatement(db, values, { type: p('eventType'), payload: p('payload'), at: p('at') }, auditValues).prepare('');
}

type Prepared = ReturnType<typeof build>;
const prepared = new WeakMap<Database, { audited?: Prepared; plain?: Prepared }>();

/** Whether the prepared statement can write this job exactly as the query builder would. */
export function fitsPrepared(job: NewFaxJob): boolean {
  for (const [key, value] of Object.entries(job)) if (value !== undefined && !(ACCEPT_COLUMNS as readonly string[]).includes(key)) return false;
  return ACCEPT_COLUMNS.every((c) => job[c] !== undefined || NULLABLE.has(c));
}

export async function runPreparedAccept(db: Database, r: AcceptRecord): Promise<FaxJobRow[]> {
  let forDb = prepared.get(db);
  if (!forDb) prepared.set(db, (forDb = {}));
  const statement = r.audit ? (forDb.audited ??= build(db, true)) : (forDb.plain ??= build(db, false));
  const values: Record<string, unknown> = Object.fromEntries(
    ACCEPT_COLUMNS.map((c) => {
      const v = r.job[c] ?? null;
      return [c, v instanceof Date ? v.toISOString() : v];
    }),
  );
  Object.assign(values, { eventType: r.eventType, payload: JSON.stringify(r.payload), at: r.at.toISOString() });
  if (r.audit) {
    Object.assign(values, {
      action: r.audit.action,
      outcome: r.audit.outcome,
      details: JSON.stringify(redactDetails(r.audit.details)),
      actorType: r.actor.type,
      actorId: r.actor.id,
      clientIp: r.actor.clientIp ?? null,
      requestId: r.actor.requestId ?? null,
    });
  }
  return (await statement.execute(values)) as FaxJobRow[];
}
