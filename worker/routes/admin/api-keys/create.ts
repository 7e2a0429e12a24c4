// POST /admin/api-keys — issue a key (scope keys:manage). The token is in this response only.
import { Hono } from 'hono';
import { z } from 'zod';
import { SCOPES } from '../../../auth/scopes.ts';
import { FAX_BACKENDS } from '../../../config.ts';
import { providerMissing } from '../../../providers/provider-config.ts';
import type { AppEnv } from '../../../context.ts';
import { ApiError } from '../../../errors.ts';
import { audit } from '../../../lib/audit.ts';
import { readJson } from '../../../lib/validate.ts';
import { requireScope } from '../../../middleware/require-scope.ts';
import { presentApiKey } from '../../../views/api-key.ts';

export const LABEL = z.string().trim().min(1).max(100).regex(/^[\w .:@/-]+$/, 'letters, digits, spaces and . _ : @ / - only');

export const CreateApiKeyRequest = z.object({
  name: LABEL,
  owner: LABEL,
  scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length * 4),
  site: LABEL.optional(),
  /** Routing per tenant: this key's faxes go through this backend instead of FAX_BACKEND. */
  backend: z.enum(FAX_BACKENDS).optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
});

export const createApiKey = new Hono<AppEnv>().post('/', requireScope('keys:manage'), async (c) => {
  const input = await readJson(c, CreateApiKeyRequest);
  const expiresAt = input.expires_at ? new Date(input.expires_at) : null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    throw new ApiError(400, 'invalid_request', 'expires_at must be in the future.', { problems: [{ field: 'expires_at', problem: 'in the past' }] });
  }
  const config = c.get('config');
  if (input.backend === 'phaxio' || input.backend === 'sinch') {
    const missing = providerMissing(input.backend, config.providers, config.publicApiUrl);
    if (missing.length > 0) {
      throw new ApiError(400, 'backend_not_configured', `The ${input.backend} backend is not configured on this deployment (missing ${missing.map((m) => m.split(' ')[0]).join(', ')}).`, { problems: [{ field: 'backend', problem: 'not configured' }] });
    }
  }
  const caller = c.get('caller');
  const { row, token } = await c.get('services').apiKeys.create({
    name: input.name,
    owner: input.owner,
    scopes: [...new Set(input.scopes)],
    site: input.site ?? null,
    backend: input.backend ?? null,
    expiresAt,
    createdBy: caller.id,
  });
  await audit(c, { action: 'api_key.create', resourceType: 'api_key', resourceId: row.id, outcome: 'success', details: { owner: row.owner, scopes: row.scopes, ...(row.backend ? { backend: row.backend } : {}) } });
  return c.json({ ...presentApiKey(row), token }, 201);
});
