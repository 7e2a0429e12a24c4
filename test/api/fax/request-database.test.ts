// The request path opens no database connection (issue 10): POST /fax, GET /fax/:id and GET /fax
// send each statement over Neon's HTTP query protocol (no WebSocket session, no handshake, no
// password derivation), seen from an observing proxy between the worker and Postgres. Only an
// interactive transaction (cancel's conditional change) opens a WebSocket session, one.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWsProxy, type WsProxy } from '../../../scripts/stack/ws-proxy.ts';
import { makePdf } from '../../support/api.ts';
import { startCustomWorker, TEST_SECRETS, type CustomWorker } from '../../support/custom-worker.ts';

const API = 'faxbot-api';
let proxy: WsProxy;
let worker: CustomWorker;
const auth = { authorization: `Bearer ${TEST_SECRETS.API_KEY}` };

beforeAll(async () => {
  proxy = await startWsProxy({ databaseUrl: inject('databaseUrl'), observe: true });
  // The sandbox waits a minute per step, so no background work runs during the counts.
  worker = await startCustomWorker({ FAX_BACKEND: 'sandbox', SANDBOX_STEP_MS: '60000', DATABASE_WS_PROXY: `127.0.0.1:${proxy.port}/v1` });
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await proxy?.close();
});

const api = () => proxy.connections.filter((c) => c.application === API);
const apiStatements = () => proxy.statements.filter((s) => s.application === API).length;

async function send(): Promise<string> {
  const form = new FormData();
  form.set('to', '+15555550123');
  form.set('file', new Blob([new Uint8Array(await makePdf(1))], { type: 'application/pdf' }), 'a.pdf');
  const res = await fetch(`${worker.url}/fax`, { method: 'POST', headers: auth, body: form });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

describe('the request path and the database', () => {
  it('sends POST /fax and GET /fax/:id as HTTP statements, with no WebSocket session', async () => {
    const before = api().length;
    const id = await send();
    const post = api().slice(before);
    const res = await fetch(`${worker.url}/fax/${id}`, { headers: auth });
    expect(res.status).toBe(200);
    const get = api().slice(before + post.length);
    const list = await fetch(`${worker.url}/fax?limit=5`, { headers: auth });
    expect(list.status).toBe(200);
    const opened = api().slice(before);
    expect(opened.filter((c) => c.kind !== 'http')).toEqual([]);
    // The bootstrap admin key needs no lookup: POST is the accept alone (job, outbox event and
    // audit row in one statement), GET the job with its attempts.
    const first = (c: { id: number }) => proxy.statements.find((s) => s.connection === c.id)?.sql ?? '';
    expect(post.map(first)).toEqual([expect.stringMatching(/^with "accepted_job" as \(insert into "fax_jobs"/)]);
    expect(get.map(first)).toEqual([expect.stringMatching(/^select .* from "fax_jobs"/)]);
  });

  it('opens one WebSocket session for cancel\'s transaction', async () => {
    const id = await send();
    const before = api().length;
    const res = await fetch(`${worker.url}/fax/${id}/cancel`, { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    expect((await res.json()) as { status: string }).toMatchObject({ status: 'canceled' });
    expect(api().slice(before).filter((c) => c.kind === 'websocket')).toHaveLength(1);
  });
});
