// Document retention: deletes stored PDFs past their retention (outbound jobs that finished more
// than ARTIFACT_RETENTION_DAYS ago, inbound faxes received more than INBOUND_RETENTION_DAYS ago)
// and keeps the metadata rows, marked with document_deleted_at. Works through any backlog in
// batches of up to 1000 (one S3 DeleteObjects request each) until nothing is due or the run's
// budget is spent; the next run (the retention cron is hourly) carries on. Each row is marked and
// audited (`fax.document.delete` / `inbound.document.delete`, actor system/retention) in one
// statement, and only once S3 has confirmed its object deleted.
import { and, asc, inArray, isNull, lt, notInArray, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client.ts';
import { auditEvents, faxJobs, inboundFaxes } from '../db/schema.ts';
import type { DocumentStore } from './document-store.ts';
import { FINAL_STATUSES } from '../lifecycle/job-lifecycle.ts';
import { drain, type DueDocument, type RetentionSource } from './retention-batches.ts';
import { MAX_KEYS_PER_DELETE } from './s3-multi-delete.ts';
import { redactDetails } from '../../shared/redact.ts';

export interface RetentionOptions {
  artifactDays: number;
  inboundDays: number;
  /** Write one audit event per deleted document (AUDIT_LOG_ENABLED). */
  audit: boolean;
  batchSize?: number;
  maxBatches?: number;
  /** Wall-clock budget of the run from its start. */
  budgetMs?: number;
}

export interface RetentionResult {
  outbound: number;
  inbound: number;
  failed: number;
  batches: number;
  elapsed_ms: number;
  /** false: documents are still due (budget spent or storage failing); the next run continues. */
  complete: boolean;
  stopped: 'budget' | 'storage' | null;
  failure_codes: Record<string, number>;
}

/**
 * Defaults for a run from the hourly cron: 200 delete requests (200,000 documents) stay far below
 * the subrequest limit per invocation, and 5 minutes far below the 15-minute limit of a cron run.
 */
export const RETENTION_DEFAULTS = { batchSize: MAX_KEYS_PER_DELETE, maxBatches: 200, budgetMs: 5 * 60_000 };

const ACTOR_ID = 'retention';

const olderThan = (column: typeof faxJobs.completedAt | typeof inboundFaxes.receivedAt, days: number) =>
  lt(column, sql`now() - make_interval(days => ${days})`);

type Table = typeof faxJobs | typeof inboundFaxes;

function source(db: Database, name: string, table: Table, dueWhere: SQL, order: SQL, audit: AuditSpec | null): RetentionSource {
  return {
    name,
    due: (limit, skip) =>
      db
        .select({ id: table.id, key: table.documentKey })
        .from(table)
        .where(and(isNull(table.documentDeletedAt), dueWhere, skip.length > 0 ? notInArray(table.id, [...skip]) : undefined))
        .orderBy(order, asc(table.id))
        .limit(limit) as Promise<DueDocument[]>,
    mark: (ids) => markDeleted(db, table, ids, audit),
  };
}

interface AuditSpec {
  action: string;
  resourceType: string;
  details: Record<string, unknown>;
}

/**
 * Marks the rows and writes their audit events as ONE statement (data-modifying CTEs): a row is
 * never marked without its audit event. `document_deleted_at is null` makes a concurrent run's
 * rows drop out, so each document is marked and audited once.
 */
async function markDeleted(db: Database, table: Table, ids: string[], audit: AuditSpec | null): Promise<number> {
  const marked = sql`update ${table} set document_deleted_at = now(), updated_at = now()
    where ${inArray(table.id, ids)} and document_deleted_at is null returning id`;
  const query = audit
    ? sql`with marked as (${marked}), audited as (
        insert into ${auditEvents} (actor_type, actor_id, action, resource_type, resource_id, outcome, details)
        select 'system', ${ACTOR_ID}, ${audit.action}, ${audit.resourceType}, id, 'success', ${JSON.stringify(redactDetails(audit.details))}::jsonb from marked
      ) select count(*)::int as n from marked`
    : sql`with marked as (${marked}) select count(*)::int as n from marked`;
  const rows = await queryRows<{ n: number }>(db, query);
  return Number(rows[0]?.n ?? 0);
}

export async function pruneDocuments(db: Database, store: DocumentStore, opts: RetentionOptions): Promise<RetentionResult> {
  const started = Date.now();
  const outbound = source(
    db,
    'outbound',
    faxJobs,
    and(inArray(faxJobs.status, [...FINAL_STATUSES]), olderThan(faxJobs.completedAt, opts.artifactDays))!,
    asc(faxJobs.completedAt),
    opts.audit ? { action: 'fax.document.delete', resourceType: 'fax_job', details: { reason: 'retention', retention_days: opts.artifactDays } } : null,
  );
  const inbound = source(
    db,
    'inbound',
    inboundFaxes,
    olderThan(inboundFaxes.receivedAt, opts.inboundDays),
    asc(inboundFaxes.receivedAt),
    opts.audit ? { action: 'inbound.document.delete', resourceType: 'inbound_fax', details: { reason: 'retention', retention_days: opts.inboundDays } } : null,
  );
  const result = await drain([outbound, inbound], (documentKeys) => store.deleteMany(documentKeys), {
    batchSize: Math.min(opts.batchSize ?? RETENTION_DEFAULTS.batchSize, MAX_KEYS_PER_DELETE),
    maxBatches: opts.maxBatches ?? RETENTION_DEFAULTS.maxBatches,
    deadline: started + (opts.budgetMs ?? RETENTION_DEFAULTS.budgetMs),
  });
  const tally = (name: string) => result.tallies[name] ?? { deleted: 0, failed: 0 };
  return {
    outbound: tally('outbound').deleted,
    inbound: tally('inbound').deleted,
    failed: tally('outbound').failed + tally('inbound').failed,
    batches: result.batches,
    elapsed_ms: Date.now() - started,
    complete: result.complete,
    stopped: result.stopped,
    failure_codes: result.failureCodes,
  };
}
