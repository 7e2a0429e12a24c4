// Agents and their tokens: create, list, rotate (old tokens stay valid for a grace period),
// revoke, and verification of a presented token (constant-time).
import { and, asc, eq, gt, gte, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { agents, agentTokens, faxAttempts, faxJobs, type AgentRow, type AgentTokenRow } from '../db/schema.ts';
import { issueAgentToken, parseAgentToken } from '../agents/agent-token.ts';
import { randomId, sha256Hex, timingSafeEqualString } from '../lib/crypto.ts';

/** A token that is neither revoked nor expired at `now` (for live connections; verify() checks the same). */
export function usableToken(now: Date): SQL {
  return and(isNull(agentTokens.revokedAt), or(isNull(agentTokens.expiresAt), gt(agentTokens.expiresAt, now)))!;
}

export interface NewAgent {
  name: string;
  site: string | null;
  maxChannels: number;
  createdBy: string;
}

export interface VerifiedAgent {
  agent: AgentRow;
  tokenId: string;
}

export class AgentRepository {
  constructor(private readonly db: () => Database) {}

  async create(input: NewAgent): Promise<{ agent: AgentRow; tokenId: string; token: string }> {
    const id = `agt_${randomId(16)}`;
    const issued = await issueAgentToken();
    const [agent] = await this.db().insert(agents).values({ id, ...input }).returning();
    await this.db().insert(agentTokens).values({ id: issued.id, agentId: id, secretHash: issued.secretHash, createdBy: input.createdBy });
    return { agent: agent!, tokenId: issued.id, token: issued.token };
  }

  async findById(id: string): Promise<AgentRow | null> {
    const rows = await this.db().select().from(agents).where(eq(agents.id, id)).limit(1);
    return rows[0] ?? null;
  }

  /** Calls in flight per agent: attempts it started that have not ended. */
  async callsInFlight(): Promise<Map<string, number>> {
    const rows = await this.db()
      .select({ agentId: faxAttempts.agentId, n: sql<number>`count(*)::int` })
      .from(faxAttempts)
      .where(and(isNull(faxAttempts.endedAt), sql`${faxAttempts.agentId} is not null`))
      .groupBy(faxAttempts.agentId);
    return new Map(rows.map((r) => [r.agentId!, Number(r.n)]));
  }

  async list(): Promise<AgentRow[]> {
    return this.db().select().from(agents).orderBy(asc(agents.createdAt)).limit(1000);
  }

  async tokens(agentId: string): Promise<AgentTokenRow[]> {
    return this.db().select().from(agentTokens).where(eq(agentTokens.agentId, agentId)).orderBy(asc(agentTokens.createdAt));
  }

  /** Issues a new token; every other live token of the agent expires after `graceMs` (0 = now). */
  async rotate(agentId: string, graceMs: number, createdBy: string): Promise<{ tokenId: string; token: string; previousValidUntil: Date }> {
    const issued = await issueAgentToken();
    const until = new Date(Date.now() + graceMs);
    await this.db()
      .update(agentTokens)
      .set({ expiresAt: until })
      .where(
        and(eq(agentTokens.agentId, agentId), isNull(agentTokens.revokedAt), or(isNull(agentTokens.expiresAt), gt(agentTokens.expiresAt, until))),
      );
    await this.db().insert(agentTokens).values({ id: issued.id, agentId, secretHash: issued.secretHash, createdBy });
    return { tokenId: issued.id, token: issued.token, previousValidUntil: until };
  }

  async revokeToken(agentId: string, tokenId: string): Promise<AgentTokenRow | null> {
    const rows = await this.db()
      .update(agentTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(agentTokens.id, tokenId), eq(agentTokens.agentId, agentId), isNull(agentTokens.revokedAt)))
      .returning();
    return rows[0] ?? null;
  }

  async markDelivered(tokenId: string): Promise<void> {
    await this.db().update(agentTokens).set({ deliveredAt: new Date() }).where(eq(agentTokens.id, tokenId));
  }

  async verify(token: string, now = new Date()): Promise<VerifiedAgent | null> {
    const parsed = parseAgentToken(token);
    if (!parsed) return null;
    const rows = await this.db().select().from(agentTokens).where(eq(agentTokens.id, parsed.id)).limit(1);
    const row = rows[0];
    const ok = await timingSafeEqualString(await sha256Hex(parsed.secret), row?.secretHash ?? '0'.repeat(64));
    if (!row || !ok || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
    const agent = await this.findById(row.agentId);
    if (!agent || agent.disabledAt) return null;
    return { agent, tokenId: row.id };
  }

  async setPresence(agentId: string, patch: { connected: boolean; version?: string }): Promise<void> {
    await this.db()
      .update(agents)
      .set({ connected: patch.connected, lastSeenAt: new Date(), updatedAt: new Date(), ...(patch.version ? { version: patch.version } : {}) })
      .where(eq(agents.id, agentId));
  }

  /** Connected agents that may take a job for this site (null = any), with their jobs in hand. */
  async candidates(site: string | null): Promise<Array<{ id: string; free: number }>> {
    const rows = await this.db()
      .select({
        id: agents.id,
        maxChannels: agents.maxChannels,
        busy: sql<number>`(select count(*)::int from ${faxJobs} where ${faxJobs.agentId} = ${agents.id} and ${faxJobs.status} in ('queued', 'in_progress'))`,
      })
      .from(agents)
      .where(and(eq(agents.connected, true), isNull(agents.disabledAt), site ? eq(agents.site, site) : undefined));
    return rows.map((r) => ({ id: r.id, free: r.maxChannels - Number(r.busy) })).filter((r) => r.free > 0).sort((a, b) => b.free - a.free);
  }

  /** Whether an enabled agent for this site (null = any) is connected, or was seen since `since`. */
  async onlineSince(site: string | null, since: Date): Promise<boolean> {
    const rows = await this.db()
      .select({ id: agents.id })
      .from(agents)
      .where(and(isNull(agents.disabledAt), site ? eq(agents.site, site) : undefined, or(eq(agents.connected, true), gte(agents.lastSeenAt, since))))
      .limit(1);
    return rows.length > 0;
  }
}
