// Drizzle schema: the single source for migrations (drizzle-kit generate) and typed queries.
// Designed so agents, inbound faxes and cloud providers fit later without reshaping these tables.
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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

export const FAX_STATUSES = ['queued', 'in_progress', 'success', 'failed', 'canceled'] as const;
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
    attempts: integer('attempts').notNull().default(0),
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
    check('fax_jobs_status_check', sql`${t.status} in ('queued', 'in_progress', 'success', 'failed', 'canceled')`),
  ],
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
    agentId: text('agent_id').notNull(),
    /** Asterisk's Uniqueid of the receiving channel: uploads are idempotent on (agent, uniqueid). */
    uniqueid: text('uniqueid').notNull(),
    fromNumber: text('from_number'),
    toNumber: text('to_number'),
    pages: integer('pages'),
    remoteStationId: text('remote_station_id'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
    documentKey: text('document_key').notNull(),
    documentSha256: text('document_sha256').notNull(),
    documentBytes: integer('document_bytes').notNull(),
    documentDeletedAt: timestamp('document_deleted_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('inbound_faxes_agent_uniqueid_uq').on(t.agentId, t.uniqueid),
    index('inbound_faxes_owner_created_idx').on(t.owner, t.createdAt.desc(), t.id.desc()),
    index('inbound_faxes_created_idx').on(t.createdAt.desc(), t.id.desc()),
  ],
);

export type AgentRow = typeof agents.$inferSelect;
export type AgentTokenRow = typeof agentTokens.$inferSelect;
export type InboundFaxRow = typeof inboundFaxes.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type FaxJobRow = typeof faxJobs.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;
