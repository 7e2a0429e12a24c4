// Finds a key by id for the admin routes, or 404 `api_key_not_found`.
import type { Context } from 'hono';
import type { AppEnv } from '../../../context.ts';
import type { ApiKeyRow } from '../../../db/schema.ts';
import { ApiError } from '../../../errors.ts';

export async function loadApiKey(c: Context<AppEnv>, id: string): Promise<ApiKeyRow> {
  const row = /^[a-z0-9]{16}$/.test(id) ? await c.get('services').apiKeys.findById(id) : null;
  if (!row) throw new ApiError(404, 'api_key_not_found', 'No API key with this id.');
  return row;
}
