// Every route of the API as an OpenAPI operation: scope, request, responses (zod schemas from
// schemas.ts) and the error codes it can answer. test/api/openapi/openapi.test.ts fails when a
// route the app registers is missing here, or a code of docs/api.md's Errors table appears nowhere.
import type { z } from 'zod';
import { CreateAgentRequest } from '../routes/admin/agents/create.ts';
import { RotateAgentTokenRequest } from '../routes/admin/agents/tokens.ts';
import { CreateApiKeyRequest } from '../routes/admin/api-keys/create.ts';
import { RotateApiKeyRequest } from '../routes/admin/api-keys/rotate.ts';
import { AuditQuery } from '../routes/admin/audit.ts';
import { MapInboundNumberRequest } from '../routes/admin/inbound-numbers/index.ts';
import { ListFaxQuery } from '../routes/fax/list.ts';
import { ListInboundQuery } from '../routes/inbound/list.ts';
import { DeliveriesQuery } from '../routes/webhooks/deliveries.ts';
import { CreateWebhookRequest, UpdateWebhookRequest } from '../routes/webhooks/endpoints.ts';
import { RotateWebhookRequest } from '../routes/webhooks/rotate.ts';
import { HEADER_TEXT_MAX } from '../routes/fax/send.ts';
import { COVER_LIMITS, RFC3339 } from '../routes/fax/send-options.ts';
import { ASSET_PATHS } from '../static/asset-registry.ts';
import * as S from './schemas.ts';

type Body = { kind: 'json'; schema?: z.ZodType; example?: unknown } | { kind: 'multipart'; fields: Record<string, Record<string, unknown>>; required: string[] };

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  tag: string;
  /** The scope a key needs; null: public, 'agent': an agent token, 'provider': the provider's own proof. */
  scope: string | null;
  body?: Body;
  /** The zod schema the route parses its query string with. */
  query?: z.ZodObject;
  /** Success responses: a schema, 'pdf', 'html', 'asset' (CSS or JS), or null for no body. */
  responses: Record<number, z.ZodType | 'pdf' | 'html' | 'asset' | null>;
  errors: string[];
}

const AUTH = ['missing_api_key', 'invalid_api_key', 'insufficient_scope', 'rate_limited', 'too_many_auth_failures', 'config_invalid', 'database_unavailable'];
const text = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });
const FAX_FIELDS: Record<string, Record<string, unknown>> = {
  to: text('Destination number (E.164, or national with DEFAULT_COUNTRY_CODE).', { example: '+1 555 555 0100' }),
  file: { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream', description: 'The document: PDF or UTF-8 text (binary part).' },
  header_text: text('Header line on each page (printable ASCII).', { maxLength: HEADER_TEXT_MAX, pattern: '^[\\x20-\\x7e]+$' }),
  site: text('Hospital site for SIP routing.'),
  send_at: text('RFC 3339 time with an offset to send at (at most 30 days ahead; a past time sends now).', { pattern: RFC3339.source }),
  max_tries: text('Connected tries, 1–5 (may only lower FAX_MAX_TRIES).', { pattern: '^[1-5]$' }),
  ...Object.fromEntries(Object.entries(COVER_LIMITS).map(([name, max]) => [name, text(`Cover sheet: ${name.slice(6)}.`, { maxLength: max })])),
};
const SEND_ERRORS = ['missing_field', 'missing_file', 'empty_document', 'invalid_multipart', 'duplicate_field', 'invalid_number', 'invalid_header_text', 'invalid_site', 'invalid_idempotency_key', 'invalid_send_at', 'invalid_max_tries', 'invalid_cover', 'file_too_large', 'unsupported_media_type', 'invalid_pdf', 'encrypted_pdf', 'unsupported_characters', 'too_many_pages', 'idempotency_key_reused', 'storage_unavailable'];
const json = (schema?: z.ZodType, example?: unknown): Body => ({ kind: 'json', schema, example });

export const OPERATIONS: Operation[] = [
  { method: 'get', path: '/health', summary: 'Liveness', tag: 'Health', scope: null, responses: { 200: S.Health }, errors: [] },
  { method: 'get', path: '/health/ready', summary: 'Readiness: database, storage, backend and providers', tag: 'Health', scope: null, responses: { 200: S.Health }, errors: ['not_ready'] },
  { method: 'post', path: '/fax', summary: 'Send a fax (202 once durable)', tag: 'Faxes', scope: 'fax:send', body: { kind: 'multipart', fields: FAX_FIELDS, required: ['to', 'file'] }, responses: { 202: S.FaxJob }, errors: [...SEND_ERRORS] },
  { method: 'get', path: '/fax', summary: 'List faxes', tag: 'Faxes', scope: 'fax:read', query: ListFaxQuery, responses: { 200: S.FaxJobList }, errors: ['invalid_request', 'invalid_cursor'] },
  { method: 'get', path: '/fax/{id}', summary: 'Get a fax with its attempts', tag: 'Faxes', scope: 'fax:read', responses: { 200: S.FaxJob }, errors: ['fax_not_found'] },
  { method: 'post', path: '/fax/{id}/cancel', summary: 'Cancel a scheduled or waiting fax', tag: 'Faxes', scope: 'fax:send', responses: { 200: S.FaxJob }, errors: ['fax_not_found', 'not_cancelable'] },
  { method: 'get', path: '/fax/{id}/pdf', summary: 'Download the document (or use the signed pdf_url)', tag: 'Faxes', scope: 'fax:read', responses: { 200: 'pdf' }, errors: ['fax_not_found', 'document_not_found', 'invalid_token', 'token_expired', 'storage_unavailable'] },
  { method: 'post', path: '/fax/{id}/resend', summary: 'Resend a finished fax as a new job', tag: 'Faxes', scope: 'fax:send', responses: { 202: S.FaxJob }, errors: ['fax_not_found', 'not_resendable', 'document_not_found', 'storage_unavailable'] },
  { method: 'get', path: '/fax/{id}/report', summary: 'Transmission report (PDF)', tag: 'Faxes', scope: 'fax:read', responses: { 200: 'pdf' }, errors: ['fax_not_found', 'document_not_found', 'storage_unavailable'] },
  { method: 'post', path: '/admin/api-keys', summary: 'Issue an API key (token shown once)', tag: 'Admin', scope: 'keys:manage', body: json(CreateApiKeyRequest, { name: 'EHR', owner: 'cardiology', scopes: ['fax:send', 'fax:read'] }), responses: { 201: S.ApiKey }, errors: ['invalid_json', 'invalid_request', 'body_too_large', 'backend_not_configured'] },
  { method: 'get', path: '/admin/api-keys', summary: 'List API keys', tag: 'Admin', scope: 'keys:manage', responses: { 200: S.DataList }, errors: [] },
  { method: 'delete', path: '/admin/api-keys/{id}', summary: 'Revoke an API key', tag: 'Admin', scope: 'keys:manage', responses: { 200: S.ApiKey }, errors: ['api_key_not_found', 'already_revoked'] },
  { method: 'post', path: '/admin/api-keys/{id}/rotate', summary: 'Rotate an API key', tag: 'Admin', scope: 'keys:manage', body: json(RotateApiKeyRequest, { grace_seconds: 3600 }), responses: { 200: S.ApiKey }, errors: ['api_key_not_found', 'already_revoked', 'key_expired', 'rotation_conflict', 'invalid_json', 'invalid_request'] },
  { method: 'get', path: '/admin/audit', summary: 'Audit events', tag: 'Admin', scope: 'keys:manage', query: AuditQuery, responses: { 200: S.DataList }, errors: ['invalid_request', 'invalid_cursor'] },
  { method: 'get', path: '/admin/config', summary: 'Effective configuration (no secrets)', tag: 'Admin', scope: 'keys:manage', responses: { 200: S.Loose }, errors: [] },
  { method: 'post', path: '/admin/agents', summary: 'Create an agent (token shown once)', tag: 'Agents', scope: 'agents:manage', body: json(CreateAgentRequest), responses: { 201: S.Loose }, errors: ['invalid_json', 'invalid_request', 'body_too_large'] },
  { method: 'get', path: '/admin/agents', summary: 'List agents', tag: 'Agents', scope: 'agents:manage', responses: { 200: S.DataList }, errors: [] },
  { method: 'post', path: '/admin/agents/{id}/tokens', summary: 'Rotate an agent token', tag: 'Agents', scope: 'agents:manage', body: json(RotateAgentTokenRequest, { grace_hours: 1 }), responses: { 201: S.Loose }, errors: ['agent_not_found', 'invalid_json', 'invalid_request'] },
  { method: 'delete', path: '/admin/agents/{id}/tokens/{tokenId}', summary: 'Revoke an agent token', tag: 'Agents', scope: 'agents:manage', responses: { 200: S.Loose }, errors: ['agent_not_found', 'agent_token_not_found'] },
  { method: 'get', path: '/admin/inbound-numbers', summary: 'Number → owner mapping', tag: 'Inbound', scope: 'keys:manage', responses: { 200: S.DataList }, errors: [] },
  { method: 'put', path: '/admin/inbound-numbers/{number}', summary: 'Map a number to an owner', tag: 'Inbound', scope: 'keys:manage', body: json(MapInboundNumberRequest, { owner: 'radiology' }), responses: { 200: S.Loose }, errors: ['invalid_number', 'invalid_json', 'invalid_request'] },
  { method: 'delete', path: '/admin/inbound-numbers/{number}', summary: 'Remove a number mapping', tag: 'Inbound', scope: 'keys:manage', responses: { 200: S.Loose }, errors: ['invalid_number', 'inbound_number_not_found'] },
  { method: 'get', path: '/inbound', summary: 'List received faxes', tag: 'Inbound', scope: 'inbound:list', query: ListInboundQuery, responses: { 200: S.InboundFaxList }, errors: ['invalid_request', 'invalid_cursor'] },
  { method: 'get', path: '/inbound/{id}', summary: 'Get a received fax', tag: 'Inbound', scope: 'inbound:read', responses: { 200: S.InboundFax }, errors: ['inbound_not_found'] },
  { method: 'get', path: '/inbound/{id}/pdf', summary: 'Download a received fax', tag: 'Inbound', scope: 'inbound:read', responses: { 200: 'pdf' }, errors: ['inbound_not_found', 'document_not_found', 'invalid_token', 'token_expired', 'storage_unavailable'] },
  { method: 'get', path: '/agent/connect', summary: 'On-prem agent WebSocket (agent token)', tag: 'Agents', scope: 'agent', responses: { 101: null }, errors: ['missing_agent_token', 'invalid_agent_token', 'upgrade_required'] },
  { method: 'post', path: '/agent/inbound', summary: 'Agent uploads a received fax', tag: 'Agents', scope: 'agent', body: { kind: 'multipart', fields: { uniqueid: text('Asterisk Uniqueid'), file: { type: 'string', format: 'binary', contentMediaType: 'application/pdf', description: 'The PDF' } }, required: ['uniqueid', 'file'] }, responses: { 201: S.Loose, 200: S.Loose }, errors: ['missing_agent_token', 'invalid_agent_token', 'invalid_multipart', 'missing_file', 'unsupported_media_type', 'file_too_large', 'invalid_request'] },
  { method: 'post', path: '/callbacks/phaxio', summary: 'Phaxio webhook (X-Phaxio-Signature)', tag: 'Provider callbacks', scope: 'provider', responses: { 200: S.Loose }, errors: ['invalid_signature', 'invalid_multipart', 'invalid_callback', 'provider_not_configured', 'file_too_large', 'too_many_auth_failures'] },
  { method: 'post', path: '/callbacks/sinch', summary: 'Sinch callback (Basic credentials in the URL)', tag: 'Provider callbacks', scope: 'provider', responses: { 200: S.Loose }, errors: ['invalid_credentials', 'source_not_allowed', 'invalid_callback', 'provider_not_configured', 'file_too_large', 'too_many_auth_failures'] },
  { method: 'post', path: '/webhooks', summary: 'Create a webhook endpoint (secret shown once)', tag: 'Webhooks', scope: 'webhooks:manage', body: json(CreateWebhookRequest, { url: 'https://ehr.example.org/faxbot', event_types: ['fax.completed'] }), responses: { 201: S.WebhookEndpoint }, errors: ['invalid_json', 'invalid_request', 'invalid_webhook_url', 'body_too_large'] },
  { method: 'get', path: '/webhooks', summary: 'List webhook endpoints', tag: 'Webhooks', scope: 'webhooks:manage', responses: { 200: S.DataList }, errors: [] },
  { method: 'get', path: '/webhooks/{id}', summary: 'Get a webhook endpoint', tag: 'Webhooks', scope: 'webhooks:manage', responses: { 200: S.WebhookEndpoint }, errors: ['webhook_not_found'] },
  { method: 'patch', path: '/webhooks/{id}', summary: 'Change a webhook endpoint', tag: 'Webhooks', scope: 'webhooks:manage', body: json(UpdateWebhookRequest, { enabled: true }), responses: { 200: S.WebhookEndpoint }, errors: ['webhook_not_found', 'invalid_json', 'invalid_request', 'invalid_webhook_url'] },
  { method: 'delete', path: '/webhooks/{id}', summary: 'Delete a webhook endpoint', tag: 'Webhooks', scope: 'webhooks:manage', responses: { 204: null }, errors: ['webhook_not_found'] },
  { method: 'post', path: '/webhooks/{id}/rotate', summary: 'Rotate the signing secret', tag: 'Webhooks', scope: 'webhooks:manage', body: json(RotateWebhookRequest), responses: { 200: S.WebhookEndpoint }, errors: ['webhook_not_found', 'rotation_conflict', 'invalid_json', 'invalid_request'] },
  { method: 'get', path: '/webhooks/{id}/deliveries', summary: 'Delivery log', tag: 'Webhooks', scope: 'webhooks:manage', query: DeliveriesQuery, responses: { 200: S.DataList }, errors: ['webhook_not_found', 'invalid_request', 'invalid_cursor'] },
  { method: 'post', path: '/webhooks/{id}/deliveries/{deliveryId}/redeliver', summary: 'Redeliver (same webhook-id)', tag: 'Webhooks', scope: 'webhooks:manage', responses: { 202: S.WebhookDelivery }, errors: ['webhook_not_found', 'delivery_not_found'] },
  { method: 'post', path: '/webhooks/{id}/test', summary: 'Send a webhook.test event', tag: 'Webhooks', scope: 'webhooks:manage', responses: { 202: S.WebhookDelivery }, errors: ['webhook_not_found'] },
  { method: 'get', path: '/.well-known/oauth-protected-resource', summary: 'RFC 9728 metadata of /mcp', tag: 'MCP', scope: null, responses: { 200: S.Loose }, errors: [] },
  { method: 'get', path: '/.well-known/oauth-protected-resource/mcp', summary: 'RFC 9728 metadata of /mcp', tag: 'MCP', scope: null, responses: { 200: S.Loose }, errors: [] },
  { method: 'post', path: '/mcp', summary: 'MCP server (Streamable HTTP, JSON-RPC)', tag: 'MCP', scope: 'any', body: json(), responses: { 200: S.Loose, 202: null }, errors: ['origin_not_allowed'] },
  { method: 'get', path: '/mcp', summary: 'MCP server stream (stateless: 405)', tag: 'MCP', scope: 'any', responses: { 405: null }, errors: ['origin_not_allowed'] },
  { method: 'delete', path: '/mcp', summary: 'MCP session end (stateless: 405)', tag: 'MCP', scope: 'any', responses: { 405: null }, errors: ['origin_not_allowed'] },
  { method: 'get', path: '/openapi.json', summary: 'This document', tag: 'Meta', scope: null, responses: { 200: S.Loose }, errors: [] },
  { method: 'get', path: '/docs', summary: 'This document as an interactive reference (HTML)', tag: 'Meta', scope: null, responses: { 200: 'html' }, errors: [] },
  ...ASSET_PATHS.map((path): Operation => ({ method: 'get', path, summary: 'Static asset of the HTML pages', tag: 'Meta', scope: null, responses: { 200: 'asset' }, errors: [] })),
];

export const COMMON_ERRORS = { key: AUTH, always: ['internal_error', 'not_found', 'method_not_allowed', 'https_required'] };
