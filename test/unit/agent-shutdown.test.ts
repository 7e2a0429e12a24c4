// Graceful shutdown: new offers are rejected with `shutting_down`, calls in flight finish and their results
// are flushed (and acknowledged) before the socket closes; jobs not dialled yet stay `accepted` for the next start.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack } from '../agent/harness.ts';
import type { Stack } from '../agent/harness.ts';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('agent shutdown', () => {
  it('rejects new offers, waits for the call in flight, flushes its result, then closes', async () => {
    stack = await startStack({ scenario: { kind: 'success', pages: 1, msPerPage: 500_000 } });
    const { edge, sim, agent, spool } = stack;
    const calling = edge.offer();
    await edge.waitFor(() => sim.calls[0]?.state === 'up', 5000, 'call up');
    edge.autoDialOk = false;
    const stopped = agent.shutdown('test');
    const late = edge.offer();
    await edge.waitFor(() => edge.find('reject', (m) => m.jobId === late.jobId));
    expect(edge.find('reject', (m) => m.jobId === late.jobId)?.reason).toBe('shutting_down');
    expect(edge.current?.closed).toBe(false);
    await stopped;
    expect(edge.find('result', (m) => m.jobId === calling.jobId)).toMatchObject({ status: 'success' });
    expect(edge.current?.closed).toBe(true);
    const journal = JSON.parse(readFileSync(path.join(spool, 'journal.json'), 'utf8')) as { jobs: unknown[] };
    expect(journal.jobs).toEqual([]); // result_ack arrived before the close
  });

  it('a job still waiting for its dial grant is suspended: kept `accepted` in the journal, not dialled', async () => {
    stack = await startStack();
    const { edge, sim, agent, spool } = stack;
    edge.autoDialOk = false;
    const offer = edge.offer();
    await edge.waitFor(() => edge.find('progress', (m) => m.stage === 'dialing'), 5000, 'grant request');
    await agent.shutdown('test');
    expect(sim.calls).toHaveLength(0);
    expect(edge.find('result')).toBeUndefined();
    const journal = JSON.parse(readFileSync(path.join(spool, 'journal.json'), 'utf8')) as { jobs: Array<{ jobId: string; state: string }> };
    expect(journal.jobs).toMatchObject([{ jobId: offer.jobId, state: 'accepted' }]);
  });
});
