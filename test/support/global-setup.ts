// Starts what the API tests talk to: Postgres (a real server when TEST_DATABASE_URL is set, as in
// CI; embedded PGlite otherwise), the SigV4-checking S3 server, and the worker in wrangler dev.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../scripts/stack/embedded-postgres.ts';
import { startLocalStack } from '../../scripts/stack/local-stack.ts';
import { startWorkerProcess } from '../../scripts/stack/worker-process.ts';
import { assertNoPhi } from './phi-scan.ts';
import { startFakePhaxio } from './fakes/fake-phaxio.ts';
import { startFakeSinch } from './fakes/fake-sinch.ts';

/** The cloud providers' fakes and the credentials the test worker has for them. */
export const TEST_PROVIDERS = {
  phaxio: { apiKey: 'test-phaxio-key', apiSecret: 'test-phaxio-secret', callbackToken: 'test-phaxio-callback-token-0123456789' },
  sinch: {
    projectId: 'test-project-0001',
    keyId: 'test-sinch-key-id',
    keySecret: 'test-sinch-key-secret',
    callbackUsername: 'faxbot-sinch',
    callbackPassword: 'test-sinch-callback-password-0123456789abcdef',
  },
} as const;

export const TEST_ADMIN_KEY = 'test-bootstrap-admin-key-0123456789abcdef';

declare module 'vitest' {
  export interface ProvidedContext {
    workerUrl: string;
    adminKey: string;
    databaseUrl: string;
    s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string };
    /** The local S3 server's directory, for tests that seed thousands of objects at once. */
    s3Directory: string;
    maxFileSizeMb: number;
    databaseKind: 'postgres' | 'pglite';
    /** Worker variables pointing at the test services, for tests that start their own worker. */
    stackVars: Record<string, string>;
    /** The fake Phaxio and Sinch servers the test worker talks to (control URLs and credentials). */
    providers: {
      phaxio: { controlUrl: string; baseUrl: string; callbackToken: string };
      sinch: { controlUrl: string; apiUrl: string; authUrl: string; callbackUsername: string; callbackPassword: string };
      /** Worker variables pointing at the fakes, for tests that start their own worker. */
      vars: Record<string, string>;
    };
  }
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-test-'));
  const realDb = process.env.TEST_DATABASE_URL;
  if (realDb) await resetDatabase(realDb);
  const stack = await startLocalStack({ dataDir, databaseUrl: realDb, ephemeral: true });
  const maxFileSizeMb = 2;
  const logLines: string[] = [];
  const secrets = [TEST_ADMIN_KEY, 'test-pdf-token-secret-0123456789abcdef', TEST_PROVIDERS.phaxio.callbackToken, TEST_PROVIDERS.sinch.callbackPassword];
  const phaxio = await startFakePhaxio(TEST_PROVIDERS.phaxio);
  const sinch = await startFakeSinch(TEST_PROVIDERS.sinch);
  const workerPort = await freePort();
  const providerVars = {
    PHAXIO_API_URL: phaxio.baseUrl,
    PHAXIO_API_KEY: TEST_PROVIDERS.phaxio.apiKey,
    PHAXIO_API_SECRET: TEST_PROVIDERS.phaxio.apiSecret,
    PHAXIO_CALLBACK_TOKEN: TEST_PROVIDERS.phaxio.callbackToken,
    SINCH_API_URL: sinch.apiUrl,
    SINCH_AUTH_URL: sinch.authUrl,
    SINCH_PROJECT_ID: TEST_PROVIDERS.sinch.projectId,
    SINCH_KEY_ID: TEST_PROVIDERS.sinch.keyId,
    SINCH_KEY_SECRET: TEST_PROVIDERS.sinch.keySecret,
    SINCH_CALLBACK_USERNAME: TEST_PROVIDERS.sinch.callbackUsername,
    SINCH_CALLBACK_PASSWORD: TEST_PROVIDERS.sinch.callbackPassword,
  };
  const worker = await startWorkerProcess({
    portFactory: freePort,
    port: workerPort,
    varsFile: path.join(dataDir, 'worker.vars'),
    persistTo: path.join(dataDir, 'wrangler'),
    inheritOutput: !!process.env.TEST_WORKER_LOGS,
    onOutput: (line) => logLines.push(line),
    vars: {
      ...stack.vars,
      ...providerVars,
      // The providers call back here (and sign this URL).
      PUBLIC_API_URL: `http://127.0.0.1:${workerPort}`,
      ENVIRONMENT: 'test',
      API_KEY: TEST_ADMIN_KEY,
      PDF_TOKEN_SECRET: secrets[1]!,
      MAX_FILE_SIZE_MB: String(maxFileSizeMb),
      SANDBOX_STEP_MS: '100',
      // The suite shares keys across many requests; limits get their own worker in the rate-limit tests.
      MAX_REQUESTS_PER_MINUTE: '1000000',
      AUTH_FAILURES_PER_MINUTE: '1000000',
      // Short retry delays so the retry policy runs in seconds (the policy itself is the default one).
      FAX_RETRY_BUSY_SECONDS: '1',
      FAX_RETRY_NO_ANSWER_SECONDS: '1',
      FAX_RETRY_CONNECTED_SECONDS: '1',
      FAX_MAX_DIALS: '3',
      // Webhook retries on the real schedule, a thousand times faster (5 s -> 5 ms, 5 min -> 300 ms).
      WEBHOOK_RETRY_SCALE: '0.001',
    },
  });
  // The signed URLs must point at the running worker.
  project.provide('workerUrl', worker.url);
  project.provide('adminKey', TEST_ADMIN_KEY);
  project.provide('databaseUrl', stack.databaseUrl);
  project.provide('databaseKind', realDb ? 'postgres' : 'pglite');
  project.provide('maxFileSizeMb', maxFileSizeMb);
  project.provide('stackVars', stack.vars);
  project.provide('providers', {
    phaxio: { controlUrl: phaxio.controlUrl, baseUrl: phaxio.baseUrl, callbackToken: TEST_PROVIDERS.phaxio.callbackToken },
    sinch: { controlUrl: sinch.controlUrl, apiUrl: sinch.apiUrl, authUrl: sinch.authUrl, callbackUsername: TEST_PROVIDERS.sinch.callbackUsername, callbackPassword: TEST_PROVIDERS.sinch.callbackPassword },
    vars: providerVars,
  });
  project.provide('s3Directory', stack.s3Directory ?? '');
  project.provide('s3', {
    endpoint: stack.vars.S3_ENDPOINT!,
    bucket: stack.vars.S3_BUCKET!,
    accessKeyId: stack.vars.S3_ACCESS_KEY_ID!,
    secretAccessKey: stack.vars.S3_SECRET_ACCESS_KEY!,
  });
  return async () => {
    await worker.stop();
    await Promise.all([phaxio.close(), sinch.close()]);
    let auditScan: unknown = null;
    await assertNoPhiInAudit(stack.databaseUrl, secrets).catch((err) => (auditScan = err));
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
    try {
      assertNoPhiInLogs(logLines, secrets);
      if (auditScan) throw auditScan;
    } catch (err) {
      // Vitest reports teardown errors but does not fail the run for them: fail it ourselves.
      console.error(String(err));
      process.exitCode = 1;
      throw err;
    }
  };
}

/** A real server is reused across runs: start every run from an empty schema. */
async function resetDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('drop schema if exists drizzle cascade; drop schema public cascade; create schema public;');
  } finally {
    await client.end();
  }
}

/**
 * The whole suite doubles as the PHI-in-logs test: every line the worker printed is scanned.
 * It must have logged requests (else the scan proves nothing) and nothing sensitive.
 */
function assertNoPhiInLogs(lines: string[], secrets: string[]): void {
  const logFile = path.join(os.tmpdir(), `faxbot-test-worker-${process.pid}.log`);
  writeFileSync(logFile, lines.join('\n'));
  if (!lines.some((l) => l.includes('"msg":"request"'))) {
    throw new Error(`PHI-in-logs check: the worker logged no request lines (see ${logFile}); the scan would prove nothing`);
  }
  assertNoPhi('the worker logs', lines, secrets, logFile);
}

/** ... and the PHI-in-audit test: every audit row the run wrote (resource id, client IP, details) is scanned. */
async function assertNoPhiInAudit(url: string, secrets: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ line: string }>(
      // ' | ' between fields: the scanner drops spaces and dots, so a key id next to an IP would read as one digit run.
      `select concat_ws(' | ', action, resource_id, client_ip, details::text) as line from audit_events order by id`,
    );
    const auditFile = path.join(os.tmpdir(), `faxbot-test-audit-${process.pid}.log`);
    writeFileSync(auditFile, rows.map((r) => r.line).join('\n'));
    assertNoPhi('the audit table', rows.map((r) => r.line), secrets, auditFile);
  } finally {
    await client.end();
  }
}
