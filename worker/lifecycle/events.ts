// The outbox's event types and payloads. Payloads summarise the job (ids, statuses, counts,
// the destination masked to its last 4 digits) and never carry the document or a full number.
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
