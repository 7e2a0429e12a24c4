// The public JSON shape of an API key. The secret is never part of it; `token` is added once,
// by the create and rotate routes.
import type { ApiKeyRow } from '../db/schema.ts';
import { displayPrefix } from '../auth/api-key-token.ts';

export function presentApiKey(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    scopes: row.scopes,
    site: row.site,
    backend: row.backend,
    prefix: displayPrefix(row.id),
    created_at: row.createdAt.toISOString(),
    created_by: row.createdBy,
    expires_at: row.expiresAt?.toISOString() ?? null,
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    rotated_at: row.rotatedAt?.toISOString() ?? null,
    previous_secret_expires_at: row.previousSecretExpiresAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}
