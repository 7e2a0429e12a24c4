// The generated typed client (shared/api-client) against the real worker: it sends a fax as
// multipart, polls it to success, downloads the PDF as a stream, lists, and surfaces typed errors.
import { describe, expect, it } from 'vitest';
import { createFaxbotClient, multipart, waitForFax } from '../../../shared/api-client/client.ts';
import { createKey, makePdf, workerUrl } from '../../support/api.ts';

describe('typed client (openapi-fetch over the generated types)', () => {
  it('sends a fax, polls it to success and downloads its PDF as a stream', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const client = createFaxbotClient({ baseUrl: workerUrl(), apiKey: key.token });
    const pdf = await makePdf(2);
    const sent = await client.POST('/fax', {
      body: { to: '+15555550100', file: new Blob([pdf], { type: 'application/pdf' }), header_text: 'Clinic A' },
      bodySerializer: multipart,
      params: { header: { 'Idempotency-Key': `client-${Date.now()}` } },
    });
    expect(sent.response.status, JSON.stringify(sent.error)).toBe(202);
    expect(sent.data?.id).toMatch(/^fax_/);
    const done = await waitForFax(client, sent.data!.id, { intervalMs: 100, timeoutMs: 15_000 });
    expect(done.status).toBe('success');
    expect(done.pages).toBe(2);

    const download = await client.GET('/fax/{id}/pdf', { params: { path: { id: done.id } }, parseAs: 'stream' });
    expect(download.response.status).toBe(200);
    expect(download.response.headers.get('content-type')).toContain('application/pdf');
    const chunks: Uint8Array[] = [];
    for await (const chunk of download.data as ReadableStream<Uint8Array>) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.length).toBe(done.document_bytes);

    const list = await client.GET('/fax', { params: { query: { status: 'success', limit: 5 } } });
    expect(list.data?.data.some((j) => j.id === done.id)).toBe(true);
  });

  it('returns the typed error body and status for bad input and a wrong scope', async () => {
    const reader = await createKey(['fax:read']);
    const client = createFaxbotClient({ baseUrl: workerUrl(), apiKey: reader.token });
    const refused = await client.POST('/fax', { body: { to: '+15555550100', file: new Blob(['hello']) }, bodySerializer: multipart });
    expect(refused.response.status).toBe(403);
    expect(refused.error?.error.code).toBe('insufficient_scope');

    const missing = await client.GET('/fax/{id}', { params: { path: { id: 'fax_00000000000000000000000000' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error.code).toBe('fax_not_found');
    expect(missing.error?.error.request_id).toBeTruthy();

    const anonymous = createFaxbotClient({ baseUrl: workerUrl(), apiKey: 'fbk_not_a_real_key' });
    const denied = await anonymous.GET('/fax', {});
    expect(denied.response.status).toBe(401);
    expect(denied.error?.error.code).toBe('invalid_api_key');
  });
});
