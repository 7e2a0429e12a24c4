// eventPayloadSql() (Postgres builds an outbox payload over a row changed in the same statement) and
// eventPayload() (JavaScript builds it from a row it holds) agree on every field, for rows with and
// without the optional values, and numbers of every length (masking included). Runs on the test
// database (PostgreSQL in CI, PGlite locally).
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, queryRows } from '../../../worker/db/client.ts';
import type { FaxJobRow } from '../../../worker/db/schema.ts';
import { eventPayload, eventPayloadSql, FAX_EVENT_TYPES } from '../../../worker/lifecycle/events.ts';

const handle = openDatabase(inject('databaseUrl'), inject('stackVars').DATABASE_WS_PROXY);
afterAll(() => handle.close());

const date = fc.option(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), { nil: null });
const row = fc.record({
  id: fc.stringMatching(/^fax_[a-z0-9]{24}$/),
  status: fc.constantFrom('queued', 'in_progress', 'success', 'failed', 'canceled', 'unknown', 'scheduled'),
  toNumber: fc.oneof(fc.stringMatching(/^\+[1-9]\d{6,14}$/), fc.stringMatching(/^\+?\d{0,6}$/)),
  pages: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null }),
  pagesSent: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null }),
  attempts: fc.integer({ min: 0, max: 100 }),
  failureReason: fc.option(fc.constantFrom('busy', 'no_answer', 'expired', 'fax_error'), { nil: null }),
  nextAttemptAt: date,
  sendAt: date,
  completedAt: date,
});

describe('eventPayloadSql', () => {
  it('builds the same payload as eventPayload for any row', async () => {
    await fc.assert(
      fc.asyncProperty(row, fc.constantFrom(...FAX_EVENT_TYPES), async (r, type) => {
        const ts = (d: Date | null) => (d ? d.toISOString() : null);
        const [out] = await queryRows<{ payload: Record<string, unknown> }>(
          handle.db,
          sql`with "changed" as (select ${r.id}::text as id, ${r.status}::text as status, ${r.toNumber}::text as to_number,
                ${r.pages}::int as pages, ${r.pagesSent}::int as pages_sent, ${r.attempts}::int as attempts,
                ${r.failureReason}::text as failure_reason, ${ts(r.nextAttemptAt)}::timestamptz as next_attempt_at,
                ${ts(r.sendAt)}::timestamptz as send_at, ${ts(r.completedAt)}::timestamptz as completed_at)
              select ${eventPayloadSql(type, 'changed')} as payload from "changed"`,
        );
        expect(out!.payload).toEqual(eventPayload(type, r as unknown as FaxJobRow));
      }),
      { numRuns: 60 },
    );
  });
});
