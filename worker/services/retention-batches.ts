// Retention's batch loop, kept apart from SQL and S3 so it is unit-tested with fakes. It takes the
// due documents of each source (outbound, inbound) in turns, a batch at a time: delete the objects,
// then mark and audit exactly the rows whose object S3 confirmed deleted. It runs until nothing is
// due or the budget (wall clock, batch count) is spent, and says which. A document whose delete
// failed stays unmarked and is skipped for the rest of the run; the next run tries it again.
import type { DeleteManyResult } from './s3-multi-delete.ts';

export interface DueDocument {
  id: string;
  key: string;
}

export interface RetentionSource {
  name: string;
  /** Up to `limit` documents past their retention, oldest first, none of the ids in `skip`. */
  due(limit: number, skip: readonly string[]): Promise<DueDocument[]>;
  /** Marks the rows deleted (and audits each one); returns how many this call marked (a concurrent run may have marked some first). */
  mark(ids: string[]): Promise<number>;
}

export interface RetentionBudget {
  /** Objects per delete request (S3 takes at most 1000). */
  batchSize: number;
  /** Delete requests per run: each is a subrequest, and Workers count those per invocation. */
  maxBatches: number;
  /** Date.now() value after which no new batch starts. */
  deadline: number;
}

export interface SourceTally {
  deleted: number;
  failed: number;
}

export interface DrainResult {
  tallies: Record<string, SourceTally>;
  batches: number;
  /** Nothing due is left, apart from documents whose delete failed in this run. */
  complete: boolean;
  /** Why the run ended early: its budget, or storage that deleted nothing of a whole batch. */
  stopped: 'budget' | 'storage' | null;
  /** S3 error code -> how many keys failed with it (codes only: keys and ids are not logged). */
  failureCodes: Record<string, number>;
}

/** Failed documents skipped per source before the run gives up on storage. */
const MAX_SKIPPED = 1000;

export async function drain(
  sources: RetentionSource[],
  remove: (keys: string[]) => Promise<DeleteManyResult>,
  budget: RetentionBudget,
  now: () => number = Date.now,
): Promise<DrainResult> {
  const state = sources.map((source) => ({ source, skip: [] as string[], done: false, tally: { deleted: 0, failed: 0 } }));
  const result: DrainResult = { tallies: {}, batches: 0, complete: false, stopped: null, failureCodes: {} };
  run: while (state.some((s) => !s.done)) {
    for (const s of state) {
      if (s.done) continue;
      if (result.batches >= budget.maxBatches || now() >= budget.deadline) {
        result.stopped = 'budget';
        break run;
      }
      const rows = await s.source.due(budget.batchSize, s.skip);
      if (rows.length === 0) {
        s.done = true;
        continue;
      }
      result.batches++;
      const removed = await remove(rows.map((r) => r.key));
      const gone = new Set(removed.deleted);
      const ok = rows.filter((r) => gone.has(r.key)).map((r) => r.id);
      const bad = rows.filter((r) => !gone.has(r.key)).map((r) => r.id);
      if (ok.length > 0) s.tally.deleted += await s.source.mark(ok);
      s.tally.failed += bad.length;
      s.skip.push(...bad);
      for (const f of removed.failed) result.failureCodes[f.code] = (result.failureCodes[f.code] ?? 0) + 1;
      if (rows.length < budget.batchSize) s.done = true;
      else if (ok.length === 0 || s.skip.length >= MAX_SKIPPED) {
        result.stopped = 'storage';
        break run;
      }
    }
  }
  for (const s of state) result.tallies[s.source.name] = s.tally;
  result.complete = state.every((s) => s.done);
  return result;
}
