// Makes sure the lifecycle's recovery sweep is running: the first request an isolate serves
// kicks the JobScheduler (in the background). With the cron trigger in production and the
// scheduler's self-re-arming alarm this covers `wrangler dev` too, where crons never fire.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context.ts';
import { schedulerStub } from '../lifecycle/scheduler-stub.ts';

let kicked = false;

export const ensureSweeper = createMiddleware<AppEnv>(async (c, next) => {
  if (!kicked && c.env.JOB_SCHEDULER) {
    kicked = true;
    c.executionCtx.waitUntil(
      schedulerStub(c.env)
        .kick()
        .catch(() => {
          kicked = false;
        }),
    );
  }
  await next();
});
