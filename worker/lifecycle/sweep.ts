// The recovery sweep: every open job carries `wake_at`, the time something must happen to it if
// nothing else moves it. The sweep takes the due ones and moves each on: releases scheduled jobs,
// hands due queued jobs to their backend (again, if a hand-off was lost), expires jobs that waited
// too long, asks backends about calls in flight and ends calls nobody answered as `unknown`.
// It is idempotent: every step is a conditional lifecycle change, so overlapping sweeps are harmless.
import { and, asc, eq, isNotNull, lte, min, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { faxAttempts, faxJobs, type FaxJobRow } from '../db/schema.ts';
import type { FaxBackend } from '../backends/fax-backend.ts';
import { log } from '../lib/log.ts';
import type { JobLifecycle } from './job-lifecycle.ts';

export interface SweepDeps {
  db: () => Database;
  lifecycle: JobLifecycle;
  backend(name: string): FaxBackend | null;
  /** The backend a due job goes to now (its own, or the deployment's fallback); default: its own. */
  route?(job: FaxJobRow): Promise<FaxBackend | null>;
}

export interface SweepResult {
  processed: number;
  /** The earliest wake_at still pending (null: no open job). */
  nextWakeAt: Date | null;
}

const BATCH = 100;
/** A job whose backend is not available here is looked at again after this long. */
const NO_BACKEND_RECHECK_MS = 60_000;

export async function sweep(deps: SweepDeps, now = new Date()): Promise<SweepResult> {
  const due = await deps
    .db()
    .select()
    .from(faxJobs)
    .where(and(isNotNull(faxJobs.wakeAt), lte(faxJobs.wakeAt, now)))
    .orderBy(asc(faxJobs.wakeAt))
    .limit(BATCH);
  for (const job of due) {
    try {
      await advance(deps, job, now);
    } catch (err) {
      // One job's trouble must not stop the others; it is looked at again shortly.
      log('error', 'sweep: job not advanced', { fax_id: job.id, status: job.status, error: (err as Error).name });
      await deps.lifecycle.setWake(job, new Date(Date.now() + 5000)).catch(() => {});
    }
  }
  const next = await deps.db().select({ at: min(faxJobs.wakeAt) }).from(faxJobs).where(isNotNull(faxJobs.wakeAt));
  const at = next[0]?.at ?? null;
  return { processed: due.length, nextWakeAt: at ? new Date(at) : null };
}

export async function advance(deps: SweepDeps, job: FaxJobRow, now: Date): Promise<void> {
  const { lifecycle } = deps;
  switch (job.status) {
    case 'scheduled': {
      if (job.sendAt && job.sendAt > now) return lifecycle.setWake(job, job.sendAt);
      const released = await lifecycle.releaseScheduled(job.id, now);
      if (released) return advance(deps, released, now);
      return;
    }
    case 'queued': {
      if (job.expiresAt && job.expiresAt <= now) {
        await lifecycle.expire(job.id, now);
        return;
      }
      if (job.nextAttemptAt && job.nextAttemptAt > now) return lifecycle.setWake(job, job.nextAttemptAt);
      const backend = deps.route ? await deps.route(job) : deps.backend(job.backend);
      if (!backend) return lifecycle.setWake(job, new Date(now.getTime() + NO_BACKEND_RECHECK_MS));
      const recheck = await backend.handOff(job, lifecycle);
      if (recheck === null) return;
      const cap = job.expiresAt && job.expiresAt < recheck ? job.expiresAt : recheck;
      return lifecycle.setWake(job, cap);
    }
    case 'in_progress': {
      const attempt = (
        await deps
          .db()
          .select()
          .from(faxAttempts)
          .where(and(eq(faxAttempts.jobId, job.id), eq(faxAttempts.number, job.attempts)))
          .limit(1)
      )[0];
      const deadline = new Date((attempt?.startedAt ?? job.dialedAt ?? now).getTime() + lifecycle.policy.attemptTimeoutMs);
      // The attempt's own backend: a job may have fallen back to another one.
      const backend = deps.backend(attempt?.backend ?? job.backend);
      const polled = backend ? await backend.poll(job, attempt, lifecycle) : {};
      if (polled.outcome) {
        await lifecycle.finishAttempt(job.id, polled.outcome.result, polled.outcome.line ?? {});
        return;
      }
      if (deadline <= now) {
        // Nobody ever answered for this call: say so rather than guess.
        await lifecycle.finishAttempt(job.id, { result: 'unknown', reason: 'no_result' });
        return;
      }
      return lifecycle.setWake(job, polled.recheckAt && polled.recheckAt < deadline ? polled.recheckAt : deadline);
    }
    default:
      // A final job never needs the sweep again.
      await deps.db().update(faxJobs).set({ wakeAt: null }).where(and(eq(faxJobs.id, job.id), sql`${faxJobs.status} in ('success', 'failed', 'canceled', 'unknown')`));
  }
}
