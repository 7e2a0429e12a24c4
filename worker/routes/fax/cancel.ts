// POST /fax/:id/cancel — cancels a job that has not been dialled yet (scope fax:send).
// A job already dialling or finished -> 409 `not_cancelable` with its current status.
import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { audit } from '../../lib/audit.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { presentFaxJob } from '../../views/fax-job.ts';
import { loadVisibleJob } from './load-job.ts';

export const cancelFax = new Hono<AppEnv>().post('/:id/cancel', requireScope('fax:send'), async (c) => {
  const job = await loadVisibleJob(c, c.req.param('id'));
  const { jobs, backend } = c.get('services');
  if (job.status === 'canceled') return c.json(await presentFaxJob(c, job));
  const canceled = await jobs.transition(job.id, ['queued'], 'canceled');
  if (!canceled) {
    const current = (await jobs.findById(job.id)) ?? job;
    await audit(c, { action: 'fax.cancel', resourceType: 'fax_job', resourceId: job.id, outcome: 'failure', details: { status: current.status } });
    throw new ApiError(409, 'not_cancelable', `The fax is ${current.status} and can no longer be canceled.`, { status: current.status });
  }
  // Best effort: the backend's own state machine also refuses to dial a canceled job.
  await backend.cancel(canceled).catch(() => {});
  await audit(c, { action: 'fax.cancel', resourceType: 'fax_job', resourceId: job.id, outcome: 'success' });
  return c.json(await presentFaxJob(c, canceled));
});
