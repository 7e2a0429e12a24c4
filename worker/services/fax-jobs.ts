// Read access to fax jobs (lookups and listing). Status changes belong to the lifecycle
// (worker/lifecycle/job-lifecycle.ts); this module never writes a job.
import { and, desc, eq, gte, inArray, lt, lte, or, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { faxAttempts, faxJobs, type FaxAttemptRow, type FaxJobRow, type FaxStatus } from '../db/schema.ts';

export interface ListJobsQuery {
  owner?: string;
  statuses?: FaxStatus[];
  since?: Date;
  until?: Date;
  after?: { createdAt: Date; id: string };
  limit: number;
}

export class FaxJobRepository {
  constructor(private readonly db: () => Database) {}

  async findById(id: string): Promise<FaxJobRow | null> {
    const rows = await this.db().select().from(faxJobs).where(eq(faxJobs.id, id)).limit(1);
    return rows[0] ?? null;
  }

  async findByIdempotencyKey(owner: string, key: string): Promise<FaxJobRow | null> {
    const rows = await this.db()
      .select()
      .from(faxJobs)
      .where(and(eq(faxJobs.owner, owner), eq(faxJobs.idempotencyKey, key)))
      .limit(1);
    return rows[0] ?? null;
  }

  /** Newest first; the cursor is the (created_at, id) of the last row of the previous page. */
  async list(q: ListJobsQuery): Promise<FaxJobRow[]> {
    const where: SQL[] = [];
    if (q.owner !== undefined) where.push(eq(faxJobs.owner, q.owner));
    if (q.statuses?.length) where.push(inArray(faxJobs.status, q.statuses));
    if (q.since) where.push(gte(faxJobs.createdAt, q.since));
    if (q.until) where.push(lte(faxJobs.createdAt, q.until));
    if (q.after) {
      where.push(
        or(
          lt(faxJobs.createdAt, q.after.createdAt),
          and(eq(faxJobs.createdAt, q.after.createdAt), lt(faxJobs.id, q.after.id)),
        )!,
      );
    }
    return this.db()
      .select()
      .from(faxJobs)
      .where(and(...where))
      .orderBy(desc(faxJobs.createdAt), desc(faxJobs.id))
      .limit(q.limit);
  }

  async attempts(jobId: string): Promise<FaxAttemptRow[]> {
    return this.db().select().from(faxAttempts).where(eq(faxAttempts.jobId, jobId)).orderBy(faxAttempts.number);
  }

  /** Attempts of several jobs in one query, grouped by job id. */
  async attemptsOf(jobIds: string[]): Promise<Map<string, FaxAttemptRow[]>> {
    const byJob = new Map<string, FaxAttemptRow[]>();
    if (jobIds.length === 0) return byJob;
    const rows = await this.db().select().from(faxAttempts).where(inArray(faxAttempts.jobId, jobIds)).orderBy(faxAttempts.jobId, faxAttempts.number);
    for (const row of rows) byJob.set(row.jobId, [...(byJob.get(row.jobId) ?? []), row]);
    return byJob;
  }
}
