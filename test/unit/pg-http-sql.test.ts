// The dev/test proxy's /sql endpoint speaks Neon's HTTP query protocol: the real driver (`neon()`,
// and drizzle's neon-http on top of it, as the worker's request path uses them) gets typed rows,
// atomic batches, Postgres errors with their SQLSTATE and constraint, a refusal for wrong
// credentials, and a connection failure the worker reads as "database unavailable" during an outage.
// Runs against TEST_DATABASE_URL when it is set (the PostgreSQL CI run, with prepared statements as
// startLocalStack turns them on for a server), else embedded PGlite (without).
import net from 'node:net';
import { neon, neonConfig } from '@neondatabase/serverless';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/neon-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../scripts/stack/embedded-postgres.ts';
import { startWsProxy, type WsProxy } from '../../scripts/stack/ws-proxy.ts';
import { isDatabaseUnavailable, isUniqueViolation } from '../../worker/lifecycle/db-errors.ts';

let embedded: EmbeddedPostgres | undefined;
let proxy: WsProxy;
let databaseUrl: string;
const table = `http_sql_test_${process.pid}_${Date.now()}`;

beforeAll(async () => {
  databaseUrl = process.env.TEST_DATABASE_URL || (embedded = await startEmbeddedPostgres({})).url;
  proxy = await startWsProxy({ databaseUrl, observe: true, preparedStatements: !embedded });
  neonConfig.fetchEndpoint = () => `http://127.0.0.1:${proxy.port}/sql`;
  await neon(databaseUrl).query(`create table ${table} (id int primary key, note text)`);
}, 60_000);

afterAll(async () => {
  await neon(databaseUrl)
    .query(`drop table if exists ${table}`)
    .catch(() => {});
  await proxy?.close();
  await embedded?.close();
});

describe('Neon HTTP query protocol on the dev/test proxy', () => {
  it('returns rows parsed by the driver with their Postgres types', async () => {
    const q = neon(databaseUrl);
    const [row] = await q`select ${41}::int + 1 as n, now() as at, ${JSON.stringify({ a: [1] })}::jsonb as doc, true as yes, null::text as none, ${'x'}::text as t`;
    expect(row).toMatchObject({ n: 42, doc: { a: [1] }, yes: true, none: null, t: 'x' });
    expect(row!.at).toBeInstanceOf(Date);
  });

  it('runs drizzle neon-http queries, and reports the application name', async () => {
    const db = drizzle(neon(`${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}application_name=faxbot-test`));
    const result = (await db.execute(sql`select ${'a'}::text as v union all select 'b'`)) as unknown as { rows: { v: string }[] };
    expect(result.rows.map((r) => r.v)).toEqual(['a', 'b']);
    expect(proxy.statements.at(-1)).toMatchObject({ application: 'faxbot-test' });
  });

  it('runs a batch in one transaction: all of it or none of it', async () => {
    const q = neon(databaseUrl);
    await q.transaction([q.query(`insert into ${table} values (1, 'one')`), q.query(`insert into ${table} values (2, 'two')`)]);
    await expect(q.transaction([q.query(`insert into ${table} values (3, 'three')`), q.query(`insert into ${table} values (1, 'again')`)])).rejects.toThrow();
    const rows = await q.query(`select id from ${table} order by id`);
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it('reports a Postgres error with its SQLSTATE and constraint', async () => {
    const err = await neon(databaseUrl)
      .query(`insert into ${table} values (1, 'dup')`)
      .catch((e: unknown) => e);
    expect(isUniqueViolation(err, `${table}_pkey`)).toBe(true);
    expect(isDatabaseUnavailable(err)).toBe(false);
  });

  it('answers the same statement text again and again, across failed batches and bad parameters', async () => {
    // Prepared once per backend on a server: a failed batch, a statement that fails when bound and
    // one that never parses must not leave a name half-made for the next request.
    const q = neon(databaseUrl);
    const read = `select note from ${table} where id = $1`;
    for (let i = 0; i < 20; i++) expect(await q.query(read, [1])).toEqual([{ note: 'one' }]);
    await expect(q.transaction([q.query(read, [1]), q.query(`insert into ${table} values (1, 'again')`)])).rejects.toThrow();
    await expect(q.query(read, ['not a number'])).rejects.toThrow();
    await expect(q.query(`select nope from ${table} where id = $1`, [1])).rejects.toThrow();
    await expect(q.query(`select nope from ${table} where id = $1`, [1])).rejects.toThrow();
    expect(await q.query(read, [2])).toEqual([{ note: 'two' }]);
  });

  it('refuses a wrong password', async () => {
    const wrong = new URL(databaseUrl);
    wrong.password = 'not-the-password';
    const err = (await neon(wrong.toString())
      .query('select 1')
      .catch((e: unknown) => e)) as { code?: string };
    expect(err.code).toBe('28P01');
  });

  it('fails as "unavailable" while the database is cut, and serves again once restored', async () => {
    proxy.cut();
    try {
      const err = await neon(databaseUrl)
        .query('select 1')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(err)).toBe(true);
    } finally {
      proxy.restore();
    }
    expect(await neon(databaseUrl).query('select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('survives its database connections dropping (a server restart): no crash, the next statement runs', async () => {
    // A relay between a second proxy and the database, whose sockets are cut while the proxy's
    // pool holds connections, idle and in use.
    const target = new URL(databaseUrl);
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const relayed = new URL(databaseUrl);
    relayed.host = `127.0.0.1:${(relay.address() as net.AddressInfo).port}`;
    const second = await startWsProxy({ databaseUrl: relayed.toString() });
    try {
      neonConfig.fetchEndpoint = () => `http://127.0.0.1:${second.port}/sql`;
      const q = neon(relayed.toString());
      await Promise.all([q.query('select 1'), q.query('select 2'), q.query('select 3')]);
      const slow = q.query('select pg_sleep(0.3)').catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 100));
      for (const s of [...sockets]) s.destroy();
      const failed = await slow;
      expect(isDatabaseUnavailable(failed)).toBe(true);
      let answer: unknown;
      for (let i = 0; i < 5 && answer === undefined; i++) answer = await q.query('select 42 as n').catch(() => undefined);
      expect(answer).toEqual([{ n: 42 }]);
    } finally {
      neonConfig.fetchEndpoint = () => `http://127.0.0.1:${proxy.port}/sql`;
      await second.close();
      for (const s of [...sockets]) s.destroy();
      await new Promise((r) => relay.close(r));
    }
  });
});
