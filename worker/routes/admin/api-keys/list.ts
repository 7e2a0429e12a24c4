// GET /admin/api-keys — list keys without secrets (scope keys:manage). ?include_revoked=true, ?owner=.
import { Hono } from 'hono';
import type { AppEnv } from '../../../context.ts';
import { requireScope } from '../../../middleware/require-scope.ts';
import { presentApiKey } from '../../../views/api-key.ts';

export const listApiKeys = new Hono<AppEnv>().get('/', requireScope('keys:manage'), async (c) => {
  const rows = await c.get('services').apiKeys.list({
    owner: c.req.query('owner') || undefined,
    includeRevoked: c.req.query('include_revoked') === 'true',
  });
  return c.json({ data: rows.map(presentApiKey) });
});
