// Sinch end to end against the fake Sinch Fax API v3 (a real HTTP server): OAuth2 tokens cached
// across requests, multipart send, FAX_COMPLETED callbacks with the Basic credentials embedded in the
// callback URL, JSON and multipart INCOMING_FAX, lost submits; credential and source checks.
import { describe, expect, it } from 'vitest';
import { api, json, makePdf, sendFax, waitForStatus, workerUrl } from '../../support/api.ts';
import { control, eventually, freshNumber, mapNumber, providerKey, providers, scenario, sql } from '../../support/provider-control.ts';

async function sendVia(to: string) {
  const key = await providerKey('sinch');
  const res = await sendFax(key.token, { to, file: await makePdf(1), filename: 'a.pdf' });
  expect(res.status).toBe(202);
  return { key, job: await json(res) };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const goodAuth = () => basic(providers().sinch.callbackUsername, providers().sinch.callbackPassword);
const submits = (number: string) => control<{ requests: number; faxes: number }>('sinch', `/submits?number=${encodeURIComponent(number)}`);

describe('Sinch: sending', () => {
  it('sends with an OAuth2 token fetched once and reused, and reaches success from FAX_COMPLETED', async () => {
    const before = (await control<{ count?: number; issued?: number }>('sinch', '/tokens')) as any;
    const a = freshNumber();
    const b = freshNumber();
    const [one, two] = await Promise.all([sendVia(a), sendVia(b)]);
    const doneA = await waitForStatus(one.job.id, one.key.token, ['success', 'failed'], 20_000);
    const doneB = await waitForStatus(two.job.id, two.key.token, ['success', 'failed'], 20_000);
    expect([doneA.status, doneB.status]).toEqual(['success', 'success']);
    expect(doneA.attempts[0]).toMatchObject({ backend: 'sinch', result: 'success' });
    const after = (await control('sinch', '/tokens')) as any;
    const count = (x: any) => Number(x?.count ?? x?.issued ?? x?.tokens ?? 0);
    // The worker may have fetched one token before this test; it never fetches one per request.
    expect(count(after) - count(before)).toBeLessThanOrEqual(1);
    const callbacks = await control<any[]>('sinch', '/callbacks');
    const ours = callbacks.filter((c) => c.fax_id === doneA.attempts[0].provider_ref);
    expect(ours.some((c) => c.status === 200)).toBe(true);
  });

  it('maps a FAILURE onto our reason and policy', async () => {
    const to = freshNumber();
    await scenario('sinch', to, { outcome: { FAILURE: { errorType: 'DOCUMENT_CONVERSION_ERROR', errorCode: 10, errorMessage: 'Could not convert the document' } } });
    const { key, job } = await sendVia(to);
    const done = await waitForStatus(job.id, key.token, ['success', 'failed'], 20_000);
    expect(done).toMatchObject({ status: 'failed', failure_reason: 'conversion_failed' });
    expect(done.attempts).toHaveLength(1);
  });

  it('a submit whose response was lost is reconciled by label, not sent twice', async () => {
    const to = freshNumber();
    await scenario('sinch', to, { loseResponse: true });
    const { key, job } = await sendVia(to);
    const done = await waitForStatus(job.id, key.token, ['success', 'failed'], 30_000);
    expect(done.status).toBe('success');
    expect(await submits(to)).toMatchObject({ faxes: 1 });
  });

  it('repeated FAX_COMPLETED callbacks leave one attempt and one completion event', async () => {
    const to = freshNumber();
    await scenario('sinch', to, { duplicateCallbacks: 2 });
    const { key, job } = await sendVia(to);
    await waitForStatus(job.id, key.token, ['success'], 20_000);
    await new Promise((r) => setTimeout(r, 800));
    expect(await sql(`select 1 from fax_events where job_id = $1 and type = 'fax.completed'`, [job.id])).toHaveLength(1);
    expect(await sql(`select 1 from fax_attempts where job_id = $1`, [job.id])).toHaveLength(1);
  });
});

describe('Sinch: callback security', () => {
  const url = () => `${workerUrl()}/callbacks/sinch`;
  const body = (id: string) => JSON.stringify({ event: 'FAX_COMPLETED', eventTime: new Date().toISOString(), fax: { id, direction: 'OUTBOUND', status: 'COMPLETED', labels: {} } });

  it('refuses a callback without credentials (401, WWW-Authenticate) and with wrong ones', async () => {
    const none = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: body('x1') });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await json(none)).error.code).toBe('invalid_credentials');
    const wrong = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(providers().sinch.callbackUsername, 'wrong-password') }, body: body('x2') });
    expect(wrong.status).toBe(401);
    const denied = await sql(`select details from audit_events where action = 'provider.callback' and actor_id = 'sinch' and outcome = 'denied' order by id desc limit 1`);
    expect(denied[0].details.reason).toBe('bad_credentials');
  });

  it('ignores an X-Sinch-Signature header: Sinch signs nothing, credentials decide', async () => {
    const res = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', 'x-sinch-signature': 'anything' }, body: body('x3') });
    expect(res.status).toBe(401);
  });

  it('acknowledges an authenticated callback about an unknown fax and audits it', async () => {
    const res = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', authorization: goodAuth() }, body: body('01UNKNOWNFAX000000000000000') });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ outcome: 'unknown_fax' });
  });

  it('answers 400 to an authenticated callback that is not a fax event', async () => {
    const res = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', authorization: goodAuth() }, body: '{"hello":1}' });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('invalid_callback');
  });
});

describe('Sinch: inbound', () => {
  const callbackUrl = () => {
    const u = new URL(`${workerUrl()}/callbacks/sinch`);
    u.username = providers().sinch.callbackUsername;
    u.password = providers().sinch.callbackPassword;
    return u.toString();
  };

  for (const contentType of ['multipart', 'json'] as const) {
    it(`stores an INCOMING_FAX (${contentType}) once despite repeated callbacks`, async () => {
      const to = freshNumber();
      const key = await providerKey('sinch', ['inbound:list', 'inbound:read']);
      await mapNumber(to, key.owner);
      const { id } = await control('sinch', '/inbound', { to, from: '+12125550177', pages: 1, includeFile: true, contentType, callbackUrl: callbackUrl(), duplicateCallbacks: 2 });
      await eventually(async () => (await control<any[]>('sinch', '/callbacks')).filter((c) => c.fax_id === id && c.status === 200).length >= 3, 20_000, 'callbacks');
      const list = await json(await api('/inbound', { key: key.token }));
      expect(list.data).toHaveLength(1);
      expect(list.data[0]).toMatchObject({ to, source: 'sinch', owner: key.owner });
    });
  }

  it('fetches the PDF by id when the callback carries none', async () => {
    const to = freshNumber();
    const key = await providerKey('sinch', ['inbound:list', 'inbound:read']);
    await mapNumber(to, key.owner);
    await control('sinch', '/inbound', { to, from: '+12125550176', pages: 1, includeFile: false, contentType: 'multipart', callbackUrl: callbackUrl() });
    const listed = await eventually(async () => {
      const list = await json(await api('/inbound', { key: key.token }));
      return list.data.length === 1 ? list.data[0] : null;
    }, 30_000, 'inbound stored');
    expect((await api(`/inbound/${listed.id}/pdf`, { key: key.token })).status).toBe(200);
  });
});
