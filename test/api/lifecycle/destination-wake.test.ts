// A job that found its number's line busy waits for the call in flight to end, which wakes it
// (end-attempt.ts). The sweep's own "look again later" must not undo that wake-up: here the call
// ends (as a provider's webhook or an agent would end it) between the busy refusal and the sweep's
// bookkeeping, and the waiting job is still due at once, not after the 30 s backstop. The same
// holds for a call whose result requeues it while the sweep polls it.
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../../worker/db/client.ts';
import { faxJobs, type FaxJobRow } from '../../../worker/db/schema.ts';
import { JobLifecycle, type NewFaxJob } from '../../../worker/lifecycle/job-lifecycle.ts';
import { advance, type SweepDeps } from '../../../worker/lifecycle/sweep.ts';
import type { RetryPolicy } from '../../../worker/lifecycle/retry-policy.ts';
import type { FaxBackend } from '../../../worker/backends/fax-backend.ts';

const handle = openDatabase(inject('databaseUrl'), inject('stackVars').DATABASE_WS_PROXY);
const db = () => handle.db;
afterAll(() => handle.close());

const POLICY: RetryPolicy = { busyDelayMs: 60_000, noAnswerDelayMs: 60_000, connectedDelayMs: 60_000, maxTries: 3, maxDials: 5, expiryMs: 3600_000, attemptTimeoutMs: 1800_000 };
const lifecycle = new JobLifecycle(db, { policy: POLICY, audit: true });
const BACKSTOP_MS = 30_000;
let seq = 0;

async function createJob(to: string): Promise<string> {
  const id = `fax_wake${process.pid.toString(36)}${Date.now().toString(36)}${(seq++).toString(36)}`.padEnd(28, '0').slice(0, 28);
  const job: NewFaxJob = {
    id,
    owner: `wake-${process.pid}`,
    apiKeyId: 'destination-wake-test',
    toNumber: to,
    // A backend no worker knows: the test worker's own sweep shares this database and leaves these alone.
    backend: 'destination-wake-test',
    pages: 1,
    sourceType: 'pdf',
    documentKey: `outbound/${id}/document.pdf`,
    documentSha256: '0'.repeat(64),
    documentBytes: 1,
    maxTries: POLICY.maxTries,
    sendAt: null,
  };
  await lifecycle.accept(job, { type: 'system', id: 'destination-wake-test' }, {});
  return id;
}

const row = async (id: string): Promise<FaxJobRow> => (await db().select().from(faxJobs).where(eq(faxJobs.id, id)))[0]!;
const freshNumber = () => `+4420${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

/** A backend like the sandbox's and the providers': a busy line is looked at again after the backstop. */
function backend(duringHandOff: () => Promise<void>): FaxBackend {
  return {
    name: 'destination-wake-test',
    configured: async () => ({ ok: true }),
    handOff: async (job, lc) => {
      const started = await lc.startAttempt(job.id, {});
      expect(started).toEqual({ started: false, why: 'destination_busy' });
      await duringHandOff();
      return new Date(Date.now() + BACKSTOP_MS);
    },
    poll: async () => {
      await duringHandOff();
      return { recheckAt: new Date(Date.now() + BACKSTOP_MS) };
    },
    cancel: async () => {},
  };
}

const depsWith = (b: FaxBackend): SweepDeps => ({ db, lifecycle, backend: () => b });

describe('the wake-up of a job waiting for its number', () => {
  it('survives the sweep when the call in flight ends during the busy hand-off', async () => {
    const to = freshNumber();
    const inFlight = await createJob(to);
    const waiting = await createJob(to);
    expect((await lifecycle.startAttempt(inFlight, {})).started).toBe(true);
    const seen = await row(waiting);
    await advance(depsWith(backend(async () => void (await lifecycle.finishAttempt(inFlight, { result: 'success' })))), seen, new Date());
    const after = await row(waiting);
    expect(after.status).toBe('queued');
    // Woken by the call's end: due now, not in 30 s.
    expect(after.wakeAt!.getTime()).toBeLessThanOrEqual(Date.now());
    // And it can dial now.
    expect((await lifecycle.startAttempt(waiting, {})).started).toBe(true);
  });

  it('still sets the backstop when nothing ended meanwhile', async () => {
    const to = freshNumber();
    const inFlight = await createJob(to);
    const waiting = await createJob(to);
    expect((await lifecycle.startAttempt(inFlight, {})).started).toBe(true);
    const before = Date.now();
    await advance(depsWith(backend(async () => {})), await row(waiting), new Date());
    expect((await row(waiting)).wakeAt!.getTime()).toBeGreaterThanOrEqual(before + BACKSTOP_MS);
  });

  it('keeps the retry time of a call whose result requeued it while the sweep polled it', async () => {
    const job = await createJob(freshNumber());
    expect((await lifecycle.startAttempt(job, {})).started).toBe(true);
    await lifecycle.setWake(await row(job), new Date(Date.now() - 1));
    const seen = await row(job);
    expect(seen.status).toBe('in_progress');
    await advance(depsWith(backend(async () => void (await lifecycle.finishAttempt(job, { result: 'failed', reason: 'busy' })))), seen, new Date());
    const after = await row(job);
    expect(after.status).toBe('queued');
    // The retry's own time (busy: 60 s), not the poll's recheck.
    expect(after.wakeAt!.getTime()).toBe(after.nextAttemptAt!.getTime());
  });
});
