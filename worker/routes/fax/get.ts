// GET /fax/:id — one job with its attempts (scope fax:read).
import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { presentFaxJob } from '../../views/fax-job.ts';
import { loadVisibleJobWithAttempts } from './load-job.ts';

export const getFax = new Hono<AppEnv>().get('/:id', requireScope('fax:read'), async (c) => {
  const { job, attempts } = await loadVisibleJobWithAttempts(c, c.req.param('id'));
  return c.json(await presentFaxJob(c, job, attempts));
});
