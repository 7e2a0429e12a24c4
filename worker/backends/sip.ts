// FAX_BACKEND=sip: jobs go to on-prem agents. A due job is handed off by poking the hubs of
// connected agents with free channels; each hub leases the oldest due job atomically and the
// agent's dial request starts the attempt (lifecycle). With no agent online the job waits in
// `queued` (re-poked by the sweep) until an agent connects or the job expires.
import type { FaxAttemptRow, FaxJobRow } from '../db/schema.ts';
import type { Env } from '../env.ts';
import type { AgentRepository } from '../services/agents.ts';
import type { FaxBackend, PollResult } from './fax-backend.ts';

/** How often the sweep re-pokes agents about a job that is still waiting. */
const REPOKE_MS = 30_000;

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

  async poll(_job: FaxJobRow, _attempt: FaxAttemptRow | undefined): Promise<PollResult> {
    // Results are pushed by the agent; the hub ends calls of agents that stay away.
    return {};
  }

  async cancel(job: FaxJobRow): Promise<void> {
    if (job.agentId && job.offerId) await this.hub(job.agentId).revokeOffer(job.id, job.offerId);
  }
}
