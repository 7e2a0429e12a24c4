// Console sessions in Postgres: the browser holds a random token, the table only its SHA-256. A
// session is valid while not ended, not past its absolute expiry and used within the idle window;
// each use slides the idle window (written at most once a minute).
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { consoleSessions } from '../db/schema.ts';
import { randomId, randomSecret, sha256Hex } from '../lib/crypto.ts';

export interface ConsoleSession {
  id: string;
  keyId: string;
  lastSeenAt: Date;
  expiresAt: Date;
}

const TOUCH_EVERY_MS = 60_000;

export class ConsoleSessionStore {
  private readonly db: () => Database;
  private readonly idleMs: number;
  private readonly maxAgeMs: number;

  constructor(db: () => Database, limits: { idleMs: number; maxAgeMs: number }) {
    this.db = db;
    this.idleMs = limits.idleMs;
    this.maxAgeMs = limits.maxAgeMs;
  }

  async open(keyId: string, now = new Date()): Promise<{ session: ConsoleSession; token: string }> {
    const token = `fcs_${randomSecret(32)}`;
    const [row] = await this.db()
      .insert(consoleSessions)
      .values({ id: `ses_${randomId(24)}`, tokenHash: await sha256Hex(token), keyId, lastSeenAt: now, expiresAt: new Date(now.getTime() + this.maxAgeMs) })
      .returning();
    return { session: row!, token };
  }

  /** The live session of a cookie token, its idle window slid forward; null if none. */
  async resume(token: string, now = new Date()): Promise<ConsoleSession | null> {
    if (!/^fcs_[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const idleSince = new Date(now.getTime() - this.idleMs);
    const rows = await this.db()
      .select()
      .from(consoleSessions)
      .where(and(eq(consoleSessions.tokenHash, await sha256Hex(token)), isNull(consoleSessions.endedAt), gt(consoleSessions.expiresAt, now), gt(consoleSessions.lastSeenAt, idleSince)))
      .limit(1);
    const row = rows[0];
    if (!row) return null;
    if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
      await this.db().update(consoleSessions).set({ lastSeenAt: now }).where(eq(consoleSessions.id, row.id));
    }
    return row;
  }

  async end(id: string, now = new Date()): Promise<void> {
    await this.db().update(consoleSessions).set({ endedAt: now }).where(and(eq(consoleSessions.id, id), isNull(consoleSessions.endedAt)));
  }
}
