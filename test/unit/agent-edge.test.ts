// The agent's edge link under failure: socket dropped mid-call (hello.inFlight, result held until result_ack),
// restart with a `dialing` journal entry (unknown outcome, never re-dialled), resumed `accepted` jobs,
// token rotation, heartbeat loss, refused tokens, ping/pong and invalid edge messages.
import { readFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RESTART_FAX_ERROR } from '../../agent/job-runner.ts';
import { newJobId, newOfferId } from '../agent/fake-edge.ts';
import { NEW_TOKEN, phiInLogs, startStack, TOKEN } from '../agent/harness.ts';
import type { Stack, StackOptions } from '../agent/harness.ts';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(opts: StackOptions = {}): Promise<Stack> {
  stack = await startStack(opts);
  return stack;
}

const journalJobsSync = (spool: string): Array<{ jobId: string; state: string }> =>
  (JSON.parse(readFileSync(path.join(spool, 'journal.json'), 'utf8')) as { jobs: Array<{ jobId: string; state: string }> }).jobs;

describe('agent <-> edge resilience', () => {
  it('edge socket dropped mid-call: reconnects, lists the job in hello, delivers the result and holds it until result_ack', async () => {
    const { edge, sim, spool } = await start({ scenario: { kind: 'success', pages: 1, msPerPage: 700_000 } });
    edge.autoResultAck = false;
    const offer = edge.offer();
    await edge.waitFor(() => sim.calls[0]?.state === 'up', 5000, 'call up');
    edge.dropAll();
    await edge.waitFor(() => edge.connections[1] && edge.find('hello', () => true, edge.connections[1].messages), 5000, 'second hello');
    const hello = edge.find('hello', () => true, edge.connections[1]!.messages)!;
    expect(hello.inFlight).toEqual([{ jobId: offer.jobId, offerId: offer.offerId, state: 'dialing' }]);

    const result = await edge.waitFor(() => edge.find('result', (m) => m.jobId === offer.jobId), 5000, 'result');
    expect(result.status).toBe('success');
    expect(journalJobsSync(spool)).toMatchObject([{ jobId: offer.jobId, state: 'done' }]);

    edge.dropAll(); // no ack yet: the next hello carries the result, and it is sent again
    await edge.waitFor(() => edge.connections[2] && edge.find('result', () => true, edge.connections[2].messages), 5000, 'result resent');
    const hello3 = edge.find('hello', () => true, edge.connections[2]!.messages)!;
    expect(hello3.inFlight).toEqual([{ jobId: offer.jobId, offerId: offer.offerId, state: 'done', result: expect.objectContaining({ status: 'success' }) }]);
    edge.send({ type: 'result_ack', ...offer });
    await edge.waitFor(() => journalJobsSync(spool).length === 0, 2000, 'journal emptied by result_ack');
    expect(sim.calls).toHaveLength(1);
  });

  it('restart with a `dialing` journal entry whose channel Asterisk no longer has: unknown outcome, never originated again; `accepted` jobs resume', async () => {
    const dialing = { jobId: newJobId(), offerId: newOfferId() };
    const accepted = { jobId: newJobId(), offerId: newOfferId() };
    const { edge, sim } = await start({
      beforeStart: async (spool, fake) => {
        const jobs = [
          { ...dialing, state: 'dialing', to: '+15555550123', headerText: null, channelId: `${dialing.jobId}-abcdefgh`, updatedAt: Date.now() },
          { ...accepted, state: 'accepted', to: '+15555550124', headerText: null, documentUrl: `${fake.url}/documents/doc.pdf`, updatedAt: Date.now() },
        ];
        await writeFile(path.join(spool, 'journal.json'), JSON.stringify({ version: 1, jobs }));
      },
    });
    const hello = edge.find('hello')!;
    const unknown = { status: 'failed', reason: 'agent_lost_during_call', faxError: RESTART_FAX_ERROR, uniqueid: `${dialing.jobId}-abcdefgh` };
    // Re-attached first (the call may still be up), then CoreShowChannels says it is gone.
    expect(hello.inFlight).toEqual(expect.arrayContaining([{ ...dialing, state: 'dialing' }, { ...accepted, state: 'accepted' }]));
    expect(RESTART_FAX_ERROR).toBe('agent restarted during the call; outcome unknown');
    expect(await edge.waitFor(() => edge.find('result', (m) => m.jobId === dialing.jobId))).toMatchObject(unknown);
    expect(await edge.waitFor(() => edge.find('result', (m) => m.jobId === accepted.jobId), 5000, 'resumed job')).toMatchObject({ status: 'success' });
    expect(sim.calls).toHaveLength(1);
    expect(sim.calls[0]!.request.variables.JOBID).toBe(accepted.jobId);
  });

  it('token_update: token file rewritten atomically (0600), token_ack sent, next connection uses the new token', async () => {
    const { edge, spool } = await start({ env: (dir) => ({ AGENT_TOKEN_FILE: path.join(dir, 'agent.token') }) });
    const file = path.join(spool, 'agent.token');
    expect(await readFile(file, 'utf8')).toBe(`${TOKEN}\n`); // seeded from AGENT_TOKEN
    edge.validTokens.add(NEW_TOKEN);
    edge.send({ type: 'token_update', tokenId: 'tok_new', token: NEW_TOKEN, previousValidUntil: Date.now() + 60_000 });
    await edge.waitFor(() => edge.find('token_ack'), 5000, 'token_ack');
    expect(edge.find('token_ack')).toMatchObject({ tokenId: 'tok_new' });
    expect(await readFile(file, 'utf8')).toBe(`${NEW_TOKEN}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    edge.validTokens.delete(TOKEN);
    edge.dropAll();
    await edge.waitFor(() => edge.connections[1], 5000, 'reconnect');
    expect(edge.connections[1]!.token).toBe(NEW_TOKEN);
  });

  it('token_update without AGENT_TOKEN_FILE: kept in memory with a warning, acked; an invalid token is not acked', async () => {
    const { edge, logs } = await start();
    edge.send({ type: 'token_update', tokenId: 'tok_bad', token: 'not-a-token', previousValidUntil: null });
    edge.validTokens.add(NEW_TOKEN);
    edge.send({ type: 'token_update', tokenId: 'tok_mem', token: NEW_TOKEN, previousValidUntil: null });
    await edge.waitFor(() => edge.find('token_ack'), 5000, 'token_ack');
    expect(edge.messages.filter((m) => m.type === 'token_ack')).toEqual([{ v: 1, type: 'token_ack', tokenId: 'tok_mem' }]);
    expect(logs.some((l) => l.includes('a restart will use the old AGENT_TOKEN'))).toBe(true);
    edge.dropAll();
    await edge.waitFor(() => edge.connections[1], 5000, 'reconnect');
    expect(edge.connections[1]!.token).toBe(NEW_TOKEN);
    expect(phiInLogs(logs)).toEqual([]);
  });

  it('heartbeat: pings every heartbeatSeconds; an edge that stops answering is dropped after 2.5 heartbeats and reconnected', async () => {
    const { edge } = await start({ heartbeatSeconds: 1 });
    await new Promise((r) => setTimeout(r, 2700));
    expect(edge.connections).toHaveLength(1); // pongs keep it alive past 2.5 heartbeats
    expect(edge.connections[0]!.pings).toBeGreaterThanOrEqual(2);
    edge.autoPong = false;
    const cut = Date.now();
    await edge.waitFor(() => edge.connections[1] && edge.find('hello', () => true, edge.connections[1].messages), 6000, 'reconnect');
    expect(edge.connections[0]!.closed).toBe(true);
    expect(Date.now() - cut).toBeGreaterThan(1200);
  }, 15_000);

  it('answers ping with pong and ignores invalid edge messages', async () => {
    const { edge, logs } = await start();
    edge.send({ type: 'ping', ts: 42 });
    await edge.waitFor(() => edge.find('pong'));
    expect(edge.find('pong')).toMatchObject({ ts: 42 });
    edge.sendRaw('not json');
    edge.sendRaw('{"v":1,"type":"offer","jobId":"fax_x"}');
    edge.sendRaw('{"v":2,"type":"launch_missiles"}');
    const offer = edge.offer();
    await edge.waitFor(() => edge.find('accept', (m) => m.jobId === offer.jobId));
    expect(logs.filter((l) => l.includes('ignored an invalid message from the edge'))).toHaveLength(3);
    expect(edge.connections).toHaveLength(1);
  });

  it('a refused token (401) is logged and retried with backoff', async () => {
    const { edge, logs } = await start({ edgeTokens: [], noWait: true });
    await edge.waitFor(() => edge.refused >= 3, 5000, 'retries');
    expect(edge.connections).toHaveLength(0);
    expect(logs.some((l) => l.includes('the edge refused the agent token'))).toBe(true);
    expect(phiInLogs(logs)).toEqual([]);
  });
});
