// Loads a job the caller may see: its own owner's jobs, or any job for admin keys. Jobs of other
// owners are reported as not found, so ids of other tenants cannot be probed.
import type { Context } from 'hono';
import type { AppEnv } from '../../context.ts';
import type { FaxJobRow } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { JobWithAttempts } from '../../services/fax-jobs.ts';

const JOB_ID = /^fax_[a-z0-9]{24}$/;

/** Whether `id` has the shape of a job id (nothing else is ever looked up). */
export const isJobId = (id: string): boolean => JOB_ID.test(id);

export async function loadVisibleJob(c: Context<AppEnv>, id: string): Promise<FaxJobRow> {
  const job = JOB_ID.test(id) ? await c.get('services').jobs.findById(id) : null;
  return visible(c, job);
}

/** The job with its attempts, from one snapshot. */
export async function loadVisibleJobWithAttempts(c: Context<AppEnv>, id: string): Promise<JobWithAttempts> {
  const found = JOB_ID.test(id) ? await c.get('services').jobs.findWithAttempts(id) : null;
  visible(c, found?.job ?? null);
  return found!;
}

function visible(c: Context<AppEnv>, job: FaxJobRow | null): FaxJobRow {
  const caller = c.get('caller');
  if (!job || (caller && !caller.isAdmin && job.owner !== caller.owner)) {
    throw new ApiError(404, 'fax_not_found', 'No fax job with this id.');
  }
  return job;
}
