// The dev/test database proxy pools sessions: the Neon driver's pipelined handshake (startup,
// cleartext password, first query in one round trip) is answered by the proxy, sessions reuse
// authenticated backends, and nothing of one session (settings, open transactions) leaks into the next.
// Runs against TEST_DATABASE_URL when it is set (the PostgreSQL CI run), else embedded PGlite.
import { Pool, neonConfig } from '@neondatabase/serverless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../scripts/stack/embedded-postgres.ts';
import { startWsProxy, type WsProxy } from '../../scripts/stack/ws-proxy.ts';

let embedded: EmbeddedPostgres | undefined;
let proxy: WsProxy;
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = process.env.TEST_DATABASE_URL || (embedded = await startEmbeddedPostgres({})).url;
  proxy = await startWsProxy({ databaseUrl });
  neonConfig.wsProxy = (host, port) => `127.0.0.1:${proxy.port}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = 'password';
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await embedded?.close();
});

/** One session: a fresh connection, some queries, then Terminate. */
async function session<T>(url: string, fn: (q: (sql: string) => Promise<any[]>) => Promise<T>): Promise<T> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const client = await pool.connect();
    try {
      return await fn(async (sql) => (await client.query(sql)).rows);
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}

describe('the pooling database proxy', () => {
  it('serves pipelined connections, and the next session runs on the same warm backend', async () => {
    const pids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [row] = await session(databaseUrl, (q) => q('select pg_backend_pid() as pid, 1 + 1 as two'));
      expect(row.two).toBe(2);
      pids.push(row.pid);
    }
    if (!embedded) expect(new Set(pids).size).toBe(1); // PGlite has one backend for everyone anyway
  });

  it('resets a backend between sessions: settings and open transactions do not leak', async () => {
    await session(databaseUrl, async (q) => {
      await q("set application_name = 'leaky'");
      await q('begin');
      await q('create temporary table leak_check (x int)');
    });
    const rows = await session(databaseUrl, async (q) => [
      ...(await q('show application_name')),
      ...(await q("select count(*)::int as n from pg_class where relname = 'leak_check'")),
      ...(await q('select txid_current_if_assigned() is null as fresh')),
    ]);
    expect(rows[0].application_name).not.toBe('leaky');
    expect(rows[1].n).toBe(0);
    expect(rows[2].fresh).toBe(true);
  });

  it('refuses a wrong password (28P01) and another database user, without reaching the database', async () => {
    const wrong = new URL(databaseUrl);
    wrong.password = 'not-the-password';
    const err = await session(wrong.toString(), (q) => q('select 1')).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('28P01');
    const other = new URL(databaseUrl);
    other.username = 'intruder';
    const err2 = await session(other.toString(), (q) => q('select 1')).catch((e) => e);
    expect(err2).toBeInstanceOf(Error);
  });

  it('keeps concurrent sessions apart', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        session(databaseUrl, async (q) => {
          await q('begin');
          const [row] = await q(`select ${i} as i`);
          await q('commit');
          return row.i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
