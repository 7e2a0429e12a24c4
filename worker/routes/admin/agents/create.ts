// POST /admin/agents — register an on-prem agent (scope agents:manage). Returns its id and a token
// shown only here.
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../../context.ts';
import { audit } from '../../../lib/audit.ts';
import { readJson } from '../../../lib/validate.ts';
import { requireScope } from '../../../middleware/require-scope.ts';
import { presentAgent } from '../../../views/agent.ts';
import { LABEL } from '../api-keys/create.ts';

export const CreateAgentRequest = z.object({
  name: LABEL,
  site: LABEL.optional(),
  max_channels: z.number().int().min(1).max(1000).optional().default(2),
});

export const createAgent = new Hono<AppEnv>().post('/', requireScope('agents:manage'), async (c) => {
  const input = await readJson(c, CreateAgentRequest);
  const { agents } = c.get('services');
  const created = await agents.create({ name: input.name, site: input.site ?? null, maxChannels: input.max_channels, createdBy: c.get('caller').id });
  await audit(c, { action: 'agent.create', resourceType: 'agent', resourceId: created.agent.id, outcome: 'success', details: { token_id: created.tokenId } });
  return c.json({ ...presentAgent(created.agent, await agents.tokens(created.agent.id)), token: created.token, token_id: created.tokenId }, 201);
});
