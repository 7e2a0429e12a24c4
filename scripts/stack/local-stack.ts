// The services the worker needs, started locally unless the caller supplies real ones:
// Postgres (embedded PGlite unless a URL is given) behind the WebSocket proxy the Neon driver
// needs, an S3 server that checks SigV4 (unless an endpoint is given), and migrations applied.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts';
import { migrateDatabase } from './migrate.ts';
import { createScratchDatabase } from './scratch-database.ts';
import { startLocalS3, type LocalS3 } from './s3-server.ts';
import { startWsProxy, type WsProxy } from './ws-proxy.ts';

export interface StackOptions {
  dataDir: string;
  /** Use this Postgres instead of embedded PGlite. */
  databaseUrl?: string;
  /** Use this S3 service instead of the local one (all four must be set). */
  s3?: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; region?: string };
  /** Keep embedded Postgres in memory instead of dataDir (tests). */
  ephemeral?: boolean;
  /**
   * With `databaseUrl`: a database of its own on that server, created empty and dropped on close
   * (benchmarks: jobs an earlier run left, due later, would be swept during this one's figures).
   */
  scratch?: boolean;
}

export interface LocalStack {
  databaseUrl: string;
  embeddedDatabase: boolean;
  /** Worker variables that point at these services. */
  vars: Record<string, string>;
  /** The database proxy (absent for Neon, which the driver reaches directly). */
  proxy?: WsProxy;
  /** The local S3 server's storage directory (unset when `s3` was given). */
  s3Directory?: string;
  close(): Promise<void>;
}

export async function startLocalStack(opts: StackOptions): Promise<LocalStack> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch(() => {});
  };
  try {
    let pg: EmbeddedPostgres | undefined;
    let databaseUrl = opts.databaseUrl;
    if (databaseUrl && opts.scratch) {
      const scratch = await createScratchDatabase(databaseUrl);
      closers.push(() => scratch.drop());
      databaseUrl = scratch.url;
    }
    if (!databaseUrl) {
      const dir = opts.ephemeral ? undefined : path.join(opts.dataDir, 'postgres');
      if (dir) mkdirSync(dir, { recursive: true });
      pg = await startEmbeddedPostgres({ dataDir: dir });
      closers.push(() => pg!.close());
      databaseUrl = pg.url;
    }
    await migrateDatabase(databaseUrl);
    const vars: Record<string, string> = { DATABASE_URL: databaseUrl };
    let proxy: WsProxy | undefined;

    const { hostname } = new URL(databaseUrl);
    if (!/\.neon\.tech$/.test(hostname)) {
      const started = (proxy = await startWsProxy({ databaseUrl, preparedStatements: !pg }));
      closers.push(() => started.close());
      vars.DATABASE_WS_PROXY = `127.0.0.1:${started.port}/v1`;
    }

    let s3Directory: string | undefined;
    if (opts.s3) {
      Object.assign(vars, {
        S3_ENDPOINT: opts.s3.endpoint,
        S3_BUCKET: opts.s3.bucket,
        S3_ACCESS_KEY_ID: opts.s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: opts.s3.secretAccessKey,
        S3_REGION: opts.s3.region ?? 'us-east-1',
      });
    } else {
      const dir = path.join(opts.dataDir, 's3');
      mkdirSync(dir, { recursive: true });
      s3Directory = dir;
      const s3: LocalS3 = await startLocalS3({ directory: dir, bucket: 'faxbot' });
      closers.push(() => s3.close());
      Object.assign(vars, {
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: s3.bucket,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        S3_REGION: 'us-east-1',
      });
    }
    return { databaseUrl, embeddedDatabase: !!pg, vars, proxy, s3Directory, close };
  } catch (err) {
    await close();
    throw err;
  }
}
