// Webhook endpoints and their delivery log: create, read, change, rotate secrets, list deliveries,
// queue a redelivery or a test event. Deliveries of real events are created only by the fan-out
// (worker/webhooks/fan-out.ts), from the lifecycle's outbox.
import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { webhookDeliveries, webhookEndpoints, type WebhookDeliveryRow, type WebhookEndpointRow } from '../db/schema.ts';
import { randomId } from '../lib/crypto.ts';

export type NewEndpoint = Pick<WebhookEndpointRow, 'owner' | 'url' | 'eventTypes' | 'description' | 'enabled' | 'secretCiphertext' | 'createdBy'>;

export class WebhookRepository {
  private readonly db: () => Database;
  constructor(db: () => Database) {
    this.db = db;
  }

  async create(input: NewEndpoint): Promise<WebhookEndpointRow> {
    const [row] = await this.db().insert(webhookEndpoints).values({ id: `whe_${randomId(24)}`, ...input }).returning();
    return row!;
  }

  async findById(id: string): Promise<WebhookEndpointRow | null> {
    return (await this.db().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).limit(1))[0] ?? null;
  }

  async list(owner: string | undefined): Promise<WebhookEndpointRow[]> {
    return this.db().select().from(webhookEndpoints).where(owner === undefined ? undefined : eq(webhookEndpoints.owner, owner)).orderBy(desc(webhookEndpoints.createdAt)).limit(1000);
  }

  async update(id: string, set: Partial<WebhookEndpointRow>): Promise<WebhookEndpointRow | null> {
    return (await this.db().update(webhookEndpoints).set({ ...set, updatedAt: new Date() }).where(eq(webhookEndpoints.id, id)).returning())[0] ?? null;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db().delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).returning({ id: webhookEndpoints.id })).length > 0;
  }

  /** The new secret signs from now on; the current one keeps signing until `previousUntil`. */
  async rotate(endpoint: WebhookEndpointRow, secretCiphertext: string, previousUntil: Date): Promise<WebhookEndpointRow | null> {
    const rows = await this.db()
      .update(webhookEndpoints)
      .set({ secretCiphertext, previousSecretCiphertext: endpoint.secretCiphertext, previousSecretExpiresAt: previousUntil, updatedAt: new Date() })
      .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.secretCiphertext, endpoint.secretCiphertext)))
      .returning();
    return rows[0] ?? null;
  }

  async deliveries(endpointId: string, limit: number, after?: { createdAt: Date; id: string }): Promise<WebhookDeliveryRow[]> {
    const where: SQL[] = [eq(webhookDeliveries.endpointId, endpointId)];
    if (after) where.push(or(lt(webhookDeliveries.createdAt, after.createdAt), and(eq(webhookDeliveries.createdAt, after.createdAt), lt(webhookDeliveries.id, after.id)))!);
    return this.db().select().from(webhookDeliveries).where(and(...where)).orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id)).limit(limit);
  }

  async delivery(endpointId: string, id: string): Promise<WebhookDeliveryRow | null> {
    return (await this.db().select().from(webhookDeliveries).where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.id, id))).limit(1))[0] ?? null;
  }

  /** Sends the delivery again (same webhook-id), on a fresh retry schedule. */
  async redeliver(endpointId: string, id: string): Promise<WebhookDeliveryRow | null> {
    const rows = await this.db()
      .update(webhookDeliveries)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: new Date() })
      .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.id, id)))
      .returning();
    return rows[0] ?? null;
  }

  /** A `webhook.test` event for this endpoint only. */
  async queueTest(endpoint: WebhookEndpointRow): Promise<WebhookDeliveryRow> {
    const key = randomId(20);
    const now = new Date();
    const [row] = await this.db()
      .insert(webhookDeliveries)
      .values({
        id: `whd_${randomId(24)}`,
        endpointId: endpoint.id,
        owner: endpoint.owner,
        eventKey: `test:${key}`,
        messageId: `msg_test_${key}`,
        eventType: 'webhook.test',
        payload: { type: 'webhook.test', timestamp: now.toISOString(), data: { endpoint_id: endpoint.id } },
        status: 'pending',
        nextAttemptAt: now,
        createdAt: now,
      })
      .returning();
    return row!;
  }
}
