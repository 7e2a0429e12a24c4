// Fax job persistence and the job state machine. Every status change is a conditional UPDATE
// (from an expected status), so retries, races with cancel and duplicate deliveries are harmless.
import { and, desc, eq, gte, inArray, isNotNull, lt, lte, or, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { faxJobs, type FaxJobRow, type FaxStatus } from '../db/schema.ts';

export type NewFaxJob = typeof faxJobs.$inferInsert;

export const TERMINAL_STATUSES: readonly FaxStatus[] = ['success', 'failed', 'canceled'];

export interface ListJobsQuery {
  owner?: string;
  statuses?: FaxStatus[];
  since?: Date;
  until?: Date;
  after?: { createdAt: Date; id: string };
  limit: number;
}

export interface TransitionPatch {
  failureReason?: string | null;
  pages?: number | null;
  providerRef?: string | null;
  agentId?: string | null;
}

export class FaxJobRepository {
  constructor(private readonly db: () => Database) {}

  /** Inserts a job; with an idempotency key an existing job for the same owner wins (returns null). */
  async insert(job: NewFaxJob): Promise<FaxJobRow | null> {
    const rows = await this.db()
      .insert(faxJobs)
      .values(job)
      .onConflictDoNothing({ target: [faxJobs.owner, faxJobs.idempotencyKey], where: isNotNull(faxJobs.idempotencyKey) })
      .returning();
    return rows[0] ?? null;
  }

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

  /**
   * Moves a job from one of `from` to `to`. Returns the updated row, or null when the job was not
   * in an expected status (already moved on, canceled, or unknown): the caller decides what that means.
   */
  async transition(id: string, from: readonly FaxStatus[], to: FaxStatus, patch: TransitionPatch = {}): Promise<FaxJobRow | null> {
    const now = new Date();
    const rows = await this.db()
      .update(faxJobs)
      .set({
        status: to,
        updatedAt: now,
        ...(to === 'in_progress' ? { dialedAt: now } : {}),
        ...(TERMINAL_STATUSES.includes(to) ? { completedAt: now } : {}),
        ...(to === 'canceled' ? { canceledAt: now } : {}),
        ...definedOnly(patch),
      })
      .where(and(eq(faxJobs.id, id), inArray(faxJobs.status, [...from])))
      .returning();
    return rows[0] ?? null;
  }
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
