// GET /admin/audit (happy paths): what sending a fax and managing keys records, and the filters
// and cursor pagination over the trail. Each test uses its own keys, so filters by actor or
// resource id isolate it from the rest of the suite sharing the database.
import { describe, expect, it } from 'vitest';
import { api, createKey, json, makePdf, sendFax, waitForStatus } from '../../support/api.ts';
import { auditAll, auditPage, type AuditEntry } from './helpers.ts';

const postJson = (path: string, body: unknown, key?: string) =>
  api(path, { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('GET /admin/audit records fax sends', () => {
  it('fax.send: job id as resource, the key as actor, the number masked to its last 4 digits and nowhere in full', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const number = '+15555550123';
    const sent = await sendFax(key.token, { to: number, file: await makePdf(2) });
    expect(sent.status).toBe(202);
    const requestId = sent.headers.get('x-request-id');
    const job = await json(sent);

    const page = await auditPage({ action: 'fax.send', resource_id: job.id });
    expect(page.data).toHaveLength(1);
    const e = page.data[0]!;
    expect(e).toMatchObject({
      actor_type: 'api_key',
      actor_id: key.id,
      action: 'fax.send',
      resource_type: 'fax_job',
      resource_id: job.id,
      outcome: 'success',
      request_id: requestId,
    });
    expect(e.details).toEqual({ status: 'queued', to: '***0123', pages: 2, source_type: 'pdf', backend: 'sandbox' });
    expect(Number.isNaN(Date.parse(e.occurred_at))).toBe(false);

    // The sandbox completes the call; its event names the same job.
    await waitForStatus(job.id, key.token, ['success', 'failed']);
    const all = await auditAll({ resource_id: job.id });
    expect(all.data.map((x) => x.action)).toEqual(expect.arrayContaining(['fax.send', 'fax.complete']));
    const complete = all.data.find((x) => x.action === 'fax.complete')!;
    expect(complete).toMatchObject({ actor_type: 'system', resource_type: 'fax_job', resource_id: job.id });

    const byActor = await auditAll({ actor_id: key.id });
    for (const text of [page.text, all.text, byActor.text]) {
      expect(text).not.toContain('5555550123');
      expect(text).not.toContain('555-555-0123');
      expect(text).not.toContain(key.token);
    }
  });

  it('fax.document.read and fax.cancel are recorded against the job', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const job = await json(await sendFax(key.token, { to: '+15555550124', file: await makePdf(1) }));
    await (await api(`/fax/${job.id}/pdf`, { key: key.token })).arrayBuffer();
    await (await api(`/fax/${job.id}/cancel`, { method: 'POST', key: key.token })).arrayBuffer();
    const { data } = await auditAll({ resource_id: job.id, actor_id: key.id });
    const actions = data.map((x) => x.action);
    expect(actions).toEqual(expect.arrayContaining(['fax.send', 'fax.document.read', 'fax.cancel']));
    expect(data.find((x) => x.action === 'fax.document.read')!.details).toEqual({ via: 'api_key' });
  });
});

describe('GET /admin/audit records key management', () => {
  it('create, rotate and revoke, with the acting admin key as actor and no token anywhere', async () => {
    const admin = await createKey(['keys:manage']);
    const created = await postJson('/admin/api-keys', { name: 'audited', owner: 'audit-dept', scopes: ['fax:read'] }, admin.token);
    expect(created.status).toBe(201);
    const key = await json(created);
    const rotated = await json(await postJson(`/admin/api-keys/${key.id}/rotate`, { grace_seconds: 30 }, admin.token));
    const revoked = await api(`/admin/api-keys/${key.id}`, { method: 'DELETE', key: admin.token });
    expect(revoked.status).toBe(200);

    const { data, text } = await auditAll({ resource_id: key.id });
    const byAction = (a: string) => data.filter((x) => x.action === a);
    expect(data.map((x) => x.action)).toEqual(['api_key.revoke', 'api_key.rotate', 'api_key.create']); // newest first
    for (const e of data) {
      expect(e).toMatchObject({ actor_type: 'api_key', actor_id: admin.id, resource_type: 'api_key', resource_id: key.id, outcome: 'success' });
    }
    expect(byAction('api_key.create')[0]!.details).toEqual({ owner: 'audit-dept', scopes: ['fax:read'] });
    expect(byAction('api_key.rotate')[0]!.details).toEqual({ grace_seconds: 30 });
    for (const token of [key.token, rotated.token, admin.token]) {
      expect(token).toMatch(/^fbk_/);
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.slice(-43)); // nor the secret part alone
    }
  });

  it('the bootstrap key acts as actor_type bootstrap', async () => {
    const key = await createKey(['fax:read']);
    const { data } = await auditAll({ resource_id: key.id, action: 'api_key.create' });
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ actor_type: 'bootstrap', actor_id: 'bootstrap' });
  });
});

describe('GET /admin/audit filters and pagination', () => {
  /** An admin key that creates `n` keys and revokes the last: n + 1 events with it as actor. */
  async function trail(n: number) {
    const admin = await createKey(['keys:manage']);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await postJson('/admin/api-keys', { name: `k${i}`, owner: admin.owner, scopes: ['fax:read'] }, admin.token);
      ids.push((await json(res)).id);
    }
    expect((await api(`/admin/api-keys/${ids.at(-1)}`, { method: 'DELETE', key: admin.token })).status).toBe(200);
    return { admin, ids };
  }

  it('actor_id returns exactly that actor’s events, newest first', async () => {
    const { admin, ids } = await trail(3);
    const { data } = await auditAll({ actor_id: admin.id });
    expect(data.map((x) => x.action)).toEqual(['api_key.revoke', 'api_key.create', 'api_key.create', 'api_key.create']);
    expect(data.map((x) => x.resource_id)).toEqual([ids[2], ids[2], ids[1], ids[0]]);
    expect(data.every((x) => x.actor_id === admin.id)).toBe(true);
    const eventIds = data.map((x) => x.id);
    expect([...eventIds].sort((a, b) => b - a)).toEqual(eventIds);
  });

  it('action, resource_id and outcome narrow the result and combine', async () => {
    const { admin, ids } = await trail(2);
    const creates = await auditAll({ actor_id: admin.id, action: 'api_key.create' });
    expect(creates.data).toHaveLength(2);
    const revokes = await auditAll({ actor_id: admin.id, action: 'api_key.revoke' });
    expect(revokes.data.map((x) => x.resource_id)).toEqual([ids[1]]);
    const one = await auditAll({ resource_id: ids[0]!, action: 'api_key.create' });
    expect(one.data.map((x) => x.resource_id)).toEqual([ids[0]]);
    expect((await auditAll({ actor_id: admin.id, outcome: 'success' })).data).toHaveLength(3);
    expect((await auditAll({ actor_id: admin.id, outcome: 'denied' })).data).toHaveLength(0);
    expect((await auditAll({ actor_id: admin.id, outcome: 'failure' })).data).toHaveLength(0);
    expect((await auditAll({ actor_id: admin.id, action: 'no.such.action' })).data).toHaveLength(0);
    // Only the global view (action filter alone) sees other actors too.
    const global = await auditPage({ action: 'api_key.create', limit: 200 });
    expect(global.data.every((x) => x.action === 'api_key.create')).toBe(true);
  });

  it('since / until bound occurred_at (inclusive) and accept offsets', async () => {
    const before = new Date(Date.now() - 60_000);
    const { admin } = await trail(1);
    const after = new Date(Date.now() + 60_000);
    const all = await auditAll({ actor_id: admin.id });
    expect(all.data).toHaveLength(2);
    const inWindow = await auditAll({ actor_id: admin.id, since: before.toISOString(), until: after.toISOString() });
    expect(inWindow.data.map((x) => x.id)).toEqual(all.data.map((x) => x.id));
    expect((await auditAll({ actor_id: admin.id, since: after.toISOString() })).data).toHaveLength(0);
    expect((await auditAll({ actor_id: admin.id, until: before.toISOString() })).data).toHaveLength(0);
    // The same instant written with a +02:00 offset.
    const shifted = new Date(before.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect((await auditAll({ actor_id: admin.id, since: shifted })).data).toHaveLength(2);
  });

  it('since / until equal to an event’s own occurred_at include that event (both bounds inclusive)', async () => {
    // occurred_at is shown with millisecond precision; a real PostgreSQL stores microseconds, so
    // this catches an `until` that silently excludes the very event it was copied from.
    const { admin } = await trail(1);
    const { data } = await auditAll({ actor_id: admin.id });
    for (const e of data) {
      const exact = await auditAll({ actor_id: admin.id, since: e.occurred_at, until: e.occurred_at });
      expect(exact.data.map((x) => x.id), `event ${e.id} at ${e.occurred_at}`).toContain(e.id);
      const upTo = await auditAll({ actor_id: admin.id, until: e.occurred_at });
      expect(upTo.data.map((x) => x.id), `until=${e.occurred_at}`).toContain(e.id);
    }
  });

  it('cursor pagination walks every event once, in order, and ends with next_cursor null', async () => {
    const { admin } = await trail(4); // 5 events
    const seen: AuditEntry[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page = await auditPage({ actor_id: admin.id, limit: 2, ...(cursor ? { cursor } : {}) });
      sizes.push(page.data.length);
      seen.push(...page.data);
      cursor = page.next_cursor;
      if (!cursor) break;
      expect(cursor).toBe(String(page.data.at(-1)!.id));
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(cursor).toBeNull();
    const full = await auditPage({ actor_id: admin.id, limit: 200 });
    expect(full.next_cursor).toBeNull();
    expect(seen.map((x) => x.id)).toEqual(full.data.map((x) => x.id));
    expect(new Set(seen.map((x) => x.id)).size).toBe(5);
  });

  it('an exact multiple of the page size ends with next_cursor null, not an empty page', async () => {
    const { admin } = await trail(3); // 4 events
    const p1 = await auditPage({ actor_id: admin.id, limit: 2 });
    expect(p1.next_cursor).not.toBeNull();
    const p2 = await auditPage({ actor_id: admin.id, limit: 2, cursor: p1.next_cursor! });
    expect(p2.data).toHaveLength(2);
    expect(p2.next_cursor).toBeNull();
  });

  it('defaults to 50 entries and allows up to 200', async () => {
    const def = await auditPage();
    expect(def.data.length).toBeLessThanOrEqual(50);
    const max = await auditPage({ limit: 200 });
    expect(max.data.length).toBeLessThanOrEqual(200);
    expect(max.data.length).toBeGreaterThanOrEqual(def.data.length);
  });
});
