// POST /fax options: send_at (scheduled send), max_tries, cover sheet fields.
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { api, createKey, faxForm, json, makePdf, waitForStatus } from '../../support/api.ts';

async function post(key: string, extra: Record<string, string>, pages = 1) {
  const form = faxForm({ to: '+15555550115', file: await makePdf(pages) });
  for (const [k, v] of Object.entries(extra)) form.set(k, v);
  return api('/fax', { method: 'POST', body: form, key });
}

describe('POST /fax scheduling and cover sheet', () => {
  it('send_at keeps the job scheduled until then, then sends it', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const at = new Date(Date.now() + 2500);
    const res = await post(key.token, { send_at: at.toISOString() });
    expect(res.status).toBe(202);
    const job = await json(res);
    expect(job).toMatchObject({ status: 'scheduled', send_at: at.toISOString() });
    expect(Date.parse(job.expires_at) - at.getTime()).toBe(3 * 3600_000);
    const done = await waitForStatus(job.id, key.token, ['success', 'failed'], 20_000);
    expect(done.status).toBe('success');
    expect(Date.parse(done.attempts[0].started_at)).toBeGreaterThanOrEqual(at.getTime());
  });

  it('refuses send_at more than 30 days ahead or not RFC 3339, and max_tries outside 1-5', async () => {
    const key = await createKey(['fax:send']);
    for (const [extra, code] of [
      [{ send_at: new Date(Date.now() + 31 * 86400_000).toISOString() }, 'invalid_send_at'],
      [{ send_at: 'tomorrow' }, 'invalid_send_at'],
      [{ send_at: '2026-12-24T09:00:00' }, 'invalid_send_at'],
      [{ max_tries: '0' }, 'invalid_max_tries'],
      [{ max_tries: '6' }, 'invalid_max_tries'],
      [{ max_tries: 'two' }, 'invalid_max_tries'],
      [{ cover_subject: 'x'.repeat(201) }, 'invalid_cover'],
    ] as const) {
      const res = await post(key.token, extra);
      expect(res.status, JSON.stringify(extra)).toBe(400);
      const body = await json(res);
      expect(body.error).toMatchObject({ code });
      expect(body.error.request_id).toBeTruthy();
    }
  });

  it('max_tries above the deployment limit is lowered to it', async () => {
    const key = await createKey(['fax:send']);
    expect((await json(await post(key.token, { max_tries: '5' }))).max_tries).toBe(3);
  });

  it('cover fields put a cover sheet in front of the document, counted in pages', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const res = await post(key.token, { cover_to: 'Dr. Rivera, Cardiology', cover_from: 'Clinic front desk', cover_subject: 'Referral', cover_message: 'Please see the attached referral.\nCall us with questions.' }, 2);
    expect(res.status).toBe(202);
    const job = await json(res);
    expect(job).toMatchObject({ pages: 3, has_cover: true });
    const pdf = await PDFDocument.load(new Uint8Array(await (await api(`/fax/${job.id}/pdf`, { key: key.token })).arrayBuffer()));
    expect(pdf.getPageCount()).toBe(3);
  });

  it('cover text the fax font cannot draw is 422 unsupported_characters', async () => {
    const key = await createKey(['fax:send']);
    const res = await post(key.token, { cover_message: 'Referral 漢字' });
    expect(res.status).toBe(422);
    expect((await json(res)).error).toMatchObject({ code: 'unsupported_characters' });
  });
});
