// Finds a webhook endpoint the caller may manage (its owner's, or any for an admin), or 404
// `webhook_not_found` — also for another owner's, so ids do not leak across tenants.
import type { Context } from 'hono';
import type { AppEnv } from '../../context.ts';
import type { WebhookEndpointRow } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';

export async function loadWebhook(c: Context<AppEnv>, id: string): Promise<WebhookEndpointRow> {
  const row = /^whe_[a-z0-9]{24}$/.test(id) ? await c.get('services').webhooks.findById(id) : null;
  const caller = c.get('caller');
  if (!row || (!caller.isAdmin && row.owner !== caller.owner)) throw new ApiError(404, 'webhook_not_found', 'No webhook endpoint with this id.');
  return row;
}
