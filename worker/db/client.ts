// Opens Postgres through the Neon serverless driver, in one of its two modes:
// - openHttpDatabase: a request's statements, each one HTTPS request ("query over fetch", Neon's
//   /sql endpoint). No connection setup, no password derivation, nothing held between requests
//   (a Worker cannot keep a socket across requests): the request path's choice. No interactive
//   transactions; a state change is one statement (data-modifying CTEs) or a batch.
// - openDatabase: a pooled Postgres session over WebSockets, for what lives longer than a request
//   (the Durable Objects' pools, the cron) and for interactive transactions.
// In production both reach Neon directly; in development and tests DATABASE_WS_PROXY points them at
// our local proxy (WebSocket sessions and the same /sql endpoint on one port) in front of PGlite or a
// real PostgreSQL server (unset in production).
// It is not the only way out of a Worker: Workers open TCP sockets too (`connect()` from
// `cloudflare:sockets`), and Hyperdrive, which pools those connections near the database, is the
// production pooling option for Postgres over TCP. Not supported here yet: it needs a Hyperdrive
// binding and a TCP driver (pg or Postgres.js) in this file. See docs/deployment.md.
import { Pool, neon, neonConfig } from '@neondatabase/serverless';
import { drizzle as drizzleHttp } from 'drizzle-orm/neon-http';
import { drizzle } from 'drizzle-orm/neon-serverless';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema.ts';

/** Either mode: the query builder is the same; only `transaction()` needs openDatabase's. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /**
   * Sent as application_name, so pg_stat_activity (and the test proxy) can tell the request path,
   * the Durable Objects and the cron apart.
   */
  application?: string;
  /** How long an idle connection stays open in the pool (the driver's default: 10 s). */
  idleTimeoutMs?: number;
}

/** The rows of a raw statement (db.execute), whichever mode ran it: both answer `{ rows }`. */
export async function queryRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** The proxy's HTTP origin from DATABASE_WS_PROXY (`host:port/v1`): its /sql endpoint. */
function proxySqlEndpoint(wsProxy: string): string {
  const hostPort = wsProxy.replace(/^[a-z]+:\/\//i, '').split('/')[0];
  return `http://${hostPort}/sql`;
}

// One query function and drizzle instance per database for the isolate's life: building them is a
// measurable part of a request's CPU, and they hold no I/O object (each query's fetch belongs to
// the request that runs it), so sharing them across requests is allowed in Workers.
const httpDatabases = new Map<string, Database>();

export function openHttpDatabase(databaseUrl: string, wsProxy?: string, opts: Pick<DatabaseOptions, 'application'> = {}): Database {
  const key = `${databaseUrl}\n${wsProxy ?? ''}\n${opts.application ?? ''}`;
  const known = httpDatabases.get(key);
  if (known) return known;
  if (wsProxy) {
    const endpoint = proxySqlEndpoint(wsProxy);
    neonConfig.fetchEndpoint = () => endpoint;
  }
  const url = new URL(databaseUrl);
  if (!url.searchParams.has('application_name')) url.searchParams.set('application_name', opts.application ?? 'faxbot');
  const db = drizzleHttp(neon(url.toString())) as unknown as Database;
  if (httpDatabases.size > 8) httpDatabases.clear();
  httpDatabases.set(key, db);
  return db;
}

export function openDatabase(databaseUrl: string, wsProxy?: string, opts: DatabaseOptions = {}): DatabaseHandle {
  if (wsProxy) {
    const proxy = wsProxy.replace(/\/+$/, '');
    neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    // The proxy answers the handshake itself (cleartext password over loopback, like Neon's proxy
    // over TLS), so startup, password and the first query go out in one round trip.
    neonConfig.pipelineConnect = 'password';
  }
  const pool = new Pool({
    connectionString: databaseUrl,
    max: 4,
    application_name: opts.application ?? 'faxbot',
    ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMillis: opts.idleTimeoutMs } : {}),
  });
  // A dropped idle connection must not crash the isolate; the next query reconnects.
  pool.on('error', () => {});
  // No `schema` option: it builds the relational-query config on every call (a fifth of a request's
  // CPU in a profile) and no code uses db.query; the type still names the schema.
  return { db: drizzle(pool) as unknown as Database, close: () => pool.end() };
}
