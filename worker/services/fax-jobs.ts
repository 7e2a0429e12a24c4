// Read access to fax jobs (lookups and listing). Status changes belong to the lifecycle
// (worker/lifecycle/job-lifecycle.ts); this module never writes a job.
import { and, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
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

export interface JobWithAttempts {
  job: FaxJobRow;
  attempts: FaxAttemptRow[];
}

/** A job's attempts as a JSON subquery, so the job and its attempts come from one snapshot. */
const attemptsOfJob = sql<RawAttempt[]>`(select coalesce(json_agg(a order by a.number), '[]'::json) from ${faxAttempts} a where a.job_id = ${faxJobs.id})`;

interface RawAttempt {
  job_id: string;
  number: number;
  started_at: string;
  ended_at: string | null;
  result: FaxAttemptRow['result'];
  failure_reason: string | null;
  failure_detail: string | null;
  connected: boolean | null;
  pages_sent: number | null;
  bitrate: number | null;
  remote_station_id: string | null;
  t38: boolean | null;
  agent_id: string | null;
  provider_ref: string | null;
  backend?: string | null;
}

function toAttempt(a: RawAttempt): FaxAttemptRow {
  return {
    jobId: a.job_id,
    number: a.number,
    startedAt: new Date(a.started_at),
    endedAt: a.ended_at ? new Date(a.ended_at) : null,
    result: a.result,
    failureReason: a.failure_reason,
    failureDetail: a.failure_detail,
    connected: a.connected,
    pagesSent: a.pages_sent,
    bitrate: a.bitrate,
    remoteStationId: a.remote_station_id,
    t38: a.t38,
    agentId: a.agent_id,
    providerRef: a.provider_ref,
    backend: a.backend ?? null,
  };
}

// The lookups every GET runs, prepared once per database: drizzle builds their SQL once, not per request.
// Unnamed (''): over a WebSocket session a named statement would be prepared on the server, which a
// transaction-mode pooler (Neon's PgBouncer) may not keep; over HTTP the name is not used at all.
function buildLookups(db: Database) {
  const id = eq(faxJobs.id, sql.placeholder('id'));
  return {
    withAttempts: db.select({ job: faxJobs, attempts: attemptsOfJob }).from(faxJobs).where(id).limit(1).prepare(''),
    byId: db.select().from(faxJobs).where(id).limit(1).prepare(''),
  };
}
const lookups = new WeakMap<Database, ReturnType<typeof buildLookups>>();

export class FaxJobRepository {
  constructor(private readonly db: () => Database) {}

  private lookups() {
    const db = this.db();
    let l = lookups.get(db);
    if (!l) lookups.set(db, (l = buildLookups(db)));
    return l;
  }

  /** The job and its attempts, read in one statement (never a status from one moment and attempts from another). */
  async findWithAttempts(id: string): Promise<JobWithAttempts | null> {
    const rows = await this.lookups().withAttempts.execute({ id });
    const row = rows[0];
    return row ? { job: row.job, attempts: (row.attempts ?? []).map(toAttempt) } : null;
  }

  async findById(id: string): Promise<FaxJobRow | null> {
    const rows = await this.lookups().byId.execute({ id });
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
  async list(q: ListJobsQuery): Promise<JobWithAttempts[]> {
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
    const rows = await this.db()
      .select({ job: faxJobs, attempts: attemptsOfJob })
      .from(faxJobs)
      .where(and(...where))
      .orderBy(desc(faxJobs.createdAt), desc(faxJobs.id))
      .limit(q.limit);
    return rows.map((r) => ({ job: r.job, attempts: (r.attempts ?? []).map(toAttempt) }));
  }

  async attempts(jobId: string): Promise<FaxAttemptRow[]> {
    return this.db().select().from(faxAttempts).where(eq(faxAttempts.jobId, jobId)).orderBy(faxAttempts.number);
  }


}
