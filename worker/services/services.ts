// Builds the per-request service bundle injected into the Hono context. The database pool is
// opened lazily (health checks and rejected requests never open one) and closed after the response.
import type { Config } from '../config.ts';
import type { Env } from '../env.ts';
import { openDatabase, type Database, type DatabaseHandle } from '../db/client.ts';
import type { FaxBackend } from '../backends/fax-backend.ts';
import { SandboxBackend } from '../backends/sandbox.ts';
import { SipBackend } from '../backends/sip.ts';
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
  audit: AuditLog;
  documents: DocumentStore;
  backend: FaxBackend;
  close(): Promise<void>;
}

export function createServices(env: Env, config: Config): Services {
  let handle: DatabaseHandle | undefined;
  const db = (): Database => {
    if (!config.databaseUrl) throw new Error('DATABASE_URL is not configured');
    handle ??= openDatabase(config.databaseUrl, config.databaseWsProxy);
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
    audit: config.auditEnabled ? new PostgresAuditLog(db) : new DisabledAuditLog(),
    documents: new S3DocumentStore({
      endpoint: endpoint ?? '',
      bucket: bucket ?? '',
      accessKeyId: accessKeyId ?? '',
      secretAccessKey: secretAccessKey ?? '',
      region,
      kmsKeyId,
    }),
    backend: createBackend(env, config, agents),
    close: async () => {
      await handle?.close();
    },
  };
}

function createBackend(env: Env, config: Config, agents: AgentRepository): FaxBackend {
  switch (config.backend) {
    case 'sandbox':
      return new SandboxBackend(env, config.sandboxStepMs);
    case 'sip':
      return new SipBackend(env, agents);
  }
}
