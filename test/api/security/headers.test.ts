// Every response carries the security header set and an X-Request-Id: every route of the real Hono
// app (read from createApp(), so a new route is covered the moment it is registered), with and
// without a key and with bad input, plus 404s, 413/415 uploads and the PDF download.
import { describe, expect, inject, it } from 'vitest';
import { registeredRoutes } from '../../support/routes.ts';
import { api, createKey, json, makePdf, sendFax, workerUrl } from '../../support/api.ts';
import { expectSecurityHeaders, GENERATED_REQUEST_ID } from './expect-headers.ts';

const FAX_ID = 'fax_abcdefghijklmnopqrstuvwx';
const KEY_ID = 'abcdefghij012345';

function concretePath(path: string): string {
  return path.replace(/:([A-Za-z_]+)(\{[^}]*\})?/g, () => (path.startsWith('/fax/') ? FAX_ID : KEY_ID));
}

const routes = registeredRoutes();

const hasBody = (method: string) => method !== 'GET' && method !== 'HEAD';
const cases = routes.map((r) => [`${r.method} ${r.path}`, r] as const);

describe('route enumeration', () => {
  it('covers the known routes', () => {
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['GET /health', 'GET /health/ready', 'POST /fax', 'GET /fax', 'GET /fax/:id/pdf', 'GET /admin/audit', 'GET /admin/config']),
    );
  });
});

describe('security headers on every route', () => {
  it.each(cases)('%s without a key', async (label, r) => {
    const res = await api(concretePath(r.path), {
      method: r.method,
      key: null,
      ...(hasBody(r.method) ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
    });
    await res.arrayBuffer();
    expectSecurityHeaders(res, `${label} (no key) -> ${res.status}`);
  });

  it.each(cases)('%s with the admin key', async (label, r) => {
    const res = await api(concretePath(r.path), {
      method: r.method,
      ...(hasBody(r.method) ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
    });
    await res.arrayBuffer();
    expect(res.status, label).toBeLessThan(500);
    expectSecurityHeaders(res, `${label} (admin) -> ${res.status}`);
  });

  it.each(cases)('%s with bad input (malformed JSON body / bad query)', async (label, r) => {
    const res = await api(`${concretePath(r.path)}?limit=-1&cursor=%00&since=yesterday`, {
      method: r.method,
      ...(hasBody(r.method) ? { headers: { 'content-type': 'application/json' }, body: '{"broken":' } : {}),
    });
    await res.arrayBuffer();
    expect(res.status, label).toBeLessThan(500);
    expectSecurityHeaders(res, `${label} (bad input) -> ${res.status}`);
  });

  it.each(cases)('%s with an invalid key (401)', async (label, r) => {
    const res = await api(concretePath(r.path), { method: r.method, key: 'fbk_aaaaaaaaaaaaaaaa_' + 'A'.repeat(43) });
    await res.arrayBuffer();
    expectSecurityHeaders(res, `${label} (invalid key) -> ${res.status}`);
  });
});

describe('security headers on error responses', () => {
  it('404 for an unknown path, with and without a key', async () => {
    for (const key of [undefined, null]) {
      const res = await api('/no-such-route/at-all', { key });
      const body = await json(res);
      // Without a key authentication answers first (401); with one the router says 404.
      expect(res.status).toBe(key === null ? 401 : 404);
      if (key !== null) expect(body.error.code).toBe('not_found');
      expectSecurityHeaders(res);
    }
  });

  it('400 for a malformed JSON body and for a schema violation', async () => {
    const broken = await api('/admin/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(broken.status).toBe(400);
    expect((await json(broken)).error.code).toBe('invalid_json');
    expectSecurityHeaders(broken);
    const invalid = await api('/admin/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(invalid.status).toBe(400);
    expect((await json(invalid)).error.code).toBe('invalid_request');
    expectSecurityHeaders(invalid);
  });

  it('403 insufficient_scope', async () => {
    const key = await createKey(['fax:read']);
    const res = await api('/admin/config', { key: key.token });
    expect(res.status).toBe(403);
    await res.arrayBuffer();
    expectSecurityHeaders(res);
  });

  it('413 from POST /fax (too large) and from the admin JSON body limit', async () => {
    const key = await createKey(['fax:send']);
    const big = new Uint8Array((inject('maxFileSizeMb') + 1) * 1024 * 1024).fill(0x41);
    const res = await sendFax(key.token, { to: '+15555550100', file: big });
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe('file_too_large');
    expectSecurityHeaders(res);

    const admin = await api('/admin/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(200 * 1024) }) });
    expect(admin.status).toBe(413);
    expect((await json(admin)).error.code).toBe('body_too_large');
    expectSecurityHeaders(admin);
  });

  it('415 from POST /fax (not multipart, and a PNG document)', async () => {
    const key = await createKey(['fax:send']);
    const notMultipart = await api('/fax', { method: 'POST', key: key.token, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(notMultipart.status).toBe(415);
    await notMultipart.arrayBuffer();
    expectSecurityHeaders(notMultipart);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    const res = await sendFax(key.token, { to: '+15555550100', file: png, filename: 'x.png' });
    expect(res.status).toBe(415);
    expect((await json(res)).error.code).toBe('unsupported_media_type');
    expectSecurityHeaders(res);
  });
});

describe('security headers on success responses', () => {
  it('202 from POST /fax and the PDF download (with a key and through the signed link)', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const sent = await sendFax(key.token, { to: '+15555550100', file: await makePdf(1) });
    expect(sent.status).toBe(202);
    const job = await json(sent);
    expectSecurityHeaders(sent);

    const pdf = await api(`/fax/${job.id}/pdf`, { key: key.token });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(new TextDecoder().decode((await pdf.arrayBuffer()).slice(0, 5))).toBe('%PDF-');
    expectSecurityHeaders(pdf);

    const link = new URL(job.pdf_url);
    const signed = await fetch(`${workerUrl()}${link.pathname}${link.search}`);
    expect(signed.status).toBe(200);
    await signed.arrayBuffer();
    expectSecurityHeaders(signed);
  });

  it('HEAD /health carries them too', async () => {
    const res = await api('/health', { method: 'HEAD', key: null });
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);
  });
});

describe('X-Request-Id', () => {
  it('generates one when none is sent, unique per request', async () => {
    const a = await api('/health', { key: null });
    const b = await api('/health', { key: null });
    expect(a.headers.get('x-request-id')).toMatch(GENERATED_REQUEST_ID);
    expect(b.headers.get('x-request-id')).toMatch(GENERATED_REQUEST_ID);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });

  it.each([
    ['GET /health (public)', '/health', undefined],
    ['GET /fax (authenticated)', '/fax', undefined],
    ['GET /fax without a key (401)', '/fax', null],
    ['unknown path (404)', '/nope', undefined],
  ] as const)('echoes a sane incoming id: %s', async (_label, path, key) => {
    const id = `trace-${Date.now()}_abc.DEF:123`;
    const res = await api(path, { key, headers: { 'x-request-id': id } });
    const text = await res.text();
    expect(res.headers.get('x-request-id')).toBe(id);
    if (res.status >= 400) expect(JSON.parse(text).error.request_id).toBe(id);
  });

  it.each([
    ['spaces', 'has spaces in it 123'],
    ['500 characters', 'a'.repeat(500)],
    ['too short', 'abc'],
    ['HTML', '<script>alert(1)</script>'],
    ['quotes and semicolons', 'abc";drop-table-x'],
  ])('replaces an insane incoming id (%s)', async (_label, id) => {
    const res = await api('/fax/fax_doesnotexist', { headers: { 'x-request-id': id } });
    const body = await json(res);
    const got = res.headers.get('x-request-id');
    expect(got).not.toBe(id);
    expect(got).toMatch(GENERATED_REQUEST_ID);
    expect(body.error.request_id).toBe(got);
  });
});
