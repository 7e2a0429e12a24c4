// Inbound faxes: stored once per (agent, Asterisk Uniqueid) however often the agent retries the
// upload; owners come from the number -> owner mapping at arrival.
import { and, desc, eq, gte, lt, lte, or, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { inboundFaxes, inboundNumbers, type InboundFaxRow } from '../db/schema.ts';

export type NewInboundFax = typeof inboundFaxes.$inferInsert;

export interface ListInboundQuery {
  owner?: string;
  since?: Date;
  until?: Date;
  after?: { createdAt: Date; id: string };
  limit: number;
}

export class InboundRepository {
  constructor(private readonly db: () => Database) {}

  /** Inserts unless this (agent, uniqueid) is already stored; returns the stored row and whether it was new. */
  async store(row: NewInboundFax): Promise<{ row: InboundFaxRow; created: boolean }> {
    const inserted = await this.db().insert(inboundFaxes).values(row).onConflictDoNothing({ target: [inboundFaxes.agentId, inboundFaxes.uniqueid] }).returning();
    if (inserted[0]) return { row: inserted[0], created: true };
    const existing = await this.db()
      .select()
      .from(inboundFaxes)
      .where(and(eq(inboundFaxes.agentId, row.agentId!), eq(inboundFaxes.uniqueid, row.uniqueid!)))
      .limit(1);
    return { row: existing[0]!, created: false };
  }

  /** A received fax whose document is stored (one still being fetched from its provider is not listed yet). */
  async findById(id: string): Promise<InboundFaxRow | null> {
    const rows = await this.db().select().from(inboundFaxes).where(and(eq(inboundFaxes.id, id), eq(inboundFaxes.documentStatus, 'stored'))).limit(1);
    return rows[0] ?? null;
  }

  async list(q: ListInboundQuery): Promise<InboundFaxRow[]> {
    const where: SQL[] = [eq(inboundFaxes.documentStatus, 'stored')];
    if (q.owner !== undefined) where.push(eq(inboundFaxes.owner, q.owner));
    if (q.since) where.push(gte(inboundFaxes.createdAt, q.since));
    if (q.until) where.push(lte(inboundFaxes.createdAt, q.until));
    if (q.after) {
      where.push(or(lt(inboundFaxes.createdAt, q.after.createdAt), and(eq(inboundFaxes.createdAt, q.after.createdAt), lt(inboundFaxes.id, q.after.id)))!);
    }
    return this.db().select().from(inboundFaxes).where(and(...where)).orderBy(desc(inboundFaxes.createdAt), desc(inboundFaxes.id)).limit(q.limit);
  }

  /**
   * A cloud provider's received fax, once per (provider, provider fax id) however often the provider
   * calls back. A row stored as 'pending' (no file in the callback) becomes 'stored' with `stored`.
   */
  async storeFromProvider(row: NewInboundFax & { provider: string; providerFaxId: string }): Promise<{ row: InboundFaxRow; created: boolean }> {
    const inserted = await this.db().insert(inboundFaxes).values(row).onConflictDoNothing({ target: [inboundFaxes.provider, inboundFaxes.providerFaxId] }).returning();
    if (inserted[0]) return { row: inserted[0], created: true };
    const existing = (await this.db().select().from(inboundFaxes).where(and(eq(inboundFaxes.provider, row.provider), eq(inboundFaxes.providerFaxId, row.providerFaxId))).limit(1))[0]!;
    if (existing.documentStatus === 'pending' && row.documentStatus === 'stored') {
      const [updated] = await this.db()
        .update(inboundFaxes)
        .set({ documentStatus: 'stored', documentSha256: row.documentSha256, documentBytes: row.documentBytes, fetchNextAt: null, updatedAt: new Date() })
        .where(and(eq(inboundFaxes.id, existing.id), eq(inboundFaxes.documentStatus, 'pending')))
        .returning();
      if (updated) return { row: updated, created: false };
    }
    return { row: existing, created: false };
  }

  async ownerOf(number: string | null): Promise<string | null> {
    if (!number) return null;
    const rows = await this.db().select().from(inboundNumbers).where(eq(inboundNumbers.number, number)).limit(1);
    return rows[0]?.owner ?? null;
  }

  async listNumbers() {
    return this.db().select().from(inboundNumbers).orderBy(inboundNumbers.number);
  }

  async upsertNumber(number: string, owner: string, createdBy: string) {
    const [row] = await this.db()
      .insert(inboundNumbers)
      .values({ number, owner, createdBy })
      .onConflictDoUpdate({ target: inboundNumbers.number, set: { owner, updatedAt: new Date() } })
      .returning();
    return row!;
  }

  async deleteNumber(number: string): Promise<boolean> {
    const rows = await this.db().delete(inboundNumbers).where(eq(inboundNumbers.number, number)).returning();
    return rows.length > 0;
  }
}
