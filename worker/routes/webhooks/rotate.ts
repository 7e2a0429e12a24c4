// POST /webhooks/:id/rotate — a new signing secret (scope webhooks:manage), in this response only.
// During `grace_seconds` (default 24 h, at most 7 days) deliveries carry both signatures
// (space-separated in webhook-signature), so receivers can switch without losing one.
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { audit } from '../../lib/audit.ts';
import { readJson } from '../../lib/validate.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { presentWebhook } from '../../views/webhook.ts';
import { sealSecret } from '../../webhooks/secret-box.ts';
import { newWebhookSecret } from '../../webhooks/signing.ts';
import { loadWebhook } from './load-webhook.ts';

export const RotateWebhookRequest = z.object({ grace_seconds: z.number().int().min(0).max(7 * 24 * 3600).optional().default(24 * 3600) });

export const rotateWebhook = new Hono<AppEnv>().post('/:id/rotate', requireScope('webhooks:manage'), async (c) => {
  const row = await loadWebhook(c, c.req.param('id'));
  const { grace_seconds } = await readJson(c, RotateWebhookRequest, { optional: true });
  const secret = newWebhookSecret();
  const sealed = await sealSecret(c.get('config').pdfTokenSecret ?? '', secret);
  const rotated = await c.get('services').webhooks.rotate(row, sealed, new Date(Date.now() + grace_seconds * 1000));
  if (!rotated) throw new ApiError(409, 'rotation_conflict', 'The endpoint changed during the rotation; try again.');
  await audit(c, { action: 'webhook.rotate', resourceType: 'webhook_endpoint', resourceId: row.id, outcome: 'success', details: { grace_seconds } });
  return c.json({ ...presentWebhook(rotated), secret });
});
