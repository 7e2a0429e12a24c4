// The outbox's event types and payloads. Payloads summarise the job (ids, statuses, counts,
// the destination masked to its last 4 digits) and never carry the document or a full number.
import { sql, type SQL } from 'drizzle-orm';
import type { FaxJobRow } from '../db/schema.ts';
import { maskNumber } from '../../shared/phone.ts';

export const FAX_EVENT_TYPES = ['fax.queued', 'fax.scheduled', 'fax.scheduled_started', 'fax.attempt_started', 'fax.attempt_failed', 'fax.completed'] as const;
export type FaxEventType = (typeof FAX_EVENT_TYPES)[number];

export function eventPayload(type: FaxEventType, job: FaxJobRow): Record<string, unknown> {
  return {
    type,
    fax_id: job.id,
    status: job.status,
    to: maskNumber(job.toNumber),
    pages: job.pages,
    pages_sent: job.pagesSent,
    attempts: job.attempts,
    failure_reason: job.failureReason,
    next_attempt_at: job.nextAttemptAt?.toISOString() ?? null,
    send_at: job.sendAt?.toISOString() ?? null,
    completed_at: job.completedAt?.toISOString() ?? null,
  };
}

/**
 * eventPayload() computed by Postgres over a changed row (`from`, a CTE returning fax_jobs' columns),
 * for changes made in one statement whose row JavaScript has not seen. Same keys and values
 * (test/api/lifecycle/event-payload-sql.test.ts): the number masked as maskNumber() does, times as
 * toISOString() writes them (UTC, milliseconds, 'Z').
 */
export function eventPayloadSql(type: FaxEventType, from: string): SQL {
  const c = (column: string) => sql`${sql.identifier(from)}.${sql.identifier(column)}`;
  const iso = (column: string) => sql`to_char(${c(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const digits = sql`regexp_replace(${c('to_number')}, '[^0-9]', '', 'g')`;
  return sql`jsonb_build_object('type', ${type}::text, 'fax_id', ${c('id')}, 'status', ${c('status')},
    'to', case when length(${digits}) >= 7 then '***' || right(${digits}, 4) else '***' end,
    'pages', ${c('pages')}, 'pages_sent', ${c('pages_sent')}, 'attempts', ${c('attempts')}, 'failure_reason', ${c('failure_reason')},
    'next_attempt_at', ${iso('next_attempt_at')}, 'send_at', ${iso('send_at')}, 'completed_at', ${iso('completed_at')})`;
}
