// Agent token rotation and revocation (scope agents:manage).
// POST /admin/agents/:id/tokens {"grace_hours"?} — a new token; older ones stay valid for the grace
//   period (AGENT_TOKEN_GRACE_HOURS by default). A connected agent receives it over its connection.
// DELETE /admin/agents/:id/tokens/:tokenId — revoke now; live connections using it are closed.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../../context.ts';
import { ApiError } from '../../../errors.ts';
import { audit } from '../../../lib/audit.ts';
import { readJson } from '../../../lib/validate.ts';
import { requireScope } from '../../../middleware/require-scope.ts';

export const RotateAgentTokenRequest = z.object({ grace_hours: z.number().min(0).max(24 * 30).optional() });

async function loadAgent(c: Context<AppEnv>) {
  const id = c.req.param('id') ?? '';
  const agent = /^agt_[a-z0-9]{16}$/.test(id) ? await c.get('services').agents.findById(id) : null;
  if (!agent) throw new ApiError(404, 'agent_not_found', 'No agent with this id.');
  return agent;
}

export const agentTokens = new Hono<AppEnv>()
  .post('/:id/tokens', requireScope('agents:manage'), async (c) => {
    const agent = await loadAgent(c);
    const input = await readJson(c, RotateAgentTokenRequest, { optional: true });
    const graceMs = input.grace_hours !== undefined ? input.grace_hours * 3600_000 : c.get('config').agents.tokenGraceMs;
    const rotated = await c.get('services').agents.rotate(agent.id, graceMs, c.get('caller').id);
    const hub = c.env.AGENT_HUB.get(c.env.AGENT_HUB.idFromName(agent.id));
    const delivered = await hub.pushToken(rotated.tokenId, rotated.token, rotated.previousValidUntil.getTime()).catch(() => 0);
    await audit(c, { action: 'agent.token.rotate', resourceType: 'agent', resourceId: agent.id, outcome: 'success', details: { token_id: rotated.tokenId, grace_ms: graceMs, pushed_to_connections: delivered } });
    return c.json({ agent_id: agent.id, token_id: rotated.tokenId, token: rotated.token, previous_tokens_valid_until: rotated.previousValidUntil.toISOString(), pushed_to_connections: delivered }, 201);
  })
  .delete('/:id/tokens/:tokenId', requireScope('agents:manage'), async (c) => {
    const agent = await loadAgent(c);
    const tokenId = c.req.param('tokenId');
    const revoked = await c.get('services').agents.revokeToken(agent.id, tokenId);
    if (!revoked) throw new ApiError(404, 'agent_token_not_found', 'No live token with this id for this agent.');
    const hub = c.env.AGENT_HUB.get(c.env.AGENT_HUB.idFromName(agent.id));
    const closed = await hub.closeToken(tokenId).catch(() => 0);
    await audit(c, { action: 'agent.token.revoke', resourceType: 'agent', resourceId: agent.id, outcome: 'success', details: { token_id: tokenId, closed_connections: closed } });
    return c.json({ agent_id: agent.id, token_id: tokenId, revoked_at: revoked.revokedAt!.toISOString(), closed_connections: closed });
  });
