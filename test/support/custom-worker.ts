// Starts an extra worker (wrangler dev) on the test services with different variables, for tests
// of configuration-dependent behaviour: production profile, rate limits, CORS, broken dependencies.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { freePort } from '../../scripts/stack/embedded-postgres.ts';
import { startWorkerProcess } from '../../scripts/stack/worker-process.ts';
import { startLocalStack } from '../../scripts/stack/local-stack.ts';
import { createScratchDatabase } from '../../scripts/stack/scratch-database.ts';
import { assertNoPhi } from './phi-scan.ts';

export interface CustomWorker {
  url: string;
  /** Everything the worker printed (its log lines), for log assertions. */
  output: string[];
  /** Stops the worker but keeps its port and Durable Object state, like a redeploy in progress. */
  halt(): Promise<void>;
  /** Starts it again on the same port with the same state (a redeploy: every socket was dropped). */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_SECRETS = {
  API_KEY: 'custom-worker-admin-key-0123456789abcdef',
  PDF_TOKEN_SECRET: 'custom-worker-pdf-secret-0123456789abcdef',
};

/**
 * `vars` override the defaults; a value of `undefined` removes the variable. `isolated`: the worker
 * gets a database and S3 store of its own (a scratch database on the test PostgreSQL server, or its
 * own PGlite), so the shared test worker's sweeps, which run with other retry settings, never touch
 * its jobs.
 */
export async function startCustomWorker(vars: Record<string, string | undefined>, opts: { isolated?: boolean } = {}): Promise<CustomWorker> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-custom-'));
  const scratch = opts.isolated && process.env.TEST_DATABASE_URL ? await createScratchDatabase(process.env.TEST_DATABASE_URL) : undefined;
  const own = opts.isolated ? await startLocalStack({ dataDir: path.join(dir, 'stack'), databaseUrl: scratch?.url, ephemeral: true }) : undefined;
  const merged: Record<string, string | undefined> = {
    ...inject('stackVars'),
    ...own?.vars,
    ENVIRONMENT: 'test',
    ...TEST_SECRETS,
    MAX_REQUESTS_PER_MINUTE: '1000000',
    AUTH_FAILURES_PER_MINUTE: '1000000',
    ...vars,
  };
  const defined = Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
  const output: string[] = [];
  const port = await freePort();
  const start = (attempts?: number) =>
    startWorkerProcess(
      {
        ...(attempts === undefined ? { portFactory: freePort } : {}),
        port,
        varsFile: path.join(dir, 'vars'),
        persistTo: path.join(dir, 'wrangler'),
        vars: defined,
        onOutput: (line) => output.push(line),
      },
      attempts,
    );
  let worker: Awaited<ReturnType<typeof startWorkerProcess>> | null = await start();
  return {
    url: worker.url,
    output,
    async halt() {
      await worker?.stop();
      worker = null;
    },
    async resume() {
      worker = await start(5);
    },
    async stop() {
      await worker?.stop();
      await own?.close();
      await scratch?.drop();
      rmSync(dir, { recursive: true, force: true });
      // Every custom worker's output gets the same PHI-in-logs scan as the shared worker's.
      const secrets = [...Object.values(TEST_SECRETS), defined.S3_SECRET_ACCESS_KEY ?? ''];
      assertNoPhi('a custom worker\'s logs', output, secrets);
    },
  };
}
