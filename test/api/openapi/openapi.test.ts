// The OpenAPI 3.1 document at GET /openapi.json: public, valid for a standard validator
// (@apidevtools/swagger-parser), covering every route the app registers, every error code of
// docs/api.md with the same status, and the webhook events. Responses of every API test are checked
// against the same schemas by test/support/api.ts.
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { apiRoutes } from '../../support/routes.ts';
import { ERROR_STATUS } from '../../../worker/openapi/error-status.ts';
import { COMMON_ERRORS, OPERATIONS } from '../../../worker/openapi/operations.ts';
import { workerUrl } from '../../support/api.ts';

const fetchDoc = async () => {
  const res = await fetch(`${workerUrl()}/openapi.json`);
  expect(res.status).toBe(200);
  return res.json() as Promise<any>;
};

describe('GET /openapi.json', () => {
  it('is public and passes a standard OpenAPI 3.1 validator', async () => {
    const doc = await fetchDoc();
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
    expect(JSON.stringify(doc)).not.toMatch(/\+1\d{10}/);
  });

  it('documents every route the app registers, and nothing it does not', async () => {
    const doc = await fetchDoc();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const registered = apiRoutes().map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect([...documented].sort()).toEqual([...registered].sort());
  });

  it('lists every error code of docs/api.md on some route, with the documented status', async () => {
    const table = [...readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8').split('## Errors')[1]!.matchAll(/^\| (\d{3}) \| `([a-z_]+)` \|/gm)].map((m) => [m[2]!, Number(m[1])] as const);
    expect(Object.fromEntries(table)).toEqual(ERROR_STATUS);
    const used = new Set([...OPERATIONS.flatMap((o) => o.errors), ...COMMON_ERRORS.key, ...COMMON_ERRORS.always]);
    const framework = ['bad_request', 'unauthorized', 'forbidden', 'payload_too_large'];
    expect(table.map(([c]) => c).filter((c) => !used.has(c) && !framework.includes(c))).toEqual([]);
    const doc = await fetchDoc();
    const send = doc.paths['/fax'].post;
    expect(send.responses['422'].description).toContain('too_many_pages');
    expect(send.responses['401'].description).toContain('missing_api_key');
    expect(send.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
  });

  it('describes the webhook events (OpenAPI 3.1 webhooks) and the security schemes', async () => {
    const doc = await fetchDoc();
    expect(Object.keys(doc.webhooks).sort()).toEqual(['fax.attempt_failed', 'fax.completed', 'fax.scheduled_started', 'inbound.received', 'webhook.test']);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.FaxJob.properties.status.enum).toContain('success');
  });
});
