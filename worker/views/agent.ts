// Public JSON shape of an agent and its tokens (never secrets or hashes).
import type { AgentRow, AgentTokenRow } from '../db/schema.ts';

export function presentAgent(agent: AgentRow, tokens: AgentTokenRow[] = [], online?: boolean) {
  return {
    id: agent.id,
    name: agent.name,
    site: agent.site,
    max_channels: agent.maxChannels,
    online: online ?? agent.connected,
    version: agent.version,
    last_seen_at: agent.lastSeenAt?.toISOString() ?? null,
    created_at: agent.createdAt.toISOString(),
    tokens: tokens.map((t) => ({
      id: t.id,
      prefix: `fba_${t.id}_…`,
      created_at: t.createdAt.toISOString(),
      expires_at: t.expiresAt?.toISOString() ?? null,
      revoked_at: t.revokedAt?.toISOString() ?? null,
      delivered_at: t.deliveredAt?.toISOString() ?? null,
    })),
  };
}
