// The end of an attempt in flight as ONE statement (data-modifying CTEs): the job's conditional
// change (in_progress -> queued for a retry, or final), the attempt row closed, the next job waiting
// for the same number woken, the outbox event and the audit row. The caller has read the job; the
// change applies only while the job is still in flight on that same attempt (and lease), so a
// result that raced another gets null and the caller reads again. What the row becomes is computed
// here from the row read and the retry policy, so the event payload and audit details are exact
// without reading it back. Was BEGIN, SELECT FOR UPDATE and five more statements, then COMMIT.
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { faxAttempts, faxJobs, type FaxJobRow } from '../db/schema.ts';
import type { AuditEvent } from '../services/audit-log.ts';
import { eventPayload, type FaxEventType } from './events.ts';
import type { Actor, LineDetails, NewFaxJob } from './job-lifecycle.ts';
import { auditCte, eventCte } from './record-ctes.ts';
import { decide, isConnected, type AttemptOutcome, type RetryPolicy } from './retry-policy.ts';

export interface EndContext {
  policy: RetryPolicy;
  audit: boolean;
  /** The lease condition the change is limited to (SIP), if any. */
  lease?: SQL;
}

export function completeAudit(job: FaxJobRow): Required<Pick<AuditEvent, 'action' | 'outcome' | 'details'>> {
  return {
    action: 'fax.complete',
    outcome: job.status === 'success' ? 'success' : 'failure',
    details: { reason: job.failureReason, attempts: job.attempts, pages: job.pages, pages_sent: job.pagesSent },
  };
}

/** Ends the attempt in flight of `job` (as read); null when the job moved on meanwhile. */
export async function endInFlight(db: Database, job: FaxJobRow, outcome: AttemptOutcome, line: LineDetails, actor: Actor, ctx: EndContext): Promise<FaxJobRow | null> {
  const now = new Date();
  const nowIso = now.toISOString();
  const connected = isConnected(outcome);
  const tries = job.tries + (connected ? 1 : 0);
  const decision = decide(outcome, { dials: job.attempts, tries, maxTries: job.maxTries, expiresAt: job.expiresAt }, ctx.policy, now);
  const reason = outcome.result === 'success' ? null : outcome.reason;
  const base = {
    tries,
    pagesSent: line.pagesSent ?? (outcome.result === 'success' ? job.pages : null),
    bitrate: line.bitrate ?? null,
    remoteStationId: line.remoteStationId ?? null,
    failureDetail: outcome.result === 'success' ? null : (line.failureDetail ?? null),
    ...(line.providerRef ? { providerRef: line.providerRef } : {}),
    updatedAt: now,
  };
  const set: Partial<NewFaxJob> =
    decision.kind === 'retry'
      ? { ...base, status: 'queued', failureReason: reason, nextAttemptAt: decision.at, wakeAt: decision.at, agentId: null, offerId: null, offerState: null, offerExpiresAt: null }
      : { ...base, status: decision.status, failureReason: decision.reason, completedAt: now, nextAttemptAt: null, wakeAt: null, offerState: null, offerExpiresAt: null };
  const after = { ...job, ...set } as FaxJobRow;
  const type: FaxEventType = decision.kind === 'retry' ? 'fax.attempt_failed' : 'fax.completed';
  const audit =
    decision.kind === 'retry'
      ? { action: 'fax.attempt.fail', outcome: 'failure' as const, details: { status: after.status, attempt: job.attempts, reason } }
      : (({ action, outcome: o, details }) => ({ action, outcome: o, details: { status: after.status, ...details } }))(completeAudit(after));

  const ended = db.$with('ended_job').as(
    db
      .update(faxJobs)
      .set(set)
      .where(and(eq(faxJobs.id, job.id), eq(faxJobs.status, 'in_progress'), eq(faxJobs.attempts, job.attempts), ctx.lease))
      .returning(),
  );
  const closed = db.$with('closed_attempt').as(
    db
      .update(faxAttempts)
      .set({
        endedAt: now,
        result: outcome.result,
        failureReason: reason,
        failureDetail: line.failureDetail ?? null,
        connected,
        pagesSent: line.pagesSent ?? null,
        bitrate: line.bitrate ?? null,
        remoteStationId: line.remoteStationId ?? null,
        t38: line.t38 ?? null,
        ...(line.providerRef ? { providerRef: line.providerRef } : {}),
      })
      .where(and(sql`${faxAttempts.jobId} in (select id from "ended_job")`, isNull(faxAttempts.endedAt)))
      .returning({ jobId: faxAttempts.jobId }),
  );
  // The line to this number is free again: the oldest due job waiting for it may go now.
  const woken = db.$with('woken_job', { id: sql<string>`id` }).as(
    sql`update ${faxJobs} set wake_at = ${nowIso}::timestamptz
        where id = (
          select id from ${faxJobs}
          where to_number = ${job.toNumber} and status = 'queued' and id <> ${job.id}
            and (next_attempt_at is null or next_attempt_at <= ${nowIso}::timestamptz)
          order by created_at, id limit 1
        ) and exists (select 1 from "ended_job")
        returning id`,
  );
  const records = [eventCte(db, 'ended_job', type, eventPayload(type, after), now), ...(ctx.audit ? [auditCte(db, 'ended_job', audit, actor, now)] : [])];
  const rows = await db.with(ended, closed, woken, ...records).select().from(ended);
  return rows[0] ?? null;
}
