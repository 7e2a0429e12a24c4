// POST /admin/api-keys/:id/rotate — new secret for the same key id (scope keys:manage). Optional
// body {"grace_seconds": N} keeps the old secret valid for N seconds (max 7 days) so clients can
// switch without downtime. The new token is in this response only.
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../../context.ts';
import { ApiError } from '../../../errors.ts';
import { audit } from '../../../lib/audit.ts';
import { readJson } from '../../../lib/validate.ts';
import { requireScope } from '../../../middleware/require-scope.ts';
import { presentApiKey } from '../../../views/api-key.ts';
import { loadApiKey } from './load-key.ts';

export const RotateApiKeyRequest = z.object({ grace_seconds: z.number().int().min(0).max(7 * 24 * 3600).optional().default(0) });

export const rotateApiKey = new Hono<AppEnv>().post('/:id/rotate', requireScope('keys:manage'), async (c) => {
  const key = await loadApiKey(c, c.req.param('id'));
  const { grace_seconds } = await readJson(c, RotateApiKeyRequest, { optional: true });
  if (key.revokedAt) throw new ApiError(409, 'already_revoked', 'A revoked key cannot be rotated.');
  if (key.expiresAt && key.expiresAt <= new Date()) throw new ApiError(409, 'key_expired', 'An expired key cannot be rotated; create a new key.');
  const rotated = await c.get('services').apiKeys.rotate(key.id, grace_seconds);
  if (!rotated) throw new ApiError(409, 'rotation_conflict', 'The key changed during rotation; try again.');
  await audit(c, { action: 'api_key.rotate', resourceType: 'api_key', resourceId: key.id, outcome: 'success', details: { grace_seconds } });
  return c.json({ ...presentApiKey(rotated.row), token: rotated.token });
});
