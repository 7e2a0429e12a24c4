// After a (re)connect the agent lists what it holds; the edge's durable state decides what
// happens to each job: results are applied and acknowledged, a dial grant the agent never received
// is re-sent (it has not dialled: it dials only after dial_ok), leases the edge no longer holds
// for this agent are revoked. A job the agent reports as `dialing` is never granted again.
import type { InFlightJob } from '../../shared/agent-protocol.ts';
import type { HubContext } from './agent-hub.ts';

export async function reconcileInFlight(hub: HubContext, ws: WebSocket, inFlight: InFlightJob[]): Promise<void> {
  const { agentId } = hub.state;
  for (const item of inFlight) {
    const job = await hub.jobs.find(item.jobId);
    const ours = !!job && job.agentId === agentId && job.offerId === item.offerId;
    if (item.state === 'done' && item.result) {
      if (ours) await hub.jobs.complete(item.jobId, item.offerId, agentId, item.result);
      hub.send(ws, { type: 'result_ack', jobId: item.jobId, offerId: item.offerId });
      continue;
    }
    if (!ours || !job) {
      hub.send(ws, { type: 'revoke_offer', jobId: item.jobId, offerId: item.offerId });
      continue;
    }
    if (item.state === 'dialing') continue; // the call is the agent's now: its result will follow
    if (job.status === 'queued') {
      await hub.jobs.accept(item.jobId, item.offerId, agentId);
    } else if (job.status === 'in_progress') {
      // The dial grant was recorded but never reached the agent, which therefore has not dialled.
      hub.send(ws, { type: 'dial_ok', jobId: item.jobId, offerId: item.offerId });
    } else {
      hub.send(ws, { type: 'revoke_offer', jobId: item.jobId, offerId: item.offerId });
    }
  }
}

/**
 * Jobs leased to this agent before this connection that the agent no longer lists (lost journal,
 * fresh spool): undialled ones go back to the queue, dialled ones end `unknown` (agent_lost_during_call).
 */
export async function forgetOrphans(hub: HubContext, listed: string[], connectedAt: number): Promise<void> {
  const known = new Set(listed);
  const orphans = (await hub.jobs.openJobs(hub.state.agentId)).filter((j) => !known.has(j.id) && j.updatedAt.getTime() < connectedAt);
  const queued = orphans.filter((j) => j.status === 'queued').map((j) => j.id);
  const dialled = orphans.filter((j) => j.status === 'in_progress').map((j) => j.id);
  if (queued.length) await hub.jobs.releaseQueued(hub.state.agentId, queued);
  if (dialled.length) await failLost(hub, dialled);
}

/** Ends this agent's calls in progress (all, or the given ids) as `unknown` through the lifecycle. */
export async function failLost(hub: HubContext, jobIds?: string[]): Promise<number> {
  return (await hub.jobs.failLostCalls(hub.state.agentId, jobIds)).length;
}
