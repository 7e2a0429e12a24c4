// Webhook delivery guarantees against the real database and a real receiver:
// - property: for any interleaving of outbox events, concurrent fan-outs (ours and the suite
//   worker's own scheduler, on the same tables) and receiver failures, every event is recorded
//   exactly once per subscribed endpoint and delivered to it at least once;
// - a dispatcher that crashes after sending and before recording sends again with the same
//   webhook-id, and records the delivery once.
import fc from 'fast-check';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../../worker/db/client.ts';
import { webhookDeliveries, webhookEndpoints } from '../../../worker/db/schema.ts';
import { DisabledAuditLog } from '../../../worker/services/audit-log.ts';
import { deliverOnce } from '../../../worker/webhooks/deliver.ts';
import { fanOutWebhooks } from '../../../worker/webhooks/fan-out.ts';
import { sealSecret } from '../../../worker/webhooks/secret-box.ts';
import { newWebhookSecret } from '../../../worker/webhooks/signing.ts';
import { startReceiver, type Receiver } from '../../support/webhook-receiver.ts';
import { eventually } from '../../support/provider-control.ts';

const handle = openDatabase(inject('databaseUrl'), inject('stackVars').DATABASE_WS_PROXY);
const db = () => handle.db;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await handle.close();
});

const MASTER = 'test-pdf-token-secret-0123456789abcdef';
let seq = 0;

async function endpoint(owner: string, eventTypes: string[]) {
  const secret = newWebhookSecret();
  const [row] = await db()
    .insert(webhookEndpoints)
    .values({ id: `whe_prop${String(process.pid).padStart(8, '0')}${String(seq++).padStart(12, '0')}`, owner, url: receiver.url, eventTypes, enabled: true, secretCiphertext: await sealSecret(MASTER, secret), createdBy: 'test' })
    .returning();
  return row!;
}

const TYPES = ['fax.completed', 'fax.attempt_failed', 'fax.queued', 'fax.attempt_started'] as const;
type Op = { kind: 'event'; type: (typeof TYPES)[number] } | { kind: 'fanout'; parallel: number } | { kind: 'fail'; n: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom(...TYPES).map((type) => ({ kind: 'event' as const, type })),
  fc.integer({ min: 1, max: 3 }).map((parallel) => ({ kind: 'fanout' as const, parallel })),
  fc.integer({ min: 1, max: 2 }).map((n) => ({ kind: 'fail' as const, n })),
);

describe('webhook fan-out and delivery (property)', () => {
  it('records each event once per subscribed endpoint and delivers it at least once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        receiver.script.length = 0;
        const owner = `prop-${process.pid}-${seq++}`;
        const all = await endpoint(owner, []);
        const completedOnly = await endpoint(owner, ['fax.completed']);
        const eventIds: Array<{ id: number; type: string }> = [];
        for (const o of ops) {
          if (o.kind === 'event') {
            const rows = await db().execute(sql`insert into fax_events (job_id, owner, type, payload, created_at) values (${`fax_prop_${seq++}`}, ${owner}, ${o.type}, ${JSON.stringify({ type: o.type, fax_id: 'fax_prop', status: 'success' })}::jsonb, now()) returning id`);
            eventIds.push({ id: Number((rows as unknown as { rows: Array<{ id: number }> }).rows[0]!.id), type: o.type });
          } else if (o.kind === 'fanout') {
            await Promise.all(Array.from({ length: o.parallel }, () => fanOutWebhooks(db())));
          } else if (receiver.script.length < 5) {
            // Fewer failures than the schedule's 8 attempts: each delivery must still get through.
            for (let i = 0; i < o.n; i++) receiver.script.push({ status: 500 });
          }
        }
        for (let i = 0; i < 10 && (await fanOutWebhooks(db())).more; i++);
        await fanOutWebhooks(db());
        const rows = await db().select().from(webhookDeliveries).where(inArray(webhookDeliveries.endpointId, [all.id, completedOnly.id]));
        const expected = [
          ...eventIds.filter((e) => e.type === 'fax.completed' || e.type === 'fax.attempt_failed').map((e) => `${all.id} fax_event:${e.id}`),
          ...eventIds.filter((e) => e.type === 'fax.completed').map((e) => `${completedOnly.id} fax_event:${e.id}`),
        ].sort();
        // Exactly once each: no missing, no duplicate, nothing unsubscribed.
        expect(rows.map((r) => `${r.endpointId} ${r.eventKey}`).sort()).toEqual(expected);
        // Deliver them (the suite worker's dispatchers may be doing the same: at least once overall).
        const secrets = [newWebhookSecret()];
        const ctx = { db: db(), audit: new DisabledAuditLog(), secrets, production: false, retryScale: 0.0001 };
        await eventually(async () => {
          const pending = await db().select().from(webhookDeliveries).where(inArray(webhookDeliveries.endpointId, [all.id, completedOnly.id]));
          for (const d of pending.filter((p) => p.status === 'pending')) {
            const ep = d.endpointId === all.id ? all : completedOnly;
            await deliverOnce(ctx, ep, d);
          }
          return pending.every((p) => p.status === 'delivered');
        }, 20_000, 'all delivered');
        const got = new Set(receiver.received.map((r) => r.headers['webhook-id']));
        for (const r of rows) expect(got.has(r.messageId)).toBe(true);
        await db().delete(webhookEndpoints).where(inArray(webhookEndpoints.id, [all.id, completedOnly.id]));
        receiver.script.length = 0;
      }),
      { numRuns: 12, interruptAfterTimeLimit: 60_000 },
    );
  }, 120_000);
});

describe('a crash between sending and recording', () => {
  it('sends again with the same webhook-id and records the delivery once', async () => {
    receiver.script.length = 0;
    const owner = `crash-${process.pid}-${seq++}`;
    const ep = await endpoint(owner, []);
    const [delivery] = await db()
      .insert(webhookDeliveries)
      .values({ id: `whd_crash${seq++}`, endpointId: ep.id, owner, eventKey: `test:crash${seq}`, messageId: `msg_crash_${seq}`, eventType: 'webhook.test', payload: { type: 'webhook.test', data: {} }, status: 'pending', nextAttemptAt: new Date() })
      .returning();
    const before = receiver.received.length;
    // The record statement fails after the POST went out (the process dies there).
    const crashing = new Proxy(db() as object, {
      get(target, prop, recv) {
        if (prop === 'update') return () => { throw new Error('injected crash'); };
        const v = Reflect.get(target, prop, recv);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as Database;
    const secrets = [newWebhookSecret()];
    await expect(deliverOnce({ db: crashing, audit: new DisabledAuditLog(), secrets, production: false, retryScale: 1 }, ep, delivery!)).rejects.toThrow('injected crash');
    const still = (await db().select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery!.id)))[0]!;
    expect(still).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await deliverOnce({ db: db(), audit: new DisabledAuditLog(), secrets, production: false, retryScale: 1 }, ep, still)).toBe('delivered');
    const sent = receiver.received.slice(before).filter((r) => r.headers['webhook-id'] === delivery!.messageId);
    expect(sent).toHaveLength(2);
    const done = (await db().select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery!.id)))[0]!;
    expect(done).toMatchObject({ status: 'delivered', attempts: 1 });
    // Recording is conditional on the attempt read: a second recorder of the same attempt changes nothing.
    expect(await deliverOnce({ db: db(), audit: new DisabledAuditLog(), secrets, production: false, retryScale: 1 }, ep, still)).toBe('skipped');
    await db().delete(webhookEndpoints).where(eq(webhookEndpoints.id, ep.id));
  });
});

describe('an endpoint failing for 5 days', () => {
  it('is disabled and audited at its next failure', async () => {
    receiver.script.length = 0;
    const owner = `failing-${process.pid}-${seq++}`;
    const ep = await endpoint(owner, []);
    await db().update(webhookEndpoints).set({ failingSince: new Date(Date.now() - 5 * 24 * 3600_000 - 60_000) }).where(eq(webhookEndpoints.id, ep.id));
    const failingEp = (await db().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, ep.id)))[0]!;
    const [delivery] = await db()
      .insert(webhookDeliveries)
      .values({ id: `whd_fail${seq++}`, endpointId: ep.id, owner, eventKey: `test:fail${seq}`, messageId: `msg_fail_${seq}`, eventType: 'webhook.test', payload: { type: 'webhook.test', data: {} }, status: 'pending', nextAttemptAt: new Date() })
      .returning();
    receiver.script.push({ status: 500 });
    const audit = { events: [] as unknown[], record: async (e: unknown) => void audit.events.push(e) };
    expect(await deliverOnce({ db: db(), audit, secrets: [newWebhookSecret()], production: false, retryScale: 1 }, failingEp, delivery!)).toBe('retry');
    const after = (await db().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, ep.id)))[0]!;
    expect(after).toMatchObject({ enabled: false, disabledReason: 'failing_5_days' });
    expect(audit.events).toEqual([expect.objectContaining({ action: 'webhook.disable', details: expect.objectContaining({ reason: 'failing_5_days' }) })]);
    await db().delete(webhookEndpoints).where(eq(webhookEndpoints.id, ep.id));
  });
});
