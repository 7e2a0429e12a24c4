// Builds the OpenAPI 3.1 document served at GET /openapi.json from the operation table and the zod
// schemas the tests hold responses to (z.toJSONSchema: JSON Schema 2020-12, which OpenAPI 3.1 uses).
// Public and free of PHI: shapes, codes and examples only.
import { z } from 'zod';
import { SCOPES } from '../auth/scopes.ts';
import { ERROR_STATUS } from './error-status.ts';
import { COMMON_ERRORS, OPERATIONS, type Operation } from './operations.ts';
import * as S from './schemas.ts';

type Json = Record<string, unknown>;

const COMPONENTS = [S.Health, S.ErrorBody, S.FaxAttempt, S.FaxJob, S.FaxJobList, S.ApiKey, S.InboundFax, S.InboundFaxList, S.WebhookEndpoint, S.WebhookDelivery, S.WebhookEvent];
const WEBHOOK_EVENTS = ['fax.completed', 'fax.attempt_failed', 'fax.scheduled_started', 'inbound.received', 'webhook.test'];

function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const schema of COMPONENTS) registry.add(schema, { id: String(z.globalRegistry.get(schema)?.id) });
  const out = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: 'output' }) as { schemas: Record<string, Json> };
  for (const s of Object.values(out.schemas)) delete s.$schema;
  return out.schemas;
}

function schemaRef(schema: z.ZodType): Json {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: `#/components/schemas/${id}` };
  const inline = z.toJSONSchema(schema, { io: 'output' }) as Json;
  delete inline.$schema;
  return inline;
}

/** A request schema as the client sends it (io: input: defaults make fields optional; transforms are opaque). */
function requestSchema(schema: z.ZodType): Json {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

function jsonBody(schema: z.ZodType | undefined, example: unknown): Json {
  const json = schema ? requestSchema(schema) : { type: 'object' };
  const required = Array.isArray(json.required) && json.required.length > 0;
  return { required, content: { 'application/json': { schema: json, ...(example ? { example } : {}) } } };
}

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Retries with the same key and body return the first job instead of sending twice (24 h).',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

function parameters(op: Operation): Json[] {
  const path = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const headers = op.method === 'post' && (op.path === '/fax' || op.path === '/fax/{id}/resend') ? [IDEMPOTENCY_KEY] : [];
  if (!op.query) return [...path, ...headers];
  const { properties = {}, required = [] } = requestSchema(op.query) as { properties?: Record<string, Json>; required?: string[] };
  const query = Object.entries(properties).map(([name, schema]) => ({ name, in: 'query', required: required.includes(name), schema }));
  return [...path, ...query, ...headers];
}

function errorsOf(op: Operation): string[] {
  const keyed = op.scope !== null && op.scope !== 'agent' && op.scope !== 'provider';
  return [...new Set([...op.errors, ...(keyed ? COMMON_ERRORS.key : []), ...COMMON_ERRORS.always])];
}

function operation(op: Operation): Json {
  const responses: Json = {};
  for (const [status, schema] of Object.entries(op.responses)) {
    if (schema === null) responses[status] = { description: status === '204' ? 'No content' : 'No body' };
    else if (schema === 'pdf') responses[status] = { description: 'The PDF', content: { 'application/pdf': { schema: { type: 'string', contentMediaType: 'application/pdf' } } } };
    else if (schema === 'html') responses[status] = { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } };
    else if (schema === 'asset') responses[status] = { description: 'The file', content: { 'text/css': { schema: { type: 'string' } }, 'text/javascript': { schema: { type: 'string' } } } };
    else responses[status] = { description: 'Success', content: { 'application/json': { schema: schemaRef(schema) } } };
  }
  const byStatus = new Map<number, string[]>();
  for (const code of errorsOf(op)) {
    const status = ERROR_STATUS[code] ?? 500;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    // An example body of the first code (documentation, not an error this module sends).
    const sample = { code: codes[0], message: '…', request_id: 'req_…' };
    responses[String(status)] = {
      description: `Error codes: ${codes.join(', ')}`,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { error: sample } } },
    };
  }
  const security =
    op.scope === null || op.scope === 'provider' ? [] : op.scope === 'agent' ? [{ agentToken: [] }] : [{ bearerAuth: [] }, { apiKeyHeader: [] }];
  const body: Json | undefined =
    op.body?.kind === 'multipart'
      ? { required: true, content: { 'multipart/form-data': { schema: { type: 'object', required: op.body.required, properties: op.body.fields } } } }
      : op.body?.kind === 'json'
        ? jsonBody(op.body.schema, op.body.example)
        : undefined;
  return {
    operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
    summary: op.summary,
    tags: [op.tag],
    ...(op.scope && !['agent', 'provider', 'any'].includes(op.scope) ? { description: `Scope: \`${op.scope}\`.` } : {}),
    ...(parameters(op).length ? { parameters: parameters(op) } : {}),
    ...(body ? { requestBody: body } : {}),
    security,
    responses,
  };
}

export function openApiDocument(serverUrl: string, version: string): Json {
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS) paths[op.path] = { ...(paths[op.path] ?? {}), [op.method]: operation(op) };
  const webhooks = Object.fromEntries(
    WEBHOOK_EVENTS.map((type) => [
      type,
      {
        post: {
          summary: `${type} (Standard Webhooks v1: webhook-id, webhook-timestamp, webhook-signature)`,
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookEvent' }, example: { type, timestamp: '2026-12-02T21:40:11.120Z', data: {} } } } },
          responses: { '200': { description: 'Any 2xx acknowledges the delivery' } },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'Faxbot API', version, description: 'Fax infrastructure for hospitals and clinics. Errors are {"error": {"code", "message", "request_id"}}; see docs/api.md.', license: { name: 'MIT', identifier: 'MIT' } },
    servers: [{ url: serverUrl }],
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    webhooks,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: `API key (fbk_…). Scopes: ${SCOPES.join(', ')}.` },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        agentToken: { type: 'http', scheme: 'bearer', description: 'On-prem agent token (fba_…).' },
      },
    },
  };
}
