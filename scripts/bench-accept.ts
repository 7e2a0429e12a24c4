// Part of `npm run bench`: what the transactional accept costs in database round trips. In one
// run, against the same database through the same driver (Neon serverless over the WebSocket
// proxy), interleaved rounds of:
//  - a bare round trip (`select 1`): the unit;
//  - the previous, non-atomic accept: INSERT the job, then INSERT its audit row (2 statements);
//  - the lifecycle's accept: job, outbox event and audit in one statement (data-modifying CTEs).
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../worker/db/client.ts';
import { auditEvents, faxJobs } from '../worker/db/schema.ts';
import { outboundDocumentKey } from '../worker/documents/keys.ts';
import { JobLifecycle, type NewFaxJob } from '../worker/lifecycle/job-lifecycle.ts';
import { DEFAULT_RETRY_POLICY } from '../worker/lifecycle/retry-policy.ts';

export interface AcceptBench {
  rounds: number;
  perRound: number;
  roundTripMs: number;
  previousMs: number;
  lifecycleMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function newJob(owner: string): NewFaxJob {
  const id = `fax_${randomBytes(12).toString('hex')}`;
  return { id, owner, apiKeyId: 'bench', toNumber: '+15555550403', backend: 'bench', pages: 1, sourceType: 'pdf', documentKey: outboundDocumentKey(id), documentSha256: '0'.repeat(64), documentBytes: 1000 };
}

export async function benchAccept(databaseUrl: string, wsProxy: string | undefined, rounds = 7, perRound = 40): Promise<AcceptBench> {
  const handle = openDatabase(databaseUrl, wsProxy);
  const db = () => handle.db;
  const lifecycle = new JobLifecycle(db, { policy: DEFAULT_RETRY_POLICY, audit: true });
  const owner = `bench-${Date.now().toString(36)}`;
  const time = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) await fn();
    return (performance.now() - t0) / perRound;
  };
  const variants = {
    roundTrip: () => db().execute(sql`select 1`),
    previous: async () => {
      const job = newJob(owner);
      await db().insert(faxJobs).values({ ...job, status: 'queued' }).returning();
      await db().insert(auditEvents).values({ actorType: 'api_key', actorId: 'bench', action: 'fax.send', resourceType: 'fax_job', resourceId: job.id, outcome: 'success', details: { pages: 1 } });
    },
    lifecycle: () => lifecycle.accept(newJob(owner), { type: 'api_key', id: 'bench' }, { pages: 1 }),
  };
  const samples: Record<keyof typeof variants, number[]> = { roundTrip: [], previous: [], lifecycle: [] };
  try {
    for (const fn of Object.values(variants)) await time(fn); // warm-up: connection, plans
    for (let r = 0; r < rounds; r++) {
      // Rotate the order every round so drift on a noisy machine hits every variant alike.
      const order = (Object.keys(variants) as Array<keyof typeof variants>).map((_, i, all) => all[(i + r) % all.length]!);
      for (const name of order) samples[name].push(await time(variants[name]));
    }
    await db().execute(sql`delete from fax_events where owner = ${owner}`);
  } finally {
    await handle.close();
  }
  return { rounds, perRound, roundTripMs: median(samples.roundTrip), previousMs: median(samples.previous), lifecycleMs: median(samples.lifecycle) };
}
