// A provider's report about a fax we sent (a callback, or the sweep's poll), applied through the
// lifecycle. Idempotent and safe out of order: a result applies only to the attempt its provider fax
// belongs to, while that attempt is in flight (a repeat, a late report for an earlier attempt or a
// retry report after the final one changes nothing); a provider retry adds an attempt at most once.
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { faxJobs, type FaxJobRow } from '../db/schema.ts';
import type { Actor, JobLifecycle } from '../lifecycle/job-lifecycle.ts';
import { attemptTag, type ProviderState } from './provider-api.ts';

export type Applied = 'applied' | 'ignored' | 'unknown_fax';

export interface SentReport {
  provider: 'phaxio' | 'sinch';
  /** The provider's fax id. */
  ref: string;
  /** Our job id from the fax's tags or labels, when it carries one. */
  jobId: string | null;
  /** Our attempt tag (job:attempt), when it carries one. */
  attempt: string | null;
  state: ProviderState;
}

async function findJob(db: Database, report: SentReport): Promise<FaxJobRow | null> {
  if (report.jobId) {
    const rows = await db.select().from(faxJobs).where(eq(faxJobs.id, report.jobId)).limit(1);
    if (rows[0]) return rows[0];
  }
  const rows = await db.select().from(faxJobs).where(eq(faxJobs.providerRef, report.ref)).limit(1);
  return rows[0] ?? null;
}

export async function applySentReport(db: Database, lifecycle: JobLifecycle, report: SentReport, actor: Actor): Promise<Applied> {
  const job = await findJob(db, report);
  if (!job) return 'unknown_fax';
  if (report.state.kind === 'pending') return 'ignored';
  // The submit's answer may still be on its way (or was lost): the tag says which attempt this is.
  if (job.status === 'in_progress' && job.providerRef !== report.ref) {
    if (!job.providerRef && report.attempt === attemptTag(job.id, job.attempts)) {
      await lifecycle.recordProviderRef(job.id, job.attempts, report.ref);
    } else {
      return 'ignored';
    }
  }
  if (report.state.kind === 'retrying') {
    const changed = await lifecycle.providerRetry(job.id, report.ref, report.state.retry, report.state.outcome, report.state.line);
    return changed ? 'applied' : 'ignored';
  }
  const changed = await lifecycle.finishAttempt(job.id, report.state.outcome, report.state.line, { providerRef: report.ref }, actor);
  return changed ? 'applied' : 'ignored';
}
