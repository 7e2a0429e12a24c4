// The edge side of the agent protocol, driven by a raw WebSocket client speaking the protocol:
// connect, hello, offer, accept, dial grant, result; reconnect reconciliation; token revocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PDFDocument } from 'pdf-lib';
import { encodeMessage, HEARTBEAT_PING, HEARTBEAT_PONG, INLINE_DOCUMENT_FEATURE, INLINE_DOCUMENT_MAX_BYTES, parseEdgeMessage, type EdgeMessage } from '../../../shared/agent-protocol.ts';
import { json, makePdf } from '../../support/api.ts';
import { startCustomWorker, TEST_SECRETS, type CustomWorker } from '../../support/custom-worker.ts';

let worker: CustomWorker;
const admin = () => ({ authorization: `Bearer ${TEST_SECRETS.API_KEY}` });

beforeAll(async () => {
  // Its own database: no job another test file left queued can be offered here.
  worker = await startCustomWorker(
    { FAX_BACKEND: 'sip', AGENT_HEARTBEAT_SECONDS: '1', AGENT_RECONNECT_GRACE_SECONDS: '1', AGENT_LOST_CALL_SECONDS: '1', AGENT_OFFER_TIMEOUT_SECONDS: '2' },
    { isolated: true },
  );
});
afterAll(async () => worker?.stop());

/** SIP jobs and agents of this file use their own site, so agents of other test files never take them. */
const SITE = 'hub-protocol-test';

async function createAgent(site = SITE) {
  const res = await fetch(`${worker.url}/admin/agents`, {
    method: 'POST',
    headers: { ...admin(), 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'test agent', max_channels: 2, ...(site ? { site } : {}) }),
  });
  expect(res.status).toBe(201);
  return json(res);
}

class AgentSocket {
  readonly messages: EdgeMessage[] = [];
  private waiters: Array<() => void> = [];
  closed: { code: number } | null = null;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      if (text === HEARTBEAT_PONG) return;
      const parsed = parseEdgeMessage(text);
      if (parsed.ok) this.messages.push(parsed.message);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code) => {
      this.closed = { code };
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async open(token: string): Promise<AgentSocket> {
    const ws = new WebSocket(`${worker.url.replace('http', 'ws')}/agent/connect`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return new AgentSocket(ws);
  }
  send(msg: Parameters<typeof encodeMessage>[0]) {
    this.ws.send(encodeMessage(msg));
  }
  async next<T extends EdgeMessage['type']>(type: T, timeoutMs = 8000): Promise<Extract<EdgeMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m) => m.type === type);
      if (i >= 0) return this.messages.splice(i, 1)[0] as Extract<EdgeMessage, { type: T }>;
      if (Date.now() > deadline) throw new Error(`no ${type} within ${timeoutMs} ms; got ${this.messages.map((m) => m.type).join(',')}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
  hello(inFlight: unknown[] = [], features = ['sendfax']) {
    this.send({ type: 'hello', agentVersion: 'test-1', capabilities: { maxChannels: 2, features }, inFlight: inFlight as never });
  }
}

async function sendFaxWith(pdf: Uint8Array, to: string, site: string) {
  const form = new FormData();
  form.set('to', to);
  form.set('site', site);
  form.set('file', new Blob([pdf]), 'a.pdf');
  const res = await fetch(`${worker.url}/fax`, { method: 'POST', headers: admin(), body: form });
  expect(res.status).toBe(202);
  return json(res);
}

async function sendFax(key: string, to = '+15555550190') {
  const form = new FormData();
  form.set('to', to);
  form.set('site', SITE);
  form.set('file', new Blob([new Uint8Array(await makePdf(1))]), 'a.pdf');
  const res = await fetch(`${worker.url}/fax`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
  expect(res.status).toBe(202);
  return json(res);
}

async function job(id: string) {
  return json(await fetch(`${worker.url}/fax/${id}`, { headers: admin() }));
}

describe('agent hub', () => {
  it('refuses the upgrade without a valid agent token', async () => {
    await expect(AgentSocket.open('fba_aaaaaaaaaaaaaaaa_' + 'A'.repeat(43))).rejects.toThrow(/401/);
  });

  it('offers a queued job, grants the dial once, records the result', async () => {
    const agent = await createAgent();
    const queued = await sendFax(TEST_SECRETS.API_KEY);
    const sock = await AgentSocket.open(agent.token);
    const welcome = await sock.next('welcome');
    expect(welcome.agentId).toBe(agent.id);
    sock.ws.send(HEARTBEAT_PING);
    sock.hello();
    const offer = await sock.next('offer');
    expect(offer.jobId).toBe(queued.id);
    expect(offer.to).toBe('+15555550190');
    const doc = await fetch(offer.documentUrl.replace(/^https?:\/\/[^/]+/, worker.url));
    expect(doc.status).toBe(200);
    sock.send({ type: 'accept', jobId: offer.jobId, offerId: offer.offerId });
    sock.send({ type: 'progress', jobId: offer.jobId, offerId: offer.offerId, stage: 'dialing' });
    await sock.next('dial_ok');
    expect((await job(offer.jobId)).status).toBe('in_progress');
    sock.send({ type: 'result', jobId: offer.jobId, offerId: offer.offerId, status: 'failed', reason: 'busy' });
    await sock.next('result_ack');
    // Busy is retried later (the default policy: after 3 minutes), as one attempt on record.
    const after = await job(offer.jobId);
    expect(after).toMatchObject({ status: 'queued', failure_reason: 'busy', attempts: [{ number: 1, result: 'failed', failure_reason: 'busy', agent_id: agent.id }] });
    expect(Date.parse(after.next_attempt_at) - Date.now()).toBeGreaterThan(120_000);
    sock.ws.close();
  });

  it('carries a small new document inside its first offer (the uploaded bytes, the read audited); a re-offer or a large one has only the link', async () => {
    const site = `${SITE}-inline`; // its refused jobs stay queued: out of the other tests' way
    const a = await createAgent(site);
    const sock = await AgentSocket.open(a.token);
    await sock.next('welcome');
    sock.hello([], ['sendfax', INLINE_DOCUMENT_FEATURE]);
    // The request wakes the agents its isolate saw free within the last second: be one of them.
    for (let i = 0; i < 50 && !(await json(await fetch(`${worker.url}/admin/agents`, { headers: admin() }))).data.some((x: any) => x.id === a.id && x.online); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1100));
    const pdf = new Uint8Array(await makePdf(2));
    const small = await sendFaxWith(pdf, '+15555550194', site);
    let offer = await sock.next('offer');
    while (offer.jobId !== small.id) offer = await sock.next('offer');
    expect(offer.document).toBeDefined();
    expect(new Uint8Array(Buffer.from(offer.document!, 'base64'))).toEqual(pdf);
    const linked = new Uint8Array(await (await fetch(offer.documentUrl.replace(/^https?:\/\/[^/]+/, worker.url))).arrayBuffer());
    expect(linked).toEqual(pdf);
    const reads = (await json(await fetch(`${worker.url}/admin/audit?action=fax.document.read&resource_id=${small.id}&limit=50`, { headers: admin() }))).data.filter((e: any) => e.resource_id === small.id);
    expect(reads.map((e: any) => e.details.via).sort()).toEqual(['offer', 'signed_url']);
    expect(reads.find((e: any) => e.details.via === 'offer')).toMatchObject({ actor_type: 'agent', actor_id: a.id, outcome: 'success' });
    // Refused: the next offer of the same job has the link only (the copy was taken once).
    sock.send({ type: 'reject', jobId: offer.jobId, offerId: offer.offerId, reason: 'no_free_channel' });
    let again = await sock.next('offer');
    while (again.jobId !== small.id) again = await sock.next('offer');
    expect(again.offerId).not.toBe(offer.offerId);
    expect(again.document).toBeUndefined();
    sock.send({ type: 'reject', jobId: again.jobId, offerId: again.offerId, reason: 'no_free_channel' });
    // Over INLINE_DOCUMENT_MAX_BYTES: never inline.
    const large = await PDFDocument.load(pdf);
    for (let i = 1; i <= 5; i++) await large.attach(crypto.getRandomValues(new Uint8Array(64 * 1024)), `pad-${i}.bin`, { mimeType: 'application/octet-stream' });
    const bigPdf = await large.save();
    expect(bigPdf.byteLength).toBeGreaterThan(INLINE_DOCUMENT_MAX_BYTES);
    const big = await sendFaxWith(bigPdf, '+15555550195', site);
    let bigOffer = await sock.next('offer');
    while (bigOffer.jobId !== big.id) bigOffer = await sock.next('offer');
    expect(bigOffer.document).toBeUndefined();
    sock.send({ type: 'reject', jobId: bigOffer.jobId, offerId: bigOffer.offerId, reason: 'no_free_channel' });
    sock.ws.close();
  });

  it('sends no document to an agent whose hello does not ask for it', async () => {
    const site = `${SITE}-no-inline`;
    const a = await createAgent(site);
    const sock = await AgentSocket.open(a.token);
    await sock.next('welcome');
    sock.hello();
    for (let i = 0; i < 50 && !(await json(await fetch(`${worker.url}/admin/agents`, { headers: admin() }))).data.some((x: any) => x.id === a.id && x.online); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1100));
    const queued = await sendFaxWith(new Uint8Array(await makePdf(1)), '+15555550196', site);
    const offer = await sock.next('offer');
    expect(offer.jobId).toBe(queued.id);
    expect(offer.document).toBeUndefined();
    sock.send({ type: 'reject', jobId: offer.jobId, offerId: offer.offerId, reason: 'no_free_channel' });
    sock.ws.close();
  });

  it('re-offers a job whose agent vanished before dialling; one lost during the call ends unknown', async () => {
    const a = await createAgent();
    const first = await AgentSocket.open(a.token);
    first.hello();
    await first.next('welcome');
    const j1 = await sendFax(TEST_SECRETS.API_KEY, '+15555550191');
    const o1 = await first.next('offer');
    expect(o1.jobId).toBe(j1.id);
    first.send({ type: 'accept', jobId: o1.jobId, offerId: o1.offerId });
    const j2 = await sendFax(TEST_SECRETS.API_KEY, '+15555550192');
    const o2 = await first.next('offer');
    first.send({ type: 'accept', jobId: o2.jobId, offerId: o2.offerId });
    first.send({ type: 'progress', jobId: o2.jobId, offerId: o2.offerId, stage: 'dialing' });
    await first.next('dial_ok');
    first.ws.terminate();
    // After the reconnect grace: j1 (not dialled) goes back to the queue, j2 (dialling) ends unknown.
    const deadline = Date.now() + 15_000;
    let s1: any, s2: any;
    do {
      await new Promise((r) => setTimeout(r, 300));
      [s1, s2] = [await job(j1.id), await job(j2.id)];
    } while ((s2.status !== 'unknown' || s1.status !== 'queued' || s1.dialed_at) && Date.now() < deadline);
    expect(s2).toMatchObject({ status: 'unknown', failure_reason: 'agent_lost_during_call', attempts: [{ result: 'unknown', failure_reason: 'agent_lost_during_call' }] });
    expect(s1.status).toBe('queued');
    // A new agent picks the released job up.
    const b = await createAgent();
    const second = await AgentSocket.open(b.token);
    second.hello();
    // Other jobs of this file may be due too (earlier tests' released jobs): wait for j1's offer.
    let o3 = await second.next('offer');
    for (let i = 0; i < 5 && o3.jobId !== j1.id; i++) o3 = await second.next('offer');
    expect(o3.jobId).toBe(j1.id);
    expect(o3.offerId).not.toBe(o1.offerId);
    second.ws.close();
  });

  it('closes live connections when their token is revoked, and pushes rotated tokens', async () => {
    const a = await createAgent();
    const sock = await AgentSocket.open(a.token);
    await sock.next('welcome');
    sock.hello();
    const rot = await json(await fetch(`${worker.url}/admin/agents/${a.id}/tokens`, { method: 'POST', headers: admin() }));
    expect(rot.pushed_to_connections).toBe(1);
    const update = await sock.next('token_update');
    expect(update.token).toBe(rot.token);
    sock.send({ type: 'token_ack', tokenId: update.tokenId });
    const del = await fetch(`${worker.url}/admin/agents/${a.id}/tokens/${a.token_id}`, { method: 'DELETE', headers: admin() });
    expect(del.status).toBe(200);
    const deadline = Date.now() + 5000;
    while (!sock.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(sock.closed?.code).toBe(4001);
    // The new token still works; the revoked one does not.
    await expect(AgentSocket.open(a.token)).rejects.toThrow(/401/);
    const again = await AgentSocket.open(rot.token);
    await again.next('welcome');
    again.ws.close();
    const list = await json(await fetch(`${worker.url}/admin/agents`, { headers: admin() }));
    const mine = list.data.find((x: { id: string }) => x.id === a.id);
    expect(mine.tokens.find((t: { id: string }) => t.id === rot.token_id).delivered_at).not.toBeNull();
  });

  it('releases leases an agent no longer lists after reconnecting (lost journal)', async () => {
    const a = await createAgent();
    const first = await AgentSocket.open(a.token);
    first.hello();
    await first.next('welcome');
    const j = await sendFax(TEST_SECRETS.API_KEY, '+15555550193');
    const o = await first.next('offer');
    first.send({ type: 'accept', jobId: o.jobId, offerId: o.offerId });
    await new Promise((r) => setTimeout(r, 200));
    first.ws.terminate();
    // Back within the grace period, but with an empty journal: the job must not stay leased.
    const again = await AgentSocket.open(a.token);
    again.hello([]);
    // Jobs released by earlier tests may be offered first; ours must come.
    let re = await again.next('offer');
    while (re.jobId !== j.id) re = await again.next('offer');
    expect(re.offerId).not.toBe(o.offerId);
    again.ws.close();
  });
});
