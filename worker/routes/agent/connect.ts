// GET /agent/connect — the agent's WebSocket. After token auth the upgrade is handed to the agent's
// AgentHub Durable Object, whose response (101, immutable headers) is returned untouched.
import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { audit } from '../../lib/audit.ts';
import { authenticateAgent } from '../../middleware/agent-auth.ts';

export const agentConnect = new Hono<AppEnv>().get('/connect', async (c) => {
  const { agent, tokenId } = await authenticateAgent(c);
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new ApiError(400, 'upgrade_required', 'Connect with a WebSocket upgrade.');
  }
  await audit(c, { action: 'agent.connect', resourceType: 'agent', resourceId: agent.id, outcome: 'success', details: { token_id: tokenId } });
  const headers = new Headers(c.req.raw.headers);
  headers.set('x-faxbot-agent-id', agent.id);
  headers.set('x-faxbot-token-id', tokenId);
  headers.set('x-faxbot-origin', new URL(c.req.url).origin);
  const hub = c.env.AGENT_HUB.get(c.env.AGENT_HUB.idFromName(agent.id));
  return hub.fetch(new Request(c.req.url, { method: 'GET', headers }));
});
