// Findings of the security review (issue 9), each with the test that would have caught its class:
// responses limited to the caller's scopes, duplicate multipart fields, page limits, header text a
// fax can print, path parameters decoded once, masked numbers in audit details.
import { describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { api, createKey, faxForm, json, makePdf, sendFax } from '../../support/api.ts';

describe('responses carry no more than the caller may read', () => {
  it('a fax:send-only key gets no document link from POST /fax or POST /fax/:id/cancel', async () => {
    const sender = await createKey(['fax:send']);
    const form = faxForm({ to: '+15555550116', file: await makePdf(1) });
    form.set('send_at', new Date(Date.now() + 3600_000).toISOString());
    const job = await json(await api('/fax', { method: 'POST', body: form, key: sender.token }));
    expect(job.pdf_url).toBeNull();
    const canceled = await json(await api(`/fax/${job.id}/cancel`, { method: 'POST', key: sender.token }));
    expect(canceled).toMatchObject({ status: 'canceled', pdf_url: null, pdf_url_expires_at: null });
    // The same job read with fax:read carries the link.
    const reader = await createKey(['fax:read'], sender.owner);
    expect((await json(await api(`/fax/${job.id}`, { key: reader.token }))).pdf_url).toContain(`/fax/${job.id}/pdf?`);
  });
});

describe('POST /fax input at the door', () => {
  it('two `to` or two `file` parts are 400 duplicate_field', async () => {
    const key = await createKey(['fax:send']);
    const two = faxForm({ to: '+15555550117', file: await makePdf(1) });
    two.append('to', '+15555550118');
    const res = await api('/fax', { method: 'POST', body: two, key: key.token });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatchObject({ code: 'duplicate_field', details: { field: 'to' } });
    const files = faxForm({ to: '+15555550117', file: await makePdf(1) });
    files.append('file', new Blob([new Uint8Array(await makePdf(2))]), 'b.pdf');
    const res2 = await api('/fax', { method: 'POST', body: files, key: key.token });
    expect((await json(res2)).error).toMatchObject({ code: 'duplicate_field', details: { field: 'file' } });
  });

  it('more than MAX_PAGES (200) is 422 too_many_pages', async () => {
    const key = await createKey(['fax:send']);
    const doc = await PDFDocument.create();
    for (let i = 0; i < 201; i++) doc.addPage([612, 792]);
    const res = await sendFax(key.token, { to: '+15555550117', file: await doc.save() });
    expect(res.status).toBe(422);
    expect((await json(res)).error).toMatchObject({ code: 'too_many_pages', details: { pages: 201, max_pages: 200 } });
  });

  it('header_text a fax header cannot print is refused at the door', async () => {
    const key = await createKey(['fax:send']);
    for (const header_text of ['中文', 'Clinic ✓', 'tab\there']) {
      const res = await sendFax(key.token, { to: '+15555550117', file: await makePdf(1), header_text });
      expect(res.status, header_text).toBe(400);
      expect((await json(res)).error.code).toBe('invalid_header_text');
    }
  });

  it('numbers are checked against the numbering plan, and a refusal says why', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const refused: Array<[string, string]> = [
      ['+1 555 0100', 'too short for +1'],
      ['+999 123 456 789', 'unknown country calling code'],
      ['+44 20 7946 0958 123', 'too long for +44'],
    ];
    for (const [to, why] of refused) {
      const res = await sendFax(key.token, { to, file: await makePdf(1) });
      expect(res.status, to).toBe(400);
      const { error } = await json(res);
      expect(error.code).toBe('invalid_number');
      expect(error.message).toContain(why);
    }
    const uk = await json(await sendFax(key.token, { to: '+44 (0) 20 7946 0958', file: await makePdf(1) }));
    expect(uk.to).toBe('+442079460958');
  });
});

describe('malformed credentials', () => {
  it('Basic or two tokens: 401 invalid_api_key, audited as a failed authentication (and counted)', async () => {
    const key = await createKey(['fax:read']);
    for (const authorization of [`Basic ${key.token}`, `Bearer ${key.token} ${key.token}`]) {
      const res = await api('/fax', { key: null, headers: { authorization, 'x-request-id': `malformed-${key.id}` } });
      expect(res.status).toBe(401);
      expect((await json(res)).error.code).toBe('invalid_api_key');
    }
    let found = false;
    for (let i = 0; i < 50 && !found; i++) {
      const page = await json(await api('/admin/audit?action=auth.failure&limit=200'));
      found = page.data.some((e: any) => e.details?.reason === 'malformed_credentials' && e.request_id === `malformed-${key.id}`);
      if (!found) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toBe(true);
  });
});

describe('methods', () => {
  it('a wrong method on a known path is 405 with Allow; an unknown path stays 404', async () => {
    const res = await api('/fax/fax_abcdefghijklmnopqrstuvwx', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect((await json(res)).error).toMatchObject({ code: 'method_not_allowed', details: { allow: ['GET', 'HEAD'] } });
    const put = await api('/fax', { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toContain('POST');
    expect((await api('/no/such/path', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('path parameters and audit details', () => {
  it('PUT /admin/inbound-numbers/%25 is a 400, not a 500 (decoded once)', async () => {
    const res = await api('/admin/inbound-numbers/%25', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"owner":"x"}' });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('invalid_number');
  });

  it('a denied request on a path with a number audits the path with the number masked', async () => {
    const key = await createKey(['fax:read']);
    const number = '15557654399';
    const res = await api(`/admin/inbound-numbers/%2B${number}`, { method: 'PUT', key: key.token, headers: { 'content-type': 'application/json' }, body: '{"owner":"x"}' });
    expect(res.status).toBe(403);
    // The denial is audited in the background (waitUntil): poll briefly.
    let page: any = { data: [] };
    for (let i = 0; i < 50 && page.data.length === 0; i++) {
      page = await json(await api(`/admin/audit?action=auth.scope_denied&actor_id=${key.id}`));
      if (page.data.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(page.data.length).toBeGreaterThan(0);
    const text = JSON.stringify(page.data);
    expect(text).not.toContain(number);
    expect(text).toContain('4399');
  });
});
