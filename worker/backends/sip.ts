// FAX_BACKEND=sip: jobs go to on-prem agents. A due job is handed off by poking the hubs of
// connected agents with free channels; each hub leases the oldest due job atomically and the
// agent's dial request starts the attempt (lifecycle). With no agent online the job waits in
// `queued` (re-poked by the sweep) until an agent connects or the job expires. A new job also
// wakes the hubs straight from the request (`wake`), so its offer does not wait for the sweep.
import type { FaxAttemptRow, FaxJobRow } from '../db/schema.ts';
import type { Env } from '../env.ts';
import type { AgentRepository } from '../services/agents.ts';
import { INLINE_DOCUMENT_MAX_BYTES } from '../../shared/agent-protocol.ts';
import type { FaxBackend, PollResult } from './fax-backend.ts';

/** How often the sweep re-pokes agents about a job that is still waiting. */
const REPOKE_MS = 30_000;
/** How long an isolate reuses the agents it last found with free channels, per site, for `wake`. */
const CANDIDATES_TTL_MS = 1_000;
const recentCandidates = new Map<string, { at: number; ids: string[] }>();

export class SipBackend implements FaxBackend {
  readonly name = 'sip';

  constructor(
    private readonly env: Env,
    private readonly agents: AgentRepository,
  ) {}

  private hub(agentId: string) {
    return this.env.AGENT_HUB.get(this.env.AGENT_HUB.idFromName(agentId));
  }

  async configured() {
    if (!this.env.AGENT_HUB) return { ok: false, reason: 'AGENT_HUB Durable Object binding is missing' } as const;
    const online = await this.agents.candidates(null).catch(() => []);
    const any = (await this.agents.list()).some((a) => a.connected && !a.disabledAt);
    if (!any) return { ok: false, reason: 'no agent is online' } as const;
    return { ok: true, detail: `${online.length} agent(s) with free channels` } as const;
  }

  async handOff(job: FaxJobRow): Promise<Date> {
    const candidates = await this.agents.candidates(job.site);
    // A failed wake-up is harmless: the job is durable and hubs also pick it up on their alarms.
    await Promise.all(candidates.slice(0, 3).map((c) => this.hub(c.id).kick().catch(() => undefined)));
    return new Date(Date.now() + REPOKE_MS);
  }

  /**
   * Pokes the hubs of agents with free channels (as this isolate saw them up to a second ago: a stale
   * guess costs a claim that finds nothing, and the sweep still pokes whoever it missed). An empty
   * answer is asked again on the next job. A small document goes along, for the offer to carry it.
   */
  async wake(job: FaxJobRow, document?: Uint8Array): Promise<void> {
    // Copied now, before any await: the request's upload buffer is released when the response ends.
    const inline = document && document.byteLength <= INLINE_DOCUMENT_MAX_BYTES ? { jobId: job.id, bytes: document.slice() } : undefined;
    const key = job.site ?? '';
    let seen = recentCandidates.get(key);
    if (!seen || Date.now() - seen.at > CANDIDATES_TTL_MS) {
      seen = { at: Date.now(), ids: (await this.agents.candidates(job.site)).slice(0, 3).map((c) => c.id) };
      if (recentCandidates.size >= 1_000) recentCandidates.clear();
      // "Nobody free" is not remembered: an agent connecting (or freeing a channel) a moment later
      // must get the next job at once, not after the sweep (it was the SIP bench's p99, issue 10).
      if (seen.ids.length > 0) recentCandidates.set(key, seen);
      else recentCandidates.delete(key);
    }
    await Promise.all(seen.ids.map((id) => this.hub(id).kick(inline).catch(() => undefined)));
  }

  async poll(_job: FaxJobRow, _attempt: FaxAttemptRow | undefined): Promise<PollResult> {
    // Results are pushed by the agent; the hub ends calls of agents that stay away.
    return {};
  }

  async cancel(job: FaxJobRow): Promise<void> {
    if (job.agentId && job.offerId) await this.hub(job.agentId).revokeOffer(job.id, job.offerId);
  }
}
