// Drizzle schema: the single source for migrations (drizzle-kit generate) and typed queries.
// Designed so agents, inbound faxes and cloud providers fit later without reshaping these tables.
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Timestamps are set by the application at millisecond precision (the precision the API shows and
 * cursors carry); Postgres' now() has microseconds, which made cursors and `until` filters skip rows.
 */
const msNow = () => new Date();
const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow().$defaultFn(msNow),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow().$defaultFn(msNow),
};

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** Tenant label (a department or an application); keys only see their owner's resources. */
    owner: text('owner').notNull(),
    scopes: text('scopes').array().notNull(),
    /** Default hospital site for the key's SIP faxes (a job's own `site` wins). */
    site: text('site'),
    /** The backend this key's faxes go through (sandbox, sip, phaxio, sinch); null: FAX_BACKEND. */
    backend: text('backend'),
    /** SHA-256 (hex) of the secret part of the token; the token itself is never stored. */
    secretHash: text('secret_hash').notNull(),
    /** After a rotation with a grace period, the previous secret stays valid until this time. */
    previousSecretHash: text('previous_secret_hash'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, mode: 'date' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    rotatedAt: timestamp('rotated_at', { withTimezone: true, mode: 'date' }),
    createdBy: text('created_by').notNull(),
    ...timestamps,
  },
  (t) => [index('api_keys_owner_idx').on(t.owner)],
);

/** The job lifecycle (worker/lifecycle/) is the only writer of `status`; see docs/api.md. */
export const FAX_STATUSES = ['scheduled', 'queued', 'in_progress', 'success', 'failed', 'canceled', 'unknown'] as const;
export type FaxStatus = (typeof FAX_STATUSES)[number];

export const faxJobs = pgTable(
  'fax_jobs',
  {
    id: text('id').primaryKey(),
    owner: text('owner').notNull(),
    apiKeyId: text('api_key_id').notNull(),
    toNumber: text('to_number').notNull(),
    headerText: text('header_text'),
    status: text('status').$type<FaxStatus>().notNull().default('queued'),
    backend: text('backend').notNull(),
    /** Routing hint for SIP agents (a hospital site); null means any. */
    site: text('site'),
    agentId: text('agent_id'),
    /** SIP jobs: the current offer to an agent (a lease); null when not offered. */
    offerId: text('offer_id'),
    offerState: text('offer_state').$type<'offered' | 'accepted'>(),
    offerExpiresAt: timestamp('offer_expires_at', { withTimezone: true, mode: 'date' }),
    /** The backend's own id for the job (provider fax id, Asterisk Uniqueid, ...). */
    providerRef: text('provider_ref'),
    pages: integer('pages'),
    sourceType: text('source_type').$type<'pdf' | 'text'>().notNull(),
    documentKey: text('document_key').notNull(),
    documentSha256: text('document_sha256').notNull(),
    documentBytes: integer('document_bytes').notNull(),
    documentDeletedAt: timestamp('document_deleted_at', { withTimezone: true, mode: 'date' }),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    failureReason: text('failure_reason'),
    /** Free text from the line, e.g. Asterisk's FAXERROR; never contains PHI. */
    failureDetail: text('failure_detail'),
    bitrate: integer('bitrate'),
    remoteStationId: text('remote_station_id'),
    /** Dials so far (one per fax_attempts row). */
    attempts: integer('attempts').notNull().default(0),
    /** Attempts that connected to a fax machine (HylaFAX's "tries"). */
    tries: integer('tries').notNull().default(0),
    /** Connected tries allowed for this job (deployment default, a request may lower it). */
    maxTries: integer('max_tries').notNull().default(3),
    /** What the last attempt transmitted; `pages` is the document's page count. */
    pagesSent: integer('pages_sent'),
    /** Scheduled send: the job stays `scheduled` until then. */
    sendAt: timestamp('send_at', { withTimezone: true, mode: 'date' }),
    /** While waiting to retry: when the next attempt may start. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    /** When the recovery sweep must look at this job next; null once final. */
    wakeAt: timestamp('wake_at', { withTimezone: true, mode: 'date' }),
    /** A job not done by then fails `expired` (it is never cut off mid-call). */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    /** POST /fax/:id/resend: the job this one was resent from. */
    resendOf: text('resend_of'),
    hasCover: boolean('has_cover').notNull().default(false),
    dialedAt: timestamp('dialed_at', { withTimezone: true, mode: 'date' }),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    canceledAt: timestamp('canceled_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('fax_jobs_owner_idempotency_key_uq')
      .on(t.owner, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    index('fax_jobs_owner_created_idx').on(t.owner, t.createdAt.desc(), t.id.desc()),
    index('fax_jobs_created_idx').on(t.createdAt.desc(), t.id.desc()),
    index('fax_jobs_status_idx').on(t.status),
    index('fax_jobs_agent_idx').on(t.agentId, t.status),
    index('fax_jobs_wake_idx').on(t.wakeAt).where(sql`${t.wakeAt} is not null`),
    // Never more than one call at a time to the same destination across the deployment.
    uniqueIndex('fax_jobs_destination_in_flight_uq').on(t.toNumber).where(sql`${t.status} = 'in_progress'`),
    check('fax_jobs_status_check', sql`${t.status} in ('scheduled', 'queued', 'in_progress', 'success', 'failed', 'canceled', 'unknown')`),
  ],
);

/** One row per dial or provider attempt of a job; written only by the lifecycle. */
export const faxAttempts = pgTable(
  'fax_attempts',
  {
    jobId: text('job_id')
      .notNull()
      .references(() => faxJobs.id),
    number: integer('number').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    /** null while in flight. */
    result: text('result').$type<'success' | 'failed' | 'unknown'>(),
    failureReason: text('failure_reason'),
    failureDetail: text('failure_detail'),
    /** The call reached a fax machine (counts as a "try"). */
    connected: boolean('connected'),
    pagesSent: integer('pages_sent'),
    bitrate: integer('bitrate'),
    remoteStationId: text('remote_station_id'),
    /** Whether T.38 was used, when the backend knows. */
    t38: boolean('t38'),
    agentId: text('agent_id'),
    providerRef: text('provider_ref'),
    /** The backend that carried this attempt (a job may fall back to another one). */
    backend: text('backend'),
  },
  (t) => [
    primaryKey({ columns: [t.jobId, t.number] }),
    // At most one attempt in flight per job.
    uniqueIndex('fax_attempts_one_in_flight_uq').on(t.jobId).where(sql`${t.endedAt} is null`),
  ],
);

/**
 * The lifecycle's outbox: one row per state change, in the same transaction, in commit order per
 * job. Client webhooks, provider submission and metrics read this stream; nothing else writes it.
 */
export const faxEvents = pgTable(
  'fax_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    jobId: text('job_id').notNull(),
    owner: text('owner').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow().$defaultFn(msNow),
  },
  (t) => [index('fax_events_job_idx').on(t.jobId, t.id)],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow().$defaultFn(msNow),
    /** 'api_key' | 'bootstrap' | 'agent' | 'provider' | 'system' | 'anonymous' */
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    resourceType: text('resource_type'),
    resourceId: text('resource_id'),
    outcome: text('outcome').$type<'success' | 'failure' | 'denied'>().notNull(),
    clientIp: text('client_ip'),
    requestId: text('request_id'),
    /** Non-PHI context only (masked numbers, counts, reasons). */
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (t) => [
    index('audit_events_occurred_idx').on(t.occurredAt.desc()),
    index('audit_events_resource_idx').on(t.resourceType, t.resourceId),
  ],
);

export const agents = pgTable('agents', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** A hospital site; jobs with a site go only to that site's agents. */
  site: text('site'),
  maxChannels: integer('max_channels').notNull().default(2),
  connected: boolean('connected').notNull().default(false),
  version: text('version'),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }),
  disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
  createdBy: text('created_by').notNull(),
  ...timestamps,
});

export const agentTokens = pgTable(
  'agent_tokens',
  {
    id: text('id').primaryKey(),
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id),
    secretHash: text('secret_hash').notNull(),
    /** Set when a newer token is issued: the old one stays valid for the grace period. */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    /** When a connected agent confirmed it stored this token. */
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow().$defaultFn(msNow),
  },
  (t) => [index('agent_tokens_agent_idx').on(t.agentId)],
);

export const inboundNumbers = pgTable('inbound_numbers', {
  /** E.164 number the fax was sent to. */
  number: text('number').primaryKey(),
  owner: text('owner').notNull(),
  createdBy: text('created_by').notNull(),
  ...timestamps,
});

export const inboundFaxes = pgTable(
  'inbound_faxes',
  {
    id: text('id').primaryKey(),
    /** From the number -> owner mapping at arrival; null = unassigned (admins only). */
    owner: text('owner'),
    /** SIP: the agent that received it; null for a cloud provider's fax. */
    agentId: text('agent_id'),
    /** Asterisk's Uniqueid of the receiving channel: uploads are idempotent on (agent, uniqueid). */
    uniqueid: text('uniqueid'),
    /** Cloud providers: 'phaxio' | 'sinch' and the provider's fax id; stored once per pair. */
    provider: text('provider'),
    providerFaxId: text('provider_fax_id'),
    /** 'stored' once the PDF is in S3; 'pending' while it is still to be fetched from the provider. */
    documentStatus: text('document_status').$type<'stored' | 'pending'>().notNull().default('stored'),
    fetchAttempts: integer('fetch_attempts').notNull().default(0),
    /** Pending documents: when the next download is due. */
    fetchNextAt: timestamp('fetch_next_at', { withTimezone: true, mode: 'date' }),
    /** When `inbound.received` was fanned out to the owner's webhooks (worker/webhooks/fan-out.ts). */
    webhooksDispatchedAt: timestamp('webhooks_dispatched_at', { withTimezone: true, mode: 'date' }),
    fromNumber: text('from_number'),
    toNumber: text('to_number'),
    pages: integer('pages'),
    remoteStationId: text('remote_station_id'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
    documentKey: text('document_key').notNull(),
    documentSha256: text('document_sha256'),
    documentBytes: integer('document_bytes'),
    documentDeletedAt: timestamp('document_deleted_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('inbound_faxes_agent_uniqueid_uq').on(t.agentId, t.uniqueid),
    uniqueIndex('inbound_faxes_provider_fax_uq').on(t.provider, t.providerFaxId),
    index('inbound_faxes_fetch_idx').on(t.fetchNextAt).where(sql`${t.documentStatus} = 'pending'`),
    index('inbound_faxes_owner_created_idx').on(t.owner, t.createdAt.desc(), t.id.desc()),
    index('inbound_faxes_created_idx').on(t.createdAt.desc(), t.id.desc()),
  ],
);

/** An owner's webhook endpoint. Signing secrets are stored encrypted (AES-GCM), never in clear. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    owner: text('owner').notNull(),
    url: text('url').notNull(),
    /** Event types delivered; empty: all of them. */
    eventTypes: text('event_types').array().notNull(),
    description: text('description'),
    enabled: boolean('enabled').notNull().default(true),
    secretCiphertext: text('secret_ciphertext').notNull(),
    /** After a rotation, the previous secret also signs until this time. */
    previousSecretCiphertext: text('previous_secret_ciphertext'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, mode: 'date' }),
    /** Since when every delivery failed (null after a success); 5 days disables the endpoint. */
    failingSince: timestamp('failing_since', { withTimezone: true, mode: 'date' }),
    disabledReason: text('disabled_reason'),
    createdBy: text('created_by').notNull(),
    ...timestamps,
  },
  (t) => [index('webhook_endpoints_owner_idx').on(t.owner)],
);

/** One event for one endpoint: recorded once (unique per endpoint and event), sent at least once. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    endpointId: text('endpoint_id').notNull(),
    owner: text('owner').notNull(),
    /** What the delivery is of: 'fax_event:<id>', 'inbound:<id>', 'test:<id>'. */
    eventKey: text('event_key').notNull(),
    /** The Standard Webhooks `webhook-id`: the same on every retry. */
    messageId: text('message_id').notNull(),
    eventType: text('event_type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<'pending' | 'delivered' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true, mode: 'date' }),
    responseStatus: integer('response_status'),
    durationMs: integer('duration_ms'),
    /** The receiver's answer, at most 1 KB; shown in the delivery log only, never logged. */
    responseBody: text('response_body'),
    lastError: text('last_error'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow().$defaultFn(msNow),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_endpoint_event_uq').on(t.endpointId, t.eventKey),
    index('webhook_deliveries_due_idx').on(t.endpointId, t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_endpoint_created_idx').on(t.endpointId, t.createdAt.desc()),
  ],
);

/** How far the webhook fan-out has read the lifecycle's outbox (fax_events.id). */
export const webhookCursor = pgTable('webhook_cursor', {
  name: text('name').primaryKey(),
  lastId: bigint('last_id', { mode: 'number' }).notNull(),
});

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type AgentRow = typeof agents.$inferSelect;
export type AgentTokenRow = typeof agentTokens.$inferSelect;
export type InboundFaxRow = typeof inboundFaxes.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type FaxJobRow = typeof faxJobs.$inferSelect;
export type FaxAttemptRow = typeof faxAttempts.$inferSelect;
export type FaxEventRow = typeof faxEvents.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;

/**
 * Admin console sessions (worker/console/): the cookie holds a random token; only its SHA-256 is
 * stored. A session acts with the API key it was opened with (re-checked on every request), ends
 * after CONSOLE_IDLE_MINUTES without a request or CONSOLE_SESSION_HOURS in all, or at sign-out.
 */
export const consoleSessions = pgTable('console_sessions', {
  id: text('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  /** The API key's id, or 'bootstrap' for BOOTSTRAP_API_KEY. */
  keyId: text('key_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow().$defaultFn(msNow),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
});
