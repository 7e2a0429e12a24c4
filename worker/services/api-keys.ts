// API key persistence: create, list, revoke, rotate, and verification of presented tokens.
// Secrets are stored only as SHA-256 hashes and compared in constant time.
import { desc, eq, isNull, and, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { apiKeys, type ApiKeyRow } from '../db/schema.ts';
import { issueSecret, newKeyId, parseApiKeyToken } from '../auth/api-key-token.ts';
import { sha256Hex, timingSafeEqualString } from '../lib/crypto.ts';
import type { Scope } from '../auth/scopes.ts';

export interface CreateKeyInput {
  name: string;
  owner: string;
  scopes: Scope[];
  site?: string | null;
  backend?: string | null;
  expiresAt?: Date | null;
  createdBy: string;
}

export class ApiKeyRepository {
  constructor(private readonly db: () => Database) {}

  async create(input: CreateKeyInput): Promise<{ row: ApiKeyRow; token: string }> {
    const id = newKeyId();
    const { token, secretHash } = await issueSecret(id);
    const [row] = await this.db()
      .insert(apiKeys)
      .values({
        id,
        name: input.name,
        owner: input.owner,
        scopes: input.scopes,
        site: input.site ?? null,
        backend: input.backend ?? null,
        secretHash,
        expiresAt: input.expiresAt ?? null,
        createdBy: input.createdBy,
      })
      .returning();
    return { row: row!, token };
  }

  async list(opts: { owner?: string; includeRevoked: boolean }): Promise<ApiKeyRow[]> {
    const where: SQL[] = [];
    if (opts.owner !== undefined) where.push(eq(apiKeys.owner, opts.owner));
    if (!opts.includeRevoked) where.push(isNull(apiKeys.revokedAt));
    return this.db()
      .select()
      .from(apiKeys)
      .where(and(...where))
      .orderBy(desc(apiKeys.createdAt))
      .limit(1000);
  }

  async findById(id: string): Promise<ApiKeyRow | null> {
    const rows = await this.db().select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
    return rows[0] ?? null;
  }

  async revoke(id: string): Promise<ApiKeyRow | null> {
    const now = new Date();
    const rows = await this.db()
      .update(apiKeys)
      .set({ revokedAt: now, updatedAt: now, previousSecretHash: null, previousSecretExpiresAt: null })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    return rows[0] ?? null;
  }

  /** Issues a new secret; the old one keeps working for `graceSeconds` (0 = invalid at once). */
  async rotate(id: string, graceSeconds: number): Promise<{ row: ApiKeyRow; token: string } | null> {
    const current = await this.findById(id);
    if (!current || current.revokedAt) return null;
    const now = new Date();
    const { token, secretHash } = await issueSecret(id);
    const rows = await this.db()
      .update(apiKeys)
      .set({
        secretHash,
        previousSecretHash: graceSeconds > 0 ? current.secretHash : null,
        previousSecretExpiresAt: graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null,
        rotatedAt: now,
        updatedAt: now,
      })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt), eq(apiKeys.secretHash, current.secretHash)))
      .returning();
    return rows[0] ? { row: rows[0], token } : null;
  }

  /** Returns the key a token belongs to if the token is valid right now, else null. */
  async verify(token: string, now = new Date()): Promise<ApiKeyRow | null> {
    const parsed = parseApiKeyToken(token);
    if (!parsed) return null;
    const row = await this.findById(parsed.id);
    const presented = await sha256Hex(parsed.secret);
    // Compare even when the row is missing so timing does not reveal which ids exist.
    const matchesCurrent = await timingSafeEqualString(presented, row?.secretHash ?? '0'.repeat(64));
    const matchesPrevious =
      !!row?.previousSecretHash &&
      !!row.previousSecretExpiresAt &&
      row.previousSecretExpiresAt > now &&
      (await timingSafeEqualString(presented, row.previousSecretHash));
    if (!row || !(matchesCurrent || matchesPrevious)) return null;
    if (row.revokedAt) return null;
    if (row.expiresAt && row.expiresAt <= now) return null;
    return row;
  }

  async touch(id: string, now = new Date()): Promise<void> {
    await this.db().update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id));
  }
}
