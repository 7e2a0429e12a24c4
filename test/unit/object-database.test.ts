// ObjectDatabase: one pool per Durable Object, reused across events; a pool that failed other than
// with a statement error is retired (closed once no event still uses it) and the next event opens
// a fresh one. Errors reach the caller unchanged, so the callers' database-unavailable handling applies.
import { describe, expect, it } from 'vitest';
import type { Database, DatabaseHandle, DatabaseOptions } from '../../worker/db/client.ts';
import { OBJECT_POOL_IDLE_MS, ObjectDatabase } from '../../worker/db/object-database.ts';

function fakePools() {
  const opened: Array<{ opts: DatabaseOptions; closed: number; db: Database }> = [];
  const open = (_url: string, _proxy?: string, opts: DatabaseOptions = {}): DatabaseHandle => {
    const pool = { opts, closed: 0, db: { pool: opened.length } as unknown as Database };
    opened.push(pool);
    return { db: pool.db, close: async () => void (pool.closed += 1) };
  };
  const waiting: Promise<unknown>[] = [];
  const objectDb = new ObjectDatabase((p) => waiting.push(p), { application: 'test' }, open);
  return { opened, objectDb, settle: () => Promise.all(waiting) };
}

const sqlError = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
const socketError = new Error('Failed query', { cause: new Error('Connection terminated unexpectedly') });
const ioContextError = new Error('Cannot perform I/O on behalf of a different request.');

describe('ObjectDatabase', () => {
  it('opens one pool and reuses it across events, with the long idle timeout', async () => {
    const { opened, objectDb } = fakePools();
    for (let i = 0; i < 4; i++) await objectDb.use('postgres://x', undefined, async (db) => db());
    expect(opened).toHaveLength(1);
    expect(opened[0]!.opts).toEqual({ application: 'test', idleTimeoutMs: OBJECT_POOL_IDLE_MS });
    expect(opened[0]!.closed).toBe(0);
  });

  it('keeps the pool after a statement error, retires it after a connection or driver error', async () => {
    const { opened, objectDb, settle } = fakePools();
    await expect(objectDb.use('u', undefined, async () => Promise.reject(sqlError))).rejects.toBe(sqlError);
    await objectDb.use('u', undefined, async () => 1);
    expect(opened).toHaveLength(1);
    for (const err of [socketError, ioContextError]) {
      await expect(objectDb.use('u', undefined, async () => Promise.reject(err))).rejects.toBe(err);
      await settle();
      expect(opened.at(-1)!.closed).toBe(1);
      await objectDb.use('u', undefined, async () => 1);
    }
    expect(opened).toHaveLength(3);
    expect(opened.map((p) => p.closed)).toEqual([1, 1, 0]);
  });

  it('closes a retired pool only after the events still using it finish', async () => {
    const { opened, objectDb, settle } = fakePools();
    let finish!: () => void;
    const slow = objectDb.use('u', undefined, (db) => new Promise<unknown>((r) => (finish = () => r(db()))));
    await expect(objectDb.use('u', undefined, async () => Promise.reject(socketError))).rejects.toBe(socketError);
    await settle();
    expect(opened[0]!.closed).toBe(0);
    // A new event gets a fresh pool meanwhile.
    expect(await objectDb.use('u', undefined, async (db) => db())).toBe(opened[1]!.db);
    finish();
    expect(await slow).toBe(opened[0]!.db);
    await settle();
    expect(opened.map((p) => p.closed)).toEqual([1, 0]);
  });
});
