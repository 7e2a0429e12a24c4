// Worker entry point: the HTTP app, the retention cron and the Durable Object classes wrangler binds.
import { createApp } from './app.ts';
import type { Env } from './env.ts';
import { scheduled } from './scheduled.ts';

export { JobScheduler } from './lifecycle/job-scheduler.ts';
export { RateLimiter } from './security/rate-limiter.ts';
export { AgentHub } from './agents/agent-hub.ts';
export { WebhookDispatcher } from './webhooks/webhook-dispatcher.ts';

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
