// The response shapes of the API as zod schemas: the OpenAPI document's components are generated
// from these (z.toJSONSchema), and the API tests check real responses against the same schemas
// (test/support/openapi-check.ts), so the contract cannot drift from what the views return.
import { z } from 'zod';
import { FAX_STATUSES } from '../db/schema.ts';

const ts = z.iso.datetime({ offset: true });
const nts = ts.nullable();

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Stable identifier to branch on (docs/api.md, Errors).'),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
      request_id: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });

export const FaxAttempt = z
  .object({
    number: z.number().int(),
    started_at: ts,
    ended_at: nts,
    result: z.enum(['success', 'failed', 'unknown']).nullable(),
    failure_reason: z.string().nullable(),
    failure_detail: z.string().nullable(),
    connected: z.boolean().nullable(),
    pages_sent: z.number().int().nullable(),
    bitrate: z.number().int().nullable(),
    remote_station_id: z.string().nullable(),
    t38: z.boolean().nullable(),
    agent_id: z.string().nullable(),
    provider_ref: z.string().nullable(),
    backend: z.string().nullable(),
  })
  .meta({ id: 'FaxAttempt' });

export const FaxJob = z
  .object({
    id: z.string().startsWith('fax_').describe('Opaque id, fax_…'),
    status: z.enum(FAX_STATUSES),
    to: z.string().describe('E.164'),
    header_text: z.string().nullable(),
    backend: z.string(),
    site: z.string().nullable(),
    owner: z.string(),
    pages: z.number().int().nullable(),
    pages_sent: z.number().int().nullable(),
    has_cover: z.boolean(),
    source_type: z.enum(['pdf', 'text']),
    document_bytes: z.number().int(),
    failure_reason: z.string().nullable(),
    failure_detail: z.string().nullable(),
    bitrate: z.number().int().nullable(),
    remote_station_id: z.string().nullable(),
    tries: z.number().int(),
    max_tries: z.number().int(),
    attempts: z.array(FaxAttempt),
    next_attempt_at: nts,
    send_at: nts,
    expires_at: nts,
    resend_of: z.string().nullable(),
    created_at: ts,
    updated_at: ts,
    dialed_at: nts,
    completed_at: nts,
    canceled_at: nts,
    pdf_url: z.string().nullable().describe('Short-lived signed link to the document (needs fax:read).'),
    pdf_url_expires_at: nts,
  })
  .meta({ id: 'FaxJob' });

export const FaxJobList = z.object({ data: z.array(FaxJob), next_cursor: z.string().nullable() }).meta({ id: 'FaxJobList' });

export const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    owner: z.string(),
    scopes: z.array(z.string()),
    site: z.string().nullable(),
    backend: z.string().nullable(),
    prefix: z.string(),
    created_at: ts,
    created_by: z.string(),
    expires_at: nts,
    last_used_at: nts,
    rotated_at: nts,
    previous_secret_expires_at: nts,
    revoked_at: nts,
    token: z.string().optional().describe('Only in the create and rotate responses.'),
  })
  .meta({ id: 'ApiKey' });

export const InboundFax = z
  .object({
    id: z.string().startsWith('inb_').describe('Opaque id, inb_…'),
    owner: z.string().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    pages: z.number().int().nullable(),
    remote_station_id: z.string().nullable(),
    source: z.string(),
    received_at: ts,
    created_at: ts,
    document_bytes: z.number().int().nullable(),
    document_deleted_at: nts,
    pdf_url: z.string().nullable(),
    pdf_url_expires_at: nts,
  })
  .meta({ id: 'InboundFax' });

export const InboundFaxList = z.object({ data: z.array(InboundFax), next_cursor: z.string().nullable() }).meta({ id: 'InboundFaxList' });

export const WebhookEndpoint = z
  .object({
    id: z.string(),
    owner: z.string(),
    url: z.string(),
    event_types: z.array(z.string()),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    failing_since: nts,
    previous_secret_expires_at: nts,
    created_at: ts,
    updated_at: ts,
    secret: z.string().optional().describe('whsec_…; only in the create and rotate responses.'),
  })
  .meta({ id: 'WebhookEndpoint' });

export const WebhookDelivery = z
  .object({
    id: z.string(),
    webhook_id: z.string(),
    event_type: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    response_status: z.number().int().nullable(),
    duration_ms: z.number().int().nullable(),
    response_body: z.string().nullable(),
    last_error: z.string().nullable(),
    next_attempt_at: nts,
    last_attempt_at: nts,
    delivered_at: nts,
    created_at: ts,
  })
  .meta({ id: 'WebhookDelivery' });

const eventData = z.record(z.string(), z.unknown());
/** Bodies of the webhooks we send (OpenAPI 3.1 `webhooks`). */
export const WebhookEvent = z.object({ type: z.string(), timestamp: ts, data: eventData }).meta({ id: 'WebhookEvent' });

export const Health = z.object({ status: z.string() }).loose().meta({ id: 'Health' });
export const Loose = z.object({}).loose();
export const DataList = z.object({ data: z.array(z.object({}).loose()) }).loose();
