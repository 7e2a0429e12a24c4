// Health endpoints (public). /health is liveness only; /health/ready checks the database, a write
// to the document store, the backend's configuration and each cloud provider's, and names what fails.
import { sql } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../context.ts';
import type { Config } from '../config.ts';
import { READY_PROBE_KEY } from '../documents/keys.ts';
import { providerMissing } from '../providers/provider-config.ts';

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
  await run('config', async () => {
    if (config.problems.length) throw new Error(`invalid configuration: ${[...new Set(config.problems.map((p) => p.split(':')[0]))].join(', ')}`);
  });
  // An unsafe configuration is the answer: nothing else is probed with it.
  if (!checks.config!.ok) return notReady(c, checks);
  await Promise.all([
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
    // Each cloud provider this deployment routes to or has credentials for.
    ...configuredProviders(config).map((name) =>
      run(`provider:${name}`, async () => {
        const missing = providerMissing(name, config.providers, config.publicApiUrl);
        if (missing.length) throw new Error(`missing ${missing.map((m) => m.split(' ')[0]).join(', ')}`);
      }),
    ),
  ]);
  if (Object.values(checks).every((check) => check.ok)) return c.json({ status: 'ready', backend: services.backend.name, checks });
  return notReady(c, checks);
});

function notReady(c: Context<AppEnv>, checks: Record<string, { ok: boolean; error?: string }>) {
  const failing = Object.keys(checks).filter((k) => !checks[k]!.ok);
  return c.json(
    {
      status: 'unavailable',
      checks,
      error: { code: 'not_ready', message: `Failing checks: ${failing.join(', ')}`, request_id: c.get('requestId') },
    },
    503,
  );
}

function configuredProviders(config: Config): Array<'phaxio' | 'sinch'> {
  const { phaxio, sinch, fallback } = config.providers;
  const routed = new Set<string>([config.backend, fallback.backend ?? '']);
  const out: Array<'phaxio' | 'sinch'> = [];
  if (routed.has('phaxio') || phaxio.apiKey || phaxio.apiSecret) out.push('phaxio');
  if (routed.has('sinch') || sinch.projectId || sinch.keyId) out.push('sinch');
  return out;
}

function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // Connection errors can echo hostnames; keep the first line and cap the length.
  return message.split('\n')[0]!.slice(0, 200);
}
