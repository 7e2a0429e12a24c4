// POST /fax/:id/cancel — cancels a job that is not being dialled (scope fax:send): scheduled,
// queued, or waiting to retry. A job in a call or finished -> 409 `not_cancelable` with its status.
import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { audit } from '../../lib/audit.ts';
import { clientIp } from '../../lib/client-ip.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { presentFaxJob } from '../../views/fax-job.ts';
import { loadVisibleJob } from './load-job.ts';

export const cancelFax = new Hono<AppEnv>().post('/:id/cancel', requireScope('fax:send'), async (c) => {
  const job = await loadVisibleJob(c, c.req.param('id'));
  const { jobs, backendFor, lifecycle } = c.get('services');
  if (job.status === 'canceled') return c.json(await presentFaxJob(c, job, await jobs.attempts(job.id)));
  const caller = c.get('caller');
  const canceled = await lifecycle.cancel(job.id, { type: caller.kind, id: caller.id, requestId: c.get('requestId'), clientIp: clientIp(c) });
  if (!canceled) {
    const current = (await jobs.findById(job.id)) ?? job;
    await audit(c, { action: 'fax.cancel', resourceType: 'fax_job', resourceId: job.id, outcome: 'failure', details: { status: current.status } });
    throw new ApiError(409, 'not_cancelable', `The fax is ${current.status} and can no longer be canceled.`, { status: current.status });
  }
  // Best effort: an agent holding an offer drops it; the lifecycle already refuses to dial it.
  c.executionCtx.waitUntil((backendFor(job.backend)?.cancel(job) ?? Promise.resolve()).catch(() => {}));
  return c.json(await presentFaxJob(c, canceled, await jobs.attempts(job.id)));
});
