// The delivery log of an endpoint (scope webhooks:manage): GET /webhooks/:id/deliveries (newest
// first; status, attempts, response code, duration, next retry, the answer truncated to 1 KB),
// POST /webhooks/:id/deliveries/:deliveryId/redeliver (same webhook-id, fresh schedule) and
// POST /webhooks/:id/test (a `webhook.test` event to this endpoint only).
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { audit } from '../../lib/audit.ts';
import { decodeCursor, pageOf } from '../../lib/cursor.ts';
import { parseWith } from '../../lib/validate.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { presentDelivery } from '../../views/webhook.ts';
import { kickDispatchers } from '../../webhooks/dispatcher-stub.ts';
import { loadWebhook } from './load-webhook.ts';

export const DeliveriesQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).optional().default(50), cursor: z.string().max(500).optional() });

export const webhookDeliveries = new Hono<AppEnv>()
  .get('/:id/deliveries', requireScope('webhooks:manage'), async (c) => {
    const row = await loadWebhook(c, c.req.param('id'));
    const q = parseWith(DeliveriesQuery, c.req.query());
    const rows = await c.get('services').webhooks.deliveries(row.id, q.limit + 1, q.cursor ? decodeCursor(q.cursor) : undefined);
    const { page, nextCursor } = pageOf(rows, q.limit);
    return c.json({ data: page.map(presentDelivery), next_cursor: nextCursor });
  })
  .post('/:id/deliveries/:deliveryId/redeliver', requireScope('webhooks:manage'), async (c) => {
    const row = await loadWebhook(c, c.req.param('id'));
    const delivery = await c.get('services').webhooks.redeliver(row.id, c.req.param('deliveryId'));
    if (!delivery) throw new ApiError(404, 'delivery_not_found', 'No delivery with this id for this endpoint.');
    await audit(c, { action: 'webhook.redeliver', resourceType: 'webhook_endpoint', resourceId: row.id, outcome: 'success', details: { delivery_id: delivery.id } });
    c.executionCtx.waitUntil(kickDispatchers(c.env, [row.id]));
    return c.json(presentDelivery(delivery), 202);
  })
  .post('/:id/test', requireScope('webhooks:manage'), async (c) => {
    const row = await loadWebhook(c, c.req.param('id'));
    const delivery = await c.get('services').webhooks.queueTest(row);
    await audit(c, { action: 'webhook.test', resourceType: 'webhook_endpoint', resourceId: row.id, outcome: 'success', details: { delivery_id: delivery.id } });
    c.executionCtx.waitUntil(kickDispatchers(c.env, [row.id]));
    return c.json(presentDelivery(delivery), 202);
  });
