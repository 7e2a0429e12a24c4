// One Durable Object per webhook endpoint (keyed by its id) sends that endpoint's deliveries on its
// alarm, oldest first, so a slow or failing endpoint only ever delays itself. Durable Object alarms
// rather than Cloudflare Queues: deliveries are already durable rows (the log clients read), the
// retry schedule (up to 10 h, Retry-After) is per delivery, and an alarm per endpoint gives the
// isolation without a second source of truth; a queue would duplicate state and still need the
// per-endpoint ordering. The alarm re-arms before any work, so a crash or outage only delays.
import { DurableObject } from 'cloudflare:workers';
import { and, asc, eq, lte, min } from 'drizzle-orm';
import { loadConfig } from '../config.ts';
import { openHttpDatabase } from '../db/client.ts';
import { webhookDeliveries, webhookEndpoints } from '../db/schema.ts';
import type { Env } from '../env.ts';
import { log } from '../lib/log.ts';
import { DisabledAuditLog, PostgresAuditLog } from '../services/audit-log.ts';
import { deliverOnce } from './deliver.ts';
import { endpointSecrets } from './endpoint-secrets.ts';

const RETRY_AFTER_FAILURE_MS = 30_000;
const BATCH = 20;

export class WebhookDispatcher extends DurableObject<Env> {
  #endpointId: string | null = null;

  /** Send what is due for `endpointId` now (idempotent: one alarm at a time per endpoint). */
  async kick(endpointId: string): Promise<void> {
    this.#endpointId = endpointId;
    await this.ctx.storage.put('endpoint', endpointId);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > Date.now()) await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.setAlarm(Date.now() + RETRY_AFTER_FAILURE_MS);
    const endpointId = this.#endpointId ?? (await this.ctx.storage.get<string>('endpoint')) ?? null;
    const config = loadConfig(this.env);
    if (!endpointId || !config.databaseUrl) return this.ctx.storage.deleteAlarm();
    try {
      const db = openHttpDatabase(config.databaseUrl, config.databaseWsProxy, { application: 'faxbot-webhooks' });
      const endpoint = (await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId)).limit(1))[0];
      if (!endpoint || !endpoint.enabled) return this.ctx.storage.deleteAlarm();
      const ctx = {
        db,
        audit: config.auditEnabled ? new PostgresAuditLog(() => db) : new DisabledAuditLog(),
        secrets: await endpointSecrets(config, endpoint),
        production: config.environment === 'production',
        retryScale: config.webhooks.retryScale,
      };
      const due = await db
        .select()
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, new Date())))
        .orderBy(asc(webhookDeliveries.createdAt))
        .limit(BATCH);
      for (const delivery of due) {
        await deliverOnce(ctx, endpoint, delivery);
        const fresh = (await db.select({ enabled: webhookEndpoints.enabled }).from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId)).limit(1))[0];
        if (!fresh?.enabled) return this.ctx.storage.deleteAlarm();
      }
      const next = (await db.select({ at: min(webhookDeliveries.nextAttemptAt) }).from(webhookDeliveries).where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.status, 'pending'))))[0]?.at;
      if (next) await this.ctx.storage.setAlarm(Math.max(new Date(next).getTime(), Date.now() + 10));
      else await this.ctx.storage.deleteAlarm();
    } catch (err) {
      log('warn', 'webhook dispatch failed; retrying', { endpoint_id: endpointId, error: (err as Error).name, retry_in_ms: RETRY_AFTER_FAILURE_MS });
    }
  }
}
