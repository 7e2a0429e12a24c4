// The public JSON shapes of a webhook endpoint (never its secret: that is added once, by create and
// rotate) and of a delivery in its log.
import type { WebhookDeliveryRow, WebhookEndpointRow } from '../db/schema.ts';

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

export function presentWebhook(row: WebhookEndpointRow) {
  return {
    id: row.id,
    owner: row.owner,
    url: row.url,
    event_types: row.eventTypes,
    description: row.description,
    enabled: row.enabled,
    disabled_reason: row.disabledReason,
    failing_since: iso(row.failingSince),
    previous_secret_expires_at: row.previousSecretExpiresAt && row.previousSecretExpiresAt > new Date() ? iso(row.previousSecretExpiresAt) : null,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

export function presentDelivery(row: WebhookDeliveryRow) {
  return {
    id: row.id,
    webhook_id: row.messageId,
    event_type: row.eventType,
    status: row.status,
    attempts: row.attempts,
    response_status: row.responseStatus,
    duration_ms: row.durationMs,
    response_body: row.responseBody,
    last_error: row.lastError,
    next_attempt_at: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    last_attempt_at: iso(row.lastAttemptAt),
    delivered_at: iso(row.deliveredAt),
    created_at: iso(row.createdAt),
  };
}
