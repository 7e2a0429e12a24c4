// Opens Postgres through the Neon serverless driver (WebSockets), the only way a Worker can speak
// the Postgres protocol. In development and tests DATABASE_WS_PROXY points the driver at a local
// WebSocket->TCP proxy in front of PGlite or a real PostgreSQL server; in production it is unset.
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
    neonConfig.pipelineConnect = false;
  }
  const pool = new Pool({
    connectionString: databaseUrl,
    max: 4,
    application_name: opts.application ?? 'faxbot',
    ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMillis: opts.idleTimeoutMs } : {}),
  });
  // A dropped idle connection must not crash the isolate; the next query reconnects.
  pool.on('error', () => {});
  return { db: drizzle(pool, { schema }), close: () => pool.end() };
}
