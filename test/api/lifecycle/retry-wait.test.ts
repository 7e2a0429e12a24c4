// A job waiting to retry (the default policy's 3 minutes after a busy line) shows next_attempt_at,
// can be canceled, and is never dialled again once canceled. Its own worker runs the deployment
// defaults for the retry delays, so the wait is long enough to act on deterministically; it has a
// database of its own, so the shared test worker (1 s retries) cannot sweep the job first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf, faxForm } from '../../support/api.ts';
import { startCustomWorker, TEST_SECRETS, type CustomWorker } from '../../support/custom-worker.ts';

let edge: CustomWorker;
beforeAll(async () => {
  edge = await startCustomWorker({ SANDBOX_STEP_MS: '100' }, { isolated: true });
}, 90_000);
afterAll(async () => edge?.stop());

const admin = { authorization: `Bearer ${TEST_SECRETS.API_KEY}` };
const get = async (id: string) => (await (await fetch(`${edge.url}/fax/${id}`, { headers: admin })).json()) as any;

describe('waiting to retry', () => {
  it('shows next_attempt_at after a busy attempt, cancels, and never dials again', async () => {
    const res = await fetch(`${edge.url}/fax`, { method: 'POST', headers: admin, body: faxForm({ to: '+15555550199', file: await makePdf(1) }) });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    let job: any;
    const deadline = Date.now() + 40_000; // generous: a loaded machine is slow, the assertion is on state, not time
    do {
      job = await get(id);
      if (job.attempts.length === 0 || job.status !== 'queued') await new Promise((r) => setTimeout(r, 50));
    } while ((job.attempts.length === 0 || job.status !== 'queued') && Date.now() < deadline);
    expect(job).toMatchObject({ status: 'queued', failure_reason: 'busy', attempts: [{ number: 1, result: 'failed', failure_reason: 'busy' }] });
    const wait = Date.parse(job.next_attempt_at) - Date.parse(job.attempts[0].ended_at);
    expect(wait).toBe(180_000);
    const canceled = await fetch(`${edge.url}/fax/${id}/cancel`, { method: 'POST', headers: admin });
    expect(canceled.status).toBe(200);
    expect(await canceled.json()).toMatchObject({ status: 'canceled', next_attempt_at: null });
    await new Promise((r) => setTimeout(r, 500));
    expect((await get(id)).attempts).toHaveLength(1);
  }, 60_000);
});
