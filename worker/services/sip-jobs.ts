// Leases of SIP jobs to agents, all as conditional UPDATEs in Postgres so that concurrent agent
// hubs, retries and reconnects can never hand one job to two agents or dial it twice:
// queued (unleased, due) -> offered -> accepted -> dial granted. Leases are this module's; every
// status change (the dial grant starts an attempt, results end it, lost calls end `unknown`) goes
// through the lifecycle, under the lease.
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client.ts';
import { agentTokens, faxJobs, type FaxJobRow } from '../db/schema.ts';
import { usableToken } from './agents.ts';
import type { JobResult } from '../../shared/agent-protocol.ts';
import { randomId } from '../lib/crypto.ts';
import type { Actor, JobLifecycle } from '../lifecycle/job-lifecycle.ts';
import type { AttemptOutcome } from '../lifecycle/retry-policy.ts';

export const AGENT_LOST = 'agent_lost_during_call';

export class SipJobs {
  constructor(
    private readonly db: () => Database,
    private readonly lifecycle: JobLifecycle,
  ) {}

  /**
   * Atomically leases the oldest due, unleased queued SIP job this agent may take, while it holds
   * fewer than `maxOpen` open jobs (the count is in the statement: a busy or idle agent costs one
   * statement, not a count and a claim). A job whose destination already has a call in flight or on
   * offer waits its turn. Only the agent's own hub leases to it, one dispatch at a time.
   */
  async claimNext(agentId: string, site: string | null, offerTimeoutMs: number, maxOpen: number): Promise<FaxJobRow | null> {
    const offerId = `off_${randomId(20)}`;
    const expires = new Date(Date.now() + offerTimeoutMs);
    const siteFilter = site ? sql`(j.site is null or j.site = ${site})` : sql`j.site is null`;
    // One statement: the lease and the row the offer is built from (no second read).
    const rows = await this.db()
      .update(faxJobs)
      .set({ agentId, offerId, offerState: 'offered', offerExpiresAt: expires, updatedAt: sql`now()` })
      .where(sql`${faxJobs.id} = (
        select j.id from ${faxJobs} j
        where j.status = 'queued' and j.backend = 'sip' and j.agent_id is null and ${siteFilter}
          and (select count(*) from ${faxJobs} mine where mine.agent_id = ${agentId} and mine.status in ('queued', 'in_progress')) < ${maxOpen}
          and (j.next_attempt_at is null or j.next_attempt_at <= now())
          and not exists (
            select 1 from ${faxJobs} o where o.to_number = j.to_number and o.id <> j.id
              and (o.status = 'in_progress' or (o.status = 'queued' and o.offer_id is not null))
          )
        order by j.created_at, j.id limit 1 for update skip locked
      )`)
      .returning();
    return rows[0] ?? null;
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

  /**
   * Grants the dial: the lifecycle starts the attempt (queued -> in_progress) for this lease.
   * Idempotent for a repeated request. False when the lease is gone, the job was canceled or
   * another call to the same number is in flight (the caller releases the lease).
   */
  async grantDial(jobId: string, offerId: string, agentId: string): Promise<'granted' | 'refused' | 'destination_busy'> {
    const lease = { agentId, offerId };
    const started = await this.lifecycle.startAttempt(jobId, { lease, agentId }, agentActor(agentId));
    if (started.started) return 'granted';
    const job = await this.find(jobId);
    if (job && job.offerId === offerId && job.agentId === agentId && job.status === 'in_progress') return 'granted';
    return started.why === 'destination_busy' ? 'destination_busy' : 'refused';
  }

  /**
   * Records the agent's outcome through the lifecycle: from in_progress (retry policy applies),
   * from queued (the agent gave up before dialling) and over an `unknown` outcome when the agent
   * comes back with the truth. An outcome the agent itself does not know never replaces anything.
   */
  async complete(jobId: string, offerId: string, agentId: string, r: JobResult): Promise<FaxJobRow | null> {
    const outcome: AttemptOutcome = r.status === 'success' ? { result: 'success' } : { result: 'failed', reason: r.reason ?? 'failed' };
    const line = { failureDetail: r.status === 'failed' ? (r.faxError ?? null) : null, pagesSent: r.pages ?? null, bitrate: r.bitrate ?? null, remoteStationId: r.remoteStationId ?? null, t38: r.t38 ?? null, providerRef: r.uniqueid ?? null };
    return this.lifecycle.finishAttempt(jobId, outcome, line, { lease: { agentId, offerId } }, agentActor(agentId));
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

  /**
   * A connected hub's alarm in one statement: releases this agent's offers that expired unanswered
   * and tells which of the given tokens are still usable (not revoked, not expired).
   */
  async heartbeat(agentId: string, tokenIds: string[], now = new Date()): Promise<{ released: number; validTokens: Set<string> }> {
    const release = this.db()
      .update(faxJobs)
      .set({ agentId: null, offerId: null, offerState: null, offerExpiresAt: null, updatedAt: now })
      .where(and(eq(faxJobs.agentId, agentId), eq(faxJobs.status, 'queued'), eq(faxJobs.offerState, 'offered'), lt(faxJobs.offerExpiresAt, now)))
      .returning({ id: faxJobs.id });
    const rows = await queryRows<{ released: number; valid: string[] }>(this.db(), sql`
      with released as ${release}
      select (select count(*)::int from released) as released,
        array(select ${agentTokens.id} from ${agentTokens} where ${and(inArray(agentTokens.id, tokenIds), usableToken(now))}) as valid`);
    const row = rows[0];
    return { released: Number(row?.released ?? 0), validTokens: new Set(row?.valid ?? []) };
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

  /** Calls whose agent stayed away (or forgot them) end `unknown`; they are never dialled again. */
  async failLostCalls(agentId: string, jobIds?: string[]): Promise<FaxJobRow[]> {
    const open = (await this.openJobs(agentId)).filter((j) => j.status === 'in_progress' && (!jobIds || jobIds.includes(j.id)));
    const ended: FaxJobRow[] = [];
    for (const job of open) {
      const done = await this.lifecycle.finishAttempt(job.id, { result: 'unknown', reason: AGENT_LOST }, {}, { lease: { agentId } }, { type: 'system', id: 'agent-hub' });
      if (done) ended.push(done);
    }
    return ended;
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

const agentActor = (agentId: string): Actor => ({ type: 'agent', id: agentId });
