// A provider that retries a call itself (Phaxio's `retry_scheduled`): the attempt in flight ends
// failed, the provider's next try starts as a new attempt of the same provider fax, and the job
// stays in_progress — one transaction with both attempts' rows, the job, its event and its audit.
// Idempotent: the provider's retry count says how many attempts that provider fax must have; a
// report that would not add one (a repeat, or one that arrives after a later one) changes nothing.
import { and, count, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { auditEvents, faxAttempts, faxEvents, faxJobs, type FaxJobRow } from '../db/schema.ts';
import { eventPayload } from './events.ts';
import type { LineDetails } from './job-lifecycle.ts';
import { isConnected, type AttemptOutcome } from './retry-policy.ts';
import { redactDetails } from '../../shared/redact.ts';

export interface ProviderRetryInput {
  jobId: string;
  providerRef: string;
  retry: number;
  outcome: Extract<AttemptOutcome, { result: 'failed' }>;
  line: LineDetails;
  audit: boolean;
  attemptTimeoutMs: number;
}

export function providerRetryTx(db: Database, input: ProviderRetryInput): Promise<FaxJobRow | null> {
  const { jobId, providerRef, outcome, line } = input;
  return db.transaction(async (tx) => {
    const job = (await tx.select().from(faxJobs).where(and(eq(faxJobs.id, jobId), eq(faxJobs.status, 'in_progress'), eq(faxJobs.providerRef, providerRef))).for('update').limit(1))[0];
    if (!job) return null;
    const [{ n }] = (await tx.select({ n: count() }).from(faxAttempts).where(and(eq(faxAttempts.jobId, jobId), eq(faxAttempts.providerRef, providerRef)))) as [{ n: number }];
    // Retry k of a provider fax is its (k+1)-th attempt; only a report that adds one applies.
    if (Number(n) >= input.retry + 1) return null;
    const now = new Date();
    const connected = isConnected(outcome);
    const ended = await tx
      .update(faxAttempts)
      .set({ endedAt: now, result: 'failed', failureReason: outcome.reason, failureDetail: line.failureDetail ?? null, connected, pagesSent: line.pagesSent ?? null, bitrate: line.bitrate ?? null })
      .where(and(eq(faxAttempts.jobId, jobId), eq(faxAttempts.number, job.attempts), isNull(faxAttempts.endedAt)))
      .returning({ backend: faxAttempts.backend });
    const number = job.attempts + 1;
    await tx.insert(faxAttempts).values({ jobId, number, startedAt: now, providerRef, backend: ended[0]?.backend ?? job.backend });
    const [updated] = await tx
      .update(faxJobs)
      .set({
        attempts: number,
        tries: job.tries + (connected ? 1 : 0),
        failureReason: outcome.reason,
        failureDetail: line.failureDetail ?? null,
        dialedAt: now,
        wakeAt: new Date(now.getTime() + input.attemptTimeoutMs),
        updatedAt: now,
      })
      .where(eq(faxJobs.id, jobId))
      .returning();
    const after = updated!;
    await tx.insert(faxEvents).values([
      { jobId, owner: job.owner, type: 'fax.attempt_failed', payload: { ...eventPayload('fax.attempt_failed', after), provider_retries: true }, createdAt: now },
      { jobId, owner: job.owner, type: 'fax.attempt_started', payload: eventPayload('fax.attempt_started', after), createdAt: now },
    ]);
    if (input.audit) {
      await tx.insert(auditEvents).values({
        occurredAt: now,
        actorType: 'provider',
        actorId: after.backend,
        action: 'fax.attempt.fail',
        resourceType: 'fax_job',
        resourceId: jobId,
        outcome: 'failure',
        details: redactDetails({ status: after.status, attempt: job.attempts, reason: outcome.reason, provider_retries: true }),
      });
    }
    return after;
  });
}
