// DELETE /admin/api-keys/:id — revoke a key at once (scope keys:manage). Revoking twice -> 409.
import { Hono } from 'hono';
import type { AppEnv } from '../../../context.ts';
import { ApiError } from '../../../errors.ts';
import { audit } from '../../../lib/audit.ts';
import { requireScope } from '../../../middleware/require-scope.ts';
import { presentApiKey } from '../../../views/api-key.ts';
import { loadApiKey } from './load-key.ts';

export const revokeApiKey = new Hono<AppEnv>().delete('/:id', requireScope('keys:manage'), async (c) => {
  const key = await loadApiKey(c, c.req.param('id'));
  const revoked = await c.get('services').apiKeys.revoke(key.id);
  if (!revoked) throw new ApiError(409, 'already_revoked', 'This API key is already revoked.');
  await audit(c, { action: 'api_key.revoke', resourceType: 'api_key', resourceId: key.id, outcome: 'success' });
  return c.json(presentApiKey(revoked));
});
