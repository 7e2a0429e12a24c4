// The AgentHub's database pool lives as long as the object (issue 9), seen from an observing proxy
// between the worker and Postgres (it records each connection's application_name and every
// statement). An idle connected agent's alarms share one connection and cost two statements each
// (the token check with the expired-offer release, and the claim); a dropped connection is replaced
// by exactly one new one; during an outage a message still ends in the edge-error close (4003) and
// the hub works again afterwards. No timing is asserted: the test waits for alarms, then counts.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import pg from 'pg';
import { encodeMessage, HEARTBEAT_PING, parseEdgeMessage, type EdgeMessage } from '../../../shared/agent-protocol.ts';
import { startWsProxy, type ObservedStatement, type WsProxy } from '../../../scripts/stack/ws-proxy.ts';
import { json, makePdf } from '../../support/api.ts';
import { startCustomWorker, TEST_SECRETS, type CustomWorker } from '../../support/custom-worker.ts';

const HUB = 'faxbot-agent-hub';
/** This file's agents and SIP jobs use their own site, so no other test's jobs reach them. */
const SITE = 'hub-pool-test';
let proxy: WsProxy;
let worker: CustomWorker;

beforeAll(async () => {
  const u = new URL(inject('databaseUrl'));
  proxy = await startWsProxy({ databaseUrl: u.toString(), observe: true });
  worker = await startCustomWorker({ FAX_BACKEND: 'sip', DATABASE_WS_PROXY: `127.0.0.1:${proxy.port}/v1`, AGENT_HEARTBEAT_SECONDS: '1', AGENT_OFFER_TIMEOUT_SECONDS: '2' });
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await proxy?.close();
});

/** The hub's statements so far; every alarm of a connected hub starts with the one naming agent_tokens. */
const hubStatements = () => proxy.statements.filter((s) => s.application === HUB);
const isAlarm = (s: ObservedStatement) => s.sql.includes('agent_tokens');
const hubConnections = () => proxy.connections.filter((c) => c.application === HUB).length;

/** Waits until `n` more hub alarms have started after statement index `from`; returns their indexes. */
async function alarmsAfter(from: number, n: number, timeoutMs = 30_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const marks = hubStatements().flatMap((s, i) => (i >= from && isAlarm(s) ? [i] : []));
    if (marks.length >= n) return marks.slice(0, n);
    if (Date.now() > deadline) throw new Error(`only ${marks.length} of ${n} hub alarms within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function connect(token: string) {
  const ws = new WebSocket(`${worker.url.replace('http', 'ws')}/agent/connect`, { headers: { authorization: `Bearer ${token}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const sock = { ws, closed: null as number | null, messages: [] as EdgeMessage[], pinger: setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(HEARTBEAT_PING), 500) };
  ws.on('message', (data) => {
    const parsed = parseEdgeMessage(data.toString());
    if (parsed.ok) sock.messages.push(parsed.message);
  });
  ws.on('close', (code) => {
    sock.closed = code;
    clearInterval(sock.pinger);
  });
  ws.send(encodeMessage({ type: 'hello', agentVersion: 'test-1', capabilities: { maxChannels: 2, features: ['sendfax'] }, inFlight: [] }));
  return sock;
}

async function createAgent(): Promise<{ id: string; token: string; token_id: string }> {
  const res = await fetch(`${worker.url}/admin/agents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_SECRETS.API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'idle agent', max_channels: 2, site: SITE }),
  });
  expect(res.status).toBe(201);
  return json(res);
}

async function until<T>(what: string, fn: () => T | undefined | null, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== null) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('agent hub database pool', () => {
  let token = '';
  let sock: Awaited<ReturnType<typeof connect>>;

  it('keeps one connection over an idle agent\'s alarms, two statements per alarm', async () => {
    token = (await createAgent()).token;
    sock = await connect(token);
    // Alarms 2..6 (the first may overlap the hello): four whole alarm periods.
    const marks = (await alarmsAfter(0, 6)).slice(1);
    const window = hubStatements().slice(marks[0], marks[4]);
    expect(new Set(window.map((s) => s.connection)).size).toBe(1);
    expect(marks.slice(1).map((m, i) => m - marks[i]!)).toEqual([2, 2, 2, 2]);
    expect(sock.closed).toBeNull();
  });

  it('replaces a dropped connection with exactly one new one', async () => {
    const before = hubConnections();
    const from = hubStatements().length;
    proxy.dropConnections();
    const marks = await alarmsAfter(from, 4);
    // The alarms after the drop run on one new connection (the pool noticed, or use() retired it).
    expect(hubConnections()).toBe(before + 1);
    const after = hubStatements().slice(marks[0]);
    expect(new Set(after.map((s) => s.connection)).size).toBe(1);
    expect(sock.closed).toBeNull();
  });

  it('during an outage a message ends in the edge-error close; afterwards the hub works again', async () => {
    proxy.cut();
    const closedBefore = hubConnections();
    sock.ws.send(encodeMessage({ type: 'hello', agentVersion: 'test-1', capabilities: { maxChannels: 2, features: ['sendfax'] }, inFlight: [] }));
    expect(await until('edge-error close', () => sock.closed)).toBe(4003);
    proxy.restore();
    const from = hubStatements().length;
    sock = await connect(token);
    const marks = await alarmsAfter(from, 4);
    const after = hubStatements().slice(marks[1]);
    expect(new Set(after.map((s) => s.connection)).size).toBe(1);
    expect(hubConnections()).toBeGreaterThan(closedBefore);
    expect(sock.closed).toBeNull();
    sock.ws.close();
  });

  it('never used a connection from another I/O context', () => {
    // What workerd says when an I/O object crosses request contexts (a Durable Object's events share
    // one). A failed alarm is printed in full; a failed message would have closed the socket (4003) above.
    expect(worker.output.filter((l) => /Cannot perform I\/O/i.test(l))).toEqual([]);
  });
});

// The alarm's one statement (token check + expired-offer release), both halves. These come after
// the pool tests: their hubs would add statements to the counts above.
describe('connected hub alarm', () => {
  it('closes a socket whose token expired without the hub being told (4001)', async () => {
    const agent = await createAgent();
    const sock = await connect(agent.token);
    await alarmsAfter(hubStatements().length, 2);
    expect(sock.closed).toBeNull();
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      await client.query(`update agent_tokens set expires_at = now() - interval '1 second' where id = $1`, [agent.token_id]);
    } finally {
      await client.end();
    }
    expect(await until('close after token expiry', () => sock.closed)).toBe(4001);
  });

  it('releases an offer left unanswered past its timeout and offers the job again', async () => {
    const agent = await createAgent();
    const sock = await connect(agent.token);
    const form = new FormData();
    form.set('to', '+15555550177');
    form.set('site', SITE);
    form.set('file', new Blob([new Uint8Array(await makePdf(1))]), 'a.pdf');
    const res = await fetch(`${worker.url}/fax`, { method: 'POST', headers: { authorization: `Bearer ${TEST_SECRETS.API_KEY}` }, body: form });
    expect(res.status).toBe(202);
    const job = await json(res);
    const offers = () => sock.messages.flatMap((m) => (m.type === 'offer' && m.jobId === job.id ? [m] : []));
    const [first, second] = await until('a second offer', () => (offers().length >= 2 ? offers() : null));
    expect(second!.offerId).not.toBe(first!.offerId);
    sock.ws.close();
  });
});
