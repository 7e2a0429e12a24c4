import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { api, createKey, json, makePdf, sendFax } from '../../support/api.ts';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

async function expectError(res: Response, status: number, code: string) {
  const body = await json(res);
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
  expect(typeof body.error.message).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack traces
  return body;
}

describe('POST /fax (errors)', () => {
  it('rejects a PNG with 415', async () => {
    const key = await createKey(['fax:send']);
    await expectError(await sendFax(key.token, { to: '+15555550100', file: PNG, filename: 'x.png' }), 415, 'unsupported_media_type');
  });

  it('rejects an upload over MAX_FILE_SIZE_MB with 413 (with and without Content-Length)', async () => {
    const key = await createKey(['fax:send']);
    const big = new Uint8Array((inject('maxFileSizeMb') + 1) * 1024 * 1024).fill(0x41);
    await expectError(await sendFax(key.token, { to: '+15555550100', file: big }), 413, 'file_too_large');
    // Chunked upload: no Content-Length, the limit applies while streaming.
    const form = new FormData();
    form.set('to', '+15555550100');
    form.set('file', new Blob([big]), 'big.txt');
    const encoded = new Response(form);
    const res = await fetch(`${inject('workerUrl')}/fax`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.token}`, 'content-type': encoded.headers.get('content-type')! },
      body: encoded.body,
      duplex: 'half',
    } as RequestInit);
    await expectError(res, 413, 'file_too_large');
  });

  it('refuses a form with more parts than a fax upload has (400 invalid_multipart)', async () => {
    const key = await createKey(['fax:send']);
    const form = new FormData();
    form.set('to', '+15555550100');
    form.set('file', new Blob([await makePdf(1)]), 'a.pdf');
    for (let i = 0; i < 40; i++) form.set(`extra_${i}`, 'x');
    await expectError(await api('/fax', { method: 'POST', key: key.token, body: form }), 400, 'invalid_multipart');
  });

  it('rejects bad numbers with 400 invalid_number', async () => {
    const key = await createKey(['fax:send']);
    for (const to of ['abc', '123', '+1234567890123456', '+0123456789', '++15555550100']) {
      await expectError(await sendFax(key.token, { to, file: await makePdf(1) }), 400, 'invalid_number');
    }
  });

  it('names characters the fax font cannot draw (422)', async () => {
    const key = await createKey(['fax:send']);
    const body = await expectError(
      await sendFax(key.token, { to: '+15555550100', file: new TextEncoder().encode('Patient 山田 referral') }),
      422,
      'unsupported_characters',
    );
    expect(JSON.stringify(body.error.details)).toContain('U+5C71');
  });

  it('requires to and file, as multipart', async () => {
    const key = await createKey(['fax:send']);
    await expectError(await sendFax(key.token, { file: await makePdf(1) }), 400, 'missing_field');
    await expectError(await sendFax(key.token, { to: '+15555550100' }), 400, 'missing_file');
    await expectError(await sendFax(key.token, { to: '+15555550100', file: new Uint8Array() }), 400, 'empty_document');
    const res = await api('/fax', { method: 'POST', key: key.token, headers: { 'content-type': 'application/json' }, body: '{"to":"+15555550100"}' });
    await expectError(res, 415, 'unsupported_media_type');
    const broken = await api('/fax', { method: 'POST', key: key.token, headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, body: 'not multipart' });
    await expectError(broken, 400, 'invalid_multipart');
  });

  it('rejects a corrupt PDF with 422 invalid_pdf', async () => {
    const key = await createKey(['fax:send']);
    const pdf = (await makePdf(1)).slice(0, 120);
    await expectError(await sendFax(key.token, { to: '+15555550100', file: pdf }), 422, 'invalid_pdf');
  });

  it('rejects reuse of an Idempotency-Key for a different request with 409', async () => {
    const key = await createKey(['fax:send']);
    const headers = { 'idempotency-key': `conflict-${Date.now()}` };
    expect((await sendFax(key.token, { to: '+15555550100', file: await makePdf(1) }, headers)).status).toBe(202);
    await expectError(await sendFax(key.token, { to: '+15555550101', file: await makePdf(1) }, headers), 409, 'idempotency_key_reused');
  });

  it('rejects a malformed Idempotency-Key and an over-long header_text', async () => {
    const key = await createKey(['fax:send']);
    await expectError(await sendFax(key.token, { to: '+15555550100', file: await makePdf(1) }, { 'idempotency-key': 'x'.repeat(300) }), 400, 'invalid_idempotency_key');
    await expectError(await sendFax(key.token, { to: '+15555550100', file: await makePdf(1), header_text: 'h'.repeat(101) }), 400, 'invalid_header_text');
  });
});
