// Opens Postgres through the Neon serverless driver, which speaks the Postgres protocol over
// WebSockets. We use it because one driver serves both ends: in production it connects straight to
// Neon over secure WebSockets, and in development and tests DATABASE_WS_PROXY points it at our local
// WebSocket->TCP proxy in front of PGlite or a real PostgreSQL server (unset in production).
// It is not the only way out of a Worker: Workers open TCP sockets too (`connect()` from
// `cloudflare:sockets`), and Hyperdrive, which pools those connections near the database, is the
// production pooling option for Postgres over TCP. Not supported here yet: it needs a Hyperdrive
// binding and a TCP driver (pg or Postgres.js) in this file. See docs/deployment.md.
import { Pool, neonConfig } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import * as schema from './schema.ts';

export type Database = ReturnType<typeof drizzle<typeof schema>>;

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
