// FAX_BACKEND=sip: jobs go to on-prem agents. Submitting pokes the hubs of connected agents with
// free channels; each hub claims the oldest queued job atomically. With no agent online the job
// waits in `queued` and is offered when an agent connects.
import type { FaxJobRow } from '../db/schema.ts';
import type { Env } from '../env.ts';
import type { AgentRepository } from '../services/agents.ts';
import type { FaxBackend } from './fax-backend.ts';

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

  async submit(job: FaxJobRow): Promise<void> {
    const candidates = await this.agents.candidates(job.site);
    // A failed wake-up is harmless: the job is durable and hubs also pick it up on their alarms.
    await Promise.all(candidates.slice(0, 3).map((c) => this.hub(c.id).kick().catch(() => undefined)));
  }

  async cancel(job: FaxJobRow): Promise<void> {
    if (job.agentId && job.offerId) await this.hub(job.agentId).revokeOffer(job.id, job.offerId);
  }
}
