// Cron triggers. Every minute: kick the lifecycle's recovery sweep (a backstop for its own alarm).
// Hourly: retention — deletes audit events older than AUDIT_RETENTION_DAYS (>= 90) and stored
// documents past ARTIFACT_RETENTION_DAYS / INBOUND_RETENTION_DAYS (metadata rows are kept), in
// batches until none is due; a run that spends its budget says so and the next hour carries on.
import { loadConfig, type Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { rootMessage, rootName } from './lib/error-detail.ts';
import type { Env } from './env.ts';
import { log } from './lib/log.ts';
import { schedulerStub } from './lifecycle/scheduler-stub.ts';
import { pruneAuditEvents } from './services/audit-query.ts';
import { pruneDocuments } from './services/document-retention.ts';
import { createServices } from './services/services.ts';

export const SWEEP_CRON = '* * * * *';

export async function scheduled(event: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  if (event.cron === SWEEP_CRON) {
    await schedulerStub(env).kick();
    return;
  }
  const config = loadConfig(env);
  if (config.problems.length > 0 || !config.databaseUrl) {
    log('warn', 'retention skipped: configuration invalid');
    return;
  }
  const handle = openDatabase(config.databaseUrl, config.databaseWsProxy, { application: 'faxbot-cron' });
  try {
    await retention(handle.db, env, config);
  } catch (err) {
    // Not rethrown: the runtime would log the error's message and stack, and drizzle's quotes the SQL
    // and its parameters. The next hourly run retries.
    log('error', 'retention failed; the next run retries', { error: rootName(err), detail: rootMessage(err).slice(0, 300) });
  } finally {
    ctx.waitUntil(handle.close().catch(() => undefined));
  }
}

async function retention(db: Database, env: Env, config: Config): Promise<void> {
  const deleted = await pruneAuditEvents(db, config.auditRetentionDays);
  log('info', 'retention: audit events pruned', { deleted, retention_days: config.auditRetentionDays });
  const services = createServices(env, config);
  const docs = await pruneDocuments(db, services.documents, {
    artifactDays: config.retention.artifactDays,
    inboundDays: config.retention.inboundDays,
    audit: config.auditEnabled,
  });
  const { failure_codes, ...summary } = docs;
  log('info', 'retention: documents deleted', summary);
  if (docs.failed > 0) {
    log('warn', 'retention: documents not deleted; the next run retries them', { failed: docs.failed, failure_codes });
  }
  if (!docs.complete) {
    log('warn', 'retention: documents still due; the next run continues', { stopped: docs.stopped, batches: docs.batches });
  }
}
