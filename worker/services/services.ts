// Builds the per-request service bundle injected into the Hono context. The database pool is
// opened lazily (health checks and rejected requests never open one) and closed after the response.
import type { Config } from '../config.ts';
import type { Env } from '../env.ts';
import { openDatabase, type Database, type DatabaseHandle } from '../db/client.ts';
import type { FaxBackend } from '../backends/fax-backend.ts';
import { createBackend } from '../backends/registry.ts';
import { createLifecycle } from '../lifecycle/create-lifecycle.ts';
import type { JobLifecycle } from '../lifecycle/job-lifecycle.ts';
import { AgentRepository } from './agents.ts';
import { InboundRepository } from './inbound.ts';
import { ApiKeyRepository } from './api-keys.ts';
import { DisabledAuditLog, PostgresAuditLog, type AuditLog } from './audit-log.ts';
import type { DocumentStore } from './document-store.ts';
import { FaxJobRepository } from './fax-jobs.ts';
import { S3DocumentStore } from './s3-document-store.ts';

export interface Services {
  db(): Database;
  agents: AgentRepository;
  inbound: InboundRepository;
  apiKeys: ApiKeyRepository;
  jobs: FaxJobRepository;
  /** The only writer of fax job status. */
  lifecycle: JobLifecycle;
  audit: AuditLog;
  documents: DocumentStore;
  backend: FaxBackend;
  close(): Promise<void>;
}

export function createServices(env: Env, config: Config): Services {
  let handle: DatabaseHandle | undefined;
  const db = (): Database => {
    if (!config.databaseUrl) throw new Error('DATABASE_URL is not configured');
    handle ??= openDatabase(config.databaseUrl, config.databaseWsProxy, { application: 'faxbot-api' });
    return handle.db;
  };
  const { endpoint, bucket, accessKeyId, secretAccessKey, region, kmsKeyId } = config.s3;
  const agents = new AgentRepository(db);
  return {
    db,
    agents,
    inbound: new InboundRepository(db),
    apiKeys: new ApiKeyRepository(db),
    jobs: new FaxJobRepository(db),
    lifecycle: createLifecycle(db, config),
    audit: config.auditEnabled ? new PostgresAuditLog(db) : new DisabledAuditLog(),
    documents: new S3DocumentStore({
      endpoint: endpoint ?? '',
      bucket: bucket ?? '',
      accessKeyId: accessKeyId ?? '',
      secretAccessKey: secretAccessKey ?? '',
      region,
      kmsKeyId,
    }),
    backend: createBackend(config.backend, env, config, agents)!,
    close: async () => {
      await handle?.close();
    },
  };
}
