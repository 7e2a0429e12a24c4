// End to end over SIP: the worker in workerd, real agent processes and the simulated Asterisk.
// Success, busy, agents killed before and during calls, a redeploy dropping every socket, token
// rotation and revocation under a live agent, and an inbound fax whose upload had to be retried.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmiSimulator } from '../../support/ami-simulator/index.ts';
import { json } from '../../support/api.ts';
import type { CustomWorker } from '../../support/custom-worker.ts';
import {
  admin, createAgent, dbRow, getJob, NUMBERS, originatesFor, sendFax, spawnAgent, startEdge, startSimulator, waitFor, waitForStatus, type AgentProcess,
} from './harness.ts';

let edge: CustomWorker;
let sim: AmiSimulator;
let asteriskSpool: string;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  asteriskSpool = mkdtempSync(path.join(os.tmpdir(), 'faxbot-asterisk-'));
  [edge, sim] = await Promise.all([startEdge(), startSimulator(asteriskSpool)]);
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.kill()));
  await sim?.close();
  await edge?.stop();
});

async function startAgent(opts: { slowConversion?: boolean } = {}) {
  const registered = await createAgent(edge);
  const proc = spawnAgent(edge, sim, registered.token, opts);
  agents.push(proc);
  await waitFor('agent online', async () => {
    const list = await json(await fetch(`${edge.url}/admin/agents`, { headers: admin }));
    return list.data.find((a: { id: string; online: boolean }) => a.id === registered.id && a.online);
  });
  return { ...registered, proc };
}

const onlineIds = async () => (await json(await fetch(`${edge.url}/admin/agents`, { headers: admin }))).data.filter((a: { online: boolean }) => a.online).map((a: { id: string }) => a.id);

describe.sequential('SIP faxing through the agent', () => {
  it('sends a fax to success, dialled exactly once, with line details', async () => {
    const a = await startAgent();
    const job = await sendFax(edge, NUMBERS.ok);
    const done = await waitForStatus(edge, job.id, ['success', 'failed']);
    expect(done).toMatchObject({ status: 'success', pages: 1, bitrate: 14400, remote_station_id: 'FAR END' });
    expect(originatesFor(sim, job.id)).toBe(1);
    await a.proc.kill();
  });

  it('reports a busy line with the reason and schedules the retry', async () => {
    const a = await startAgent();
    const job = await sendFax(edge, NUMBERS.busy);
    await waitFor('the busy attempt recorded', async () => (await getJob(edge, job.id)).attempts.length === 1 && (await getJob(edge, job.id)).status === 'queued');
    const waiting = await getJob(edge, job.id);
    expect(waiting).toMatchObject({ status: 'queued', failure_reason: 'busy', attempts: [{ result: 'failed', failure_reason: 'busy', connected: false }] });
    expect(waiting.next_attempt_at).not.toBeNull();
    expect(originatesFor(sim, job.id)).toBe(1);
    await a.proc.kill();
  });

  it('re-offers a job whose agent was killed before dialling, and dials it exactly once', async () => {
    const slow = await startAgent({ slowConversion: true });
    const job = await sendFax(edge, NUMBERS.ok);
    await waitFor('job accepted by the slow agent', async () => (await dbRow("select offer_state from fax_jobs where id = $1", [job.id]))?.offer_state === 'accepted');
    await slow.proc.kill('SIGKILL');
    const rescuer = await startAgent();
    const done = await waitForStatus(edge, job.id, ['success', 'failed'], 40_000);
    expect(done.status).toBe('success');
    expect(originatesFor(sim, job.id)).toBe(1);
    // Two offers, one dial: one attempt on record.
    const row = await dbRow('select agent_id, attempts from fax_jobs where id = $1', [job.id]);
    expect(row).toMatchObject({ agent_id: rescuer.id, attempts: 1 });
    await rescuer.proc.kill();
  });

  it('never dials again when the agent dies during a call, and says the outcome is unknown', async () => {
    const a = await startAgent();
    const job = await sendFax(edge, NUMBERS.silent);
    await waitFor('the Originate', async () => originatesFor(sim, job.id) === 1);
    await a.proc.kill('SIGKILL');
    const lost = await waitForStatus(edge, job.id, ['unknown', 'failed', 'success']);
    expect(lost).toMatchObject({ status: 'unknown', failure_reason: 'agent_lost_during_call' });
    // The agent comes back with its journal: it reports the unknown outcome and does not redial.
    const again = spawnAgent(edge, sim, '', { spool: a.proc.spool });
    agents.push(again);
    await waitFor('the restarted agent online', async () => (await onlineIds()).includes(a.id));
    await new Promise((r) => setTimeout(r, 1500));
    expect(originatesFor(sim, job.id)).toBe(1);
    expect(await getJob(edge, job.id)).toMatchObject({ status: 'unknown', failure_reason: 'agent_lost_during_call' });
    await again.kill();
  });

  it('survives a redeploy that drops every socket: no job lost, none doubled', async () => {
    const a = await startAgent();
    const inCall = await sendFax(edge, NUMBERS.slow);
    await waitFor('the Originate', async () => originatesFor(sim, inCall.id) === 1);
    await edge.halt();
    await new Promise((r) => setTimeout(r, 500));
    await edge.resume();
    await waitFor('the agent back online', async () => (await onlineIds()).includes(a.id), 40_000);
    const after = await sendFax(edge, NUMBERS.ok);
    expect((await waitForStatus(edge, after.id, ['success', 'failed'], 40_000)).status).toBe('success');
    // The call that was up during the redeploy finishes on the same agent: reported after the
    // reconnect, neither re-offered nor failed, dialled once.
    expect((await waitForStatus(edge, inCall.id, ['success', 'failed'], 40_000)).status).toBe('success');
    expect(originatesFor(sim, inCall.id)).toBe(1);
    await a.proc.kill();
  });

  it('rotates the token under a live agent without downtime, and revocation disconnects it', async () => {
    const a = await startAgent();
    const rotated = await json(await fetch(`${edge.url}/admin/agents/${a.id}/tokens`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: '{"grace_hours":1}' }));
    expect(rotated.pushed_to_connections).toBe(1);
    await waitFor('the token file rewritten', async () => readFileSync(a.proc.tokenFile, 'utf8').trim() === rotated.token);
    // Retire the old token: the agent is disconnected and comes back with the new one.
    await fetch(`${edge.url}/admin/agents/${a.id}/tokens/${a.token_id}`, { method: 'DELETE', headers: admin });
    await waitFor('the agent online with the new token', async () => {
      const row = await dbRow('select last_used_at from agent_tokens where id = $1', [rotated.token_id]);
      return (await onlineIds()).includes(a.id) && row;
    });
    const job = await sendFax(edge, NUMBERS.ok);
    expect((await waitForStatus(edge, job.id, ['success', 'failed'])).status).toBe('success');
    // Revoking the current token closes the connection and keeps the agent out.
    await fetch(`${edge.url}/admin/agents/${a.id}/tokens/${rotated.token_id}`, { method: 'DELETE', headers: admin });
    await waitFor('the agent offline', async () => !(await onlineIds()).includes(a.id), 15_000);
    await a.proc.kill();
  });

  it('uploads an inbound fax; a failed first upload is retried and stored exactly once', async () => {
    for (const p of agents) await p.kill();
    const a = await startAgent();
    const to = '+15555550399';
    await fetch(`${edge.url}/admin/inbound-numbers/${encodeURIComponent(to)}`, { method: 'PUT', headers: { ...admin, 'content-type': 'application/json' }, body: '{"owner":"e2e-records"}' });
    await edge.halt();
    await sim.simulateInboundFax({ from: '+15555550398', to, pages: 1 });
    await new Promise((r) => setTimeout(r, 1500)); // the agent's first attempts fail
    await edge.resume();
    const listed = await waitFor('the inbound fax listed', async () => {
      const list = await json(await fetch(`${edge.url}/inbound?owner=e2e-records`, { headers: admin }));
      return list.data.length ? list.data : undefined;
    }, 40_000);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ to, from: '+15555550398', owner: 'e2e-records' });
    const pdf = await fetch(`${edge.url}/inbound/${listed[0].id}/pdf`, { headers: admin });
    expect(pdf.status).toBe(200);
    expect(new TextDecoder().decode((await pdf.arrayBuffer()).slice(0, 5))).toBe('%PDF-');
    await new Promise((r) => setTimeout(r, 1000));
    const again = await json(await fetch(`${edge.url}/inbound?owner=e2e-records`, { headers: admin }));
    expect(again.data).toHaveLength(1);
    await a.proc.kill();
  });
});
