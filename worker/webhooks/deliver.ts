// One delivery attempt: sign the event with the endpoint's live secrets, POST it (15 s timeout, no
// redirects followed, at most 1 KB of the answer read), and record the outcome in one statement that
// applies only if nobody recorded this attempt first. 2xx is success; anything else (3xx included)
// is a failure retried on the schedule; 410 Gone disables the endpoint; so does failing for 5 days.
// A crash after sending but before recording leaves the delivery due: it is sent again with the same
// webhook-id, which receivers use to drop the duplicate.
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { webhookDeliveries, webhookEndpoints, type WebhookDeliveryRow, type WebhookEndpointRow } from '../db/schema.ts';
import { log } from '../lib/log.ts';
import type { AuditLog } from '../services/audit-log.ts';
import { DISABLE_AFTER_FAILING_MS, nextAttemptAt, retryAfterMs } from './retry-schedule.ts';
import { signDelivery } from './signing.ts';
import { webhookUrlProblem } from './url-safety.ts';

export const DELIVERY_TIMEOUT_MS = 15_000;
const BODY_LIMIT = 1024;

export interface DeliverContext {
  db: Database;
  audit: AuditLog;
  /** The endpoint's signing secrets in clear, current first. */
  secrets: string[];
  production: boolean;
  retryScale: number;
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < BODY_LIMIT) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  const all = new Uint8Array(Math.min(size, BODY_LIMIT));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, Math.min(c.byteLength, all.length - at));
    all.set(part, at);
    at += part.byteLength;
    if (at >= all.length) break;
  }
  return new TextDecoder().decode(all);
}

export type DeliveryResult = 'delivered' | 'retry' | 'failed' | 'skipped';

export async function deliverOnce(ctx: DeliverContext, endpoint: WebhookEndpointRow, delivery: WebhookDeliveryRow): Promise<DeliveryResult> {
  const started = Date.now();
  let status: number | null = null;
  let body: string | null = null;
  let error: string | null = null;
  let retryAfter: number | null = null;
  const problem = await webhookUrlProblem(endpoint.url, ctx.production);
  if (problem) {
    error = `url refused: ${problem}`;
  } else {
    const payload = JSON.stringify(delivery.payload);
    const headers = await signDelivery(ctx.secrets, delivery.messageId, payload);
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Faxbot-Webhooks/1', ...headers },
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      status = res.status;
      retryAfter = status === 429 || status === 503 ? retryAfterMs(res.headers.get('retry-after')) : null;
      body = await readCapped(res).catch(() => null);
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? 'timeout after 15 s' : 'connection failed';
    }
  }
  const now = Date.now();
  const ok = status !== null && status >= 200 && status < 300;
  const attempts = delivery.attempts + 1;
  const next = ok ? null : nextAttemptAt(attempts, now, ctx.retryScale, retryAfter);
  const result: DeliveryResult = ok ? 'delivered' : status === 410 || !next ? 'failed' : 'retry';
  const recorded = await ctx.db
    .update(webhookDeliveries)
    .set({
      attempts,
      status: result === 'delivered' ? 'delivered' : result === 'failed' ? 'failed' : 'pending',
      nextAttemptAt: result === 'retry' ? next : null,
      lastAttemptAt: new Date(now),
      responseStatus: status,
      durationMs: now - started,
      responseBody: body,
      lastError: error,
      deliveredAt: ok ? new Date(now) : null,
    })
    .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.status, 'pending'), eq(webhookDeliveries.attempts, delivery.attempts)))
    .returning({ id: webhookDeliveries.id });
  if (!recorded[0]) return 'skipped';
  await recordEndpointHealth(ctx, endpoint, ok, status);
  log(ok ? 'info' : 'warn', 'webhook delivery', { endpoint_id: endpoint.id, delivery_id: delivery.id, event_type: delivery.eventType, status, attempts, result });
  return result;
}

async function recordEndpointHealth(ctx: DeliverContext, endpoint: WebhookEndpointRow, ok: boolean, status: number | null): Promise<void> {
  if (ok) {
    if (endpoint.failingSince) await ctx.db.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, endpoint.id));
    return;
  }
  const now = new Date();
  const gone = status === 410;
  const failingTooLong = !!endpoint.failingSince && now.getTime() - endpoint.failingSince.getTime() >= DISABLE_AFTER_FAILING_MS;
  if (gone || failingTooLong) {
    const reason = gone ? 'gone' : 'failing_5_days';
    const rows = await ctx.db
      .update(webhookEndpoints)
      .set({ enabled: false, disabledReason: reason, updatedAt: now })
      .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.enabled, true)))
      .returning({ id: webhookEndpoints.id });
    if (rows[0]) await ctx.audit.record({ actorType: 'system', actorId: 'webhooks', action: 'webhook.disable', resourceType: 'webhook_endpoint', resourceId: endpoint.id, outcome: 'success', details: { reason, status } });
    return;
  }
  await ctx.db.update(webhookEndpoints).set({ failingSince: sql`coalesce(${webhookEndpoints.failingSince}, now())` }).where(eq(webhookEndpoints.id, endpoint.id));
}
