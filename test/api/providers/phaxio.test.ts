// Phaxio end to end: the worker sends through the fake Phaxio (a real HTTP server speaking API v2.1)
// and the fake calls back, signed as Phaxio signs, retried as Phaxio retries. Happy paths, provider
// retries, reordered and repeated callbacks, lost and refused submits; the signature's security cases.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, json, makePdf, sendFax, waitForStatus, workerUrl } from '../../support/api.ts';
import { control, eventually, freshNumber, mapNumber, providerKey, providers, scenario, sql } from '../../support/provider-control.ts';

async function sendVia(to: string, headerText?: string) {
  const key = await providerKey('phaxio');
  const res = await sendFax(key.token, { to, file: await makePdf(1), filename: 'a.pdf', header_text: headerText });
  expect(res.status).toBe(202);
  const job = await json(res);
  return { key, job };
}

const submits = (number: string) => control<{ requests: number; faxes: number }>('phaxio', `/submits?number=${encodeURIComponent(number)}`);

/** Signs a callback the way Phaxio does (independently of the worker's verifier). */
function phaxioSign(url: string, fields: Record<string, string>, files: Record<string, Uint8Array> = {}): string {
  let s = url;
  for (const k of Object.keys(fields).sort()) s += k + fields[k];
  for (const k of Object.keys(files).sort()) s += k + createHash('sha1').update(files[k]!).digest('hex');
  return createHmac('sha1', providers().phaxio.callbackToken).update(s).digest('hex');
}

function callbackForm(fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return form;
}

describe('Phaxio: sending', () => {
  it('sends a fax, records the provider fax id on the attempt and reaches success from the callback', async () => {
    const to = freshNumber();
    const { key, job } = await sendVia(to, 'Radiology Dept');
    const done = await waitForStatus(job.id, key.token, ['success', 'failed'], 20_000);
    expect(done.status).toBe('success');
    expect(done.backend).toBe('phaxio');
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({ result: 'success', backend: 'phaxio' });
    expect(done.attempts[0].provider_ref).toMatch(/^\d+$/);
    const faxes = await control<any[]>('phaxio', '/faxes');
    const fax = faxes.find((f) => String(f.id) === done.attempts[0].provider_ref);
    expect(fax.submissions?.[0]?.tags ?? fax.tags).toMatchObject({ faxbot_job: job.id, faxbot_attempt: `${job.id}:1` });
    expect((await submits(to)).faxes).toBe(1);
  });

  it('maps a final failure onto our reason and retry policy (a refused number is never retried)', async () => {
    const to = freshNumber();
    await scenario('phaxio', to, { outcome: { failure: { error_type: 'fatalError', error_message: 'Invalid number', error_id: 34 } } });
    const { key, job } = await sendVia(to);
    const done = await waitForStatus(job.id, key.token, ['success', 'failed'], 20_000);
    expect(done).toMatchObject({ status: 'failed', failure_reason: 'invalid_number' });
    expect(done.attempts).toHaveLength(1);
    expect((await submits(to)).faxes).toBe(1);
  });

  it("counts Phaxio's own retries (retry_scheduled) as attempts of one provider fax", async () => {
    const to = freshNumber();
    await scenario('phaxio', to, { retries: 2 });
    const { key, job } = await sendVia(to);
    const done = await waitForStatus(job.id, key.token, ['success', 'failed'], 20_000);
    expect(done.status).toBe('success');
    expect(done.attempts.map((a: any) => a.result)).toEqual(['failed', 'failed', 'success']);
    expect(new Set(done.attempts.map((a: any) => a.provider_ref)).size).toBe(1);
    expect((await submits(to)).faxes).toBe(1);
  });

  it('a reordered callback (the final one first) never moves the job back or adds an attempt', async () => {
    const to = freshNumber();
    await scenario('phaxio', to, { retries: 1, reverseCallbacks: true });
    const { key, job } = await sendVia(to);
    const done = await waitForStatus(job.id, key.token, ['success', 'failed'], 20_000);
    expect(done.status).toBe('success');
    // Let the late retry_scheduled callback arrive.
    await eventually(async () => (await control<any[]>('phaxio', '/callbacks')).filter((c) => c.event_type === 'retry_scheduled' && String(c.fax_id) === done.attempts[0].provider_ref && c.status === 200).length > 0, 20_000, 'late callback');
    const again = await json(await api(`/fax/${job.id}`, { key: key.token }));
    expect(again.status).toBe('success');
    expect(again.attempts).toHaveLength(1);
  });

  it('repeated callbacks change nothing: one attempt, one completion event', async () => {
    const to = freshNumber();
    await scenario('phaxio', to, { duplicateCallbacks: 3 });
    const { key, job } = await sendVia(to);
    await waitForStatus(job.id, key.token, ['success'], 20_000);
    await eventually(async () => (await control<any[]>('phaxio', '/callbacks')).filter((c) => c.event_type === 'fax_completed' && c.status === 200 && c.direction === 'sent').length >= 4, 20_000, 'duplicates delivered');
    await new Promise((r) => setTimeout(r, 500));
    const events = await sql(`select type from fax_events where job_id = $1 and type = 'fax.completed'`, [job.id]);
    expect(events).toHaveLength(1);
    expect(await sql(`select number from fax_attempts where job_id = $1`, [job.id])).toHaveLength(1);
  });

  it('a submit whose response was lost is found by its tag, not sent twice', async () => {
    const to = freshNumber();
    await scenario('phaxio', to, { loseResponse: true });
    const { key, job } = await sendVia(to);
    const done = await waitForStatus(job.id, key.token, ['success', 'failed'], 30_000);
    expect(done.status).toBe('success');
    expect(await submits(to)).toMatchObject({ faxes: 1 });
  });

  it('retries 5xx and 429 answers with backoff and sends the fax once', async () => {
    const to = freshNumber();
    await scenario('phaxio', to, { submitFailures: [503, 429] });
    const { key, job } = await sendVia(to);
    const done = await waitForStatus(job.id, key.token, ['success', 'failed'], 30_000);
    expect(done.status).toBe('success');
    expect(await submits(to)).toMatchObject({ faxes: 1 });
  });
});

describe('Phaxio: callback security', () => {
  const url = () => `${workerUrl()}/callbacks/phaxio`;
  const fax = (id: number) => JSON.stringify({ id, direction: 'sent', status: 'success', tags: {}, recipients: [] });

  it('refuses a callback without a signature (401) and changes nothing', async () => {
    const res = await fetch(url(), { method: 'POST', body: callbackForm({ fax: fax(1), success: 'true', direction: 'sent', event_type: 'fax_completed', is_test: 'false' }) });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe('invalid_signature');
  });

  it('refuses a wrong signature, and the raw-body HMAC-SHA256 mistake, with 401', async () => {
    const fields = { fax: fax(2), success: 'true', direction: 'sent', event_type: 'fax_completed', is_test: 'false' };
    for (const signature of ['0'.repeat(40), createHmac('sha256', 'test-phaxio-secret').update('body').digest('hex'), phaxioSign(`${url()}/`, fields)]) {
      const res = await fetch(url(), { method: 'POST', headers: { 'x-phaxio-signature': signature }, body: callbackForm(fields) });
      expect(res.status).toBe(401);
    }
    const denied = await sql(`select details from audit_events where action = 'provider.callback' and outcome = 'denied' order by id desc limit 1`);
    expect(denied[0].details.reason).toBe('bad_signature');
  });

  it('a tampered callback of a real fax does not change the job', async () => {
    const to = freshNumber();
    await scenario('phaxio', to, { completionMs: 3000 });
    const { key, job } = await sendVia(to);
    const inFlight = await eventually(async () => {
      const j = await json(await api(`/fax/${job.id}`, { key: key.token }));
      return j.attempts?.[0]?.provider_ref ? j : null;
    }, 20_000, 'submission');
    const ref = Number(inFlight.attempts[0].provider_ref);
    const fields = { fax: JSON.stringify({ id: ref, direction: 'sent', status: 'failure', tags: { faxbot_job: job.id }, error_type: 'faxError', recipients: [] }), success: 'false', direction: 'sent', event_type: 'fax_completed', is_test: 'false' };
    const sig = phaxioSign(url(), { ...fields, success: 'true' });
    const res = await fetch(url(), { method: 'POST', headers: { 'x-phaxio-signature': sig }, body: callbackForm(fields) });
    expect(res.status).toBe(401);
    expect((await json(await api(`/fax/${job.id}`, { key: key.token }))).status).not.toBe('failed');
  });

  it('acknowledges a correctly signed callback about an unknown fax (200) and audits it', async () => {
    const fields = { fax: JSON.stringify({ id: 987654321, direction: 'sent', status: 'success', tags: { faxbot_job: 'fax_unknownunknownunknown00' }, recipients: [] }), success: 'true', direction: 'sent', event_type: 'fax_completed', is_test: 'false' };
    const res = await fetch(url(), { method: 'POST', headers: { 'x-phaxio-signature': phaxioSign(url(), fields) }, body: callbackForm(fields) });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ received: true, outcome: 'unknown_fax' });
    const audited = await sql(`select details from audit_events where action = 'provider.callback' and details->>'reason' = 'unknown_fax' order by id desc limit 1`);
    expect(audited).toHaveLength(1);
  });

  it('answers 400 (not 500) to a signed callback whose fax field is not JSON', async () => {
    const fields = { fax: 'not json', success: 'true', direction: 'sent', event_type: 'fax_completed', is_test: 'false' };
    const res = await fetch(url(), { method: 'POST', headers: { 'x-phaxio-signature': phaxioSign(url(), fields) }, body: callbackForm(fields) });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('invalid_callback');
  });
});

describe('Phaxio: inbound', () => {

  it('stores a received fax from the callback file once despite retried callbacks, for the mapped owner', async () => {
    const to = freshNumber();
    const key = await providerKey('phaxio', ['inbound:list', 'inbound:read']);
    await mapNumber(to, key.owner);
    const { id } = await control('phaxio', '/inbound', { to, from: '+12125550199', pages: 1, includeFile: true, callbackUrl: `${workerUrl()}/callbacks/phaxio`, duplicateCallbacks: 2 });
    await eventually(async () => (await control<any[]>('phaxio', '/callbacks')).filter((c) => String(c.fax_id) === String(id) && c.status === 200).length >= 3, 20_000, 'callbacks');
    const list = await json(await api('/inbound', { key: key.token }));
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ to, owner: key.owner, source: 'phaxio', pages: 1 });
    const pdf = await api(`/inbound/${list.data[0].id}/pdf`, { key: key.token });
    expect(new TextDecoder().decode((await pdf.arrayBuffer()).slice(0, 5))).toBe('%PDF-');
  });

  it('fetches the PDF by id (with retries) when the callback carries none', async () => {
    const to = freshNumber();
    const key = await providerKey('phaxio', ['inbound:list', 'inbound:read']);
    await mapNumber(to, key.owner);
    const { id } = await control('phaxio', '/inbound', { to, from: '+12125550198', pages: 1, includeFile: false, callbackUrl: `${workerUrl()}/callbacks/phaxio` });
    await control('phaxio', '/file-failures', { id, count: 2 });
    const listed = await eventually(async () => {
      const list = await json(await api('/inbound', { key: key.token }));
      return list.data.length === 1 ? list.data[0] : null;
    }, 30_000, 'inbound stored');
    expect(listed).toMatchObject({ to, source: 'phaxio' });
    const pdf = await api(`/inbound/${listed.id}/pdf`, { key: key.token });
    expect(pdf.status).toBe(200);
  });
});
