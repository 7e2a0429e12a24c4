// Builds the per-request service bundle injected into the Hono context. Statements go over HTTP
// (openHttpDatabase: no connection to set up); a WebSocket session is opened only for an
// interactive transaction (cancel's conditional change), lazily, and closed after the response.
import type { Config } from '../config.ts';
import type { Env } from '../env.ts';
import { openDatabase, openHttpDatabase, type Database, type DatabaseHandle } from '../db/client.ts';
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
import { WebhookRepository } from './webhooks.ts';
import { documentStoreFor } from './s3-document-store.ts';

export interface Services {
  db(): Database;
  agents: AgentRepository;
  inbound: InboundRepository;
  apiKeys: ApiKeyRepository;
  jobs: FaxJobRepository;
  webhooks: WebhookRepository;
  /** The only writer of fax job status. */
  lifecycle: JobLifecycle;
  audit: AuditLog;
  documents: DocumentStore;
  /** The deployment's default backend (FAX_BACKEND). */
  backend: FaxBackend;
  /** The backend a job belongs to. */
  backendFor(name: string): FaxBackend | null;
  close(): Promise<void>;
}

export function createServices(env: Env, config: Config): Services {
  let http: Database | undefined;
  let handle: DatabaseHandle | undefined;
  const url = (): string => {
    if (!config.databaseUrl) throw new Error('DATABASE_URL is not configured');
    return config.databaseUrl;
  };
  const db = (): Database => (http ??= openHttpDatabase(url(), config.databaseWsProxy, { application: 'faxbot-api' }));
  const sessionDb = (): Database => (handle ??= openDatabase(url(), config.databaseWsProxy, { application: 'faxbot-api' })).db;
  const agents = new AgentRepository(db);
  return {
    db,
    agents,
    inbound: new InboundRepository(db),
    apiKeys: new ApiKeyRepository(db),
    jobs: new FaxJobRepository(db),
    webhooks: new WebhookRepository(db),
    lifecycle: createLifecycle(db, config, sessionDb),
    audit: config.auditEnabled ? new PostgresAuditLog(db) : new DisabledAuditLog(),
    documents: documentStoreFor(config),
    backend: createBackend(config.backend, env, config, agents)!,
    backendFor: (name) => createBackend(name, env, config, agents),
    close: async () => {
      await handle?.close();
    },
  };
}
