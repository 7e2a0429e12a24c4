// The fax job lifecycle: the only code that changes a job's status. Every change is one Postgres
// transaction holding the conditional UPDATE (from the statuses it may leave), its audit row and
// its outbox event (fax_events). A change whose precondition no longer holds (a duplicate or late
// result, a race with cancel) changes nothing and returns null. See docs/api.md for the diagram.
import { and, eq, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { auditEvents, faxAttempts, faxEvents, faxJobs, type FaxJobRow, type FaxStatus } from '../db/schema.ts';
import type { AuditEvent } from '../services/audit-log.ts';
import { decide, isConnected, UNKNOWN_REASONS, type AttemptOutcome, type RetryPolicy } from './retry-policy.ts';
import { eventPayload, eventPayloadSql, type FaxEventType } from './events.ts';
import { isUniqueViolation } from './db-errors.ts';
import { auditCte, eventCte } from './record-ctes.ts';
import { acceptStatement, fitsPrepared, runPreparedAccept } from './accept-statement.ts';
import { completeAudit, endInFlight } from './end-attempt.ts';
import { providerRetryTx } from './provider-retry.ts';
import { redactDetails } from '../../shared/redact.ts';

export type NewFaxJob = typeof faxJobs.$inferInsert;
type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export const FINAL_STATUSES: readonly FaxStatus[] = ['success', 'failed', 'canceled', 'unknown'];
export const OPEN_STATUSES: readonly FaxStatus[] = ['scheduled', 'queued', 'in_progress'];
export const CANCELABLE_STATUSES: readonly FaxStatus[] = ['scheduled', 'queued'];

export interface Actor {
  type: AuditEvent['actorType'];
  id: string | null;
  requestId?: string | null;
  clientIp?: string | null;
}

export const SYSTEM: Actor = { type: 'system', id: 'lifecycle' };

/** A SIP lease: the change applies only while this agent holds this offer. */
export interface Lease {
  agentId: string;
  offerId?: string;
}

/** Line details reported with an outcome. */
export interface LineDetails {
  failureDetail?: string | null;
  pagesSent?: number | null;
  bitrate?: number | null;
  remoteStationId?: string | null;
  t38?: boolean | null;
  providerRef?: string | null;
}

export type StartResult = { started: true; job: FaxJobRow; attempt: number } | { started: false; why: 'not_due' | 'destination_busy' };

export interface LifecycleOptions {
  policy: RetryPolicy;
  /** AUDIT_LOG_ENABLED; false only in development. */
  audit: boolean;
  /**
   * A database that runs interactive transactions (a WebSocket session); default: the one given.
   * The request path's own database is HTTP (one request per statement), which has none.
   */
  sessionDb?: () => Database;
}

/** `wake_at` still holds the instant `seen` (a Date has milliseconds, timestamptz microseconds). */
function sameInstant(seen: Date | null): SQL {
  if (!seen) return isNull(faxJobs.wakeAt);
  const iso = seen.toISOString();
  return sql`${faxJobs.wakeAt} > ${iso}::timestamptz - interval '1 millisecond' and ${faxJobs.wakeAt} < ${iso}::timestamptz + interval '1 millisecond'`;
}

export class JobLifecycle {
  // Plain fields, not parameter properties: the lifecycle also runs under Node's type stripping
  // (the property test and the benchmark drive it directly).
  private readonly db: () => Database;
  private readonly opts: LifecycleOptions;

  constructor(db: () => Database, opts: LifecycleOptions) {
    this.db = db;
    this.opts = opts;
  }

  private tx(): Database {
    return (this.opts.sessionDb ?? this.db)();
  }

  get policy(): RetryPolicy {
    return this.opts.policy;
  }

  /**
   * Accepts a new job: the row, its audit and its first event commit together. With an
   * Idempotency-Key an existing job of the same owner wins: `created` is false and it is returned.
   */
  async accept(job: NewFaxJob, actor: Actor, auditDetails: Record<string, unknown>): Promise<{ job: FaxJobRow; created: boolean }> {
    const db = this.db();
    const now = new Date();
    const start = job.sendAt && job.sendAt > now ? job.sendAt : null;
    const status: FaxStatus = start ? 'scheduled' : 'queued';
    const values = {
      ...job,
      status,
      sendAt: job.sendAt ?? null,
      wakeAt: start ?? now,
      expiresAt: new Date((start ?? now).getTime() + this.opts.policy.expiryMs),
      createdAt: now,
      updatedAt: now,
    };
    const type: FaxEventType = start ? 'fax.scheduled' : 'fax.queued';
    const payload = eventPayload(type, { ...values, pagesSent: null, attempts: 0, failureReason: null, nextAttemptAt: null, completedAt: null, pages: job.pages ?? null } as FaxJobRow);
    // One statement: the row, its event and its audit commit together or not at all.
    const audit = this.opts.audit ? { action: 'fax.send', outcome: 'success' as const, details: { status, ...auditDetails } } : null;
    const rows = fitsPrepared(values) ? await runPreparedAccept(db, { job: values, eventType: type, payload, audit, actor, at: now }) : await acceptStatement(db, values, { type, payload, at: now }, audit ? { record: audit, actor } : null);
    if (rows[0]) return { job: rows[0], created: true };
    // Idempotency-Key already used by this owner (possibly a concurrent request): that job wins.
    const existing = await db
      .select()
      .from(faxJobs)
      .where(and(eq(faxJobs.owner, job.owner), eq(faxJobs.idempotencyKey, job.idempotencyKey ?? '')))
      .limit(1);
    if (!existing[0]) throw new Error('idempotent insert conflict without an existing job');
    return { job: existing[0], created: false };
  }

  /** scheduled -> queued once send_at has come. */
  releaseScheduled(jobId: string, now = new Date()): Promise<FaxJobRow | null> {
    return this.change(jobId, ['scheduled'], 'queued', lte(faxJobs.sendAt, now), { wakeAt: now }, 'fax.scheduled_started', { action: 'fax.schedule.start', outcome: 'success' }, SYSTEM);
  }

  /**
   * queued -> in_progress: an attempt starts (a dial, a provider submission). Refused while a retry
   * is not due, and while another call to the same number is in flight anywhere (the unique index
   * fax_jobs_destination_in_flight_uq is the guarantee).
   */
  async startAttempt(jobId: string, opts: { lease?: Lease; agentId?: string | null; providerRef?: string | null; checkAt?: Date; backend?: string }, actor: Actor = SYSTEM): Promise<StartResult> {
    const now = new Date();
    const db = this.db();
    const due = or(isNull(faxJobs.nextAttemptAt), lte(faxJobs.nextAttemptAt, now))!;
    // One statement (no session, no BEGIN/COMMIT): the job, its attempt row, its event and its audit.
    const started = db.$with('started_job').as(
      db
        .update(faxJobs)
        .set({
          status: 'in_progress',
          attempts: sql`${faxJobs.attempts} + 1`,
          dialedAt: now,
          nextAttemptAt: null,
          pagesSent: null,
          wakeAt: opts.checkAt ?? new Date(now.getTime() + this.opts.policy.attemptTimeoutMs),
          updatedAt: now,
          ...(opts.agentId !== undefined ? { agentId: opts.agentId } : {}),
          // The previous attempt's provider id must not match this attempt's late reports.
          providerRef: opts.providerRef ?? null,
        })
        .where(and(eq(faxJobs.id, jobId), eq(faxJobs.status, 'queued'), due, this.leaseCondition(opts.lease)))
        .returning(),
    );
    const attempt = db.$with('started_attempt', { jobId: sql<string>`job_id` }).as(
      sql`insert into ${faxAttempts} (job_id, number, started_at, agent_id, provider_ref, backend)
          select id, attempts, ${now.toISOString()}::timestamptz, ${opts.agentId ?? opts.lease?.agentId ?? null}, ${opts.providerRef ?? null}, coalesce(${opts.backend ?? null}::text, backend) from "started_job" returning job_id`,
    );
    const type: FaxEventType = 'fax.attempt_started';
    const records = [
      attempt,
      eventCte(db, 'started_job', type, eventPayloadSql(type, 'started_job'), now),
      ...(this.opts.audit
        ? [auditCte(db, 'started_job', { action: 'fax.attempt.start', outcome: 'success', details: sql`jsonb_build_object('status', "started_job".status, 'attempt', "started_job".attempts)` }, actor, now)]
        : []),
    ];
    try {
      const job = (await db.with(started, ...records).select().from(started))[0];
      if (!job) return { started: false, why: 'not_due' };
      return { started: true, job, attempt: job.attempts };
    } catch (err) {
      if (isUniqueViolation(err, 'fax_jobs_destination_in_flight_uq')) return { started: false, why: 'destination_busy' };
      throw err;
    }
  }

  /**
   * An attempt ended. From in_progress the retry policy decides: back to queued with
   * next_attempt_at, or final. A real result also ends an `unknown` job (the truth arrived late);
   * an unknown outcome never replaces anything. A failure reported before any dial (the job still
   * queued under this lease) ends the job only when it is never retried; otherwise the lease is
   * released for a later try.
   */
  async finishAttempt(jobId: string, outcome: AttemptOutcome, line: LineDetails = {}, opts: { lease?: Lease; providerRef?: string } = {}, actor: Actor = SYSTEM): Promise<FaxJobRow | null> {
    const normalized = normalizeOutcome(outcome);
    // A provider's result applies only to the attempt that provider fax belongs to.
    const lease = and(this.leaseCondition(opts.lease), opts.providerRef !== undefined ? eq(faxJobs.providerRef, opts.providerRef) : undefined);
    const ctx = { policy: this.opts.policy, audit: this.opts.audit, lease };
    const where = and(eq(faxJobs.id, jobId), ctx.lease);
    // A real result for a job whose outcome was unknown; a failure reported before any dial.
    const lateResult = (job: FaxJobRow) => job.status === 'unknown' && normalized.result !== 'unknown';
    const failedBeforeDial = (job: FaxJobRow) => job.status === 'queued' && !!opts.lease && normalized.result === 'failed';
    // The common case, a call in flight ending, is a read and one conditional statement
    // (end-attempt.ts); a race with another change reads again.
    for (let i = 0; i < 3; i++) {
      const current = (await this.db().select().from(faxJobs).where(where).limit(1))[0];
      if (!current) return null;
      if (current.status !== 'in_progress') {
        if (!lateResult(current) && !failedBeforeDial(current)) return null;
        break;
      }
      const ended = await endInFlight(this.db(), current, normalized, line, actor, ctx);
      if (ended) return ended;
    }
    // The rare ones (a late result for an unknown job, a failure before any dial) under a row lock.
    return this.tx().transaction(async (tx) => {
      const current = (await tx.select().from(faxJobs).where(where).for('update').limit(1))[0];
      if (!current) return null;
      if (current.status === 'in_progress') return endInFlight(tx, current, normalized, line, actor, ctx);
      if (lateResult(current)) return this.endLate(tx, current, normalized, line, actor);
      if (failedBeforeDial(current) && normalized.result === 'failed') return this.failBeforeDial(tx, current, normalized, actor);
      return null;
    });
  }

  /** scheduled | queued -> canceled. Nothing in flight can be canceled. */
  cancel(jobId: string, actor: Actor): Promise<FaxJobRow | null> {
    const now = new Date();
    return this.change(jobId, CANCELABLE_STATUSES, 'canceled', undefined, { canceledAt: now, completedAt: now, nextAttemptAt: null, wakeAt: null, offerState: null }, 'fax.completed', { action: 'fax.cancel', outcome: 'success' }, actor);
  }

  /** A waiting job past expires_at fails `expired` (a call in flight is never cut off). */
  expire(jobId: string, now = new Date()): Promise<FaxJobRow | null> {
    return this.change(
      jobId,
      ['scheduled', 'queued'],
      'failed',
      lte(faxJobs.expiresAt, now),
      { failureReason: 'expired', completedAt: now, nextAttemptAt: null, wakeAt: null, offerState: null },
      'fax.completed',
      { action: 'fax.complete', outcome: 'failure', details: { reason: 'expired' } },
      SYSTEM,
    );
  }

  /**
   * A provider accepted the attempt in flight: its fax id is recorded on the job and the attempt
   * (bookkeeping, not a status change). Only while that attempt is still the one in flight.
   */
  async recordProviderRef(jobId: string, attempt: number, providerRef: string): Promise<boolean> {
    const rows = await this.db()
      .update(faxJobs)
      .set({ providerRef, updatedAt: new Date() })
      .where(and(eq(faxJobs.id, jobId), eq(faxJobs.status, 'in_progress'), eq(faxJobs.attempts, attempt)))
      .returning({ id: faxJobs.id });
    if (!rows[0]) return false;
    await this.db()
      .update(faxAttempts)
      .set({ providerRef })
      .where(and(eq(faxAttempts.jobId, jobId), eq(faxAttempts.number, attempt)));
    return true;
  }

  /**
   * The provider itself retries the call (Phaxio's `retry_scheduled`, a recipient in `willretry`):
   * the attempt in flight ends failed and the provider's next try is a new attempt of the same
   * provider fax; the job stays in_progress. `retry` is the provider's retry count (1 for its first
   * retry): a repeated or out-of-order report (one that would not add an attempt) changes nothing.
   */
  providerRetry(jobId: string, providerRef: string, retry: number, outcome: Extract<AttemptOutcome, { result: 'failed' }>, line: LineDetails = {}): Promise<FaxJobRow | null> {
    return providerRetryTx(this.tx(), { jobId, providerRef, retry, outcome, line, audit: this.opts.audit, attemptTimeoutMs: this.opts.policy.attemptTimeoutMs });
  }

  /**
   * The sweep's bookkeeping (not a status change): when to look at an open job next. Only while
   * `wake_at` is still what it was in `job`, the row as the sweep read it: whoever changed it since (a call to the same
   * number ended and woke this job, a result requeued it for its retry, the backend's own transition)
   * knows better, and overwriting it would put back a wake-up that is no longer true. The stored
   * value may carry microseconds the Date lost, hence the millisecond window.
   */
  async setWake(job: Pick<FaxJobRow, 'id' | 'wakeAt'>, at: Date): Promise<void> {
    await this.db()
      .update(faxJobs)
      .set({ wakeAt: at })
      .where(and(eq(faxJobs.id, job.id), inArray(faxJobs.status, [...OPEN_STATUSES]), sameInstant(job.wakeAt)));
  }

  private async endLate(tx: Tx, job: FaxJobRow, outcome: AttemptOutcome, line: LineDetails, actor: Actor): Promise<FaxJobRow> {
    const now = new Date();
    const status = outcome.result === 'success' ? 'success' : 'failed';
    const reason = outcome.result === 'failed' ? outcome.reason : null;
    await tx
      .update(faxAttempts)
      .set({ result: status, failureReason: reason, failureDetail: line.failureDetail ?? null, pagesSent: line.pagesSent ?? null, bitrate: line.bitrate ?? null, remoteStationId: line.remoteStationId ?? null, t38: line.t38 ?? null, connected: isConnected(outcome) })
      .where(and(eq(faxAttempts.jobId, job.id), eq(faxAttempts.number, job.attempts)));
    const updated = await this.update(tx, job.id, 'unknown', {
      status,
      failureReason: reason,
      failureDetail: outcome.result === 'success' ? null : (line.failureDetail ?? null),
      pagesSent: line.pagesSent ?? (status === 'success' ? job.pages : null),
      bitrate: line.bitrate ?? null,
      remoteStationId: line.remoteStationId ?? null,
      completedAt: now,
      updatedAt: now,
    });
    await this.record(tx, updated, 'fax.completed', { ...completeAudit(updated), details: { ...completeAudit(updated).details, late: true } }, actor);
    return updated;
  }

  private async failBeforeDial(tx: Tx, job: FaxJobRow, outcome: Extract<AttemptOutcome, { result: 'failed' }>, actor: Actor): Promise<FaxJobRow | null> {
    const now = new Date();
    const decision = decide(outcome, { dials: job.attempts, tries: job.tries, maxTries: job.maxTries, expiresAt: job.expiresAt }, this.opts.policy, now);
    if (decision.kind === 'retry') {
      // Not a state change: the job stays queued, the lease is released and the next try waits.
      await tx
        .update(faxJobs)
        .set({ agentId: null, offerId: null, offerState: null, offerExpiresAt: null, nextAttemptAt: decision.at, wakeAt: decision.at, updatedAt: now })
        .where(and(eq(faxJobs.id, job.id), eq(faxJobs.status, 'queued')));
      return null;
    }
    const updated = await this.update(tx, job.id, 'queued', { status: 'failed', failureReason: decision.reason, completedAt: now, nextAttemptAt: null, wakeAt: null, offerState: null, updatedAt: now });
    await this.record(tx, updated, 'fax.completed', completeAudit(updated), actor);
    return updated;
  }

  private async update(tx: Tx, id: string, from: FaxStatus, set: Partial<NewFaxJob>): Promise<FaxJobRow> {
    const rows = await tx.update(faxJobs).set(set).where(and(eq(faxJobs.id, id), eq(faxJobs.status, from))).returning();
    if (!rows[0]) throw new Error('lifecycle: job changed under a row lock');
    return rows[0];
  }

  /** One conditional status change with its audit and event, in one transaction. */
  private change(
    jobId: string,
    from: readonly FaxStatus[],
    status: FaxStatus,
    extra: SQL | undefined,
    set: Partial<NewFaxJob>,
    event: FaxEventType,
    audit: Pick<AuditEvent, 'action' | 'outcome' | 'details'>,
    actor: Actor,
  ): Promise<FaxJobRow | null> {
    return this.tx().transaction(async (tx) => {
      const rows = await tx
        .update(faxJobs)
        .set({ ...set, status, updatedAt: new Date() })
        .where(and(eq(faxJobs.id, jobId), inArray(faxJobs.status, [...from]), extra))
        .returning();
      const job = rows[0];
      if (!job) return null;
      await this.record(tx, job, event, audit, actor);
      return job;
    });
  }

  private leaseCondition(lease: Lease | undefined): SQL | undefined {
    if (!lease) return undefined;
    return and(eq(faxJobs.agentId, lease.agentId), lease.offerId ? eq(faxJobs.offerId, lease.offerId) : undefined);
  }

  private async record(tx: Tx, job: FaxJobRow, type: FaxEventType, audit: Pick<AuditEvent, 'action' | 'outcome' | 'details'>, actor: Actor): Promise<void> {
    const now = new Date();
    await tx.insert(faxEvents).values({ jobId: job.id, owner: job.owner, type, payload: eventPayload(type, job), createdAt: now });
    if (!this.opts.audit) return;
    await tx.insert(auditEvents).values({
      occurredAt: now,
      actorType: actor.type,
      actorId: actor.id,
      action: audit.action,
      resourceType: 'fax_job',
      resourceId: job.id,
      outcome: audit.outcome,
      clientIp: actor.clientIp ?? null,
      requestId: actor.requestId ?? null,
      details: redactDetails({ status: job.status, ...(audit.details ?? {}) }),
    });
  }
}

/** Agents report a lost call as a failure reason; it is an unknown outcome. */
function normalizeOutcome(outcome: AttemptOutcome): AttemptOutcome {
  if (outcome.result === 'failed' && (UNKNOWN_REASONS as readonly string[]).includes(outcome.reason)) return { result: 'unknown', reason: outcome.reason };
  return outcome;
}
