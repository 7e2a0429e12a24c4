// Client webhooks end to end: endpoints per owner, events from the lifecycle's outbox delivered to a
// real receiver, verified with the `standardwebhooks` package unchanged; retries on the (scaled)
// schedule with the same webhook-id, Retry-After, 410, rotation with two signatures, the delivery
// log, redelivery and test events; and the security cases of the routes.
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, createKey, json, makePdf, sendFax, uniqueOwner, waitForStatus, workerUrl } from '../../support/api.ts';
import { control, eventually, freshNumber, mapNumber } from '../../support/provider-control.ts';
import { startReceiver, type Receiver } from '../../support/webhook-receiver.ts';

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

const jsonBody = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function setup(body: Record<string, unknown> = {}) {
  const owner = uniqueOwner('hooks');
  const admin = await createKey(['webhooks:manage'], owner);
  const sender = await createKey(['fax:send', 'fax:read'], owner);
  const res = await api('/webhooks', { method: 'POST', key: admin.token, ...jsonBody({ url: receiver.url, ...body }) });
  expect(res.status).toBe(201);
  const endpoint = await json(res);
  return { owner, admin, sender, endpoint };
}

const events = (type: string) => receiver.received.filter((r) => JSON.parse(r.body).type === type);

describe('webhook deliveries', () => {
  it('delivers fax.completed once, signed so that standardwebhooks verifies it unchanged', async () => {
    const { sender, endpoint } = await setup({ event_types: ['fax.completed'] });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{40,}={0,2}$/);
    // A number of its own: calls to one number go one at a time, suite-wide.
    const to = freshNumber();
    const job = await json(await sendFax(sender.token, { to, file: await makePdf(1), filename: 'a.pdf' }));
    await waitForStatus(job.id, sender.token, ['success'], 20_000);
    const got = await eventually(async () => events('fax.completed').find((r) => JSON.parse(r.body).data.fax_id === job.id), 30_000, 'fax.completed');
    const verified = new Webhook(endpoint.secret).verify(got.body, got.headers) as any;
    expect(verified).toMatchObject({ type: 'fax.completed', data: { fax_id: job.id, status: 'success', to: `***${to.slice(-4)}` } });
    expect(got.body).not.toContain(to.slice(1));
    expect(got.headers['webhook-id']).toMatch(/^msg_/);
    expect(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    await new Promise((r) => setTimeout(r, 500));
    expect(events('fax.completed').filter((r) => JSON.parse(r.body).data.fax_id === job.id)).toHaveLength(1);
    // Subscribed to fax.completed only.
    expect(receiver.received.every((r) => JSON.parse(r.body).type === 'fax.completed')).toBe(true);
  });

  it('announces a received fax (inbound.received) once, with the number masked', async () => {
    const { owner, endpoint } = await setup({ event_types: ['inbound.received'] });
    const to = freshNumber();
    await mapNumber(to, owner);
    await control('phaxio', '/inbound', { to, from: '+12125550155', pages: 2, includeFile: true, callbackUrl: `${workerUrl()}/callbacks/phaxio`, duplicateCallbacks: 1 });
    const got = await eventually(async () => events('inbound.received')[0], 30_000, 'inbound.received');
    const event = new Webhook(endpoint.secret).verify(got.body, got.headers) as any;
    expect(event.data).toMatchObject({ source: 'phaxio', pages: 2, to: `***${to.slice(-4)}` });
    expect(got.body).not.toContain(to.slice(1));
    await new Promise((r) => setTimeout(r, 800));
    expect(events('inbound.received')).toHaveLength(1);
  });

  it('delivers fax.attempt_failed with next_attempt_at while a job waits to retry', async () => {
    const { sender } = await setup({ event_types: ['fax.attempt_failed'] });
    // Sandbox test number: busy, then delivered on the retry (docs/api.md, sandbox test numbers).
    const job = await json(await sendFax(sender.token, { to: '+15555550196', file: await makePdf(1), filename: 'a.pdf' }));
    const got = await eventually(async () => events('fax.attempt_failed').find((r) => JSON.parse(r.body).data.fax_id === job.id), 30_000, 'fax.attempt_failed');
    expect(JSON.parse(got.body).data).toMatchObject({ status: 'queued', failure_reason: 'busy' });
    expect(JSON.parse(got.body).data.next_attempt_at).toMatch(/Z$/);
  });

  it('retries failures on the schedule with the same webhook-id, and logs each attempt', async () => {
    const { admin, endpoint } = await setup();
    receiver.script.push({ status: 500, body: 'x'.repeat(5000) }, { status: 302, headers: { location: 'http://127.0.0.1:1/' } });
    expect((await api(`/webhooks/${endpoint.id}/test`, { method: 'POST', key: admin.token })).status).toBe(202);
    await eventually(async () => (receiver.received.length >= 3 ? true : null), 30_000, 'three attempts');
    const ids = new Set(receiver.received.slice(0, 3).map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    // Scaled schedule (WEBHOOK_RETRY_SCALE=0.001): 0, 5 ms, 300 ms.
    expect(receiver.received[2]!.at - receiver.received[1]!.at).toBeGreaterThanOrEqual(250);
    const log = await eventually(async () => {
      const l = await json(await api(`/webhooks/${endpoint.id}/deliveries`, { key: admin.token }));
      return l.data[0]?.status === 'delivered' ? l : null;
    }, 20_000, 'delivered in the log');
    expect(log.data[0]).toMatchObject({ event_type: 'webhook.test', attempts: 3, response_status: 204 });
  });

  it('keeps at most 1 KB of a failed answer in the log', async () => {
    const { admin, endpoint } = await setup();
    receiver.script.push({ status: 500, body: 'y'.repeat(5000) });
    await api(`/webhooks/${endpoint.id}/test`, { method: 'POST', key: admin.token });
    const entry = await eventually(async () => {
      const l = await json(await api(`/webhooks/${endpoint.id}/deliveries`, { key: admin.token }));
      return l.data[0]?.attempts >= 1 ? l.data[0] : null;
    }, 20_000, 'first attempt logged');
    if (entry.response_status === 500) expect(entry.response_body.length).toBeLessThanOrEqual(1024);
  });

  it('honours Retry-After on 503', async () => {
    const { admin, endpoint } = await setup();
    receiver.script.push({ status: 503, headers: { 'retry-after': '2' } });
    await api(`/webhooks/${endpoint.id}/test`, { method: 'POST', key: admin.token });
    await eventually(async () => (receiver.received.length >= 2 ? true : null), 30_000, 'retry');
    expect(receiver.received[1]!.at - receiver.received[0]!.at).toBeGreaterThanOrEqual(1900);
  });

  it('410 Gone disables the endpoint, audited', async () => {
    const { admin, endpoint } = await setup();
    receiver.script.push({ status: 410 });
    await api(`/webhooks/${endpoint.id}/test`, { method: 'POST', key: admin.token });
    const disabled = await eventually(async () => {
      const e = await json(await api(`/webhooks/${endpoint.id}`, { key: admin.token }));
      return e.enabled === false ? e : null;
    }, 20_000, 'disabled');
    expect(disabled.disabled_reason).toBe('gone');
    const enabled = await json(await api(`/webhooks/${endpoint.id}`, { method: 'PATCH', key: admin.token, ...jsonBody({ enabled: true }) }));
    expect(enabled).toMatchObject({ enabled: true, disabled_reason: null });
  });

  it('after a rotation signs with both secrets; each verifies', async () => {
    const { admin, endpoint } = await setup();
    const rotated = await json(await api(`/webhooks/${endpoint.id}/rotate`, { method: 'POST', key: admin.token, ...jsonBody({ grace_seconds: 3600 }) }));
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(rotated.previous_secret_expires_at).not.toBeNull();
    await api(`/webhooks/${endpoint.id}/test`, { method: 'POST', key: admin.token });
    const got = await eventually(async () => receiver.received[0], 20_000, 'test event');
    expect(got.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(rotated.secret).verify(got.body, got.headers)).toMatchObject({ type: 'webhook.test' });
    expect(new Webhook(endpoint.secret).verify(got.body, got.headers)).toMatchObject({ type: 'webhook.test' });
  });

  it('redelivers a delivery with the same webhook-id', async () => {
    const { admin, endpoint } = await setup();
    await api(`/webhooks/${endpoint.id}/test`, { method: 'POST', key: admin.token });
    await eventually(async () => receiver.received[0], 20_000, 'first');
    const log = await eventually(async () => {
      const l = await json(await api(`/webhooks/${endpoint.id}/deliveries`, { key: admin.token }));
      return l.data[0]?.status === 'delivered' ? l : null;
    }, 20_000, 'delivered');
    const res = await api(`/webhooks/${endpoint.id}/deliveries/${log.data[0].id}/redeliver`, { method: 'POST', key: admin.token });
    expect(res.status).toBe(202);
    await eventually(async () => receiver.received[1], 20_000, 'redelivery');
    expect(receiver.received[1]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id']);
  });
});

describe('webhook endpoints: errors and security', () => {
  it('shows the secret only at creation, never in reads', async () => {
    const { admin, endpoint } = await setup();
    const read = await json(await api(`/webhooks/${endpoint.id}`, { key: admin.token }));
    expect(read.secret).toBeUndefined();
    const list = await json(await api('/webhooks', { key: admin.token }));
    expect(JSON.stringify(list)).not.toContain(endpoint.secret);
  });

  it('refuses a bad URL and unknown event types with 400', async () => {
    const { admin } = await setup();
    for (const body of [{ url: 'ftp://example.org/x' }, { url: 'not a url' }, { url: 'https://user:pw@example.org/' }, { url: receiver.url, event_types: ['fax.everything'] }]) {
      const res = await api('/webhooks', { method: 'POST', key: admin.token, ...jsonBody(body) });
      expect(res.status).toBe(400);
      expect(['invalid_webhook_url', 'invalid_request']).toContain((await json(res)).error.code);
    }
  });

  it('needs webhooks:manage, and another owner sees 404', async () => {
    const { endpoint } = await setup();
    const noScope = await createKey(['fax:send']);
    expect((await api('/webhooks', { key: noScope.token })).status).toBe(403);
    const other = await createKey(['webhooks:manage']);
    for (const [method, path] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/rotate'], ['POST', '/test'], ['GET', '/deliveries']] as const) {
      const res = await api(`/webhooks/${endpoint.id}${path}`, { method, key: other.token, ...(method === 'PATCH' ? jsonBody({ enabled: false }) : {}) });
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe('webhook_not_found');
    }
    expect((await json(await api('/webhooks', { key: other.token }))).data).toEqual([]);
  });

  it('deletes an endpoint (204), after which it is gone', async () => {
    const { admin, endpoint } = await setup();
    expect((await api(`/webhooks/${endpoint.id}`, { method: 'DELETE', key: admin.token })).status).toBe(204);
    expect((await api(`/webhooks/${endpoint.id}`, { key: admin.token })).status).toBe(404);
  });

  it('answers 404 delivery_not_found for an unknown delivery', async () => {
    const { admin, endpoint } = await setup();
    const res = await api(`/webhooks/${endpoint.id}/deliveries/whd_nope/redeliver`, { method: 'POST', key: admin.token });
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('delivery_not_found');
  });
});
