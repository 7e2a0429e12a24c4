// Health endpoints (public). /health is liveness only; /health/ready checks the database, a write
// to the document store and the backend's configuration, and names what fails.
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { READY_PROBE_KEY } from '../documents/keys.ts';

export const health = new Hono<AppEnv>();

health.get('/', (c) => c.json({ status: 'ok' }));

health.get('/ready', async (c) => {
  const { services, config } = { services: c.get('services'), config: c.get('config') };
  const checks: Record<string, { ok: boolean; error?: string }> = {};
  const run = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
      checks[name] = { ok: true };
    } catch (err) {
      checks[name] = { ok: false, error: describe(err) };
    }
  };
  await Promise.all([
    run('config', async () => {
      if (config.problems.length) throw new Error(`invalid configuration: ${config.problems.map((p) => p.split(':')[0]).join(', ')}`);
    }),
    run('database', async () => {
      await services.db().execute(sql`select 1`);
    }),
    run('storage', async () => {
      await services.documents.put(READY_PROBE_KEY, new TextEncoder().encode('ok'), 'text/plain');
    }),
    run('backend', async () => {
      const state = await services.backend.configured();
      if (!state.ok) throw new Error(state.reason);
    }),
  ]);
  const failing = Object.keys(checks).filter((k) => !checks[k]!.ok);
  if (failing.length === 0) return c.json({ status: 'ready', backend: services.backend.name, checks });
  return c.json(
    {
      status: 'unavailable',
      checks,
      error: { code: 'not_ready', message: `Failing checks: ${failing.join(', ')}`, request_id: c.get('requestId') },
    },
    503,
  );
});

function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // Connection errors can echo hostnames; keep the first line and cap the length.
  return message.split('\n')[0]!.slice(0, 200);
}
