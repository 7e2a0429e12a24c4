// Document retention: deletes stored PDFs past their retention (outbound jobs that finished more
// than ARTIFACT_RETENTION_DAYS ago, inbound faxes older than INBOUND_RETENTION_DAYS) and keeps the
// metadata rows, marked with document_deleted_at. Bounded batches; the cron runs it daily.
import { and, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { faxJobs, inboundFaxes } from '../db/schema.ts';
import type { DocumentStore } from './document-store.ts';
import { FINAL_STATUSES } from '../lifecycle/job-lifecycle.ts';

const BATCH = 200;

export async function pruneDocuments(
  db: Database,
  store: DocumentStore,
  opts: { artifactDays: number; inboundDays: number },
): Promise<{ outbound: number; inbound: number }> {
  const oldJobs = await db
    .select({ id: faxJobs.id, key: faxJobs.documentKey })
    .from(faxJobs)
    .where(
      and(
        isNull(faxJobs.documentDeletedAt),
        inArray(faxJobs.status, [...FINAL_STATUSES]),
        lt(faxJobs.completedAt, sql`now() - make_interval(days => ${opts.artifactDays})`),
      ),
    )
    .limit(BATCH);
  for (const job of oldJobs) await store.delete(job.key);
  if (oldJobs.length) {
    await db.update(faxJobs).set({ documentDeletedAt: new Date() }).where(inArray(faxJobs.id, oldJobs.map((j) => j.id)));
  }
  const oldInbound = await db
    .select({ id: inboundFaxes.id, key: inboundFaxes.documentKey })
    .from(inboundFaxes)
    .where(and(isNull(inboundFaxes.documentDeletedAt), lt(inboundFaxes.receivedAt, sql`now() - make_interval(days => ${opts.inboundDays})`)))
    .limit(BATCH);
  for (const row of oldInbound) await store.delete(row.key);
  if (oldInbound.length) {
    await db.update(inboundFaxes).set({ documentDeletedAt: new Date() }).where(inArray(inboundFaxes.id, oldInbound.map((r) => r.id)));
  }
  return { outbound: oldJobs.length, inbound: oldInbound.length };
}
