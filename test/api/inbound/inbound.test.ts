// Inbound faxes: agent upload (idempotent by Uniqueid), owner mapping, GET /inbound, /inbound/:id
// and its PDF — happy, error and security cases.
import { describe, expect, it } from 'vitest';
import { api, createKey, json, uniqueOwner, workerUrl } from '../../support/api.ts';
import { createTestAgent, uploadInbound } from '../../support/agents.ts';

let seq = 0;
const uid = () => `1700000000.${process.pid}${Date.now() % 100000}${seq++}`;
const number = () => `+1555555${String(2000 + (Date.now() % 7000) + seq++).slice(-4)}`;

async function mapNumber(to: string, owner: string) {
  const res = await api(`/admin/inbound-numbers/${encodeURIComponent(to)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ owner }) });
  expect(res.status).toBe(200);
}

describe('POST /agent/inbound', () => {
  it('stores a fax once although the upload is retried', async () => {
    const agent = await createTestAgent();
    const owner = uniqueOwner('radiology');
    const to = number();
    await mapNumber(to, owner);
    const u = uid();
    const first = await uploadInbound(agent.token, { uniqueid: u, from: '+15555550111', to, pages: 2 });
    expect(first.status).toBe(201);
    const a = await json(first);
    const retry = await uploadInbound(agent.token, { uniqueid: u, from: '+15555550111', to, pages: 2 });
    expect(retry.status).toBe(200);
    expect(await json(retry)).toMatchObject({ id: a.id, duplicate: true });
    const key = await createKey(['inbound:list', 'inbound:read'], owner);
    const list = await json(await api('/inbound', { key: key.token }));
    expect(list.data.map((f: { id: string }) => f.id)).toEqual([a.id]);
    expect(list.data[0]).toMatchObject({ owner, to, from: '+15555550111', pages: 2 });
    const pdf = await api(`/inbound/${a.id}/pdf`, { key: key.token });
    expect(pdf.status).toBe(200);
    expect(new TextDecoder().decode((await pdf.arrayBuffer()).slice(0, 5))).toBe('%PDF-');
    const signed = list.data[0].pdf_url as string;
    const viaLink = await fetch(`${workerUrl()}${new URL(signed).pathname}${new URL(signed).search}`);
    expect(viaLink.status).toBe(200);
  });

  it('refuses uploads without a valid agent token, non-PDFs and bad metadata', async () => {
    const agent = await createTestAgent();
    const none = await uploadInbound(null, { uniqueid: uid() });
    expect(none.status).toBe(401);
    expect((await json(none)).error.code).toBe('missing_agent_token');
    const bad = await uploadInbound('fba_aaaaaaaaaaaaaaaa_' + 'A'.repeat(43), { uniqueid: uid() });
    expect((await json(bad)).error.code).toBe('invalid_agent_token');
    // An API key is not an agent token.
    const apiKey = await createKey(['inbound:list']);
    expect((await uploadInbound(apiKey.token, { uniqueid: uid() })).status).toBe(401);
    const png = await uploadInbound(agent.token, { uniqueid: uid(), file: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) });
    expect(png.status).toBe(415);
    const badId = await uploadInbound(agent.token, { uniqueid: 'has spaces; drop' });
    expect(badId.status).toBe(400);
    const badDate = await uploadInbound(agent.token, { uniqueid: uid(), received_at: 'yesterday' });
    expect(badDate.status).toBe(400);
  });
});

describe('GET /inbound and /inbound/:id', () => {
  it("shows each owner only its faxes; unassigned ones only to admins", async () => {
    const agent = await createTestAgent();
    const ownerA = uniqueOwner('cardio');
    const toA = number();
    await mapNumber(toA, ownerA);
    const fa = await json(await uploadInbound(agent.token, { uniqueid: uid(), to: toA }));
    const unassigned = await json(await uploadInbound(agent.token, { uniqueid: uid(), to: number() }));
    const keyA = await createKey(['inbound:list', 'inbound:read'], ownerA);
    const keyB = await createKey(['inbound:list', 'inbound:read']);
    expect((await api(`/inbound/${fa.id}`, { key: keyA.token })).status).toBe(200);
    expect((await api(`/inbound/${fa.id}`, { key: keyB.token })).status).toBe(404);
    expect((await api(`/inbound/${fa.id}/pdf`, { key: keyB.token })).status).toBe(404);
    expect((await api(`/inbound/${unassigned.id}`, { key: keyA.token })).status).toBe(404);
    const admin = await json(await api(`/inbound/${unassigned.id}`));
    expect(admin.owner).toBeNull();
    const listB = await json(await api('/inbound', { key: keyB.token }));
    expect(listB.data).toEqual([]);
  });

  it('gives a document link only to a key that may read the document (inbound:read)', async () => {
    const agent = await createTestAgent();
    const owner = uniqueOwner('lab');
    const to = number();
    await mapNumber(to, owner);
    const fax = await json(await uploadInbound(agent.token, { uniqueid: uid(), to }));
    const lister = await createKey(['inbound:list'], owner);
    const listed = await json(await api('/inbound', { key: lister.token }));
    expect(listed.data.map((f: { id: string }) => f.id)).toEqual([fax.id]);
    expect(listed.data[0]).toMatchObject({ pdf_url: null, pdf_url_expires_at: null });
    expect(JSON.stringify(listed)).not.toContain('/pdf');
    const both = await createKey(['inbound:list', 'inbound:read'], owner);
    const full = await json(await api('/inbound', { key: both.token }));
    expect(full.data[0].pdf_url).toMatch(new RegExp(`/inbound/${fax.id}/pdf\\?`));
  });

  it('needs the inbound scopes and rejects bad queries', async () => {
    const sender = await createKey(['fax:send', 'fax:read']);
    expect((await api('/inbound', { key: sender.token })).status).toBe(403);
    expect((await api('/inbound', { key: null })).status).toBe(401);
    const lister = await createKey(['inbound:list']);
    expect((await api('/inbound/inb_000000000000000000000000', { key: lister.token })).status).toBe(403);
    expect((await api('/inbound?limit=0', { key: lister.token })).status).toBe(400);
    expect((await api('/inbound?cursor=zzz', { key: lister.token })).status).toBe(400);
    const reader = await createKey(['inbound:read']);
    expect((await api('/inbound/inb_000000000000000000000000', { key: reader.token })).status).toBe(404);
    expect((await api('/inbound/inb_000000000000000000000000/pdf?token=abc&expires=1', { key: null })).status).toBe(401);
  });
});

describe('/admin/inbound-numbers', () => {
  it('maps, lists and deletes numbers; validates input; needs keys:manage', async () => {
    const to = number();
    await mapNumber(to, 'lab');
    const list = await json(await api('/admin/inbound-numbers'));
    expect(list.data).toContainEqual(expect.objectContaining({ number: to, owner: 'lab' }));
    expect((await api(`/admin/inbound-numbers/${encodeURIComponent(to)}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api(`/admin/inbound-numbers/${encodeURIComponent(to)}`, { method: 'DELETE' })).status).toBe(404);
    expect((await api('/admin/inbound-numbers/abc', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"owner":"x"}' })).status).toBe(400);
    const reader = await createKey(['inbound:list']);
    expect((await api('/admin/inbound-numbers', { key: reader.token })).status).toBe(403);
  });
});
