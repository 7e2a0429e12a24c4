// Leases of SIP jobs to agents, all as conditional UPDATEs in Postgres so that concurrent agent
// hubs, retries and reconnects can never hand one job to two agents or dial it twice:
// queued (unleased) -> offered -> accepted -> in_progress (dial granted) -> success | failed.
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { faxJobs, type FaxJobRow } from '../db/schema.ts';
import type { JobResult } from '../../shared/agent-protocol.ts';
import { randomId } from '../lib/crypto.ts';

export const AGENT_LOST = 'agent_lost_during_call';

export class SipJobs {
  constructor(private readonly db: () => Database) {}

  /** Atomically leases the oldest unleased queued SIP job this agent may take. */
  async claimNext(agentId: string, site: string | null, offerTimeoutMs: number): Promise<FaxJobRow | null> {
    const offerId = `off_${randomId(20)}`;
    const expires = new Date(Date.now() + offerTimeoutMs);
    const siteFilter = site ? sql`(${faxJobs.site} is null or ${faxJobs.site} = ${site})` : sql`${faxJobs.site} is null`;
    const rows = await this.db().execute<{ id: string }>(sql`
      update ${faxJobs} set agent_id = ${agentId}, offer_id = ${offerId}, offer_state = 'offered',
        offer_expires_at = ${expires.toISOString()}, attempts = attempts + 1, updated_at = now()
      where id = (
        select id from ${faxJobs}
        where status = 'queued' and backend = 'sip' and agent_id is null and ${siteFilter}
        order by created_at, id limit 1 for update skip locked
      )
      returning id`);
    const id = rows.rows[0]?.id;
    return id ? this.find(id) : null;
  }

  async find(id: string): Promise<FaxJobRow | null> {
    const rows = await this.db().select().from(faxJobs).where(eq(faxJobs.id, id)).limit(1);
    return rows[0] ?? null;
  }

  private leased(jobId: string, offerId: string, agentId: string) {
    return and(eq(faxJobs.id, jobId), eq(faxJobs.offerId, offerId), eq(faxJobs.agentId, agentId));
  }

  async accept(jobId: string, offerId: string, agentId: string): Promise<boolean> {
    const rows = await this.db()
      .update(faxJobs)
      .set({ offerState: 'accepted', offerExpiresAt: null, updatedAt: new Date() })
      .where(and(this.leased(jobId, offerId, agentId), eq(faxJobs.status, 'queued')))
      .returning({ id: faxJobs.id });
    return rows.length === 1;
  }

  /** Grants the dial: queued -> in_progress for this lease. Idempotent for a repeated request. */
  async grantDial(jobId: string, offerId: string, agentId: string): Promise<boolean> {
    const now = new Date();
    const rows = await this.db()
      .update(faxJobs)
      .set({ status: 'in_progress', dialedAt: now, updatedAt: now, offerState: 'accepted', offerExpiresAt: null })
      .where(and(this.leased(jobId, offerId, agentId), eq(faxJobs.status, 'queued')))
      .returning({ id: faxJobs.id });
    if (rows.length === 1) return true;
    const job = await this.find(jobId);
    return !!job && job.offerId === offerId && job.agentId === agentId && job.status === 'in_progress';
  }

  /**
   * Records the agent's outcome. Accepted from in_progress, from queued (the agent gave up before
   * dialling), and over an `agent_lost_during_call` failure when the agent comes back with the truth.
   */
  async complete(jobId: string, offerId: string, agentId: string, r: JobResult): Promise<FaxJobRow | null> {
    const now = new Date();
    const rows = await this.db()
      .update(faxJobs)
      .set({
        status: r.status,
        failureReason: r.status === 'failed' ? (r.reason ?? 'failed') : null,
        pages: r.pages ?? undefined,
        failureDetail: r.status === 'failed' ? (r.faxError ?? null) : null,
        bitrate: r.bitrate ?? null,
        remoteStationId: r.remoteStationId ?? null,
        providerRef: r.uniqueid ?? undefined,
        completedAt: now,
        updatedAt: now,
        offerState: null,
      })
      .where(
        and(
          this.leased(jobId, offerId, agentId),
          // Only a real outcome replaces agent_lost_during_call; "outcome unknown" does not.
          r.reason === AGENT_LOST
            ? inArray(faxJobs.status, ['queued', 'in_progress'])
            : or(inArray(faxJobs.status, ['queued', 'in_progress']), and(eq(faxJobs.status, 'failed'), eq(faxJobs.failureReason, AGENT_LOST))),
        ),
      )
      .returning();
    return rows[0] ?? null;
  }

  /** Returns a not-yet-dialled job to the queue (offer refused, expired, or agent gone). */
  async release(jobId: string, offerId: string): Promise<boolean> {
    const rows = await this.db()
      .update(faxJobs)
      .set({ agentId: null, offerId: null, offerState: null, offerExpiresAt: null, updatedAt: new Date() })
      .where(and(eq(faxJobs.id, jobId), eq(faxJobs.offerId, offerId), eq(faxJobs.status, 'queued')))
      .returning({ id: faxJobs.id });
    return rows.length === 1;
  }

  async releaseExpiredOffers(agentId: string, now = new Date()): Promise<number> {
    const rows = await this.db()
      .update(faxJobs)
      .set({ agentId: null, offerId: null, offerState: null, offerExpiresAt: null, updatedAt: now })
      .where(and(eq(faxJobs.agentId, agentId), eq(faxJobs.status, 'queued'), eq(faxJobs.offerState, 'offered'), lt(faxJobs.offerExpiresAt, now)))
      .returning({ id: faxJobs.id });
    return rows.length;
  }

  /** The agent is gone (or forgot them): its undialled jobs go back to the queue. */
  async releaseQueued(agentId: string, jobIds?: string[]): Promise<number> {
    const rows = await this.db()
      .update(faxJobs)
      .set({ agentId: null, offerId: null, offerState: null, offerExpiresAt: null, updatedAt: new Date() })
      .where(and(eq(faxJobs.agentId, agentId), eq(faxJobs.status, 'queued'), jobIds ? inArray(faxJobs.id, jobIds) : undefined))
      .returning({ id: faxJobs.id });
    return rows.length;
  }

  /** Calls whose agent stayed away (or forgot them) end failed; they are never dialled again. */
  async failLostCalls(agentId: string, jobIds?: string[]): Promise<FaxJobRow[]> {
    const now = new Date();
    return this.db()
      .update(faxJobs)
      .set({ status: 'failed', failureReason: AGENT_LOST, completedAt: now, updatedAt: now })
      .where(and(eq(faxJobs.agentId, agentId), eq(faxJobs.status, 'in_progress'), jobIds ? inArray(faxJobs.id, jobIds) : undefined))
      .returning();
  }

  async openJobs(agentId: string): Promise<FaxJobRow[]> {
    return this.db()
      .select()
      .from(faxJobs)
      .where(and(eq(faxJobs.agentId, agentId), inArray(faxJobs.status, ['queued', 'in_progress'])));
  }

  async unleasedQueued(): Promise<number> {
    const rows = await this.db()
      .select({ n: sql<number>`count(*)::int` })
      .from(faxJobs)
      .where(and(eq(faxJobs.backend, 'sip'), eq(faxJobs.status, 'queued'), isNull(faxJobs.agentId)));
    return Number(rows[0]?.n ?? 0);
  }
}
