// `npm run dev`: the whole product on one machine with nothing installed but npm packages.
// Starts embedded Postgres (PGlite) + the WebSocket proxy, a SigV4-checking S3 server, applies
// migrations and runs the worker in wrangler dev. DATABASE_URL / S3_* use real services instead.
// State lives in FAXBOT_DATA_DIR (default .data/) and survives restarts. Ctrl-C stops everything.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startLocalStack, type LocalStack } from './stack/local-stack.ts';
import { ROOT, startWorkerProcess, type WorkerProcess } from './stack/worker-process.ts';

const dataDir = path.resolve(ROOT, process.env.FAXBOT_DATA_DIR ?? '.data');
const port = Number(process.env.PORT ?? 8787);
mkdirSync(dataDir, { recursive: true, mode: 0o700 });

/** Secrets generated on first start and kept in the data directory, so keys and links survive restarts. */
function persistentSecret(name: string, envValue: string | undefined): string {
  if (envValue) return envValue;
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = name === 'admin-key' ? `fbk_dev_${randomBytes(24).toString('base64url')}` : randomBytes(32).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

const s3FromEnv =
  process.env.S3_ENDPOINT && process.env.S3_BUCKET && process.env.S3_ACCESS_KEY_ID && process.env.S3_SECRET_ACCESS_KEY
    ? {
        endpoint: process.env.S3_ENDPOINT,
        bucket: process.env.S3_BUCKET,
        accessKeyId: process.env.S3_ACCESS_KEY_ID,
        secretAccessKey: process.env.S3_SECRET_ACCESS_KEY,
        region: process.env.S3_REGION,
      }
    : undefined;

/** Variables from the environment that the worker understands are passed through as well. */
const PASS_THROUGH = [
  'REQUIRE_API_KEY', 'S3_KMS_KEY_ID', 'PUBLIC_API_URL', 'PDF_TOKEN_TTL_MINUTES', 'MAX_FILE_SIZE_MB', 'MAX_PAGES',
  'DEFAULT_COUNTRY_CODE', 'PAGE_SIZE', 'FAX_BACKEND', 'SANDBOX_STEP_MS',
  'FAX_RETRY_BUSY_SECONDS', 'FAX_RETRY_NO_ANSWER_SECONDS', 'FAX_RETRY_CONNECTED_SECONDS', 'FAX_MAX_TRIES', 'FAX_MAX_DIALS',
  'FAX_JOB_EXPIRY_MINUTES', 'FAX_ATTEMPT_TIMEOUT_SECONDS',
];

let stack: LocalStack | undefined;
let worker: WorkerProcess | undefined;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping Faxbot dev stack...');
  await worker?.stop().catch(() => {});
  await stack?.close().catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  console.log(`Faxbot dev: data directory ${path.relative(process.cwd(), dataDir) || '.'}`);
  stack = await startLocalStack({ dataDir, databaseUrl: process.env.DATABASE_URL, s3: s3FromEnv });
  console.log(`  database: ${stack.embeddedDatabase ? 'embedded PGlite' : 'DATABASE_URL'} (migrations applied)`);
  console.log(`  storage:  ${s3FromEnv ? 'S3_ENDPOINT' : `local S3 at ${stack.vars.S3_ENDPOINT}`}`);
  const adminKey = persistentSecret('admin-key', process.env.API_KEY);
  const passed = Object.fromEntries(PASS_THROUGH.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));
  worker = await startWorkerProcess({
    port,
    varsFile: path.join(dataDir, 'worker.vars'),
    persistTo: path.join(dataDir, 'wrangler'),
    inheritOutput: true,
    vars: {
      ...stack.vars,
      ENVIRONMENT: 'development',
      API_KEY: adminKey,
      PDF_TOKEN_SECRET: persistentSecret('pdf-token-secret', process.env.PDF_TOKEN_SECRET),
      ...passed,
    },
  });
  worker.child.on('exit', (code) => {
    if (!stopping) {
      console.error(`wrangler dev exited (${code}); stopping.`);
      void shutdown(1);
    }
  });
  const url = worker.url;
  console.log(`
Faxbot API is running at ${url}
  Admin key (all scopes): ${adminKey}
  ${process.env.API_KEY ? '(from API_KEY)' : `(stored in ${path.relative(process.cwd(), path.join(dataDir, 'admin-key'))})`}

Try it:
  curl -s ${url}/health/ready
  curl -s -X POST ${url}/admin/api-keys -H "Authorization: Bearer ${adminKey}" \\
       -H 'content-type: application/json' \\
       -d '{"name":"ehr","owner":"cardiology","scopes":["fax:send","fax:read"]}'
  curl -s -X POST ${url}/fax -H "Authorization: Bearer <token from above>" \\
       -F to=+15555550123 -F file=@README.md

Press Ctrl-C to stop.`);
} catch (err) {
  console.error(`npm run dev failed: ${(err as Error).message}`);
  await shutdown(1);
}
