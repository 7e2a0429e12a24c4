// POST/GET/PATCH/DELETE /webhooks — an owner's webhook endpoints (scope webhooks:manage): the URL,
// the event types it receives (empty: all), a description and the enabled flag. The signing secret
// is in the create response only. URLs are checked for server-side request forgery (url-safety.ts).
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { audit } from '../../lib/audit.ts';
import { readJson } from '../../lib/validate.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { LABEL } from '../admin/api-keys/create.ts';
import { presentWebhook } from '../../views/webhook.ts';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/fan-out.ts';
import { sealSecret } from '../../webhooks/secret-box.ts';
import { newWebhookSecret } from '../../webhooks/signing.ts';
import { webhookUrlProblem } from '../../webhooks/url-safety.ts';
import { loadWebhook } from './load-webhook.ts';

const eventTypes = z.array(z.enum(WEBHOOK_EVENT_TYPES.filter((t) => t !== 'webhook.test') as [string, ...string[]])).max(10);
const fields = {
  url: z.string().max(2000),
  event_types: eventTypes,
  description: z.string().trim().max(200).regex(/^[^\u0000-\u001f]*$/, 'one line of text'),
  enabled: z.boolean(),
};
export const CreateWebhookRequest = z.object({ ...fields, event_types: eventTypes.optional().default([]), description: fields.description.optional(), enabled: fields.enabled.optional().default(true), owner: LABEL.optional() });
export const UpdateWebhookRequest = z.object(fields).partial().refine((v) => Object.keys(v).length > 0, 'send at least one field');

async function checkUrl(url: string, production: boolean): Promise<void> {
  const problem = await webhookUrlProblem(url, production);
  if (problem) throw new ApiError(400, 'invalid_webhook_url', `The webhook URL ${problem}.`, { problems: [{ field: 'url', problem }] });
}

export const webhookEndpoints = new Hono<AppEnv>()
  .post('/', requireScope('webhooks:manage'), async (c) => {
    const input = await readJson(c, CreateWebhookRequest);
    const caller = c.get('caller');
    const config = c.get('config');
    if (input.owner && !caller.isAdmin && input.owner !== caller.owner) throw new ApiError(403, 'insufficient_scope', 'Only an admin key may create a webhook for another owner.', { required_scope: 'keys:manage' });
    await checkUrl(input.url, config.environment === 'production');
    if (!config.pdfTokenSecret) throw new ApiError(503, 'config_invalid', 'PDF_TOKEN_SECRET is needed to seal webhook secrets.');
    const secret = newWebhookSecret();
    const row = await c.get('services').webhooks.create({
      owner: input.owner ?? caller.owner,
      url: input.url,
      eventTypes: [...new Set(input.event_types)],
      description: input.description ?? null,
      enabled: input.enabled,
      secretCiphertext: await sealSecret(config.pdfTokenSecret, secret),
      createdBy: caller.id,
    });
    await audit(c, { action: 'webhook.create', resourceType: 'webhook_endpoint', resourceId: row.id, outcome: 'success', details: { owner: row.owner, event_types: row.eventTypes } });
    return c.json({ ...presentWebhook(row), secret }, 201);
  })
  .get('/', requireScope('webhooks:manage'), async (c) => {
    const caller = c.get('caller');
    const owner = caller.isAdmin ? c.req.query('owner') : caller.owner;
    return c.json({ data: (await c.get('services').webhooks.list(owner)).map(presentWebhook) });
  })
  .get('/:id', requireScope('webhooks:manage'), async (c) => c.json(presentWebhook(await loadWebhook(c, c.req.param('id')))))
  .patch('/:id', requireScope('webhooks:manage'), async (c) => {
    const row = await loadWebhook(c, c.req.param('id'));
    const input = await readJson(c, UpdateWebhookRequest);
    if (input.url !== undefined) await checkUrl(input.url, c.get('config').environment === 'production');
    const updated = await c.get('services').webhooks.update(row.id, {
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.event_types !== undefined ? { eventTypes: [...new Set(input.event_types)] } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      // Enabling again clears why it was disabled and the failure streak.
      ...(input.enabled !== undefined ? { enabled: input.enabled, ...(input.enabled ? { disabledReason: null, failingSince: null } : { disabledReason: 'disabled_by_user' }) } : {}),
    });
    if (!updated) throw new ApiError(404, 'webhook_not_found', 'No webhook endpoint with this id.');
    await audit(c, { action: 'webhook.update', resourceType: 'webhook_endpoint', resourceId: row.id, outcome: 'success', details: { fields: Object.keys(input) } });
    return c.json(presentWebhook(updated));
  })
  .delete('/:id', requireScope('webhooks:manage'), async (c) => {
    const row = await loadWebhook(c, c.req.param('id'));
    await c.get('services').webhooks.delete(row.id);
    await audit(c, { action: 'webhook.delete', resourceType: 'webhook_endpoint', resourceId: row.id, outcome: 'success', details: { owner: row.owner } });
    return c.body(null, 204);
  });
