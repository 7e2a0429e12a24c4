import { describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { api, createKey, json, makePdf, sendFax, waitForStatus } from '../../support/api.ts';

describe('POST /fax (happy path)', () => {
  it('reads a hand-written multipart body as a browser would: preamble, quoted names, filename*, part headers in any case', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const pdf = await makePdf(2);
    const boundary = "----faxbot'(x)+_,./:=? y"; // every character RFC 2046 allows in a boundary
    const enc = new TextEncoder();
    const head = [
      'this preamble is ignored\r\n',
      `--${boundary}\r\ncontent-disposition: form-data; name="to"\r\ncontent-type: text/plain; charset=utf-8\r\n\r\n+1 (555) 555-0142\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="header_text"\r\n\r\nClinic; "Main"\r\n`,
      `--${boundary}\r\nCONTENT-DISPOSITION: form-data; name="file"; filename="r.pdf"; filename*=UTF-8''r%C3%A9f%C3%A9rence.pdf\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ].join('');
    const body = new Uint8Array([...enc.encode(head), ...pdf, ...enc.encode(`\r\n--${boundary}--\r\nepilogue`)]);
    const res = await api('/fax', { method: 'POST', key: key.token, headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` }, body });
    const job = await json(res);
    expect(res.status, JSON.stringify(job)).toBe(202);
    expect(job).toMatchObject({ to: '+15555550142', header_text: 'Clinic; "Main"', pages: 2, document_bytes: pdf.byteLength });
  });

  it('stores a 1.5 MB upload byte for byte, with a Content-Length and streamed chunked', async () => {
    // Read whole into one buffer (Content-Length), or through the streaming parser (chunked); stored
    // by a PUT that streams from views into that buffer, 64 KiB at a time (s3-put-body.ts).
    const key = await createKey(['fax:send', 'fax:read']);
    const doc = await PDFDocument.load(await makePdf(1));
    const noise = new Uint8Array(1536 * 1024 + 12_345); // under the test worker's MAX_FILE_SIZE_MB=2
    for (let i = 0; i < noise.length; i += 65_536) crypto.getRandomValues(noise.subarray(i, i + 65_536));
    await doc.attach(noise, 'noise.bin', { mimeType: 'application/octet-stream' });
    const pdf = await doc.save({ useObjectStreams: false });
    const boundary = 'faxbot-large-upload';
    const enc = new TextEncoder();
    const body = new Uint8Array([
      ...enc.encode(`--${boundary}\r\ncontent-disposition: form-data; name="to"\r\n\r\n+15555550143\r\n--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n`),
      ...pdf,
      ...enc.encode(`\r\n--${boundary}--\r\n`),
    ]);
    const chunked = () => {
      let at = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          const size = 1 + Math.floor(Math.random() * 200_000); // boundaries fall anywhere
          controller.enqueue(body.slice(at, at + size));
          at += size;
          if (at >= body.length) controller.close();
        },
      });
    };
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    for (const payload of [{ body }, { body: chunked(), duplex: 'half' }] as RequestInit[]) {
      const res = await api('/fax', { method: 'POST', key: key.token, headers, ...payload });
      const job = await json(res);
      expect(res.status, JSON.stringify(job)).toBe(202);
      expect(job).toMatchObject({ pages: 1, document_bytes: pdf.byteLength });
      const stored = await api(`/fax/${job.id}/pdf`, { key: key.token });
      expect(stored.headers.get('content-length')).toBe(String(pdf.byteLength));
      expect(Buffer.from(await stored.arrayBuffer()).equals(Buffer.from(pdf))).toBe(true);
    }
  });

  it('queues a PDF, returns 202 with the job, and the sandbox takes it to success', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const pdf = await makePdf(2);
    const res = await sendFax(key.token, { to: '+1 (555) 555-0123', file: pdf, filename: 'chart.pdf', header_text: 'Cardiology' });
    expect(res.status).toBe(202);
    const job = await json(res);
    expect(job).toMatchObject({ status: 'queued', to: '+15555550123', pages: 2, source_type: 'pdf', backend: 'sandbox', header_text: 'Cardiology', owner: key.owner });
    expect(job.id).toMatch(/^fax_[a-z0-9]{24}$/);
    expect(job.pdf_url).toContain(`/fax/${job.id}/pdf?`);
    const done = await waitForStatus(job.id, key.token, ['success']);
    expect(done.dialed_at).not.toBeNull();
    expect(done.completed_at).not.toBeNull();
  });

  it('renders UTF-8 text to a paginated PDF and stores it', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const text = Array.from({ length: 120 }, (_, i) => `Line ${i + 1}: résumé of the referral — café`).join('\n');
    const res = await sendFax(key.token, { to: '5555550124', file: new TextEncoder().encode(text), filename: 'note.txt' });
    expect(res.status).toBe(202);
    const job = await json(res);
    expect(job.source_type).toBe('text');
    expect(job.pages).toBeGreaterThanOrEqual(2);
    const pdf = await api(`/fax/${job.id}/pdf`, { key: key.token });
    expect(pdf.status).toBe(200);
    const doc = await PDFDocument.load(new Uint8Array(await pdf.arrayBuffer()));
    expect(doc.getPageCount()).toBe(job.pages);
  });

  it('decides the type by content even when the client lies about it', async () => {
    const key = await createKey(['fax:send']);
    const pdf = new Blob([new Uint8Array(await makePdf(1))], { type: 'image/png' });
    const res = await sendFax(key.token, { to: '+15555550125', file: pdf, filename: 'scan.png' });
    expect(res.status).toBe(202);
    expect((await json(res)).source_type).toBe('pdf');
  });

  it('replays the original job for a repeated Idempotency-Key', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const pdf = await makePdf(1);
    const headers = { 'idempotency-key': `order-${Date.now()}` };
    const first = await json(await sendFax(key.token, { to: '+15555550126', file: pdf }, headers));
    const again = await sendFax(key.token, { to: '+15555550126', file: pdf }, headers);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await json(again)).id).toBe(first.id);
    const list = await json(await api('/fax?limit=100', { key: key.token }));
    expect(list.data.filter((j: { id: string }) => j.id === first.id)).toHaveLength(1);
    expect(list.data).toHaveLength(1);
  });

  it('sends exactly one job when the same Idempotency-Key races', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const pdf = await makePdf(1);
    const headers = { 'idempotency-key': `race-${Date.now()}` };
    const results = await Promise.all(Array.from({ length: 5 }, () => sendFax(key.token, { to: '+15555550127', file: pdf }, headers)));
    const ids = new Set<string>();
    for (const res of results) {
      expect(res.status).toBe(202);
      ids.add((await json(res)).id);
    }
    expect(ids.size).toBe(1);
    const list = await json(await api('/fax?limit=100', { key: key.token }));
    expect(list.data).toHaveLength(1);
  });

  it('fails the documented sandbox test number with a reason', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const job = await json(await sendFax(key.token, { to: '+15555550199', file: await makePdf(1) }));
    const done = await waitForStatus(job.id, key.token, ['failed', 'success']);
    expect(done.status).toBe('failed');
    expect(done.failure_reason).toBe('busy');
  });

  it("routes by the key's default site unless the request names one", async () => {
    const key = await createKey(['fax:send'], undefined, { site: 'west-campus' });
    const viaKey = await json(await sendFax(key.token, { to: '+15555550131', file: await makePdf(1) }));
    expect(viaKey.site).toBe('west-campus');
    const form = new FormData();
    form.set('to', '+15555550132');
    form.set('site', 'east-campus');
    form.set('file', new Blob([new Uint8Array(await makePdf(1))]), 'a.pdf');
    const explicit = await json(await api('/fax', { method: 'POST', body: form, key: key.token }));
    expect(explicit.site).toBe('east-campus');
  });
});
