// GET /admin/agents — agents with online state (live connection), version, last_seen_at, tokens and
// calls_in_flight (attempts started on the agent and not ended; of max_channels) (scope agents:manage).
import { Hono } from 'hono';
import type { AppEnv } from '../../../context.ts';
import { requireScope } from '../../../middleware/require-scope.ts';
import { presentAgent } from '../../../views/agent.ts';

export const listAgents = new Hono<AppEnv>().get('/', requireScope('agents:manage'), async (c) => {
  const { agents } = c.get('services');
  const hub = c.env.AGENT_HUB;
  const [rows, inFlight] = await Promise.all([agents.list(), agents.callsInFlight()]);
  const data = await Promise.all(
    rows.map(async (a) => ({
      ...presentAgent(a, await agents.tokens(a.id), a.connected ? await hub.get(hub.idFromName(a.id)).online().catch(() => false) : false),
      calls_in_flight: inFlight.get(a.id) ?? 0,
    })),
  );
  return c.json({ data });
});
